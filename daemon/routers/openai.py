"""The OpenAI-compatible chat API, so OpenAI clients can use the phone's assistant."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter

from ...chat import Answer
from ...validation import InputError
from .. import schemas
from ..openai_tools import tool_completion, wants_tools
from .deps import OWNER, RuntimeDep
from .streaming import streaming

router = APIRouter(tags=["openai"], dependencies=OWNER)


@router.get("/v1/models")
def models(runtime: RuntimeDep) -> dict[str, Any]:
    engine = runtime.engine
    return {
        "object": "list",
        "data": [
            {
                "id": engine.model_id,
                "object": "model",
                "created": int(runtime.started),
                "owned_by": "pocketmind",
            }
        ],
    }


@router.post("/v1/chat/completions")
def completions(runtime: RuntimeDep, body: schemas.OpenAIChatIn) -> Any:
    if wants_tools(body):  # the client's tools: called by the model, run by the client
        engine, config = runtime.engine, runtime.settings.engine
        return tool_completion(
            engine,
            body,
            config.answer_tokens,
            config.temperature,
            guided=config.tool_calls == "guided",
        )
    question, history, instructions = _conversation(body)
    assistant = runtime.assistant(
        answer_tokens=body.max_completion_tokens or body.max_tokens,
        temperature=body.temperature,
        instructions=instructions,
    )
    stream = assistant.stream(question, history=history)
    ident = f"chatcmpl-{uuid.uuid4().hex[:24]}"
    model = runtime.engine.model_id
    created = int(time.time())
    if not body.stream:
        answer = stream.finish()
        return _completion(ident, model, created, answer)

    def chunks() -> Iterator[str]:
        def chunk(delta: dict[str, Any], finish: str | None = None) -> str:
            return (
                "data: "
                + json.dumps(
                    {
                        "id": ident,
                        "object": "chat.completion.chunk",
                        "created": created,
                        "model": model,
                        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
                    },
                    ensure_ascii=False,
                )
                + "\n\n"
            )

        yield chunk({"role": "assistant", "content": ""})
        for piece in stream:
            yield chunk({"content": piece})
        assert stream.answer is not None
        yield chunk({}, stream.answer.stats.finish_reason or "stop")
        yield "data: [DONE]\n\n"

    return streaming(chunks(), stream)


def _conversation(body: schemas.OpenAIChatIn) -> tuple[str, list[tuple[str, str]], str]:
    """(last user message, earlier user/assistant pairs, the client's system text)."""
    messages = body.messages
    if messages[-1].role != "user" or not messages[-1].text().strip():
        raise InputError("messages: the last message must be a non-empty user message")
    instructions = "\n".join(m.text() for m in messages if m.role in ("system", "developer"))
    history: list[tuple[str, str]] = []
    pending: str | None = None
    for message in messages[:-1]:
        if message.role == "user":
            pending = message.text()
        elif message.role == "assistant" and pending is not None:
            history.append((pending, message.text()))
            pending = None
    return messages[-1].text(), history, instructions


def _completion(ident: str, model: str, created: int, answer: Answer) -> dict[str, Any]:
    stats = answer.stats
    return {
        "id": ident,
        "object": "chat.completion",
        "created": created,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": answer.text},
                "finish_reason": stats.finish_reason or "stop",
            }
        ],
        "usage": {
            "prompt_tokens": stats.prompt_tokens,
            "completion_tokens": stats.completion_tokens,
            "total_tokens": stats.prompt_tokens + stats.completion_tokens,
        },
        "pocketmind": {
            "memories": [r.to_json() for r in answer.memories],
            "cited": answer.cited,
            "supported": answer.supported,
            "exchange_id": answer.exchange_id,
        },
    }
