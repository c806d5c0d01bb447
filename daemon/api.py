"""The daemon's HTTP API (FastAPI): one router per resource under ``routers/``.

Served on a Unix socket that only its owner can use (see ``server.py``). Handlers are
plain ``def``: FastAPI runs them in its thread pool, where blocking on the model lock
or SQLite is fine and the event loop stays free. Each takes the runtime through
``Depends`` and every router depends on ``owner_only``.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from .. import __version__
from ..db import DiskFull, StorageError
from ..engine.base import EngineError
from ..ingest import Backpressure
from ..validation import InputError
from .problems import add_handlers, json_safe
from .routers import ROUTERS
from .runtime import Runtime


def create_app(runtime: Runtime) -> FastAPI:
    app = FastAPI(
        title="PocketMind",
        version=__version__,
        description="The local API of the PocketMind daemon. Reachable only by its owner.",
    )
    app.state.runtime = runtime
    _errors(app)
    add_handlers(app, runtime)  # bad input: 422 naming the field; too long: 413
    for router in ROUTERS:
        app.include_router(router)
    if hasattr(runtime, "store"):  # started: MCP serves its store (an unstarted one in tests)
        from ..bridge.backing import Backing
        from .mcp_mount import mount_mcp

        acting = getattr(runtime, "acting", None)  # MCP's actions wait at the same gate
        gate = acting.gate if acting is not None else None
        mount_mcp(app, Backing.of_phone(runtime.store, runtime.db, runtime.settings, gate))
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


__all__ = ["create_app"]
