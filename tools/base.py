"""The tool seam: a typed function the model may call, with its side effects declared.

A :class:`Tool` has a name, a one-line description, a pydantic model for its arguments
(the one source of its JSON Schema, its grammar and its MCP listing), a side-effect class
and an executor. The side-effect class is data the one confirmation gate reads, so no
tool can forget to ask:

- ``read``: looks, changes nothing (battery, search, list);
- ``local``: changes PocketMind's own state (a reminder, a memory);
- ``external``: sends, calls, sets or opens something outside PocketMind (a text, a call,
  an alarm, the torch, forgetting a memory) and needs the user's yes, every time.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError


class Effect(StrEnum):
    READ = "read"
    LOCAL = "local"
    EXTERNAL = "external"


class ToolError(RuntimeError):
    """A tool could not do what was asked; the message says why, in words for the user."""


class NotOnThisDevice(ToolError):
    """This tool has no equivalent here (no termux-api off the phone, say)."""


@dataclass(frozen=True)
class ToolResult:
    """What a tool observed or did: ``text`` goes back to the model and the user;
    ``data`` is the same as JSON for the API, the audit log and MCP."""

    text: str
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "data": self.data}


A = TypeVar("A", bound=BaseModel)


@dataclass(frozen=True)
class Tool(Generic[A]):
    name: str
    description: str
    args: type[A]
    effect: Effect
    execute: Callable[[A], ToolResult]
    # For the confirmation: the action in the user's words with every argument resolved
    # ("Text Maya Kowalski (+351 912 345 678): 'running late'"). Defaults to name + JSON.
    describe: Callable[[A], str] | None = None

    def parse(self, arguments: dict[str, Any] | str) -> A:
        """Validate raw arguments against the schema; :class:`ArgumentsError` names what
        is wrong, for one repair round with the model."""
        try:
            raw = json.loads(arguments) if isinstance(arguments, str) else arguments
            return self.args.model_validate(raw)
        except json.JSONDecodeError as exc:
            raise ArgumentsError(self.name, f"arguments are not JSON ({exc.msg})") from exc
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: {e['msg']}"
                for e in exc.errors()
            )
            raise ArgumentsError(self.name, problems) from exc

    def proposal(self, args: A) -> str:
        if self.describe is not None:
            return self.describe(args)
        return f"{self.name} {args.model_dump_json()}"

    def schema(self) -> dict[str, Any]:
        """The arguments' JSON Schema, without pydantic's titles (noise to a small model)."""
        schema: dict[str, Any] = _strip_titles(self.args.model_json_schema())
        return schema

    def openai(self) -> dict[str, Any]:
        """The OpenAI ``tools`` entry (also what Qwen3's template puts in ``<tools>``)."""
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": self.schema(),
            },
        }


class ArgumentsError(ToolError):
    def __init__(self, tool: str, problems: str) -> None:
        super().__init__(f"{tool}: {problems}")
        self.tool = tool
        self.problems = problems


def _strip_titles(schema: Any, naming: bool = False) -> Any:
    """Drop pydantic's ``title`` keywords; keep properties that are *named* title."""
    if isinstance(schema, dict):
        return {
            k: _strip_titles(v, naming=k in ("properties", "$defs"))
            for k, v in schema.items()
            if naming or not (k == "title" and isinstance(v, str))
        }
    if isinstance(schema, list):
        return [_strip_titles(v) for v in schema]
    return schema
