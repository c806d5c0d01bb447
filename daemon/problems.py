"""How the API answers input it cannot take, and a database it cannot read.

- A body that fails validation is a 422 whose ``detail`` lists each field (``loc``) and
  why. FastAPI's own handler echoes the input back, and a NaN or a lone surrogate in it
  cannot be written as JSON, which turned the 422 into a 500: here the echo is made
  safe first.
- A question longer than the context is a 413 that says how long it may be.
- A damaged database file is a 503 that names the file and what to do.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from ..chat import PromptTooLong
from ..db import sqlite_module
from ..memory.recover import damage_message, is_damage
from .runtime import Runtime

log = logging.getLogger("pocketmind.daemon.api")


def add_handlers(app: FastAPI, runtime: Runtime) -> None:
    @app.exception_handler(RequestValidationError)
    def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "loc": [json_safe(part) for part in err.get("loc", ())],
                "msg": json_safe(err.get("msg", "")),
                "type": err.get("type", ""),
                **({"input": json_safe(err["input"])} if "input" in err else {}),
            }
            for err in exc.errors()
        ]
        return JSONResponse({"detail": errors}, status_code=422)

    @app.exception_handler(PromptTooLong)
    def too_long(request: Request, exc: PromptTooLong) -> JSONResponse:
        body: dict[str, Any] = {
            "detail": str(exc),
            "max_question_tokens": exc.limit,
            "max_question_chars": exc.limit_chars,
        }
        if request.url.path.startswith("/v1/"):  # the shape OpenAI clients read
            body["error"] = {
                "message": str(exc),
                "type": "invalid_request_error",
                "code": "context_length_exceeded",
            }
        return JSONResponse(body, status_code=413)

    @app.exception_handler(sqlite_module().DatabaseError)
    def database(_request: Request, exc: Exception) -> JSONResponse:
        if is_damage(exc):
            message = damage_message(runtime.settings.db_path, exc)
            log.error("%s", message)
            return JSONResponse({"detail": message}, status_code=503)
        log.error("database error", exc_info=exc)
        return JSONResponse({"detail": f"database error: {exc}"}, status_code=500)


def json_safe(value: Any, depth: int = 0) -> Any:
    """``value`` as JSON can carry it: non-finite numbers and lone surrogates spelled
    out, anything else as text."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("-" if value < 0 else "") + "Infinity"
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if value is None or isinstance(value, bool | int | float):
        return value
    if depth > 20:
        return "…"
    if isinstance(value, dict):
        return {str(json_safe(k, depth + 1)): json_safe(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v, depth + 1) for v in value]
    return json_safe(str(value), depth + 1)
