"""``pocketmind mcp``: serve PocketMind's memory to an MCP client over stdio."""

from __future__ import annotations

import click

from ..settings import Settings
from .base import with_settings


@click.command("mcp")
@with_settings
def mcp_command(settings: Settings) -> None:
    """Serve memory, reminders and phone reads to an MCP client on stdin/stdout.

    Relays to the running daemon when there is one; otherwise opens the store itself."""
    from .mcp_stdio import serve_stdio

    serve_stdio(settings)
