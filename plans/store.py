"""The owner of the ``plans`` and ``plan_steps`` tables: plans kept across restarts.

A plan is written whole, in one transaction, each time it changes (its steps replaced
with it), so a reader never sees a plan whose steps belong to another revision. Steps
get rows of their own so a confirmation can find its plan by the gate's action id.
"""

from __future__ import annotations

import json
from typing import Any

from ..memory.db import Database
from ..memory.instants import to_db
from .model import Plan, PlanStep

BODY = ("constraints", "slot", "options", "checks", "reasons", "changes")


class PlanStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def save(self, plan: Plan) -> Plan:
        """Insert a new plan (its id is set) or replace a known one, steps and all."""
        body = json.dumps(plan.model_dump(mode="json", include=set(BODY)))
        with self.db.transaction() as db:
            if plan.id is None:
                cursor = db.execute(
                    "INSERT INTO plans (goal, status, revision, body, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (plan.goal, plan.status, plan.revision, body, to_db(plan.created_at),
                     to_db(plan.updated_at)),
                )  # fmt: skip
                plan = plan.model_copy(update={"id": cursor.lastrowid})
            else:
                db.execute(
                    "UPDATE plans SET status = ?, revision = ?, body = ?, updated_at = ? "
                    "WHERE id = ?",
                    (plan.status, plan.revision, body, to_db(plan.updated_at), plan.id),
                )
                db.execute("DELETE FROM plan_steps WHERE plan_id = ?", (plan.id,))
            db.executemany(
                "INSERT INTO plan_steps (plan_id, number, title, tool, arguments, effect, "
                "depends_on, status, action_id, result, attempts) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [_step_row(plan.id, s) for s in plan.steps],
            )
        return plan

    def get(self, plan_id: int) -> Plan | None:
        with self.db.reading() as conn:
            row = conn.execute("SELECT * FROM plans WHERE id = ?", (plan_id,)).fetchone()
            if row is None:
                return None
            rows = conn.execute(
                "SELECT * FROM plan_steps WHERE plan_id = ? ORDER BY number", (plan_id,)
            ).fetchall()
        return _plan(row, rows)

    def recent(self, limit: int = 20) -> list[Plan]:
        rows = self.db.query("SELECT id FROM plans ORDER BY id DESC LIMIT ?", (limit,))
        ids = [r[0] for r in rows]
        return [p for p in (self.get(i) for i in ids) if p is not None]

    def by_action(self, action_id: str) -> tuple[Plan, int] | None:
        """The plan and step number a gate's pending action belongs to."""
        row = self.db.one(
            "SELECT plan_id, number FROM plan_steps WHERE action_id = ?", (action_id,)
        )
        if row is None:
            return None
        plan = self.get(row[0])
        return (plan, row[1]) if plan is not None else None


def _step_row(plan_id: int | None, step: PlanStep) -> tuple[Any, ...]:
    return (
        plan_id, step.number, step.title, step.tool, json.dumps(step.arguments),
        step.effect.value, json.dumps(step.depends_on), step.status, step.action_id,
        step.result, step.attempts,
    )  # fmt: skip


def _plan(row: Any, steps: list[Any]) -> Plan:
    body = json.loads(row["body"])
    return Plan.model_validate(
        {
            **body,
            "id": row["id"],
            "goal": row["goal"],
            "status": row["status"],
            "revision": row["revision"],
            "created_at": row["created_at"],
            "updated_at": row["updated_at"],
            "steps": [
                {
                    "number": s["number"],
                    "title": s["title"],
                    "tool": s["tool"],
                    "arguments": json.loads(s["arguments"]),
                    "effect": s["effect"],
                    "depends_on": json.loads(s["depends_on"]),
                    "status": s["status"],
                    "action_id": s["action_id"],
                    "result": s["result"],
                    "attempts": s["attempts"],
                }
                for s in steps
            ],
        }
    )
