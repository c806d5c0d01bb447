"""An OpenAI client's ``tools`` on ``/v1/chat/completions``: the model calls them, the
client runs them. PocketMind never executes a client's tool.

The reply is decided the way the phone agent decides (``tools/agent.py``): a grammar
holds the model first to one of the tools' names (or ``none``, unless the client said
``required``), then to that tool's own ``parameters`` schema, so every call a small model
makes parses and fits the schema; ``none`` answers in words. ``tool_choice`` naming a
function skips the first step; ``"none"`` leaves the tools out. Unless the client sets
``parallel_tool_calls`` false, the model is asked again after each call whether the
request needs another (up to four, the same grammars; a repeated call ends it).
Earlier calls and their ``tool`` results go back to the model in Qwen3's
``<tool_call>``/``<tool_response>`` form. These turns are the client's, not the user's
memories: nothing is retrieved or recorded for training.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from fastapi.responses import StreamingResponse

from ..engine.base import ChatOptions, ChatStats, Engine, EngineError, Message
from ..engine.thinking import strip_thinking
from ..engine.toolcalls import ToolCall
from ..tools.agent import _unbounded
from ..validation import InputError
from . import schemas

MAX_PARALLEL = 4  # calls in one turn, when the client allows parallel calls
AGAIN = "Does the request need another function call too, or none?"
PROMPT = """You can call these functions. Call one only when the request needs it; \
otherwise answer in words.

{tools}"""


@dataclass
class ToolReply:
    text: str | None
    calls: list[ToolCall] = field(default_factory=list)
    stats: ChatStats | None = None

    @property
    def finish_reason(self) -> str:
        return "tool_calls" if self.calls else "stop"


def wants_tools(body: schemas.OpenAIChatIn) -> bool:
    return bool(body.tools) and body.tool_choice != "none"


def _messages(body: schemas.OpenAIChatIn) -> list[Message]:
    tools = "\n".join(json.dumps(t.function.model_dump(), ensure_ascii=False) for t in body.tools)
    system = "\n".join(m.text() for m in body.messages if m.role in ("system", "developer"))
    convo = [Message("system", (system + "\n\n" if system else "") + PROMPT.format(tools=tools))]
    for message in body.messages:
        if message.role == "user":
            convo.append(Message("user", message.text()))
        elif message.role == "assistant":
            calls = [
                ToolCall(c.function.name, c.function.parsed(), c.id).to_qwen()
                for c in message.tool_calls or []
            ]
            convo.append(Message("assistant", "\n".join([message.text(), *calls]).strip()))
        elif message.role == "tool":
            convo.append(Message("user", f"<tool_response>\n{message.text()}\n</tool_response>"))
    return convo


def answer_with_tools(
    engine: Engine, body: schemas.OpenAIChatIn, max_tokens: int, temperature: float
) -> ToolReply:
    convo = _messages(body)
    functions = {t.function.name: t.function for t in body.tools}
    stats = ChatStats(engine.model_id, engine.adapter_id, finish_reason="stop")
    choice = body.tool_choice
    if isinstance(choice, schemas.NamedToolChoice):
        if choice.function.name not in functions:
            raise InputError(f"tool_choice: no tool called {choice.function.name!r} in tools")
        name: str | None = choice.function.name
    else:
        name = _pick(engine, convo, list(functions), choice == "required", stats)
    if name is None:
        chat = engine.chat(convo, ChatOptions(max_tokens=max_tokens, temperature=temperature))
        text = strip_thinking(chat.text()).strip()
        _add(stats, chat.stats)
        return ToolReply(text, [], stats)
    calls = [_arguments(engine, convo, name, functions[name].parameters, max_tokens, stats)]
    while body.parallel_tool_calls is not False and len(calls) < MAX_PARALLEL:
        made = "\n".join(c.to_qwen() for c in calls)
        more = [*convo, Message("assistant", made)]
        name = _pick(engine, more, list(functions), False, stats, AGAIN)
        if name is None:
            break
        call = _arguments(engine, more, name, functions[name].parameters, max_tokens, stats)
        if any(call.name == c.name and call.arguments == c.arguments for c in calls):
            break  # the same call again: the model has run out of new ones
        calls.append(call)
    return ToolReply(None, calls, stats)


def _arguments(
    engine: Engine,
    convo: list[Message],
    name: str,
    parameters: dict[str, Any] | None,
    max_tokens: int,
    stats: ChatStats,
) -> ToolCall:
    schema = _unbounded(parameters or {"type": "object", "properties": {}})
    chat = engine.chat(
        [*convo, Message("assistant", f"Calling {name}. Its arguments as JSON:")],
        ChatOptions(max_tokens=max_tokens, temperature=0, json_schema=schema, thinking=False),
    )
    raw = strip_thinking(chat.text())
    _add(stats, chat.stats)
    try:
        arguments = json.loads(raw)
    except json.JSONDecodeError as exc:  # cut short by max_tokens: the grammar was cut too
        raise EngineError(f"the model's arguments for {name} were cut short: {exc.msg}") from exc
    return ToolCall(name, arguments if isinstance(arguments, dict) else {})


def _pick(
    engine: Engine,
    convo: list[Message],
    names: list[str],
    required: bool,
    stats: ChatStats,
    ask: str = "Which function, or none?",
) -> str | None:
    options = names if required else [*names, "none"]
    schema = {"type": "object", "properties": {"tool": {"enum": options}}, "required": ["tool"]}
    chat = engine.chat(
        [*convo, Message("assistant", ask)],
        ChatOptions(max_tokens=24, temperature=0, json_schema=schema, thinking=False),
    )
    reply = strip_thinking(chat.text())
    _add(stats, chat.stats)
    try:
        picked = json.loads(reply).get("tool")
    except (json.JSONDecodeError, AttributeError):
        picked = None
    if picked in names:
        return str(picked)
    return names[0] if required and len(names) == 1 else None


def _add(total: ChatStats, part: ChatStats) -> None:
    total.prompt_tokens += part.prompt_tokens
    total.completion_tokens += part.completion_tokens


def tool_completion(
    engine: Engine, body: schemas.OpenAIChatIn, answer_tokens: int, temperature: float
) -> Any:
    """The ``/v1/chat/completions`` reply to a request with ``tools``, whole or streamed
    (the call is decided before the first chunk: a grammar's JSON is not shown half-made)."""
    reply = answer_with_tools(
        engine,
        body,
        min(
            body.max_completion_tokens or body.max_tokens or answer_tokens, engine.context_size // 2
        ),
        temperature if body.temperature is None else body.temperature,
    )
    ident = f"chatcmpl-{uuid.uuid4().hex[:24]}"
    created = int(time.time())
    calls = [c.to_openai() for c in reply.calls]
    if not body.stream:
        message: dict[str, Any] = {"role": "assistant", "content": reply.text}
        if calls:
            message["tool_calls"] = calls
        stats = reply.stats or ChatStats(engine.model_id, None)
        return {
            "id": ident,
            "object": "chat.completion",
            "created": created,
            "model": engine.model_id,
            "choices": [{"index": 0, "message": message, "finish_reason": reply.finish_reason}],
            "usage": {
                "prompt_tokens": stats.prompt_tokens,
                "completion_tokens": stats.completion_tokens,
                "total_tokens": stats.prompt_tokens + stats.completion_tokens,
            },
        }

    def chunk(delta: dict[str, Any], finish: str | None = None) -> str:
        data = {
            "id": ident,
            "object": "chat.completion.chunk",
            "created": created,
            "model": engine.model_id,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }
        return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"

    def chunks() -> Iterator[str]:
        yield chunk({"role": "assistant", "content": None if calls else ""})
        if reply.text:
            yield chunk({"content": reply.text})
        for index, call in enumerate(calls):
            yield chunk({"tool_calls": [{"index": index, **call}]})
        yield chunk({}, reply.finish_reason)
        yield "data: [DONE]\n\n"

    return StreamingResponse(chunks(), media_type="text/event-stream")
