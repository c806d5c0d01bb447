"""Chat routes "find a free slot…" to the planner: the answer comes from code, not the
model, and carries the plan; what someone said in a message is data for the solver."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from pocketmind.chat.planning import wants_a_plan
from pocketmind.daemon.wiring import make_assistant
from pocketmind.engine.fake import FakeEngine
from pocketmind.memory import MemoryStore
from pocketmind.settings import Settings


@pytest.mark.parametrize(
    ("text", "planning"),
    [
        ("find a free hour with Maya tomorrow", True),
        ("Find 45 minutes for the tax return this week, not before 10", True),
        ("when am I free on Thursday afternoon?", True),
        ("when are Jonas and I both free", True),
        ("find the time I parked the car", False),
        ("remind me to find a free hour tomorrow", False),
        ("when is the dentist", False),
    ],
)
def test_what_reads_as_a_planning_request(text: str, planning: bool) -> None:
    assert wants_a_plan(text) is planning


def test_a_planning_request_is_answered_by_the_planner(
    store: MemoryStore, settings: Settings
) -> None:
    now = datetime.now(settings.tz()).replace(hour=8, minute=0, second=0, microsecond=0)
    tomorrow = now + timedelta(days=1)
    store.remember(f"Maya: I'm busy {tomorrow:%A} 9:00-11:00", "message", "sms")
    engine = FakeEngine(["the model should not answer this"])
    answer = make_assistant(store, engine, settings, db=store.db).ask(
        "find a free hour with Maya tomorrow", now=now
    )
    assert answer.text.startswith(f"{tomorrow:%A}, 11:00 - 12:00 works for you and Maya.")
    assert engine.prompts == []  # everything was read by the grammar


def test_an_unreadable_calendar_is_said_not_planned_around(
    store: MemoryStore, settings: Settings
) -> None:
    broken = settings.home / "calendar.ics"
    broken.write_text("BEGIN:VCALENDAR\r\nhalf a sync\r\n")
    settings.plans.calendars = [broken]
    engine = FakeEngine(["the model should not answer this"])
    answer = make_assistant(store, engine, settings, db=store.db).ask("find a free hour tomorrow")
    assert answer.text.startswith("I can't read your calendar, so I can't plan that: "), answer.text
    assert "calendar.ics: not a readable iCalendar file" in answer.text
    assert "pocketmind doctor" in answer.text and engine.prompts == []
