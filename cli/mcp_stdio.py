"""``pocketmind mcp``: PocketMind's MCP server on stdin/stdout, for a client that starts it.

When the daemon runs, this is a relay to the daemon's ``/mcp`` over its owner-only
socket: one process owns the database (its write discipline, the ingest worker, the
vector index in memory, the gate where actions wait for the user), and a second copy of
the index and the embedder is not loaded on a phone. With no daemon, it opens the store
itself and serves in process.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import anyio
import httpx2
from mcp.client.streamable_http import streamable_http_client
from mcp.server.stdio import stdio_server

from ..daemon.client import DaemonClient
from ..daemon.mcp_mount import PATH
from ..settings import Settings

log = logging.getLogger(__name__)


def serve_stdio(settings: Settings) -> str:
    """Serve until stdin closes; says which way it served ("daemon" or "in-process")."""
    client = DaemonClient.connect(settings)
    if client is not None:
        client.close()
        print(f"pocketmind mcp: relaying to the daemon at {settings.socket_path}", file=sys.stderr)
        anyio.run(relay, settings)
        return "daemon"
    from ..bridge.backing import Backing
    from ..bridge.server import build_server
    from ..db import Database
    from ..embedders import make_embedder
    from ..memory import MemoryStore

    db = Database.open(settings.db_path)
    try:
        store = MemoryStore(db, make_embedder(settings), settings)
    except BaseException:
        db.close()
        raise
    print(f"pocketmind mcp: no daemon; serving {settings.db_path} in process", file=sys.stderr)
    try:
        build_server(Backing.of_phone(store, db, settings)).run("stdio")
    finally:
        store.close()
    return "in-process"


async def relay(settings: Settings) -> None:
    """Pass JSON-RPC messages between stdio and the daemon's streamable HTTP endpoint."""
    transport = httpx2.AsyncHTTPTransport(uds=str(settings.socket_path))
    timeout = httpx2.Timeout(30.0, read=300.0)
    async with (
        httpx2.AsyncClient(transport=transport, timeout=timeout) as http,
        streamable_http_client(f"http://pocketmind{PATH}", http_client=http) as (up_in, up_out),
        stdio_server() as (down_in, down_out),
        anyio.create_task_group() as tasks,
    ):

        async def upstream() -> None:
            await _pump(down_in, up_out)
            tasks.cancel_scope.cancel()  # stdin closed: the client is gone

        tasks.start_soon(upstream)
        tasks.start_soon(_pump, up_in, down_out)


async def _pump(source: Any, sink: Any) -> None:  # the SDK's Read/WriteStream protocols
    async for message in source:
        if isinstance(message, Exception):  # a line that was not JSON-RPC: said, dropped
            log.warning("mcp relay: %s", message)
            continue
        await sink.send(message)
