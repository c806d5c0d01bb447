"""Export of training data: what changed since the last export, or everything."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from ...training.export import Watermark, default_export_dir, export
from .. import schemas
from .deps import OWNER, RuntimeDep

router = APIRouter(tags=["export"], dependencies=OWNER)


@router.post("/export")
def run_export(runtime: RuntimeDep, body: schemas.ExportIn) -> dict[str, Any]:
    out = (
        runtime.settings.home / "exports" / body.name
        if body.name
        else default_export_dir(runtime.settings)
    )
    report = export(
        runtime.store, runtime.db, runtime.settings, out, Watermark() if body.all else None
    )
    return {
        "out": str(out),
        "watermark": str(report.watermark),
        "counts": report.counts,
        "skipped": report.skipped,
    }
