"""``/actions``: what PocketMind proposed, did or refused on the phone, and the user's yes.

An external action proposed in a chat (or by any caller) waits here as ``pending`` until
``POST /actions/{id}/confirm`` runs it or ``/reject`` drops it; it expires on its own.
``GET /actions`` is the audit, newest first; ``DELETE /actions/{id}`` forgets a row.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Response
from fastapi import Path as PathParam

from ...chat.acting import Acting
from .deps import OWNER, RuntimeDep

ActionId = Annotated[
    str, PathParam(pattern=r"^[0-9a-f]{12}$", description="An action's id, as listed")
]
Status = Literal["pending", "confirmed", "rejected", "expired", "done", "failed"]

router = APIRouter(prefix="/actions", tags=["actions"], dependencies=OWNER)


def get_acting(runtime: RuntimeDep) -> Acting:
    return runtime.acting


Actor = Annotated[Acting, Depends(get_acting)]


@router.get("")
def history(
    acting: Actor,
    status: Status | None = None,
    limit: int = Query(default=50, ge=1, le=1000),
) -> list[dict[str, Any]]:
    """Every call, newest first (``status`` keeps one state)."""
    acting.gate.pending()  # moves the stale ones to expired before they are listed
    return [r.to_json() for r in acting.book.history(limit, status)]


@router.get("/pending")
def pending(acting: Actor) -> list[dict[str, Any]]:
    """Actions waiting for the user's yes and not yet expired."""
    return [r.to_json() for r in acting.gate.pending()]


@router.get("/{action_id}")
def one(action_id: ActionId, acting: Actor) -> dict[str, Any]:
    record = acting.book.get(action_id)
    if record is None:
        raise HTTPException(404, f"no action {action_id}")
    return record.to_json()


def _decidable(acting: Acting, action_id: str) -> None:
    record = acting.book.get(action_id)
    if record is None:
        raise HTTPException(404, f"no action {action_id}")
    if record.status == "pending" and not acting.gate.is_fresh(record):
        raise HTTPException(409, f"action {action_id} expired; ask again")
    if record.status != "pending":
        raise HTTPException(409, f"action {action_id} is already {record.status}")


@router.post("/{action_id}/confirm")
def confirm(action_id: ActionId, acting: Actor) -> dict[str, Any]:
    """Do it. The answer says what happened; ``next`` is a following step that now waits."""
    _decidable(acting, action_id)
    reply = acting.confirm(action_id)
    record = acting.book.get(action_id)
    return {
        "answer": reply.text,
        "action": record.to_json() if record else None,
        "next": reply.action_json(),
    }


@router.post("/{action_id}/reject")
def reject(action_id: ActionId, acting: Actor) -> dict[str, Any]:
    _decidable(acting, action_id)
    reply = acting.reject(action_id)
    record = acting.book.get(action_id)
    return {"answer": reply.text, "action": record.to_json() if record else None}


@router.delete("/{action_id}", status_code=204)
def forget(action_id: ActionId, acting: Actor) -> Response:
    """Forget one row of the audit."""
    if not acting.book.forget(action_id):
        raise HTTPException(404, f"no action {action_id}")
    return Response(status_code=204)
