"""The planning reader against generated tasks in both phrasings, and scoring by
NATURAL PLAN's rules."""

from __future__ import annotations

import pytest

from pocketmind.plans import calendar, meetings, read, scoring, synth
from pocketmind.plans.spans import Span, merge


@pytest.mark.parametrize("family", ["tune", "held_out"])
def test_the_reader_recovers_every_calendar_constraint(family: str) -> None:
    for task in synth.calendar_suite(5, family):
        reading = read.read_calendar(task.prompt)
        got, want = reading.request, task.request
        assert (got.participants, got.minutes, got.days) == (
            want.participants,
            want.minutes,
            want.days,
        )
        for name in want.participants:
            assert merge(got.busy.get(name, ())) == merge(want.busy.get(name, ())), name
            assert merge(got.avoid.get(name, ())) == merge(want.avoid.get(name, ())), name
        slot = calendar.solve(got)
        assert slot is not None and slot.describe(got.days) == task.gold


@pytest.mark.parametrize("family", ["tune", "held_out"])
def test_the_reader_recovers_every_day_of_meetings(family: str) -> None:
    for task in synth.day_suite(5, family, per_size=1):
        got = read.read_day(task.prompt)
        assert got == task.request
        assert scoring.day_solved(". ".join(task.gold_plan), got, task.gold_count)


def test_the_reader_says_what_it_cannot_place() -> None:
    with pytest.raises(read.ReadError, match="no sentence names the people"):
        read.read_calendar("Find a slot for me sometime.")
    with pytest.raises(read.ReadError, match="no meeting length"):
        read.read_calendar("Meet Maya and Jonas on Monday.")
    reading = read.read_calendar(
        "Find half an hour for Maya and Jonas on Monday or Tuesday.\n"
        "Maya is busy Monday 9:00-12:00.\n"
        "Someone has a thing at 10:00-11:00."
    )
    assert reading.unread == ["Someone has a thing at 10:00-11:00."]
    assert reading.request.busy["Maya"] == (Span(540, 720),)


def test_words_around_the_facts_do_not_matter() -> None:
    reading = read.read_calendar(
        "Could you set up 45 minutes for Maya, Jonas and Ida on Wednesday?\n"
        "Maya: tied up from 9:00 until 10:30.\n"
        "Jonas cannot meet before 11:00.\n"
        "Ida has nothing planned, wide open."
    )
    request = reading.request
    assert request.minutes == 45 and request.days == ("Wednesday",)
    assert request.busy["Maya"] == (Span(540, 630),)
    assert request.avoid == {"Jonas": (Span(540, 660),)}
    slot = calendar.solve(request)
    assert slot is not None and slot.describe(request.days) == "Wednesday, 11:00 - 11:45"


def test_scoring_follows_the_papers_rules() -> None:
    assert scoring.calendar_solved("Sure! Monday, 9:30 - 10:00 works", "Monday, 09:30 - 10:00")
    assert not scoring.calendar_solved("Tuesday, 9:30 - 10:00", "Monday, 09:30 - 10:00")
    assert not scoring.calendar_solved("no idea", "Monday, 09:30 - 10:00")
    task = synth.day_task(__import__("random").Random(3), 4, "tune")
    gold = "SOLUTION: " + ". ".join(task.gold_plan) + "."
    assert scoring.meetings_met(gold, task.request) == task.gold_count
    # A plan that skips the travel breaks at its first meeting and scores what came before.
    broken = gold.replace("You travel to", "You stroll to", 1)
    assert scoring.meetings_met(broken, task.request) == 0
    assert meetings.solve(task.request).count == task.gold_count
