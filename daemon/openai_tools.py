"""An OpenAI client's ``tools`` on ``/v1/chat/completions``: the model calls them, the
client runs them. PocketMind never executes a client's tool.

The reply is decided the way the phone agent decides (``tools/agent.py``): a grammar
holds the model first to one of the tools' names (or ``none``, unless the client said
``required``), then to that tool's own ``parameters`` schema, so every call a small model
makes parses and fits the schema; ``none`` answers in words. ``tool_choice`` naming a
function skips the first step; ``"none"`` leaves the tools out. Unless the client sets
``parallel_tool_calls`` false, the model is asked again after each call whether the
request needs another (up to six in all, the same grammars; a repeated call ends it).

Guided (``[engine] tool_calls = "guided"``, the default) hands three choices a small
model makes badly to the request's words (``tools/grounding.py``): which tools it can
mean (none when it shares no word with any), where a message moves on to another
request (each gets its own call), and which values an argument may take (the spans and
numbers the user wrote). The model still chooses among what is offered.

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
from ..tools.binding import next_items
from ..tools.grounding import (
    alike_numbers,
    brings_new,
    carried,
    ground,
    numbers,
    numeric_required,
    requests_in,
    shortlist,
    tool_words,
    without_echoes,
)
from ..validation import InputError
from . import schemas

MAX_PARALLEL = 6  # calls in one turn, when the client allows parallel calls
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


def _sources(body: schemas.OpenAIChatIn) -> list[str]:
    """The words an argument may be copied from: the user's turns and the tools' results."""
    return [m.text() for m in body.messages if m.role in ("user", "tool")]


@dataclass
class _Turn:
    """One request a message holds: its words (None: the whole message), the tools it
    may call, and whether it must call one."""

    part: str | None
    names: list[str]
    due: bool
    text: str = ""  # the request's words (the part, or the whole message)


def _turns(body: schemas.OpenAIChatIn, guided: bool) -> list[_Turn]:
    functions = {t.function.name: t.function for t in body.tools}
    choice = body.tool_choice
    if isinstance(choice, schemas.NamedToolChoice):
        if choice.function.name not in functions:
            raise InputError(f"tool_choice: no tool called {choice.function.name!r} in tools")
        return [_Turn(None, [choice.function.name], True)]
    required = choice == "required"
    if not guided:
        return [_Turn(None, list(functions), required)]
    words = {
        name: tool_words(name, f.description or "", f.parameters) for name, f in functions.items()
    }
    users = [m.text() for m in body.messages if m.role == "user"]
    request = users[-1] if users else ""
    parts = requests_in(request) if body.parallel_tool_calls is not False else [request]
    turns = []
    for part in parts or [request]:
        names, due = shortlist(part, words)
        if names:
            turns.append(_Turn(part if len(parts) > 1 else None, names, due or required, part))
    if required and not turns:
        turns = [_Turn(None, list(functions), True, request)]
    return turns


def answer_with_tools(
    engine: Engine,
    body: schemas.OpenAIChatIn,
    max_tokens: int,
    temperature: float,
    *,
    guided: bool = True,
) -> ToolReply:
    """The model's calls of the client's tools, or its answer in words.

    ``guided`` (the default, ``[engine] tool_calls = "guided"``) lets the words decide
    what a small model decides badly: which tools a request can mean (:func:`shortlist`),
    where a message moves on to another request (:func:`requests_in`), and which values
    an argument may take (:func:`ground`). The model still chooses among them."""
    convo = _messages(body)
    functions = {t.function.name: t.function for t in body.tools}
    sources = _sources(body) if guided else None
    stats = ChatStats(engine.model_id, engine.adapter_id, finish_reason="stop")
    calls: list[ToolCall] = []
    parallel = body.parallel_tool_calls is not False
    for turn in _turns(body, guided):
        if calls and not parallel:
            break
        made = _made(calls)
        if turn.due and len(turn.names) == 1:
            name: str | None = turn.names[0]
        else:
            name = _pick(engine, [*convo, *made], turn.names, turn.due, stats, _ask(turn, calls))
        mine: list[ToolCall] = []  # this request's calls
        while name is not None and len(calls) < MAX_PARALLEL:
            call = _arguments(
                engine,
                [*convo, *made],
                name,
                functions[name].parameters,
                max_tokens,
                stats,
                sources,
                turn.part,
            )
            if not _new(call, calls, guided):
                break  # the same call again: the model has run out of new ones
            calls.append(call)
            mine.append(call)
            if not parallel:
                break
            made = _made(calls)
            name = _pick(engine, [*convo, *made], turn.names, False, stats, _ask(turn, calls))
        while guided and parallel and mine and len(calls) < MAX_PARALLEL:
            # "the factorial of 5, of 7 and of 9", "the artists Taylor Swift and Maroon
            # 5": the model stops after the first call; numbers the request states that no
            # call used, or the next item of a list a call took one of, ask for another.
            last = mine[-1]
            parameters = functions[last.name].parameters
            wanted = numeric_required(parameters)
            used = set().union(*(carried(c.arguments)[0] for c in calls))
            unused = alike_numbers(
                turn.text, used, [n for n in numbers([turn.text]) if n not in used]
            )
            numbers_due = bool(wanted) and len(unused) >= len(wanted)
            earlier = [c.arguments for c in calls if c.name == last.name]
            pinned = next_items(turn.text, last.arguments, earlier)
            if not numbers_due and not pinned:
                break
            call = _arguments(
                engine,
                [*convo, *_made(calls)],
                last.name,
                parameters,
                max_tokens,
                stats,
                sources,
                turn.part,
                unused if numbers_due else None,
                pinned,
            )
            if not _new(call, calls, guided):
                break
            if not pinned and not carried(call.arguments)[0] & set(unused):
                break
            calls.append(call)
            mine.append(call)
    if not calls:
        chat = engine.chat(convo, ChatOptions(max_tokens=max_tokens, temperature=temperature))
        text = strip_thinking(chat.text()).strip()
        _add(stats, chat.stats)
        return ToolReply(text, [], stats)
    return ToolReply(None, calls, stats)


def _made(calls: list[ToolCall]) -> list[Message]:
    """The calls made so far, as the assistant's turn the model reads next (none: no turn)."""
    return [Message("assistant", "\n".join(c.to_qwen() for c in calls))] if calls else []


def _new(call: ToolCall, calls: list[ToolCall], guided: bool) -> bool:
    """Whether ``call`` is a new one: not a repeat and, guided, carrying a value no
    earlier call of the same function did."""
    if any(call.name == c.name and call.arguments == c.arguments for c in calls):
        return False
    same = [c.arguments for c in calls if c.name == call.name]
    return not (guided and same and not brings_new(call.arguments, same))


def _ask(turn: _Turn, calls: list[ToolCall]) -> str:
    if not calls:
        return (
            "Which function, or none?"
            if turn.part is None
            else f"For “{turn.part}”: which function, or none?"
        )
    if turn.part is None:
        return AGAIN
    return f"Does “{turn.part}” need another function call too, or none?"


def _arguments(
    engine: Engine,
    convo: list[Message],
    name: str,
    parameters: dict[str, Any] | None,
    max_tokens: int,
    stats: ChatStats,
    sources: list[str] | None,
    part: str | None = None,
    only_numbers: list[float] | None = None,
    pinned: dict[str, list[str]] | None = None,
) -> ToolCall:
    schema = _unbounded(parameters or {"type": "object", "properties": {}})
    if sources is not None:
        schema = ground(schema, sources, part, only_numbers, pinned)
    what = f"Calling {name} for “{part}”." if part else f"Calling {name}."
    chat = engine.chat(
        [*convo, Message("assistant", f"{what} Its arguments as JSON:")],
        ChatOptions(max_tokens=max_tokens, temperature=0, json_schema=schema, thinking=False),
    )
    raw = strip_thinking(chat.text())
    _add(stats, chat.stats)
    try:
        arguments = json.loads(raw)
    except json.JSONDecodeError as exc:  # cut short by max_tokens: the grammar was cut too
        raise EngineError(f"the model's arguments for {name} were cut short: {exc.msg}") from exc
    if not isinstance(arguments, dict):
        arguments = {}
    if sources is not None:
        arguments = without_echoes(arguments, (parameters or {}).get("required") or [])
    return ToolCall(name, arguments)


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
    engine: Engine,
    body: schemas.OpenAIChatIn,
    answer_tokens: int,
    temperature: float,
    *,
    guided: bool = True,
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
        guided=guided,
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
