"""The owner of the ``plans`` and ``plan_steps`` tables: plans kept across restarts.

A plan is written whole, in one transaction, each time it changes (its steps replaced
with it), so a reader never sees a plan whose steps belong to another revision. Steps
get rows of their own so a confirmation can find its plan by the gate's action id.
This module owns both tables and registers their migration (m013).
"""

from __future__ import annotations

import json
from typing import Any

from ..db import Connection, Database
from ..memory.instants import to_db
from ..schema import migration
from .model import Plan, PlanStep

BODY = (
    "constraints",
    "slot",
    "options",
    "free",
    "route",
    "travel_minutes",
    "checks",
    "reasons",
    "changes",
)


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


@migration(13, "m013_plans")
def m013_plans(db: Connection) -> None:
    """Plans (owned by plans/store.py): a request, its constraints, the chosen slot, the
    verifier's checks and what each replan changed, with one row per step, so a plan
    waiting for the user's yes survives a restart. Constraints, checks and changes are
    JSON: they are the plan's own data, read whole, never queried into."""
    db.execute(
        """
        CREATE TABLE plans (
            id INTEGER PRIMARY KEY,
            goal TEXT NOT NULL,
            status TEXT NOT NULL,
            revision INTEGER NOT NULL DEFAULT 1,
            body TEXT NOT NULL CHECK (json_valid(body)),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE plan_steps (
            plan_id INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
            number INTEGER NOT NULL,
            title TEXT NOT NULL,
            tool TEXT,
            arguments TEXT NOT NULL CHECK (json_valid(arguments)),
            effect TEXT NOT NULL,
            depends_on TEXT NOT NULL CHECK (json_valid(depends_on)),
            status TEXT NOT NULL,
            action_id TEXT,
            result TEXT,
            attempts INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (plan_id, number)
        )
        """
    )
    db.execute("CREATE INDEX plans_updated ON plans(updated_at)")
    db.execute("CREATE INDEX plan_steps_action ON plan_steps(action_id)")
