"""Tool calls out of a model's text: Qwen3's ``<tool_call>`` blocks, parsed by us.

llama-cpp-python renders ``tools`` into a GGUF's chat template but does not parse the
model's calls back out (abetlen/llama-cpp-python#1784), so this does. Qwen3 (and the
Hermes format it follows) answers a call as::

    <tool_call>
    {"name": "sms_send", "arguments": {"to": "Maya", "text": "running late"}}
    </tool_call>

several blocks for parallel calls. A grammar-constrained small model emits the same
JSON objects. Anything that is not a well-formed call stays text, and a block that is
not JSON is reported, so the agent can give the model one repair round.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

BLOCK = re.compile(r"<tool_call>\s*(.*?)\s*(?:</tool_call>|$)", re.DOTALL)


@dataclass(frozen=True)
class ToolCall:
    name: str
    arguments: dict[str, Any]
    id: str = field(default_factory=lambda: f"call_{uuid.uuid4().hex[:12]}")

    def to_openai(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": "function",
            "function": {
                "name": self.name,
                "arguments": json.dumps(self.arguments, ensure_ascii=False),
            },
        }

    def to_qwen(self) -> str:
        body = json.dumps({"name": self.name, "arguments": self.arguments}, ensure_ascii=False)
        return f"<tool_call>\n{body}\n</tool_call>"


@dataclass(frozen=True)
class ParsedReply:
    text: str  # what is left once the calls are taken out
    calls: list[ToolCall]
    malformed: list[str]  # blocks that looked like calls but did not parse


def parse_tool_calls(reply: str) -> ParsedReply:
    """Split ``reply`` into plain text and the tool calls it makes."""
    calls: list[ToolCall] = []
    malformed: list[str] = []
    for block in BLOCK.findall(reply):
        call = _call(block)
        if call is None:
            malformed.append(block)
        else:
            calls.append(call)
    text = BLOCK.sub("", reply).strip()
    if not calls and not malformed and text.startswith("{"):  # a bare, constrained call
        call = _call(text)
        if call is not None:
            return ParsedReply("", [call], [])
    return ParsedReply(text, calls, malformed)


def _call(block: str) -> ToolCall | None:
    try:
        data, _end = json.JSONDecoder().raw_decode(block.strip())
    except json.JSONDecodeError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        return None
    arguments = data.get("arguments", data.get("parameters", {}))
    if isinstance(arguments, str):  # some models send the arguments JSON as a string
        try:
            arguments = json.loads(arguments)
        except json.JSONDecodeError:
            return None
    if not isinstance(arguments, dict):
        return None
    return ToolCall(data["name"], arguments)


def engine_turns(messages: list[dict[str, Any]]) -> list[dict[str, str]]:
    """OpenAI-style messages as the engine shows them to a model: an assistant turn's
    ``tool_calls`` become ``<tool_call>`` blocks after its text, and each run of ``tool``
    messages becomes one user turn of ``<tool_response>`` blocks, as the agent loop sends
    observations back. Other turns pass through as role and content."""
    out: list[dict[str, str]] = []
    for message in messages:
        role, content = message.get("role"), message.get("content") or ""
        if not isinstance(role, str) or not isinstance(content, str):
            raise ValueError(f"a message needs a role and text content, not {message!r:.80}")
        if role == "tool":
            block = f"<tool_response>\n{content}\n</tool_response>"
            if out and out[-1]["role"] == "user" and out[-1]["content"].startswith("<tool_resp"):
                out[-1] = {"role": "user", "content": f"{out[-1]['content']}\n{block}"}
            else:
                out.append({"role": "user", "content": block})
            continue
        calls = [_openai_call(c) for c in message.get("tool_calls") or []]
        if calls:
            content = "\n".join([*([content] if content else []), *(c.to_qwen() for c in calls)])
        out.append({"role": role, "content": content})
    return out


def _openai_call(call: Any) -> ToolCall:
    try:
        function = call["function"]
        arguments = function.get("arguments") or {}
        if isinstance(arguments, str):
            arguments = json.loads(arguments)
        if not isinstance(function["name"], str) or not isinstance(arguments, dict):
            raise TypeError
        return ToolCall(function["name"], arguments, str(call.get("id") or ""))
    except (KeyError, TypeError, AttributeError, json.JSONDecodeError):
        raise ValueError(f"not an OpenAI tool call: {call!r:.80}") from None
