"""Serving the API: a Unix socket only its owner can use, and optional loopback TCP.

The socket file is created mode 0600 inside a 0700 directory, and every connection's
peer credentials (SO_PEERCRED, on Linux and Android) are checked against the daemon's
uid before a byte of HTTP is read. TCP, when enabled, listens on 127.0.0.1 only and
needs ``Authorization: Bearer <token>`` from a 0600 file: on Android any app can reach
loopback ports. Every request body is capped at ``daemon.max_body_bytes``.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
import socket
import struct
import sys
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from ..settings import Settings
from .paths import private_dir
from .routers.deps import ADMITTED

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

PEERCRED = struct.Struct("3i")  # struct ucred: pid, uid, gid
ALLOWED_UID = os.getuid()  # module-level so a test can stand in for another user


def peer_uid(sock: socket.socket) -> int | None:
    """The uid of the process at the other end of a Unix socket (Linux, Android)."""
    if not hasattr(socket, "SO_PEERCRED"):
        return None
    _pid, uid, _gid = PEERCRED.unpack(
        sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, PEERCRED.size)
    )
    return int(uid)


class OwnerOnlyH11(H11Protocol):
    """uvicorn's HTTP/1.1 protocol, closing Unix connections from any other uid."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family == socket.AF_UNIX:
            uid = peer_uid(sock)
            if uid is not None and uid != ALLOWED_UID:
                log.warning("refused a connection from uid %d (owner is %d)", uid, ALLOWED_UID)
                transport.close()
                return
        super().connection_made(transport)


class Guard:
    """ASGI middleware: body size cap for everyone, bearer token for TCP clients."""

    def __init__(self, app: ASGIApp, *, max_body: int, token: str | None) -> None:
        self.app, self.max_body, self.token = app, max_body, token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope.get("client") and not self._authorized(scope):  # TCP: client is (host, port)
            await _reply(
                send,
                401,
                b'{"detail":"missing or wrong bearer token"}',
                [(b"www-authenticate", b"Bearer")],
            )
            return
        scope[ADMITTED] = "token" if scope.get("client") else "socket"  # read by owner_only
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body):
            await _reply(send, 413, b'{"detail":"request body too large"}')
            return
        body = await self._read_body(receive)
        if body is None:
            await _reply(send, 413, b'{"detail":"request body too large"}')
            return
        await self.app(scope, _replay(body, receive), send)

    def _authorized(self, scope: Scope) -> bool:
        if self.token is None:
            return False
        header = dict(scope.get("headers") or []).get(b"authorization", b"")
        expected = b"Bearer " + self.token.encode()
        return hmac.compare_digest(header, expected)

    async def _read_body(self, receive: Receive) -> bytes | None:
        """The whole body (a chunked one has no length to check up front), or None."""
        parts, seen = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > self.max_body:
                return None
            parts.append(chunk)
            if not message.get("more_body"):
                break
        return b"".join(parts)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # then wait for the disconnect, as servers do

    return replay


async def _reply(
    send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), *(headers or [])],
        }
    )
    await send({"type": "http.response.body", "body": body})


def unix_socket(path: Path) -> socket.socket:
    private_dir(path.parent)
    if path.exists():
        path.unlink()  # a stale socket: the single-instance lock says nobody owns it
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old = os.umask(0o177)  # created 0600: no window where others could connect
    try:
        sock.bind(str(path))
    finally:
        os.umask(old)
    path.chmod(0o600)
    sock.listen(128)
    return sock


def tcp_socket(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(128)
    return sock


def make_server(
    app: ASGIApp, settings: Settings, token: str | None
) -> tuple[uvicorn.Server, list[socket.socket]]:
    sockets = [unix_socket(settings.socket_path)]
    if settings.daemon.tcp_port is not None:
        sockets.append(tcp_socket(settings.daemon.tcp_port))
    guarded = Guard(app, max_body=settings.daemon.max_body_bytes, token=token)
    if (state := getattr(app, "state", None)) is not None:
        state.guarded = True  # from now on its routes refuse what the guard did not admit
    config = uvicorn.Config(
        guarded,
        http=OwnerOnlyH11,
        lifespan="on",  # starts and stops the MCP session manager (daemon/mcp_mount.py)
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=10,
    )
    return uvicorn.Server(config), sockets


def serve(server: uvicorn.Server, sockets: list[socket.socket]) -> None:
    """Run until SIGTERM or SIGINT (uvicorn's handlers set ``should_exit``)."""
    try:
        server.run(sockets=sockets)
    finally:
        for sock in sockets:
            sock.close()
    if sys.exc_info()[0] is None:
        log.info("API stopped")
