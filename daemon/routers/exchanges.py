"""Exchanges (a question and its answer): the user's rating, or a second answer."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Response
from fastapi import Path as PathParam

from ...training.export import record_feedback
from .. import schemas
from .deps import OWNER, RuntimeDep

router = APIRouter(tags=["exchanges"], dependencies=OWNER)

ExchangeId = Annotated[int, PathParam(ge=1, le=2**63 - 1)]


@router.post("/exchanges/{exchange_id}/feedback", status_code=204)
def give_feedback(
    runtime: RuntimeDep, exchange_id: ExchangeId, body: schemas.FeedbackIn
) -> Response:
    record_feedback(runtime.db, exchange_id, body.rating, body.correction)
    return Response(status_code=204)


@router.post("/exchanges/{exchange_id}/regenerate")
def regenerate(runtime: RuntimeDep, exchange_id: ExchangeId) -> dict[str, Any]:
    """Answer the same prompt again; keeping it (not rating it bad) makes the pair."""
    return runtime.assistant().regenerate(exchange_id).finish().to_json()


@router.post("/exchanges/{exchange_id}/undo")
def undo(runtime: RuntimeDep, exchange_id: ExchangeId) -> dict[str, Any]:
    """Take back the facts an answer said it noted ("Noted: ..."); older facts they
    replaced stand again."""
    forgotten = runtime.assistant().undo(exchange_id)
    if not forgotten:
        raise HTTPException(404, f"exchange {exchange_id}: no learned facts to undo")
    return {"exchange_id": exchange_id, "forgotten": forgotten}
