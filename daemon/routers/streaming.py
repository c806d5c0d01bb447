"""Server-sent events from a blocking answer stream."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import anyio
from fastapi.responses import StreamingResponse

from ...chat import AnswerStream


def streaming(body: Iterator[str], stream: AnswerStream) -> StreamingResponse:
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


def sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
