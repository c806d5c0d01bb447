"""Busy times from the phone's calendar reminders, as the notification sensor kept them.

A calendar app's reminder is a notification whose title is the event and whose text says
when: ``14:00 – 15:00`` (today), ``Tomorrow, 2:00 – 3:00 PM``, ``Thu, 26 Nov, 14:00 –
15:00``, ``Thursday`` (all day). The sensor stores it as a memory ("New notification from
Calendar: Dentist — Thu 14:00–15:00", the app and the posting time in its meta); this
module reads the interval back, in the user's zone, dated from when it was posted.

Only notifications from calendar apps count: a message from anyone else that reads like
an appointment makes nobody busy. Sensed text is data here: at most it becomes a busy
interval whose title says where it came from, never a step, never an instruction.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta, tzinfo

from ..memory.instants import from_db, to_db
from ..memory.lookup import MemoryLookup
from .model import Busy

CALENDAR_APPS = (
    "com.google.android.calendar",
    "com.android.calendar",
    "com.samsung.android.calendar",
    "ws.xsoh.etar",
    "org.fossify.calendar",
    "com.simplemobiletools.calendar.pro",
)
LOOKBACK = timedelta(days=14)  # a reminder comes at most this long before its event

HALF = r"([AaPp])\.?\s?[Mm]\.?"
CLOCK = rf"(\d{{1,2}})(?:[:.](\d{{2}}))?\s*(?:{HALF})?"
RANGE = re.compile(rf"(?<![\d:]){CLOCK}\s*(?:–|—|-|to|until)\s*{CLOCK}(?![\d:])")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY = re.compile(
    r"\b(mon|tue|wed|thu|fri|sat|sun)(?:day|s|sday|nesday|r|rs|rsday|urday)?\b\.?", re.I
)
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
MONTH = (
    r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
    r"(?:uary|ruary|ch|il|e|y|ust|t|tember|ober|ember)?\b\.?"
)
DATE = re.compile(
    rf"\b(?:(\d{{1,2}})\.?\s+{MONTH}|{MONTH}\s+(\d{{1,2}})\b)(?:,?\s+(\d{{4}}))?"
    r"|\b(\d{4})-(\d{2})-(\d{2})\b",
    re.I,
)

# (text, meta, occurred_at) of calendar apps' notifications sensed in [start, end)
Notices = Callable[[datetime, datetime], Iterable[tuple[str, dict[str, object], datetime]]]


def what_it_says(text: str, meta: dict[str, object]) -> str:
    """The notification's own text: what follows its title in the stored memory."""
    title = str(meta.get("title") or "")
    marker = f"{title} — " if title else " — "
    return text.split(marker, 1)[1] if marker in text else text


def posted_at(meta: dict[str, object], occurred: datetime, zone: tzinfo) -> datetime:
    """When the phone posted it (termux prints the phone's local time), else when sensed."""
    try:
        return datetime.fromisoformat(str(meta.get("when"))).replace(tzinfo=zone)
    except ValueError:
        return occurred.astimezone(zone)


def when_said(text: str, posted: datetime) -> tuple[datetime, datetime] | None:
    """The interval ``text`` names, in ``posted``'s zone; None when it names no time."""
    day = _day(text, posted.date())
    found = next((m for m in RANGE.finditer(text) if m.group(2, 3, 5, 6) != (None,) * 4), None)
    if found is None:
        if day is None and not re.search(r"\ball[- ]day\b", text, re.I):
            return None
        start = datetime.combine(day or posted.date(), time(0), tzinfo=posted.tzinfo)
        return start, start + timedelta(days=1)  # an all-day event: the whole day
    first, second = found.group(1, 2, 3), found.group(4, 5, 6)  # "3-4" alone is no time
    end = _clock(*second)
    borrowed = first[2] is None and second[2] is not None  # "2:00 – 3:00 PM"
    begin = _clock(first[0], first[1], first[2] or second[2], before=end if borrowed else None)
    if begin is None or end is None:
        return None
    start = datetime.combine(day or posted.date(), begin, tzinfo=posted.tzinfo)
    finish = datetime.combine(start.date(), end, tzinfo=posted.tzinfo)
    return start, finish if finish > start else finish + timedelta(days=1)


def _clock(
    hour: str, minute: str | None, half: str | None, *, before: time | None = None
) -> time | None:
    h, m = int(hour), int(minute or 0)
    if half is not None:
        if not 1 <= h <= 12:
            return None
        h = h % 12 + (12 if half.lower() == "p" else 0)
        if before is not None and time(h, m) > before:  # "11:00 – 1:00 PM": 11 is AM
            h -= 12
    if not (0 <= h <= 23 and 0 <= m < 60):
        return None
    return time(h, m)


def _day(text: str, posted: date) -> date | None:
    """The day ``text`` names, from the day it was posted on."""
    if found := DATE.search(text):
        return _date(found, posted)
    lowered = text.lower()
    if re.search(r"\btoday\b", lowered):
        return posted
    if re.search(r"\btomorrow\b", lowered):
        return posted + timedelta(days=1)
    if found := WEEKDAY.search(text):
        ahead = (DAYS.index(found.group(1).lower()) - posted.weekday()) % 7
        return posted + timedelta(days=ahead)
    return None


def _date(found: re.Match[str], posted: date) -> date | None:
    if found.group(6):
        year, month, number = int(found.group(6)), int(found.group(7)), int(found.group(8))
    else:
        number = int(found.group(1) or found.group(4))
        month = MONTHS.index((found.group(2) or found.group(3)).lower()[:3]) + 1
        year = int(found.group(5)) if found.group(5) else posted.year
    try:
        day = date(year, month, number)
    except ValueError:
        return None
    if not found.group(5) and not found.group(6) and day < posted - timedelta(days=60):
        day = day.replace(year=year + 1)  # "2 Jan" posted in late December
    return day


class CalendarNotices:
    """Busy times read from the calendar apps' notifications the phone showed."""

    def __init__(self, notices: Notices, zone: tzinfo) -> None:
        self.notices, self.zone = notices, zone

    def busy(self, start: datetime, end: datetime) -> list[Busy]:
        found: dict[tuple[datetime, datetime, str], Busy] = {}
        for text, meta, occurred in self.notices(start - LOOKBACK, end):
            said = when_said(what_it_says(text, meta), posted_at(meta, occurred, self.zone))
            if said is None or not (said[0] < end and start < said[1]):
                continue
            title = str(meta.get("title") or "calendar event")[:80]
            found[(*said, title)] = Busy(
                start=said[0], end=said[1], title=title, source="calendar notification"
            )
        return list(found.values())


def from_memories(lookup: MemoryLookup) -> Notices:
    """The notices as the memory room keeps them (:meth:`MemoryLookup.notifications_from`)."""

    def notices(start: datetime, end: datetime) -> list[tuple[str, dict[str, object], datetime]]:
        rows = lookup.notifications_from(CALENDAR_APPS, to_db(start), to_db(end))
        return [(text, json.loads(meta), from_db(at)) for text, meta, at in rows]

    return notices
