"""``/plans``: make a plan from a request, read it with its checks and steps, say yes or
no to a step, and replan from the current state (optionally with a new busy time)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi import Path as PathParam
from pydantic import BaseModel, Field, model_validator

from ...memory.instants import parse_instant
from ...plans.executor import StepError
from ...plans.model import Busy, Plan
from ...plans.orchestrator import Orchestrator, PlanNotFound
from ..runtime import Runtime
from .deps import OWNER, get_runtime

PlanId = Annotated[int, PathParam(ge=1, le=2**63 - 1, description="A plan's id")]
StepNumber = Annotated[int, PathParam(ge=1, le=1000, description="A step's number")]


class PlanIn(BaseModel):
    text: str = Field(min_length=1, max_length=2000, description="The request, in words")
    now: str | None = Field(default=None, max_length=64, description="Plan as if it were then")


class BusyIn(BaseModel):
    start: datetime
    end: datetime
    title: str = Field(default="busy", max_length=200)
    who: str = Field(default="me", max_length=100)

    @model_validator(mode="after")
    def _ordered(self) -> BusyIn:
        if self.end <= self.start:
            raise ValueError("a busy time must end after it starts")
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("busy times need an offset, e.g. 2026-11-24T10:00:00+01:00")
        return self


class ReplanIn(BaseModel):
    busy: list[BusyIn] = Field(default_factory=list, max_length=100)
    reason: str = Field(default="asked to replan", max_length=200)
    now: str | None = Field(default=None, max_length=64)


def get_plans(runtime: Annotated[Runtime, Depends(get_runtime)]) -> Orchestrator:
    return runtime.plans


Plans = Annotated[Orchestrator, Depends(get_plans)]
router = APIRouter(prefix="/plans", tags=["plans"], dependencies=OWNER)


def shown(plan: Plan) -> dict[str, Any]:
    """The plan as stored, with its answer in words (what ``ask --json`` carries too)."""
    return plan.to_json()


def _when(runtime: Runtime, now: str | None) -> datetime | None:
    return parse_instant(now, runtime.settings.tz(), "now") if now else None


@router.post("", status_code=201)
def make(body: PlanIn, plans: Plans, runtime: Annotated[Runtime, Depends(get_runtime)]) -> Any:
    try:
        return shown(plans.make(body.text, _when(runtime, body.now)))
    except ValueError as exc:
        raise HTTPException(422, f"text: {exc}") from exc


@router.get("")
def recent(plans: Plans, limit: Annotated[int, Query(ge=1, le=200)] = 20) -> list[Any]:
    return [shown(p) for p in plans.recent(limit)]


@router.get("/{plan_id}")
def get(plan_id: PlanId, plans: Plans) -> Any:
    return _found(lambda: plans.get(plan_id))


@router.post("/{plan_id}/steps/{number}/confirm")
def confirm(plan_id: PlanId, number: StepNumber, plans: Plans) -> Any:
    return _found(lambda: plans.confirm(plan_id, number))


@router.post("/{plan_id}/steps/{number}/reject")
def reject(plan_id: PlanId, number: StepNumber, plans: Plans) -> Any:
    return _found(lambda: plans.reject(plan_id, number))


@router.post("/{plan_id}/replan")
def replan(
    plan_id: PlanId,
    body: ReplanIn,
    plans: Plans,
    runtime: Annotated[Runtime, Depends(get_runtime)],
) -> Any:
    busy = [Busy(**b.model_dump()) for b in body.busy]
    when = _when(runtime, body.now)
    return _found(lambda: plans.replan(plan_id, busy=busy, reason=body.reason, now=when))


def _found(act: Any) -> Any:
    try:
        return shown(act())
    except PlanNotFound as exc:
        raise HTTPException(404, str(exc)) from exc
    except StepError as exc:
        raise HTTPException(409, str(exc)) from exc
