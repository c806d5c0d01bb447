"""A plan as data: the goal, the constraints read from the request, the slot the solver
chose, every check the verifier ran, and the steps that carry it out through the tools.

Everything here is plain data that round-trips through JSON, so the store keeps a plan
across restarts, the API returns it as it is, and a replan is a diff of two of them.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, Literal

from pydantic import BaseModel, Field

from ..tools.base import Effect

StepStatus = Literal["pending", "waiting", "done", "failed", "rejected", "superseded"]
PlanStatus = Literal["proposed", "waiting", "done", "failed", "infeasible", "cancelled"]
Action = Literal["calendar", "text", "alarm"]


class Busy(BaseModel):
    """A stretch someone cannot meet, with where it was read from (never an instruction)."""

    who: str = "me"
    start: datetime
    end: datetime
    title: str = "busy"
    source: str = "calendar"


class ErrandStop(BaseModel):
    """A stop of a day across town: a place the user named, the time spent there, and a
    fixed start for an appointment."""

    name: str = Field(min_length=1, max_length=80)
    minutes: int = Field(default=30, ge=5, le=12 * 60)
    at: time | None = None


class RouteStop(BaseModel):
    name: str
    arrive: datetime
    start: datetime
    end: datetime


class Constraints(BaseModel):
    """What the request asks, read deterministically first and by the model for the rest."""

    participants: list[str] = Field(default_factory=list, description="people besides me")
    minutes: int = Field(default=60, ge=5, le=24 * 60)
    days: list[date] = Field(default_factory=list)
    not_before: time = time(9, 0)
    not_after: time = time(18, 0)
    title: str = ""
    actions: list[Action] = Field(default_factory=list)
    text_to: list[str] = Field(default_factory=list)
    options: int = Field(default=1, ge=1, le=5, description="slots to offer")
    asks_free: bool = Field(default=False, description="'when am I free…': list free time")
    remind_before: int = Field(default=15, ge=0, le=24 * 60)
    busy: list[Busy] = Field(default_factory=list)
    stops: list[ErrandStop] = Field(default_factory=list, description="a day of errands")
    travel_budget: int | None = Field(
        default=None, ge=1, le=24 * 60, description="at most this many minutes of travel"
    )
    time_budget: int | None = Field(
        default=None, ge=1, le=24 * 60, description="out of the door to home, at most (minutes)"
    )

    def label(self) -> str:
        if self.title:
            return self.title
        return f"Meeting with {', '.join(self.participants)}" if self.participants else "Free time"


class Slot(BaseModel):
    start: datetime
    end: datetime

    def describe(self) -> str:
        """``Monday, 14:30 - 15:00`` in the zone the slot carries (the user's)."""
        return f"{self.start:%A}, {self.start:%H:%M} - {self.end:%H:%M}"


class Check(BaseModel):
    """One constraint the verifier held the chosen slot to, and what it found."""

    constraint: str  # "duration", "window", "busy", "earliest", "route", "budget", …
    ok: bool
    message: str


class PlanStep(BaseModel):
    number: int
    title: str
    tool: str | None = None  # None: the planner's own step (read, solve, verify)
    arguments: dict[str, Any] = Field(default_factory=dict)
    effect: Effect = Effect.READ
    depends_on: list[int] = Field(default_factory=list)
    status: StepStatus = "pending"
    action_id: str | None = None
    result: str | None = None
    attempts: int = 0


class Plan(BaseModel):
    id: int | None = None
    goal: str
    status: PlanStatus = "proposed"
    constraints: Constraints
    slot: Slot | None = None
    options: list[Slot] = Field(default_factory=list)
    free: list[Slot] = Field(default_factory=list, description="every free stretch asked about")
    route: list[RouteStop] = Field(default_factory=list, description="a day of errands, in order")
    travel_minutes: int | None = None
    checks: list[Check] = Field(default_factory=list)
    reasons: list[str] = Field(default_factory=list, description="why nothing works")
    steps: list[PlanStep] = Field(default_factory=list)
    revision: int = 1
    changes: list[str] = Field(default_factory=list, description="what each replan changed")
    created_at: datetime
    updated_at: datetime

    def step(self, number: int) -> PlanStep:
        for step in self.steps:
            if step.number == number:
                return step
        raise KeyError(f"plan {self.id} has no step {number}")

    def answer(self) -> str:
        """The plan in a sentence or two, for chat and the CLI."""
        if self.slot is None:
            return "Nothing works: " + "; ".join(self.reasons or ["no free time in the window"])
        if self.route:
            stops = "; ".join(f"{s.name} {s.start:%H:%M} - {s.end:%H:%M}" for s in self.route)
            out, back = self.slot.start, self.slot.end
            return (f"{out:%A}: leave {out:%H:%M}; {stops}; home by {back:%H:%M} "
                    f"({self._travel()}).")  # fmt: skip
        who = " and ".join(["you", *self.constraints.participants])
        if self.constraints.asks_free and self.free:
            both = " both" if self.constraints.participants else ""
            return f"Y{who[1:]} are{both} free " + "; ".join(s.describe() for s in self.free) + "."
        text = f"{self.slot.describe()} works for {who}."
        others = [s.describe() for s in self.options if s != self.slot]
        if others:
            text += " Also free: " + "; ".join(others) + "."
        waiting = [s for s in self.steps if s.status == "waiting"]
        if waiting:
            text += " Waiting for your yes: " + "; ".join(
                f"step {s.number}, {s.title}" for s in waiting
            )
        return text

    def _travel(self) -> str:
        """``72 minutes of travel``, and against the budgets the request set."""
        from .errands import words

        c, said = self.constraints, f"{self.travel_minutes} minutes of travel"
        if c.travel_budget is not None:
            said += f" of your {c.travel_budget}"
        if c.time_budget is not None and self.slot is not None:
            took = int((self.slot.end - self.slot.start).total_seconds() // 60)
            said += f"; out {words(took)} of your {words(c.time_budget)}"
        return said

    def to_json(self) -> dict[str, Any]:
        """The plan as stored, with its answer in words and the actions waiting for the
        user's yes (what the API, ``plans --json`` and ``ask --json`` carry)."""
        waiting = [
            {"step": s.number, "title": s.title, "tool": s.tool, "arguments": s.arguments,
             "action_id": s.action_id, "proposal": s.result}
            for s in self.steps
            if s.status == "waiting"
        ]  # fmt: skip
        return {**self.model_dump(mode="json"), "answer": self.answer(), "pending_actions": waiting}

    def settle(self) -> None:
        """The plan's status from its steps' (after any step changed)."""
        live = [s for s in self.steps if s.status != "superseded"]
        if self.slot is None:
            self.status = "infeasible"
        elif any(s.status == "failed" for s in live):
            self.status = "failed"
        elif any(s.status in ("waiting", "pending") for s in live):
            self.status = "waiting" if any(s.status == "waiting" for s in live) else "proposed"
        else:
            self.status = "done"
