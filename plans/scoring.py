"""Scoring by NATURAL PLAN's published rules (its evaluate_calendar_scheduling.py and
evaluate_meeting_planning.py, Apache-2.0), rewritten here against our types.

Calendar: the first ``Day, HH:MM - HH:MM`` in the answer must be the gold slot exactly.
Meeting planning: the answer's steps are replayed (travel, wait, meet); replay stops at
the first impossible step; the task is solved when the meetings that happened number as
many as in the gold plan.
"""

from __future__ import annotations

import re

from .meetings import DayRequest, Step, verify
from .read import CLOCK, _minute

SLOT = re.compile(r"[A-Za-z]+, [0-9]+:[0-9]+ - [0-9]+:[0-9]+")


def first_slot(answer: str) -> str | None:
    found = SLOT.search(answer)
    if found is None:
        return None
    day, hours = found.group(0).split(",", 1)
    start, end = (part.strip() for part in hours.split("-"))
    return f"{day.strip()}, {_norm(start)} - {_norm(end)}"


def _norm(clock: str) -> str:
    hours, minutes = clock.split(":")
    return f"{int(hours):02d}:{minutes}"


def calendar_solved(answer: str, gold: str) -> bool:
    return first_slot(answer) == first_slot(gold)


def plan_steps(answer: str) -> list[Step]:
    """The few-shot plan format, one sentence a step; unknown sentences end the plan."""
    if "SOLUTION:" in answer:
        answer = answer.split("SOLUTION:", 1)[1]
    steps = []
    for sentence in (s.strip() for s in re.split(r"\.(?!\d)|\n", answer)):
        if not sentence or sentence.startswith("You start"):
            continue
        if m := re.match(r"You travel to (.+?) in \d+ minutes", sentence):
            steps.append(Step("travel", place=m.group(1).strip()))
        elif m := re.match(rf"You wait until {CLOCK}", sentence):
            steps.append(Step("wait", until=_minute(*m.group(1, 2, 3))))
        elif m := re.match(r"You meet (.+?) for (\d+) minutes", sentence):
            steps.append(Step("meet", person=m.group(1).strip()))
        else:
            break
    return steps


def meetings_met(answer: str, request: DayRequest) -> int:
    met, _problems = verify(request, plan_steps(answer))
    return met


def day_solved(answer: str, request: DayRequest, gold_count: int) -> bool:
    return meetings_met(answer, request) == gold_count
