"""A small MCP server for the client tests (stdio): a read tool, a write tool that
appends to a file, one that hangs and one that answers too much."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from mcp.server.mcpserver import MCPServer
from mcp.types import ToolAnnotations

NOTES = Path(sys.argv[1])
server = MCPServer("notes", log_level="WARNING")


@server.tool(annotations=ToolAnnotations(read_only_hint=True))
def count_notes() -> str:
    """How many notes there are."""
    return str(len(NOTES.read_text().splitlines()) if NOTES.exists() else 0)


@server.tool()
def add_note(text: str) -> str:
    """Append a note."""
    with NOTES.open("a") as out:
        out.write(text + "\n")
    return f"added {text!r}"


@server.tool(annotations=ToolAnnotations(read_only_hint=True))
def hang() -> str:
    """Never answers in time."""
    time.sleep(600)
    return "late"


@server.tool(annotations=ToolAnnotations(read_only_hint=True))
def flood() -> str:
    """Answers far too much."""
    return "x" * 2_000_000


if __name__ == "__main__":
    server.run("stdio")
