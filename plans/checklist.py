"""A plan as a checklist: one line a step, ticked as steps finish (the CLI and the TUI)."""

from __future__ import annotations

from .model import Plan, PlanStep

MARKS = {
    "done": "[x]",
    "waiting": "[?]",
    "pending": "[ ]",
    "failed": "[!]",
    "rejected": "[-]",
    "superseded": "[~]",
}


def step_line(plan: Plan, step: PlanStep) -> str:
    line = f"{MARKS[step.status]} {step.number}. {step.title}"
    if step.status == "waiting":
        return f"{line}: waiting for your yes (pocketmind plans confirm {plan.id} {step.number})"
    if step.result and step.status in ("done", "failed"):
        return f"{line}: {step.result}"
    return line if step.status != "superseded" else f"{line} (an earlier revision)"


def checklist(plan: Plan) -> list[str]:
    head = f"Plan {plan.id} ({plan.status}, revision {plan.revision}): {plan.goal}"
    lines = [head, plan.answer()]
    lines += [step_line(plan, s) for s in plan.steps]
    broken = [c.message for c in plan.checks if not c.ok]
    lines += [f"check failed: {m}" for m in broken]
    lines += [f"replanned: {c}" for c in plan.changes]
    return lines
