"""Scoring by NATURAL PLAN's published rules (its evaluate_calendar_scheduling.py,
evaluate_meeting_planning.py and evaluate_trip_planning.py, Apache-2.0), rewritten here
against our types, not copied.

Calendar: the first ``Day, HH:MM - HH:MM`` in the answer must match the gold slot's day
and hours, where a time is its hour plus one half when the minutes are ``30`` (the
public script's ``hour_to_num``: other minutes count as the whole hour).
Meeting planning: the answer's steps are replayed (travel, wait, meet); replay stops at
the first impossible step; the task is solved when the meetings that happened number as
many as in the gold plan.
Trip planning: flights (``Day N ... from A to B``) give the cities in order and the days
between flights each stay; visit ranges (``N-M``) give the last day, and reading stops
at the range that ends the trip; solved when every city and stay matches the gold.
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


def _hours(clock: str) -> float:
    hours, minutes = clock.split(":")
    return float(hours) + (0.5 if minutes == "30" else 0.0)


def _slot_key(answer: str) -> tuple[str, float, float]:
    found = SLOT.search(answer)
    if found is None:
        return "", -1.0, -1.0
    day, hours = found.group(0).split(",", 1)
    start, end = (part.strip() for part in hours.split("-"))
    return day.strip(), _hours(start), _hours(end)


def calendar_solved(answer: str, gold: str) -> bool:
    return _slot_key(answer) == _slot_key(gold)


VISIT = re.compile(r"\d+-\d+")
FLIGHT = re.compile(r".*Day (\d+).*from (\w+) to (\w+)")
TOTAL = re.compile(r"European cities for (\d+) days")


def trip_stays(answer: str) -> list[tuple[str, int]]:
    """The (city, days) an answer's lines say, read as the public scorer reads them."""
    total: int | None = None
    visits: list[str] = []
    flights: list[tuple[str, str, str]] = []
    for line in answer.split("\n"):
        if said := TOTAL.findall(line):
            total = int(said[0])
        if visit := VISIT.findall(line):
            visits.append(visit[0])
            if int(visit[0].split("-")[1]) == total:
                break  # the end of the plan: an alternative after it is not read
        if flight := FLIGHT.findall(line):
            flights.append(flight[0])
    cities = [flights[0][1]] + [b for _, _, b in flights] if flights else []
    if not visits or not flights:
        return []
    days = [1] + [int(d) for d, _, _ in flights] + [int(visits[-1].split("-")[1])]
    return [(city, days[i + 1] - days[i] + 1) for i, city in enumerate(cities)]


def trip_solved(answer: str, cities: str, durations: str) -> bool:
    """Every gold stay matched in order (``cities``/``durations`` as ``A**B``, ``2**3``)."""
    gold = list(zip([c for c in cities.split("**") if c],
                    [int(d) for d in durations.split("**") if d], strict=True))  # fmt: skip
    said = trip_stays(answer)
    matched = 0
    for want, got in zip(gold, said, strict=False):
        if want != got:
            break
        matched += 1
    return matched == len(gold)


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
