"""PocketMind as an MCP client: the servers in ``mcp.servers`` lend their tools.

Each server's tools join as :class:`~pocketmind.tools.base.Tool` objects named
``<server>__<tool>``. A tool the server marks read-only (``readOnlyHint``) is ``read``;
every other one is ``external`` and waits at the same confirmation gate as sending a
text. Each server lives in its own task with its own timeout: one that fails to start,
errors or hangs is marked failed in ``status()`` and the others keep working (the
plugin rule). The connections run on one event loop in a background thread; calls from
the daemon's worker threads cross into it through an anyio portal.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

import anyio
import httpx2
from anyio.from_thread import BlockingPortal, start_blocking_portal
from mcp import ClientSession, StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.types import CallToolResult
from pydantic import BaseModel, ConfigDict

from ..settings.mcp import McpServerConfig
from ..tools.base import Effect, Tool, ToolError, ToolResult

log = logging.getLogger(__name__)


@dataclass
class Connection:
    name: str
    config: McpServerConfig
    state: str = "starting"  # running, failed, stopped
    error: str | None = None
    session: ClientSession | None = None
    tools: list[Tool[Any]] = field(default_factory=list)
    stop: anyio.Event | None = None

    def fail(self, error: str) -> None:
        self.state, self.error = "failed", error
        log.warning("MCP server %s failed: %s", self.name, error)


class McpServers:
    def __init__(self, configs: dict[str, McpServerConfig], max_result_bytes: int) -> None:
        self.max_result_bytes = max_result_bytes
        self.connections = {name: Connection(name, c) for name, c in configs.items()}
        self._portal: BlockingPortal | None = None
        self._portal_cm: contextlib.AbstractContextManager[BlockingPortal] | None = None

    def start(self) -> None:
        """Connect to every server (in parallel, each within its timeout)."""
        if not self.connections:
            return
        self._portal_cm = start_blocking_portal(name="mcp-client")
        self._portal = self._portal_cm.__enter__()
        for connection in self.connections.values():
            self._portal.start_task_soon(self._hold, connection)
        self._portal.call(self._wait_started)

    async def _wait_started(self) -> None:
        limit = max(c.config.timeout_s for c in self.connections.values())
        with anyio.move_on_after(limit + 1):
            while any(c.state == "starting" for c in self.connections.values()):
                await anyio.sleep(0.02)
        for connection in self.connections.values():
            if connection.state == "starting":
                connection.fail(f"did not start within {connection.config.timeout_s:g} s")

    async def _hold(self, connection: Connection) -> None:
        """Open the connection, list its tools, and keep it until ``stop()``."""
        connection.stop = anyio.Event()
        try:
            async with contextlib.AsyncExitStack() as stack:
                errlog = stack.enter_context(open(os.devnull, "w"))  # noqa: SIM115
                transport = _transport(connection.config, errlog)
                read, write = await stack.enter_async_context(transport)
                session = await stack.enter_async_context(ClientSession(read, write))
                with anyio.fail_after(connection.config.timeout_s):  # around awaits only:
                    await session.initialize()  # a scope must not straddle a task group
                    listed = await session.list_tools()
                connection.session = session
                connection.tools = [self._tool(connection, t) for t in listed.tools]
                if connection.state == "starting":
                    connection.state = "running"
                await connection.stop.wait()
        except Exception as exc:  # its own failure boundary: the others keep working
            connection.fail(_describe(exc))
        finally:
            connection.session = None
            if connection.state == "running":
                connection.state = "stopped"

    def _tool(self, connection: Connection, remote: Any) -> Tool[Any]:
        hints = remote.annotations
        effect = Effect.READ if hints is not None and hints.read_only_hint else Effect.EXTERNAL
        args = _arguments_model(remote.name, remote.input_schema)
        description = (remote.description or remote.name).strip().splitlines()[0]
        call = self._caller(connection, remote.name)
        return Tool(
            f"{connection.name}__{remote.name}",
            f"{description} (from MCP server {connection.name})",
            args,
            effect,
            lambda a: call(a.model_dump(mode="json")),
        )

    def _caller(self, connection: Connection, tool: str) -> Callable[[dict[str, Any]], ToolResult]:
        def call(arguments: dict[str, Any]) -> ToolResult:
            session, portal = connection.session, self._portal
            if session is None or portal is None or connection.state != "running":
                raise ToolError(f"MCP server {connection.name} is {connection.state}")
            timeout = connection.config.timeout_s
            try:
                result = portal.call(_call_within, session, tool, arguments, timeout)
            except TimeoutError as exc:
                connection.fail(f"{tool} did not answer within {timeout:g} s")
                raise ToolError(f"{connection.name}: {tool} did not answer in time") from exc
            except Exception as exc:
                raise ToolError(f"{connection.name}: {tool}: {_describe(exc)}") from exc
            return self._result(connection.name, tool, result)

        return call

    def _result(self, server: str, tool: str, result: CallToolResult) -> ToolResult:
        text = "\n".join(getattr(part, "text", "") for part in result.content).strip()
        if result.is_error:
            raise ToolError(f"{server}: {tool}: {text or 'failed'}")
        data = result.structured_content or {}
        size = len(text.encode()) + len(json.dumps(data).encode())
        if size > self.max_result_bytes:
            raise ToolError(
                f"{server}: {tool} answered {size} bytes, over mcp.max_result_bytes "
                f"({self.max_result_bytes})"
            )
        return ToolResult(text, data)

    def tools(self) -> list[Tool[Any]]:
        return [t for c in self.connections.values() if c.state == "running" for t in c.tools]

    def status(self) -> dict[str, dict[str, Any]]:
        return {
            name: {"state": c.state, "error": c.error, "tools": [t.name for t in c.tools]}
            for name, c in self.connections.items()
        }

    def stop(self) -> None:
        portal = self._portal
        if portal is None or self._portal_cm is None:
            return
        for connection in self.connections.values():
            if connection.stop is not None:
                portal.call(connection.stop.set)
        with contextlib.suppress(Exception):
            self._portal_cm.__exit__(None, None, None)
        self._portal = self._portal_cm = None


async def _call_within(
    session: ClientSession, tool: str, arguments: dict[str, Any], timeout: float
) -> CallToolResult:
    with anyio.fail_after(timeout):
        return await session.call_tool(tool, arguments)


def _transport(
    config: McpServerConfig, errlog: TextIO
) -> contextlib.AbstractAsyncContextManager[Any]:
    if config.command is not None:
        params = StdioServerParameters(
            command=config.command[0], args=config.command[1:], env=config.env or None
        )
        return stdio_client(params, errlog=errlog)
    assert config.url is not None
    headers = {}
    if config.key_file is not None:
        headers["Authorization"] = f"Bearer {config.key_file.expanduser().read_text().strip()}"
    http = httpx2.AsyncClient(headers=headers, timeout=config.timeout_s)
    return _http(config.url, http)


@contextlib.asynccontextmanager
async def _http(url: str, http: httpx2.AsyncClient) -> Any:
    async with http, streamable_http_client(url, http_client=http) as streams:
        yield streams


def _arguments_model(name: str, schema: dict[str, Any]) -> type[BaseModel]:
    """A model that keeps whatever arguments are given and reports the server's own
    schema: the server validates them, and the gate shows them as they are."""

    class Arguments(BaseModel):
        model_config = ConfigDict(extra="allow")

        @classmethod
        def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
            return dict(schema)

    Arguments.__name__ = f"{name}_arguments"
    return Arguments


def _describe(exc: BaseException) -> str:
    if isinstance(exc, BaseExceptionGroup):
        return "; ".join(_describe(e) for e in exc.exceptions)
    return str(exc) or type(exc).__name__
