"""MCP both ways: PocketMind's memory as an MCP server, other servers' tools for PocketMind.

Named ``bridge`` and not ``mcp``: the repository root is the ``pocketmind`` package, so
from the root (``python -m pocketmind.cli``, pytest's rootdir, mypy) a folder called
``mcp/`` is found first as the top-level ``mcp`` and hides the official SDK.
"""
