"""Acting on the phone: tools with declared side effects, the phone's own commands, and
the pieces the agent loop stands on (contacts, a safe calculator)."""

from .base import ArgumentsError, Effect, NotOnThisDevice, Tool, ToolError, ToolResult

__all__ = ["ArgumentsError", "Effect", "NotOnThisDevice", "Tool", "ToolError", "ToolResult"]
