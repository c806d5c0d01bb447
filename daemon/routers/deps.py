"""What every route depends on: the running daemon, and a caller the guard let in.

The ``Guard`` middleware (``server.py``) is the one way in: the socket's peer uid for
Unix connections, the bearer token for loopback TCP. It stamps the scope with how the
caller got in; ``owner_only`` refuses a request without that stamp once the app is
served, so a router mounted somewhere the guard does not stand cannot be reached.
An app that is not served (the tests' ASGI client) has no guard to stamp it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from ...memory.instants import parse_instant
from ..runtime import Runtime

ADMITTED = "pocketmind.admitted"  # scope key the guard sets: "socket" or "token"


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def owner_only(request: Request) -> str | None:
    """How the caller was admitted; 401 when a served app's guard did not admit it."""
    admitted: str | None = request.scope.get(ADMITTED)
    if admitted is None and getattr(request.app.state, "guarded", False):
        raise HTTPException(401, "not admitted by the owner-only guard")
    return admitted


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
OWNER = [Depends(owner_only)]


def parse_now(runtime: Runtime, now: str | None) -> datetime | None:
    return parse_instant(now, runtime.settings.tz(), "now") if now else None
