"""Health, status and the adapter swap."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from .. import schemas
from .deps import OWNER, RuntimeDep

router = APIRouter(tags=["status"], dependencies=OWNER)


@router.get("/health")
def health() -> dict[str, bool]:
    return {"ok": True}


@router.get("/status")
def status(runtime: RuntimeDep) -> dict[str, Any]:
    return runtime.status()


@router.post("/adapter/reload")
def reload_adapter(runtime: RuntimeDep, body: schemas.AdapterIn) -> dict[str, Any]:
    from pathlib import Path

    runtime.swap_adapter(Path(body.path).expanduser() if body.path else None)
    return {"model": runtime.engine.model_id, "adapter": runtime.engine.adapter_id}
