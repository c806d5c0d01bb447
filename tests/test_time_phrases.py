"""Time phrases a person types: parts of the day, "next friday", and times gone by."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from pocketmind.daemon.wiring import make_assistant
from pocketmind.engine import FakeEngine
from pocketmind.memory import MemoryStore
from pocketmind.settings import Settings
from pocketmind.skills import ReminderBook, parse_when
from pocketmind.skills.schedules import PARTS_OF_DAY
from pocketmind.validation import InputError

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2025, 6, 2, 10, 0, tzinfo=BERLIN)  # a Monday, 10:00


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("next friday 3pm", datetime(2025, 6, 6, 15, 0)),
        ("next friday at 15:00", datetime(2025, 6, 6, 15, 0)),
        ("friday 3pm", datetime(2025, 6, 6, 15, 0)),
        ("after lunch", datetime(2025, 6, 2, 14, 0)),
        ("after lunch tomorrow", datetime(2025, 6, 3, 14, 0)),
        ("tomorrow after lunch", datetime(2025, 6, 3, 14, 0)),
        ("this evening", datetime(2025, 6, 2, 19, 0)),
        ("this evening at 7", datetime(2025, 6, 2, 19, 0)),
        ("tonight", datetime(2025, 6, 2, 20, 0)),
        ("tonight at 9pm", datetime(2025, 6, 2, 21, 0)),
        ("tomorrow morning", datetime(2025, 6, 3, 9, 0)),
        ("friday evening", datetime(2025, 6, 6, 19, 0)),
        ("tomorrow", datetime(2025, 6, 3, 9, 0)),
    ],
)
def test_phrases_become_the_stated_hours(text: str, expected: datetime) -> None:
    schedule = parse_when(text, NOW, BERLIN)
    assert schedule.at == expected.replace(tzinfo=BERLIN)


def test_the_default_hours_are_the_documented_ones() -> None:
    from pocketmind.skills import schedules as when

    for phrase, hour in PARTS_OF_DAY.items():
        if phrase.startswith(("this ", "in the ", "at ")) or phrase in ("after lunch", "tonight"):
            assert f'"{phrase}"' in (when.__doc__ or "")
            assert hour.strftime("%H:%M") in (when.__doc__ or "")


@pytest.mark.parametrize(
    "text", ["yesterday at 9am", "yesterday", "this morning", "2020-01-01 09:00"]
)
def test_a_time_gone_by_is_in_the_past_not_unreadable(text: str) -> None:
    with pytest.raises(InputError, match="is in the past"):
        parse_when(text, NOW, BERLIN)


@pytest.fixture
def berlin(settings: Settings) -> Settings:
    settings.timezone = "Europe/Berlin"
    return settings


@pytest.mark.parametrize(
    ("request_text", "what", "when"),
    [
        ("remind me to call Mum after lunch tomorrow", "call Mum", "Tue 03 Jun 2025 at 14:00"),
        (
            "remind me to water the plants this evening",
            "water the plants",
            "Mon 02 Jun 2025 at 19:00",
        ),
        (
            "remind me to book the dentist next friday 3pm",
            "book the dentist",
            "Fri 06 Jun 2025 at 15:00",
        ),
    ],
)
def test_chat_reminders_leave_no_time_words_in_the_text(
    store: MemoryStore, berlin: Settings, request_text: str, what: str, when: str
) -> None:
    engine = FakeEngine()
    assistant = make_assistant(store, engine, berlin, db=store.db)
    reply = assistant.ask(request_text, conversation_id="c", now=NOW).text
    assert reply == f"Shall I remind you to {what} — {when}? (yes/no)"
    assert engine.prompts == []  # the grammar read it; the model was not asked
    assistant.ask("yes", conversation_id="c", now=NOW)
    (reminder,) = ReminderBook(store.db, BERLIN).active()
    assert reminder.text == what


def test_a_past_time_in_chat_says_so(store: MemoryStore, berlin: Settings) -> None:
    reply = (
        make_assistant(store, FakeEngine(), berlin, db=store.db)
        .ask("remind me to stretch yesterday at 9am", conversation_id="c", now=NOW)
        .text
    )
    assert reply.startswith("I could not set that reminder") and "is in the past" in reply


def test_remind_help_states_the_same_hours() -> None:
    from click.testing import CliRunner

    from pocketmind.cli import main

    shown = " ".join(CliRunner().invoke(main, ["remind", "--help"]).stdout.split())
    for phrase in ("after lunch", "tonight"):
        assert f"{phrase} {PARTS_OF_DAY[phrase].strftime('%H:%M')}" in shown
    assert f"evening {PARTS_OF_DAY['this evening'].strftime('%H:%M')}" in shown
