"""The MCP server inside the daemon: Streamable HTTP at ``/mcp`` on the daemon's own
sockets, behind the same guard as the API (the owner's uid on the Unix socket, the
bearer token on loopback TCP). No new port, no new way in.

Stateless with JSON responses: every POST is answered on its own, like the REST routes,
and nothing lives between requests but the daemon's database.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from mcp.server.streamable_http_manager import StreamableHTTPASGIApp
from mcp.server.transport_security import TransportSecuritySettings
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from ..bridge.backing import Backing
from ..bridge.server import build_server
from .routers.deps import ADMITTED

PATH = "/mcp"


def mount_mcp(app: FastAPI, backing: Backing) -> None:
    server = build_server(backing)
    server.streamable_http_app(
        streamable_http_path=PATH,
        stateless_http=True,
        json_response=True,
        max_request_body_size=backing.settings.daemon.max_body_bytes,
        # The Host/Origin check guards an unauthenticated localhost port against DNS
        # rebinding; here the socket's peer uid or the bearer token is the way in.
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
    )
    manager = server.session_manager
    app.router.routes.append(Route(PATH, endpoint=_OwnerOnly(StreamableHTTPASGIApp(manager))))

    @asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        async with manager.run():
            yield

    app.router.lifespan_context = lifespan


class _OwnerOnly:
    """The MCP endpoint's ``owner_only``: refuse what the guard did not admit, once served."""

    def __init__(self, app: StreamableHTTPASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        served = getattr(getattr(scope.get("app"), "state", None), "guarded", False)
        if served and ADMITTED not in scope:
            await send(
                {
                    "type": "http.response.start",
                    "status": 401,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send({"type": "http.response.body", "body": b'{"detail":"not admitted"}'})
            return
        await self.app(scope, receive, send)
