"""Planning tasks built the way NATURAL PLAN builds them (arXiv 2406.04520), with gold
answers from the exact solvers, in two families of phrasing.

NATURAL PLAN's own data files could not be had here, so this follows its construction:
calendar scheduling has 2-7 people over 1-5 work days (9:00-17:00), 30- or 60-minute
meetings, half-hour busy blocks and preferences, and exactly one slot that works; meeting
planning has 1-10 friends at San Francisco districts with availability windows, least
meeting lengths and a travel-time matrix, scored by the number of meetings a plan gets
right. ``family="tune"`` words tasks close to the paper; ``family="held_out"`` words the
same facts differently, so that a reader tuned on one is measured on the other.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from . import calendar, meetings
from .calendar import WEEKDAYS, MeetingRequest
from .meetings import DayRequest, Person
from .spans import DAY, Span

NAMES = (
    "Maya Jonas Priya Tomas Aisha Lena Omar Sofia Felix Nora Ravi Elena Hugo Mila Kenji Zara "
    "Luca Ines Arjun Clara Mateo Yara Noah Ada Emil Leila Oscar Freya Samir Ida"
).split()
PLACES = (
    "Mission District",
    "Marina District",
    "Nob Hill",
    "Golden Gate Park",
    "Fisherman's Wharf",
    "Haight-Ashbury",
    "North Beach",
    "Union Square",
    "Chinatown",
    "The Castro",
    "Presidio",
)


@dataclass(frozen=True)
class CalendarTask:
    prompt: str
    request: MeetingRequest
    gold: str  # "Monday, 14:30 - 15:00"


@dataclass(frozen=True)
class DayTask:
    prompt: str
    request: DayRequest
    gold_count: int
    gold_plan: list[str]


def _hm(minute: int) -> str:
    return f"{(minute % DAY) // 60}:{minute % 60:02d}"


def _ampm(minute: int) -> str:
    hours, minutes = divmod(minute % DAY, 60)
    return f"{(hours % 12) or 12}:{minutes:02d}{'AM' if hours < 12 else 'PM'}"


def _duration(minutes: int, family: str) -> str:
    if family == "tune":
        return {30: "half an hour", 60: "one hour"}.get(minutes, f"{minutes} minutes")
    return {30: "30 minutes", 60: "an hour"}.get(minutes, f"{minutes} minutes")


def _people(names: list[str]) -> str:
    return ", ".join(names[:-1]) + " and " + names[-1]


def calendar_task(rng: random.Random, people: int, days: int, family: str) -> CalendarTask:
    """One calendar-scheduling task whose only valid slot is the gold one."""
    while True:
        task = _try_calendar(rng, people, days, family)
        if task is not None:
            return task


def _try_calendar(
    rng: random.Random, n_people: int, n_days: int, family: str
) -> CalendarTask | None:
    names = rng.sample(NAMES, n_people)
    days = WEEKDAYS[:n_days] if n_days > 1 else (rng.choice(WEEKDAYS[:5]),)
    minutes = rng.choice([30, 60])
    gold_day = rng.randrange(n_days)
    gold_start = gold_day * DAY + rng.randrange(18, 35 - minutes // 30) * 30
    gold = Span(gold_start, gold_start + minutes)
    busy: dict[str, list[Span]] = {n: [] for n in names}
    avoid: dict[str, list[Span]] = {}
    for name in names:  # random half-hour blocks that leave the gold slot free
        for day in range(n_days):
            for half in range(18, 34):
                block = Span(day * DAY + half * 30, day * DAY + half * 30 + 30)
                if not block.overlaps(gold) and rng.random() < 0.3:
                    busy[name].append(block)
    if rng.random() < 0.5:  # a preference, as the paper's tasks often carry
        who = rng.choice(names)
        day = rng.randrange(n_days)
        cut = rng.randrange(11, 16) * 60
        after = Span(day * DAY + cut, day * DAY + 17 * 60)
        before = Span(day * DAY + 9 * 60, day * DAY + cut)
        for span in (after, before):
            if not span.overlaps(gold):
                avoid[who] = [span]
                break
    request = _calendar_request(names, minutes, days, busy, avoid)
    for slot in calendar.all_starts(request, step=30):  # close every other slot
        if slot.span == gold:
            continue
        victim = rng.choice(names)
        start = slot.span.start - slot.span.start % 30
        busy[victim].append(Span(start, start + 30))
        request = _calendar_request(names, minutes, days, busy, avoid)
    left = calendar.all_starts(request, step=30)
    if [s.span for s in left] != [gold]:
        return None
    solved = calendar.solve(request)
    assert solved is not None
    return CalendarTask(_calendar_prompt(request, family), request, solved.describe(request.days))


def _calendar_request(
    names: list[str],
    minutes: int,
    days: tuple[str, ...],
    busy: dict[str, list[Span]],
    avoid: dict[str, list[Span]],
) -> MeetingRequest:
    from .spans import merge

    return MeetingRequest(
        tuple(names),
        minutes,
        tuple(days),
        busy={n: tuple(merge(s)) for n, s in busy.items()},
        avoid={n: tuple(s) for n, s in avoid.items()},
    )


def _day_blocks(request: MeetingRequest, spans: tuple[Span, ...], sep: str, to: str) -> list[str]:
    parts = []
    for day, name in enumerate(request.days):
        mine = [s for s in spans if s.start // DAY == day]
        if mine:
            ranges = ", ".join(f"{_hm(s.start)}{to}{_hm(s.end)}" for s in mine)
            parts.append(f"{name}{sep}{ranges}")
    return parts


def _calendar_prompt(request: MeetingRequest, family: str) -> str:
    names = list(request.participants)
    days = list(request.days)
    day_list = days[0] if len(days) == 1 else ", ".join(days[:-1]) + " or " + days[-1]
    lines = []
    if family == "tune":
        lines.append(
            f"You need to schedule a meeting for {_people(names)} for "
            f"{_duration(request.minutes, family)} between the work hours of 9:00 to 17:00 "
            f"on {day_list}."
        )
        lines.append("Here are the existing schedules for everyone during the days:")
        for name in names:
            blocks = _day_blocks(request, request.busy.get(name, ()), " during ", " to ")
            if blocks:
                lines.append(f"{name} has meetings on {'; '.join(blocks)};")
            else:
                lines.append(f"{name} is free the entire day.")
        for name, spans in request.avoid.items():
            for span in spans:
                day = days[span.start // DAY]
                edge = span.start % DAY == 9 * 60
                when = f"before {_hm(span.end)}" if edge else f"after {_hm(span.start)}"
                lines.append(f"{name} would rather not meet on {day} {when}.")
        lines.append("The group would like to meet at their earliest availability.")
        lines.append("Find a time that works for everyone's schedule and constraints.")
    else:
        lines.append(
            f"Please find {_duration(request.minutes, family)} for {_people(names)} sometime "
            f"on {day_list}, within working hours (9:00-17:00)."
        )
        for name in names:
            blocks = _day_blocks(request, request.busy.get(name, ()), " ", "-")
            if blocks:
                lines.append(f"{name}'s calendar: busy {', and '.join(blocks)}.")
            else:
                lines.append(f"{name}'s calendar is completely open.")
        for name, spans in request.avoid.items():
            for span in spans:
                day = days[span.start // DAY]
                edge = span.start % DAY == 9 * 60
                when = f"earlier than {_hm(span.end)}" if edge else f"later than {_hm(span.start)}"
                lines.append(f"{name} prefers to avoid {day} {when}.")
        lines.append("Pick the earliest time that suits everyone.")
    return "\n".join(lines)


def day_task(rng: random.Random, n_people: int, family: str) -> DayTask:
    """One meeting-planning task: friends at places, a travel matrix, gold by the solver."""
    places = rng.sample(PLACES, min(len(PLACES), n_people + 1))
    start_place = places[0]
    travel = {a: {b: rng.randrange(5, 31) for b in places if b != a} for a in places}
    names = rng.sample(NAMES, n_people)
    people = []
    for name in names:
        start = rng.randrange(9 * 4, 19 * 4) * 15
        length = rng.randrange(4, 24) * 15
        people.append(
            Person(
                name,
                rng.choice(places[1:]),
                Span(start, min(start + length, 22 * 60)),
                rng.choice([15, 30, 45, 60, 75, 90, 105, 120]),
            )
        )
    request = DayRequest(start_place, 9 * 60, tuple(people), travel)
    best = meetings.solve(request)
    return DayTask(_day_prompt(request, family), request, best.count, best.steps(request))


def _day_prompt(request: DayRequest, family: str) -> str:
    lines = []
    places = sorted(request.travel)
    if family == "tune":
        lines.append(
            "You are visiting San Francisco for the day and want to meet as many friends as "
            "possible. Solve the problem by considering various different schedules and "
            "picking the best one to optimize your goals."
        )
        lines.append("Travel distances (in minutes):")
        for a in places:
            for b in places:
                if a != b:
                    lines.append(f"{a} to {b}: {request.travel[a][b]}.")
        lines.append("CONSTRAINTS:")
        lines.append(f"You arrive at {request.start_place} at {_ampm(request.start)}.")
        for p in request.people:
            lines.append(
                f"{p.name} will be at {p.place} from {_ampm(p.window.start)} to "
                f"{_ampm(p.window.end)}. You'd like to meet {p.name} for a minimum of "
                f"{p.minutes} minutes."
            )
    else:
        lines.append(
            "I have a free day in San Francisco and I'd like to catch up with as many "
            "friends as I can. Work out the best schedule."
        )
        lines.append(f"My day begins at {request.start_place} at {_ampm(request.start)}.")
        for a in places:
            for b in places:
                if a != b:
                    lines.append(f"Getting from {a} to {b} takes {request.travel[a][b]} minutes.")
        for p in request.people:
            lines.append(
                f"{p.name} is around {p.place} between {_ampm(p.window.start)} and "
                f"{_ampm(p.window.end)}, and I want at least {p.minutes} minutes with "
                f"{p.name}."
            )
    return "\n".join(lines)


def calendar_suite(seed: int, family: str, per_cell: int = 1) -> list[CalendarTask]:
    """2-7 people x 1-5 days, ``per_cell`` tasks each (the paper's grid)."""
    rng = random.Random(seed)
    return [
        calendar_task(rng, people, days, family)
        for people in range(2, 8)
        for days in range(1, 6)
        for _ in range(per_cell)
    ]


def day_suite(seed: int, family: str, per_size: int = 3) -> list[DayTask]:
    """1-10 friends, ``per_size`` tasks each."""
    rng = random.Random(seed)
    return [day_task(rng, n, family) for n in range(1, 11) for _ in range(per_size)]
