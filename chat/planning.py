"""Chat's way into the planner: "find a free hour with Maya tomorrow" is a plan, not a
question for the model. The planner reads, solves and verifies it; the reply is the
plan's answer (``Tuesday, 10:00 - 11:00 works for you and Maya.``), and the plan itself
rides along in the answer's JSON (``ask --json``). Steps that act wait for a yes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from .intents import Reply

if TYPE_CHECKING:
    from ..plans.model import Plan
    from ..plans.orchestrator import Orchestrator

ASKS_FOR_TIME = re.compile(
    r"\b(?:find|book|schedule|block|plan)\s+(?:me\s+|us\s+)?(?:a|an|some|\d+)?\s*"
    r"(?:free\s+|spare\s+|quiet\s+)?(?:slot|hours?|minutes|half an hour|time\s+(?:with|for|to)"
    r"|evening|morning|afternoon|meeting)\b"
    r"|\bwhen\s+(?:am\s+I|are\s+we|is\s+[A-Z][a-z]+)\s+(?:both\s+)?free\b"
    r"|\bplan\s+(?:my\s+)?(?:today|tomorrow|(?:mon|tues|wednes|thurs|fri|satur|sun)day)\s*:"
    r"|\bwhen\s+(?:are\s+)?[A-Z][a-z]+\s+and\s+I\s+(?:are\s+)?(?:both\s+)?free\b",
    re.IGNORECASE,
)
NOT_PLANS = re.compile(r"\b(?:remind me|what did|who|why)\b", re.IGNORECASE)


def wants_a_plan(text: str) -> bool:
    """A request to find time (not a reminder, not a question about the past)."""
    return bool(ASKS_FOR_TIME.search(text)) and not NOT_PLANS.search(text)


def plan_for(plans: Orchestrator, question: str, now: datetime | None) -> Plan | None:
    """The plan for ``question``, or None when it is not a planning request."""
    from ..plans.ics import CalendarFileError

    if not wants_a_plan(question):
        return None
    try:
        return plans.make(question, now)
    except CalendarFileError:
        raise  # the user's calendar is unreadable: say so, never plan as if it were empty
    except ValueError:  # a time the grammar refuses: let the model answer in words
        return None


def reply(plan: Plan) -> str:
    text = plan.answer()
    if any(s.status == "waiting" for s in plan.steps):
        text += f" (plan {plan.id}: `pocketmind plans show {plan.id}`)"
    return text


class PlanningIntent:
    """The planner as a chat intent (registered first in daemon/wiring.py)."""

    def __init__(self, plans: Callable[[], Orchestrator]) -> None:
        self._plans = plans

    def handle(self, text: str, conversation_id: str, now: datetime | None = None) -> Reply | None:
        if not wants_a_plan(text):
            return None
        from ..plans.ics import CalendarFileError

        try:
            plan = plan_for(self._plans(), text, now)
        except CalendarFileError as exc:
            return Reply(f"I can't read your calendar, so I can't plan that: {exc}. "
                         "`pocketmind doctor` checks every calendar file.")  # fmt: skip
        return Reply(reply(plan), plan.to_json()) if plan is not None else None
