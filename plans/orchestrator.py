"""The orchestrator: plan, keep, execute, and replan when the world moves.

``make`` reads, solves, verifies and starts a plan; ``confirm``/``reject`` carry the
user's answer for one step; ``replan`` solves again from the current state (a meeting
moved, a new busy time) and says what changed. A step that fails triggers a replan, at
most ``max_replans`` times per plan: if the slot still works the failed step is proposed
again (it needs a new yes), otherwise the steps for the old slot are superseded and
steps for the new one proposed. Every change is saved before it is returned.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence
from datetime import datetime

from ..tools.gate import GateError
from .executor import Executor
from .model import Busy, Plan, PlanStep
from .planner import Planner, changes
from .store import PlanStore


class PlanNotFound(LookupError):
    pass


class Orchestrator:
    def __init__(
        self,
        planner: Planner,
        executor: Executor,
        store: PlanStore,
        *,
        now: Callable[[], datetime],
        max_replans: int = 2,
    ) -> None:
        self.planner, self.executor, self.store = planner, executor, store
        self.now, self.max_replans = now, max_replans
        # One change at a time: a confirm and a replan of one plan must not both read the
        # old plan and write over each other (the API serves requests in threads).
        self._lock = threading.RLock()

    def make(self, text: str, now: datetime | None = None) -> Plan:
        plan = self.planner.plan(text, now or self.now())
        with self._lock:
            plan = self.store.save(plan)  # an id first: the steps' actions point at it
            return self.store.save(self.executor.advance(plan))

    def get(self, plan_id: int) -> Plan:
        plan = self.store.get(plan_id)
        if plan is None:
            raise PlanNotFound(f"no plan {plan_id}")
        return plan

    def recent(self, limit: int = 20) -> list[Plan]:
        return self.store.recent(limit)

    def confirm(self, plan_id: int, number: int) -> Plan:
        with self._lock:
            plan = self.executor.confirm(self.get(plan_id), number)
            if plan.step(number).status == "failed":
                plan = self._recover(plan, number)
            return self.store.save(plan)

    def reject(self, plan_id: int, number: int) -> Plan:
        with self._lock:
            return self.store.save(self.executor.reject(self.get(plan_id), number))

    def replan(
        self,
        plan_id: int,
        *,
        busy: Sequence[Busy] = (),
        reason: str = "asked to replan",
        now: datetime | None = None,
    ) -> Plan:
        """Solve again from the current state; ``busy`` adds times the user named."""
        added = [b.model_copy(update={"source": "you"}) for b in busy]
        with self._lock:
            plan = self._resolve(self.get(plan_id), reason, added, now)
            return self.store.save(plan)

    def _recover(self, plan: Plan, number: int) -> Plan:
        step = plan.step(number)
        if plan.revision > self.max_replans:
            plan.changes.append(f"step {number} failed ({step.result}); no more replans")
            return plan
        return self._resolve(plan, f"step {number} failed: {step.result}", [], None)

    def _resolve(self, old: Plan, reason: str, added: Sequence[Busy], now: datetime | None) -> Plan:
        new = self.planner.solve(old, now or self.now(), added)
        said = [reason, *changes(old, new)]
        new.revision, new.changes = old.revision + 1, [*old.changes, "; ".join(said)]
        if old.slot == new.slot:
            new.steps = [s.model_copy() for s in old.steps]
            for s in new.steps:
                if s.status == "failed" and s.tool is not None:
                    s.status, s.action_id = "pending", None  # proposed again: a new yes
        else:
            new.steps = self._supersede(old) + _renumbered(new, len(old.steps))
        new.settle()
        return self.executor.advance(new)

    def _supersede(self, old: Plan) -> list[PlanStep]:
        """The old revision's steps, kept for the record but no longer live."""
        kept = []
        for s in (s.model_copy() for s in old.steps):
            if s.status == "waiting" and s.action_id is not None:
                with contextlib.suppress(GateError):
                    self.executor.gate.reject(s.action_id)
            if s.status != "rejected":
                s.status = "superseded"
            kept.append(s)
        return kept


def _renumbered(new: Plan, base: int) -> list[PlanStep]:
    """The new revision's steps after the old ones, so step numbers never change meaning."""
    out = []
    for s in new.steps:
        s = s.model_copy()
        s.number += base
        s.depends_on = [n + base for n in s.depends_on]
        out.append(s)
    return out
