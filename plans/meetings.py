"""A day of meetings at places: who to see, in what order, with travel between them.

NATURAL PLAN's meeting-planning task and the user's "plan Saturday: dentist at 16:00,
Packstation, climbing gym" share this shape: a start place and time, people (or errands)
each at a place within a window for at least some minutes, and a travel-time matrix.
The goal is the most meetings; among plans meeting as many, the one that ends earliest.

:func:`solve` is exact: a dynamic program over (who has been met, who was met last),
keeping the earliest finish for each, which is safe because arriving earlier never hurts
(one may always wait). 10 people are 10 x 2^10 states. :func:`brute_force` tries every
order of every subset and is the oracle the tests hold it to. :func:`verify` replays any
itinerary, the solver's or a model's, and names every step that cannot happen.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import permutations

from .spans import Span


@dataclass(frozen=True)
class Person:
    name: str
    place: str
    window: Span  # minutes of the day they are there
    minutes: int  # the least time to spend with them


@dataclass(frozen=True)
class DayRequest:
    start_place: str
    start: int  # minute of the day
    people: tuple[Person, ...]
    travel: Mapping[str, Mapping[str, int]]  # travel[a][b]: minutes from a to b

    def __post_init__(self) -> None:
        names = [p.name for p in self.people]
        if len(set(names)) != len(names):
            raise ValueError(f"each person once: {names}")
        places = {self.start_place, *(p.place for p in self.people)}
        for a in places:
            for b in places:
                if a != b and b not in self.travel.get(a, {}):
                    raise ValueError(f"no travel time from {a} to {b}")

    def minutes_between(self, a: str, b: str) -> int:
        return 0 if a == b else self.travel[a][b]


@dataclass(frozen=True)
class Meeting:
    person: str
    place: str
    span: Span
    arrive: int  # when one got there (a wait fills arrive..span.start)


@dataclass(frozen=True)
class Itinerary:
    meetings: tuple[Meeting, ...]

    @property
    def count(self) -> int:
        return len(self.meetings)

    @property
    def ends(self) -> int:
        return self.meetings[-1].span.end if self.meetings else 0

    def steps(self, request: DayRequest) -> list[str]:
        """The plan in NATURAL PLAN's sentences (its scorer reads these)."""
        lines = [f"You start at {request.start_place} at {_ampm(request.start)}"]
        place, now = request.start_place, request.start
        for meeting in self.meetings:
            if meeting.place != place:
                minutes = request.minutes_between(place, meeting.place)
                now += minutes
                lines.append(
                    f"You travel to {meeting.place} in {minutes} minutes and arrive at {_ampm(now)}"
                )
                place = meeting.place
            if meeting.span.start > now:
                lines.append(f"You wait until {_ampm(meeting.span.start)}")
            lines.append(
                f"You meet {meeting.person} for {meeting.span.minutes} minutes from "
                f"{_ampm(meeting.span.start)} to {_ampm(meeting.span.end)}"
            )
            now = meeting.span.end
        return lines


def _visit(request: DayRequest, place: str, now: int, person: Person) -> Meeting | None:
    arrive = now + request.minutes_between(place, person.place)
    start = max(arrive, person.window.start)
    span = Span(start, start + person.minutes)
    return (
        Meeting(person.name, person.place, span, arrive) if span.end <= person.window.end else None
    )


def schedule(request: DayRequest, order: Sequence[Person]) -> Itinerary | None:
    """Meet ``order`` as early as each allows, or None if one of them cannot be met."""
    place, now, done = request.start_place, request.start, []
    for person in order:
        meeting = _visit(request, place, now, person)
        if meeting is None:
            return None
        done.append(meeting)
        place, now = meeting.place, meeting.span.end
    return Itinerary(tuple(done))


def _better(a: Itinerary, b: Itinerary | None) -> bool:
    return b is None or (a.count, -a.ends) > (b.count, -b.ends)


def solve(request: DayRequest) -> Itinerary:
    """The itinerary that meets the most people, ending earliest among those."""
    people = request.people
    # best[(mask, last)] = the earliest-ending way to meet exactly `mask`, `last` at the end
    best: dict[tuple[int, int], tuple[int, tuple[Meeting, ...]]] = {}
    frontier: dict[tuple[int, int], tuple[int, tuple[Meeting, ...]]] = {}
    for i, person in enumerate(people):
        meeting = _visit(request, request.start_place, request.start, person)
        if meeting is not None:
            frontier[(1 << i, i)] = (meeting.span.end, (meeting,))
    champion = Itinerary(())
    while frontier:
        best.update(frontier)
        grown: dict[tuple[int, int], tuple[int, tuple[Meeting, ...]]] = {}
        for (mask, last), (ends, path) in frontier.items():
            candidate = Itinerary(path)
            if _better(candidate, champion):
                champion = candidate
            for j, person in enumerate(people):
                if mask & (1 << j):
                    continue
                meeting = _visit(request, people[last].place, ends, person)
                if meeting is None:
                    continue
                key = (mask | (1 << j), j)
                held = grown.get(key)
                if held is None or meeting.span.end < held[0]:
                    grown[key] = (meeting.span.end, (*path, meeting))
        frontier = grown
    return champion


def brute_force(request: DayRequest) -> Itinerary:
    """Every order of every subset: the oracle for :func:`solve` (small instances only)."""
    champion = Itinerary(())
    for size in range(1, len(request.people) + 1):
        for order in permutations(request.people, size):
            itinerary = schedule(request, order)
            if itinerary is not None and _better(itinerary, champion):
                champion = itinerary
    return champion


@dataclass(frozen=True)
class Step:
    """One step of a proposed itinerary: go somewhere, wait, or meet someone."""

    kind: str  # "travel", "wait", "meet"
    place: str | None = None
    until: int | None = None  # wait until (minute of the day)
    person: str | None = None
    minutes: int | None = None  # a meeting's length


def verify(request: DayRequest, steps: Sequence[Step]) -> tuple[int, list[str]]:
    """Replay ``steps``; the meetings that happened and every step that cannot.

    Replay stops at the first impossible step, as NATURAL PLAN's scorer does: what
    follows a broken step did not happen as written.
    """
    people = {p.name: p for p in request.people}
    places = {request.start_place, *request.travel, *(p.place for p in request.people)}
    place, now, met = request.start_place, request.start, set[str]()
    for number, step in enumerate(steps, 1):
        problem = None
        if step.kind == "travel" and step.place is not None:
            if step.place not in places:
                problem = f"step {number}: {step.place} is not a known place"
            else:
                now += request.minutes_between(place, step.place)
                place = step.place
        elif step.kind == "wait" and step.until is not None:
            if step.until <= now:
                problem = (
                    f"step {number}: waits until {_ampm(step.until)} but it is already {_ampm(now)}"
                )
            else:
                now = step.until
        elif step.kind == "meet" and step.person is not None:
            person = people.get(step.person)
            if person is None:
                problem = f"step {number}: {step.person} is not someone to meet"
            elif step.person in met:
                problem = f"step {number}: {step.person} was already met"
            elif place != person.place:
                problem = f"step {number}: {person.name} is at {person.place}, not {place}"
            elif now < person.window.start:
                problem = (
                    f"step {number}: {person.name} is there from {_ampm(person.window.start)}, "
                    f"not {_ampm(now)}"
                )
            elif now + max(person.minutes, step.minutes or 0) > person.window.end:
                length = max(person.minutes, step.minutes or 0)
                problem = (
                    f"step {number}: {length} minutes with {person.name} from "
                    f"{_ampm(now)} end after {_ampm(person.window.end)}, when they leave"
                )
            else:
                met.add(person.name)
                now += max(person.minutes, step.minutes or 0)
        else:
            problem = f"step {number}: cannot read {step}"
        if problem is not None:
            return len(met), [problem]
    return len(met), []


def _ampm(minute: int) -> str:
    """``570`` → ``"9:30AM"``, NATURAL PLAN's clock."""
    hours, minutes = divmod(minute % (24 * 60), 60)
    suffix = "AM" if hours < 12 else "PM"
    return f"{(hours % 12) or 12}:{minutes:02d}{suffix}"
