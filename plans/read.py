"""Reading planning requests into constraints, deterministically, phrasing-agnostic.

The reader does not match whole sentence templates. It finds the facts a sentence
carries, whatever the words around them: the people (a list of names), weekdays, clock
ranges ("9:00 to 9:30", "9:00-9:30", "between 2:45PM and 5:00PM"), durations ("half an
hour", "45 minutes"), places (named in the travel table), and a few cue words that
turn a busy block into a preference ("rather not", "avoid", "prefer") or a bound into a
range ("before", "after", "earlier than", "later than"). Anything it cannot place is
reported, never guessed: the caller may ask the model to fill that gap under a schema.
Text from other people is only ever data here; nothing read becomes an instruction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .calendar import WEEKDAYS, WORK_HOURS, MeetingRequest
from .meetings import DayRequest, Person
from .spans import DAY, Span
from .trips import TripRequest

CLOCK = r"(\d{1,2}):(\d{2})\s*([AaPp][Mm])?"
RANGE = re.compile(rf"{CLOCK}\s*(?:to|-|–|until|and)\s*{CLOCK}")
BOUND = re.compile(rf"\b(before|after|earlier than|later than|not before|not after)\s+{CLOCK}")
NAME_LIST = re.compile(r"\b([A-Z][a-z]+(?:, [A-Z][a-z]+)*,? and [A-Z][a-z]+)\b")
PREFERENCE = re.compile(
    r"rather not|avoid|prefer|do(?:es)? not want|don't want|can ?not|cannot|unable|not available",
    re.IGNORECASE,
)
FREE = re.compile(r"free the entire|free all|wide open|completely open|no meetings", re.IGNORECASE)
DURATIONS = (
    (re.compile(r"\bhalf an hour\b", re.I), 30),
    (re.compile(r"\b(?:an|one|1) hours?\b", re.I), 60),
    (re.compile(r"\b(?:two|2) hours\b", re.I), 120),
    (re.compile(r"\b(?:an|one) hour and a half\b", re.I), 90),
)
MINUTES = re.compile(r"\b(\d{1,3})\s*(?:minutes|mins?)\b", re.I)


class ReadError(ValueError):
    """What the reader could not place, named, so a caller can ask for it."""


def _minute(hours: str, minutes: str, half: str | None) -> int:
    h, m = int(hours), int(minutes)
    if half:
        h = h % 12 + (12 if half.lower() == "pm" else 0)
    if not (0 <= h <= 24 and 0 <= m < 60):
        raise ReadError(f"not a time of day: {hours}:{minutes}")
    return h * 60 + m


def ranges(text: str) -> list[Span]:
    return [
        Span(_minute(*m.group(1, 2, 3)), _minute(*m.group(4, 5, 6))) for m in RANGE.finditer(text)
    ]


def duration(text: str) -> int | None:
    for pattern, minutes in DURATIONS:
        if pattern.search(text):
            return minutes
    found = MINUTES.search(text)
    return int(found.group(1)) if found else None


def _sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?])\s+|\n+", text)
    return [p.strip() for p in parts if p.strip()]


def _weekdays(text: str) -> list[str]:
    found = [
        (m.start(), m.group(0).capitalize())
        for m in re.finditer(r"\b(" + "|".join(WEEKDAYS) + r")\b", text, re.IGNORECASE)
    ]
    return [day for _, day in sorted(found)]


@dataclass
class CalendarReading:
    request: MeetingRequest
    unread: list[str] = field(default_factory=list)  # sentences that carried nothing known


def read_calendar(text: str) -> CalendarReading:
    """A calendar-scheduling request → :class:`MeetingRequest`."""
    sentences = _sentences(text)
    head = next((s for s in sentences if NAME_LIST.search(s) and _weekdays(s)), None)
    if head is None:
        raise ReadError("no sentence names the people and the days to meet")
    listed = NAME_LIST.search(head)
    assert listed is not None
    people = tuple(n for n in re.split(r",\s*|\s+and\s+", listed.group(1)) if n)
    days = tuple(dict.fromkeys(_weekdays(head)))
    minutes = duration(head)
    if minutes is None:
        raise ReadError(f"no meeting length in: {head!r}")
    hours = ranges(head)
    work = hours[0] if hours else WORK_HOURS
    busy: dict[str, list[Span]] = {p: [] for p in people}
    avoid: dict[str, list[Span]] = {}
    unread = []
    for sentence in sentences:
        if sentence is head:
            continue
        who = [p for p in people if re.search(rf"\b{p}\b", sentence)]
        if not who:
            if re.search(r"\d:\d\d", sentence):
                unread.append(sentence)
            continue
        name = min(who, key=lambda p: sentence.index(p))
        if FREE.search(sentence) and not RANGE.search(sentence):
            continue
        target = avoid.setdefault(name, []) if PREFERENCE.search(sentence) else busy[name]
        spans = _day_spans(sentence, days, work)
        if not spans:
            unread.append(sentence)
        target.extend(spans)
    request = MeetingRequest(
        people,
        minutes,
        days,
        work,
        busy={p: tuple(s) for p, s in busy.items()},
        avoid={p: tuple(s) for p, s in avoid.items() if s},
    )
    return CalendarReading(request, unread)


def _day_spans(sentence: str, days: tuple[str, ...], work: Span) -> list[Span]:
    """Each weekday in ``sentence`` owns the ranges and bounds up to the next weekday."""
    marks = [
        (m.start(), m.group(0).capitalize())
        for m in re.finditer(r"\b(" + "|".join(WEEKDAYS) + r")\b", sentence, re.IGNORECASE)
    ]
    if not marks:
        if len(days) != 1:
            return []
        marks = [(0, days[0])]
    spans = []
    for i, (at, day) in enumerate(marks):
        if day not in days:
            continue
        end = marks[i + 1][0] if i + 1 < len(marks) else len(sentence)
        segment = sentence[at:end]
        offset = days.index(day) * DAY
        found = ranges(segment)
        for bound in BOUND.finditer(segment):
            minute = _minute(*bound.group(2, 3, 4))
            word = bound.group(1).lower()
            if word in ("before", "earlier than", "not after"):
                found.append(Span(work.start, max(work.start, minute)))
            else:
                found.append(Span(min(minute, work.end), work.end))
        if not found and not re.search(r"\d:\d\d", segment):
            found = [work]  # "cannot meet on Tuesday": the whole day
        spans += [s.shifted(offset) for s in found]
    return spans


PLACE = r"[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*"
TRAVEL = re.compile(rf"(?:from\s+)?({PLACE})\s+to\s+({PLACE})\D{{0,20}}?(\d{{1,3}})\b")


def read_day(text: str) -> DayRequest:
    """A meeting-planning request → :class:`DayRequest`."""
    sentences = _sentences(text)
    travel: dict[str, dict[str, int]] = {}
    for sentence in sentences:
        if not re.search(r"\d{1,2}:\d{2}", sentence):
            for m in TRAVEL.finditer(sentence):
                a, b = (_place(m.group(1)), _place(m.group(2)))
                travel.setdefault(a, {})[b] = int(m.group(3))
    places = sorted({*travel, *(b for row in travel.values() for b in row)}, key=len, reverse=True)
    if not places:
        raise ReadError("no travel times between places")
    start_place, start = None, None
    windows: dict[str, tuple[str, Span]] = {}
    lengths: dict[str, int] = {}
    order: list[str] = []
    for sentence in sentences:
        where = next((p for p in places if p in sentence), None)
        times = [_minute(*m.group(1, 2, 3)) for m in re.finditer(CLOCK, sentence)]
        names = [
            w
            for w in re.findall(r"\b[A-Z][a-z]+\b", sentence)
            if not any(w in p for p in places) and w not in NOT_NAMES
        ]
        if where and len(times) == 1 and not names and start is None:
            start_place, start = where, times[0]  # "You arrive at Union Square at 9:00AM"
            continue
        if not names:
            continue
        name = names[0]
        window = ranges(sentence)
        if where and window:
            windows[name] = (where, window[0])
            order += [name] if name not in order else []
        length = duration(sentence.split(where, 1)[-1] if where else sentence)
        if length is not None and (window or "minute" in sentence):
            lengths[name] = length
    if start_place is None or start is None:
        raise ReadError("no start place and time")
    people = []
    for name in order:
        if name not in lengths:
            raise ReadError(f"no meeting length for {name}")
        place, span = windows[name]
        people.append(Person(name, place, span, lengths[name]))
    return DayRequest(start_place, start, tuple(people), travel)


NOT_NAMES = {"You", "I", "My", "Getting", "From", "Travel", "Solve", "CONSTRAINTS", "Work"}


def _place(text: str) -> str:
    return re.sub(r"^(?:Getting|From|Travel)\s+(?:from\s+)?", "", text.strip())


CITY = r"[A-Z][a-z]+"
NOT_CITIES = {"You", "I", "Here", "Find", "Plan", "There", "The", "Please", "Europe", "European",
              "My", "We", "Also", "Then", "Day", "Fly", "Work", "Give", "Spend", "It"}  # fmt: skip
DAYS_LONG = re.compile(r"\b(\d{1,2})\s+days?\b(?!\s+in\s+total)")
EVENT = re.compile(r"\bdays?\s+(\d{1,2})\s*(?:and|to|-|through|until)\s*(?:day\s+)?(\d{1,2})\b"
                   r"|\bon\s+day\s+(\d{1,2})\b")  # fmt: skip
TOTAL = re.compile(
    r"\b(\d{1,2})\s+days\s+in\s+total\b|\b(\d{1,2})[- ]day\s+trip\b|\btrip of (\d{1,2}) days\b",
    re.I,
)
BOTH_WAYS = re.compile(rf"\b({CITY})\s+(?:and|<->|&)\s+({CITY})\b")
ONE_WAY = re.compile(rf"\bfrom\s+({CITY})\s+to\s+({CITY})\b")


def _cities(clause: str) -> list[str]:
    return [w for w in re.findall(rf"\b{CITY}\b", clause) if w not in NOT_CITIES]


def read_trip(text: str) -> TripRequest:
    """A trip-planning request → :class:`TripRequest` (stays, flights, events, total).

    Phrasing-agnostic: a clause holding "N days" and one city is a stay; a clause
    holding "day A ... day B" (or "on day A") is an event in the city it names, else in
    the city its sentence named last before it."""
    head, _, flights_text = _split_flights(text)
    stays: dict[str, int] = {}
    windows: list[tuple[list[str], tuple[int, int]]] = []
    for sentence in _sentences(head):
        if TOTAL.search(sentence):
            continue
        before: list[str] = []
        for clause in re.split(r"[,;:]|\s+(?:and|where|while)\s+(?!day\b)", sentence):
            cities = _cities(clause)
            event = EVENT.search(clause)
            if event:
                first = int(event.group(1) or event.group(3))
                windows.append((cities or before[-1:], (first, int(event.group(2) or first))))
            if (length := DAYS_LONG.search(clause)) and len(cities) == 1:
                stays[cities[0]] = int(length.group(1))
            before += cities
    if not stays:
        raise ReadError("no stays ('N days in City') in the request")
    events: dict[str, tuple[int, int]] = {}
    for named, window in windows:
        known = [c for c in named if c in stays]
        if not known:
            raise ReadError(f"an event on days {window[0]}-{window[1]} names no city of the trip")
        events[known[-1]] = window
    pairs: set[tuple[str, str]] = set()
    for line in re.split(r",|\n|;", flights_text):
        if one := ONE_WAY.search(line):
            pairs.add((one.group(1), one.group(2)))
        elif both := BOTH_WAYS.search(line):
            pairs |= {(both.group(1), both.group(2)), (both.group(2), both.group(1))}
    unknown = sorted({c for pair in pairs for c in pair} - set(stays))
    if unknown:
        raise ReadError(f"flights name cities with no stay: {', '.join(unknown)}")
    total = TOTAL.search(head)
    days = int(next(g for g in total.groups() if g)) if total else None
    return TripRequest(stays, frozenset(pairs), events, days)


def _split_flights(text: str) -> tuple[str, str, str]:
    """The request before the list of direct flights, the heading, and the list."""
    parts = re.split(r"((?:direct flights?|flights? (?:run|go|connect))[^:\n]*:)", text, maxsplit=1)
    if len(parts) < 3:
        raise ReadError("no list of direct flights")
    rest = parts[2]
    listed = re.split(r"\n\s*\n|\n(?=Find|Plan|Work|Give)", rest.strip(), maxsplit=1)[0]
    return parts[0], parts[1], listed
