"""Chat: one answer, whole or streamed as server-sent events."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter

from ...db import StorageError
from ...engine.base import EngineError
from ...validation import InputError
from .. import schemas
from .deps import OWNER, RuntimeDep, parse_now
from .streaming import sse, streaming

router = APIRouter(tags=["chat"], dependencies=OWNER)


@router.post("/chat")
def chat(runtime: RuntimeDep, body: schemas.ChatIn) -> Any:
    assistant = runtime.assistant()
    stream = assistant.stream(
        body.question, conversation_id=body.conversation_id, now=parse_now(runtime, body.now)
    )
    if not body.stream:
        return stream.finish().to_json()

    def events() -> Iterator[str]:
        try:
            for piece in stream:
                yield sse("token", {"text": piece})
            assert stream.answer is not None
            yield sse("done", stream.answer.to_json())
        except (EngineError, InputError, StorageError) as exc:
            yield sse("error", {"detail": str(exc)})

    return streaming(events(), stream)
