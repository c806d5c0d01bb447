"""The executor: a plan's steps run through the tool registry and the one gate.

A step runs once every step it depends on is done. Its call goes through
:class:`tools.gate.Gate` like any other: ``read`` and ``local`` tools run at once, an
``external`` one (a calendar entry, a text, an alarm) is held as a pending action and
the step waits for the user's yes. A step whose pending action the gate no longer knows
(the daemon restarted, or it expired) is proposed again when the user confirms it: the
yes is for the step as the plan shows it, and the gate still records the call.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any

from ..tools.base import Tool, ToolError
from ..tools.gate import Gate, GateError
from .model import Plan, PlanStep


class StepError(ValueError):
    """A step that cannot be confirmed or rejected as asked (named, with its state)."""


class Executor:
    def __init__(self, gate: Gate, tools: Mapping[str, Tool[Any]]) -> None:
        self.gate, self.tools = gate, dict(tools)

    def advance(self, plan: Plan) -> Plan:
        """Start every step whose dependencies are done; external ones wait for a yes."""
        plan = plan.model_copy(deep=True)
        for step in plan.steps:
            if step.status == "pending" and self._ready(plan, step):
                self._submit(step)
        plan.settle()
        return plan

    def confirm(self, plan: Plan, number: int) -> Plan:
        plan = plan.model_copy(deep=True)
        step = self._waiting(plan, number)
        step.attempts += 1
        try:
            if step.action_id is None or self._forgotten(step.action_id):
                self._submit(step)
            if step.status == "waiting" and step.action_id is not None:
                _record, result = self.gate.confirm(step.action_id, self.tools)
                step.status, step.result = "done", result.text
        except (GateError, ToolError) as exc:
            step.status, step.result = "failed", str(exc)
        plan.settle()
        return self.advance(plan)

    def reject(self, plan: Plan, number: int) -> Plan:
        plan = plan.model_copy(deep=True)
        step = self._waiting(plan, number)
        if step.action_id is not None and not self._forgotten(step.action_id):
            with contextlib.suppress(GateError):  # expired meanwhile: declined either way
                self.gate.reject(step.action_id)
        step.status, step.result = "rejected", "you said no"
        plan.settle()
        return plan

    def _ready(self, plan: Plan, step: PlanStep) -> bool:
        return all(plan.step(n).status == "done" for n in step.depends_on)

    def _submit(self, step: PlanStep) -> None:
        tool = self.tools.get(step.tool or "")
        if tool is None:
            step.status, step.result = "failed", f"no tool {step.tool!r} here"
            return
        try:
            record, result = self.gate.submit(tool, step.arguments, "user")
        except (GateError, ToolError) as exc:
            step.status, step.result = "failed", str(exc)
            return
        step.action_id = record.id
        if result is None and record.status == "pending":
            step.status, step.result = "waiting", record.proposal
        elif result is None:
            step.status, step.result = "failed", record.result or f"{tool.name} failed"
        else:
            step.status, step.result = "done", result.text

    def _waiting(self, plan: Plan, number: int) -> PlanStep:
        try:
            step = plan.step(number)
        except KeyError as exc:
            raise StepError(str(exc.args[0])) from exc
        if step.status != "waiting":
            raise StepError(f"step {number} of plan {plan.id} is {step.status}, not waiting")
        return step

    def _forgotten(self, action_id: str) -> bool:
        record = self.gate.log.get(action_id)
        if record is None:
            return True
        return record.status != "pending" or (
            record.expires_at is not None and record.expires_at <= self.gate.now()
        )
