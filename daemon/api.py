"""The daemon's HTTP API (FastAPI): status, chat, OpenAI-compatible chat, memory, events.

Served on a Unix socket that only its owner can use (see ``server.py``). Handlers are
plain ``def``: FastAPI runs them in its thread pool, where blocking on the model lock
or SQLite is fine and the event loop stays free.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import Annotated, Any

import anyio
from fastapi import FastAPI, HTTPException, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse, StreamingResponse

from .. import __version__
from ..chat import Answer, AnswerStream
from ..db import DiskFull, StorageError
from ..engine.base import EngineError
from ..ingest import Backpressure
from ..memory import NewEvent, NewMemory
from ..memory.instants import parse_instant
from ..retrieval import Retriever
from ..retrieval.forgetting import forget_matches
from ..validation import InputError
from . import schemas
from .problems import add_handlers, json_safe
from .runtime import Runtime

MemoryId = Annotated[int, PathParam(ge=1, le=2**63 - 1, description="A memory's id")]


def create_app(runtime: Runtime) -> FastAPI:
    app = FastAPI(
        title="PocketMind",
        version=__version__,
        description="The local API of the PocketMind daemon. Reachable only by its owner.",
    )
    app.state.runtime = runtime
    _errors(app)
    add_handlers(app, runtime)  # bad input: 422 naming the field; too long: 413
    _status_routes(app, runtime)
    _memory_routes(app, runtime)
    _chat_routes(app, runtime)
    _openai_routes(app, runtime)
    from .skills_api import add_routes

    add_routes(app, runtime)
    return app


def _errors(app: FastAPI) -> None:
    @app.exception_handler(InputError)
    def bad_input(_request: Request, exc: InputError) -> JSONResponse:
        return JSONResponse({"detail": json_safe(str(exc))}, status_code=422)

    @app.exception_handler(Backpressure)
    def full(_request: Request, exc: Backpressure) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=503, headers={"Retry-After": "1"})

    @app.exception_handler(EngineError)
    def engine(_request: Request, exc: EngineError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=503)

    @app.exception_handler(DiskFull)
    def disk_full(_request: Request, exc: DiskFull) -> JSONResponse:
        # 507 Insufficient Storage: nothing of this request was kept; retry once freed.
        return JSONResponse({"detail": str(exc)}, status_code=507, headers={"Retry-After": "30"})

    @app.exception_handler(StorageError)
    def storage(_request: Request, exc: StorageError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=503, headers={"Retry-After": "1"})


def _now(runtime: Runtime, now: str | None) -> datetime | None:
    return parse_instant(now, runtime.settings.tz(), "now") if now else None


def _status_routes(app: FastAPI, runtime: Runtime) -> None:
    @app.get("/health")
    def health() -> dict[str, bool]:
        return {"ok": True}

    @app.get("/status")
    def status() -> dict[str, Any]:
        return runtime.status()

    @app.post("/adapter/reload")
    def reload_adapter(body: schemas.AdapterIn) -> dict[str, Any]:
        from pathlib import Path

        runtime.swap_adapter(Path(body.path).expanduser() if body.path else None)
        return {"model": runtime.engine.model_id, "adapter": runtime.engine.adapter_id}


def _memory_routes(app: FastAPI, runtime: Runtime) -> None:
    store = runtime.store

    @app.get("/memories")
    def search(
        q: str = Query(min_length=1, max_length=2000),
        k: int = Query(default=10, ge=1, le=100),
        kind: str | None = Query(default=None, max_length=200),
        source: str | None = Query(default=None, max_length=200),
        now: str | None = Query(default=None, max_length=64),
    ) -> list[dict[str, Any]]:
        results = Retriever(store).search(q, k=k, kind=kind, source=source, now=_now(runtime, now))
        return [r.to_json() for r in results]

    @app.post("/memories", response_model=schemas.Remembered, status_code=201)
    def add(body: schemas.MemoryIn) -> schemas.Remembered:
        result = store.remember(
            body.text, body.kind, body.source, body.at, body.meta, body.importance
        )
        return schemas.Remembered(**result.__dict__)

    @app.post("/memories/batch", response_model=list[schemas.Remembered], status_code=201)
    def add_many(body: schemas.MemoriesIn) -> list[schemas.Remembered]:
        """Many memories in one transaction (``memory import``): a bad one refuses the
        batch, named by its ``where`` label, and nothing of it is written."""
        items = [
            NewMemory(m.text, m.kind, m.source, m.at, dict(m.meta), m.importance)
            for m in body.memories
        ]
        where = body.where if body.where and len(body.where) == len(items) else None
        return [schemas.Remembered(**r.__dict__) for r in store.remember_many(items, where=where)]

    @app.get("/memories/recent")
    def recent(k: int = Query(default=20, ge=1, le=100)) -> list[dict[str, Any]]:
        return [m.to_json() for m in store.recent(k)]

    @app.get("/memories/stats")
    def stats() -> dict[str, Any]:
        return store.stats()

    @app.get("/memories/{memory_id}")
    def get(memory_id: MemoryId) -> dict[str, Any]:
        memory = store.get(memory_id)
        if memory is None:
            raise HTTPException(404, f"no memory {memory_id}")
        return memory.to_json()

    @app.delete("/memories/{memory_id}", status_code=204)
    def forget(memory_id: MemoryId) -> Response:
        if not store.forget(memory_id):
            raise HTTPException(404, f"no memory {memory_id}")
        return Response(status_code=204)

    @app.post("/memories/forget", response_model=schemas.Forgotten)
    def forget_matching(body: schemas.ForgetIn) -> schemas.Forgotten:
        """Without ``confirm``: what the query would forget. With it: forget those."""
        threshold = body.min_similarity
        if threshold is None:
            threshold = runtime.settings.memory.forget_min_similarity
        matches = forget_matches(store, body.query, body.k, threshold)
        return schemas.Forgotten(
            forgotten=store.forget_many(m.id for m in matches) if body.confirm else [],
            matches=[m.to_json() for m in matches],
            min_similarity=threshold,
            confirmed=body.confirm,
        )

    @app.post("/events", response_model=schemas.EventsOut, status_code=202)
    def ingest(body: schemas.EventsIn) -> schemas.EventsOut:
        events = [
            NewEvent(e.source, e.kind, e.payload, e.at, e.untrusted, e.key) for e in body.events
        ]
        ids = runtime.ingestor.submit(events)
        return schemas.EventsOut(ids=ids, queue_depth=runtime.ingestor.depth)


def _streaming(body: Iterator[str], stream: AnswerStream) -> StreamingResponse:
    """Stream ``body`` (blocking: each step runs in a worker thread), and close the
    answer whatever happens: a client that hangs up mid-answer cancels this generator,
    and ``stream.close()`` then releases the model for the next request at once instead
    of whenever the garbage collector finds the abandoned generator."""

    async def steps() -> AsyncIterator[str]:
        try:
            while (part := await anyio.to_thread.run_sync(next, body, None)) is not None:
                yield part
        finally:
            stream.close()

    return StreamingResponse(steps(), media_type="text/event-stream")


def _sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _chat_routes(app: FastAPI, runtime: Runtime) -> None:
    @app.post("/chat")
    def chat(body: schemas.ChatIn) -> Any:
        assistant = runtime.assistant()
        stream = assistant.stream(
            body.question, conversation_id=body.conversation_id, now=_now(runtime, body.now)
        )
        if not body.stream:
            return stream.finish().to_json()

        def events() -> Iterator[str]:
            try:
                for piece in stream:
                    yield _sse("token", {"text": piece})
                assert stream.answer is not None
                yield _sse("done", stream.answer.to_json())
            except (EngineError, InputError, StorageError) as exc:
                yield _sse("error", {"detail": str(exc)})

        return _streaming(events(), stream)


def _openai_routes(app: FastAPI, runtime: Runtime) -> None:
    @app.get("/v1/models")
    def models() -> dict[str, Any]:
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

    @app.post("/v1/chat/completions")
    def completions(body: schemas.OpenAIChatIn) -> Any:
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

        return _streaming(chunks(), stream)


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
            "exchange_id": answer.exchange_id,
        },
    }


__all__ = ["create_app"]
