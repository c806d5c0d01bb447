"""Instants in and out of the database, and time phrases in queries.

All instants are stored as UTC ISO 8601 with microseconds, so text order is time order.
Naive inputs are read in the user's zone (``Settings.tz()``).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from ..validation import InputError

# Instants outside these years are refused: 0001-01-01 and 9999-12-31 are placeholders,
# not moments of a life, and near the ends of ``datetime``'s range a shift into the
# user's zone or by the dedup window overflows. Inside it every instant converts to any
# zone and back, and stays a four-digit year, so text order is time order.
MIN_YEAR, MAX_YEAR = 1000, 2999


def check_year(year: int, where: str, shown: object) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InputError(
            f"{where}: {shown!s} is out of range: years {MIN_YEAR} to {MAX_YEAR} are accepted"
        )


def parse_instant(value: str | datetime, tz: tzinfo, where: str = "at") -> datetime:
    """An aware UTC datetime from ISO 8601 text (``Z`` allowed) or a datetime, within
    the years ``MIN_YEAR`` to ``MAX_YEAR`` in UTC and in ``tz``."""
    if isinstance(value, datetime):
        moment = value
        text = value.isoformat()
    else:
        if not isinstance(value, str):
            raise InputError(
                f"{where}: expected an ISO 8601 date as a string, got {type(value).__name__}"
            )
        text = value.strip()
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            raise InputError(
                f"{where}: invalid date {text!r}: expected ISO 8601, "
                "like 2025-01-02 or 2025-01-02T13:04:05+01:00"
            ) from None
    check_year(moment.year, where, repr(text))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    try:
        utc = moment.astimezone(UTC)
        local = utc.astimezone(tz)
    except (OverflowError, ValueError):
        utc = local = datetime.min
    check_year(min(utc.year, local.year), where, repr(text))
    check_year(max(utc.year, local.year), where, repr(text))
    return utc


def to_db(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def from_db(text: str) -> datetime:
    return datetime.fromisoformat(text)


@dataclass(frozen=True)
class TimeWindow:
    """A half-open window [start, end) in UTC, and the phrase that produced it."""

    start: datetime
    end: datetime
    phrase: str = ""

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_UNITS = {"day": 1, "days": 1, "week": 7, "weeks": 7}
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_WEEKDAY_RE = "|".join(_WEEKDAYS)


def _day_window(day: date, tz: tzinfo, days: int = 1) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=tz)
    end = datetime.combine(day + timedelta(days=days), time.min, tzinfo=tz)
    return start, end


def _month_window(year: int, month: int, tz: tzinfo) -> tuple[datetime, datetime]:
    start = datetime(year, month, 1, tzinfo=tz)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=tz)
    return start, end


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _rules(today: date, tz: tzinfo) -> list[tuple[str, object]]:
    def days_ago(m: re.Match[str]) -> tuple[datetime, datetime]:
        n, unit = int(m["n"]), m["unit"].lower()
        if unit.startswith("week"):
            return _day_window(_week_start(today) - timedelta(weeks=n), tz, 7)
        return _day_window(today - timedelta(days=n), tz)

    def past_n(m: re.Match[str]) -> tuple[datetime, datetime]:
        n = int(m["n"]) * _UNITS[m["unit"].lower()]
        return _day_window(today - timedelta(days=n), tz, n + 1)

    def in_month(m: re.Match[str]) -> tuple[datetime, datetime]:
        month = _MONTHS[m["month"].lower()]
        year = int(m["year"]) if m["year"] else today.year - (month > today.month)
        check_year(year, "query", repr(m.group(0)))
        return _month_window(year, month, tz)

    def on_date(m: re.Match[str]) -> tuple[datetime, datetime]:
        month = _MONTHS[m["month"].lower()]
        day_of_month = int(m["day"])
        year = int(m["year"]) if m["year"] else today.year
        check_year(year, "query", repr(m.group(0)))
        try:
            day = date(year, month, day_of_month)
        except ValueError:
            raise InputError(f"query: no such date {m.group(0)!r}") from None
        if not m["year"] and day > today:
            day = day.replace(year=year - 1)
        return _day_window(day, tz)

    def weekday(m: re.Match[str]) -> tuple[datetime, datetime]:
        wanted = _WEEKDAYS[m["weekday"].lower()]
        back = (today.weekday() - wanted) % 7 or 7
        return _day_window(today - timedelta(days=back), tz)

    yesterday = today - timedelta(days=1)
    this_month = (today.year, today.month)
    last_month = (today.year - (today.month == 1), (today.month - 2) % 12 + 1)
    return [
        (r"\bthe day before yesterday\b", _day_window(today - timedelta(days=2), tz)),
        (
            r"\blast night\b",
            (datetime.combine(yesterday, time(18), tz), datetime.combine(today, time(6), tz)),
        ),
        (r"\byesterday\b", _day_window(yesterday, tz)),
        (r"\b(today|this (morning|afternoon|evening)|tonight)\b", _day_window(today, tz)),
        (r"\b(?P<n>\d{1,3}) (?P<unit>days?|weeks?) ago\b", days_ago),
        (r"\b(past|last) (?P<n>\d{1,3}) (?P<unit>days?|weeks?)\b", past_n),
        (r"\blast week\b", _day_window(_week_start(today) - timedelta(weeks=1), tz, 7)),
        (r"\bthis week\b", _day_window(_week_start(today), tz, 7)),
        (r"\blast month\b", _month_window(*last_month, tz)),
        (r"\bthis month\b", _month_window(*this_month, tz)),
        (
            r"\blast year\b",
            (datetime(today.year - 1, 1, 1, tzinfo=tz), datetime(today.year, 1, 1, tzinfo=tz)),
        ),
        (
            r"\bthis year\b",
            (datetime(today.year, 1, 1, tzinfo=tz), datetime(today.year + 1, 1, 1, tzinfo=tz)),
        ),
        (
            rf"\bon (?P<month>{_MONTH_RE})\.? (?P<day>\d{{1,2}})(st|nd|rd|th)?"
            r"(,? (?P<year>\d{4}))?\b",
            on_date,
        ),
        (
            rf"\bon (?P<day>\d{{1,2}})(st|nd|rd|th)? (of )?(?P<month>{_MONTH_RE})"
            r"(,? (?P<year>\d{4}))?\b",
            on_date,
        ),
        (rf"\b(on|last) (?P<weekday>{_WEEKDAY_RE})\b", weekday),
        (rf"\bin (?P<month>{_MONTH_RE})\b(,? (?P<year>\d{{4}}))?", in_month),
        (
            r"\bin (?P<year>(19|20)\d\d)\b",
            lambda m: (
                datetime(int(m["year"]), 1, 1, tzinfo=tz),
                datetime(int(m["year"]) + 1, 1, 1, tzinfo=tz),
            ),
        ),
    ]


def time_window(query: str, now: datetime, tz: tzinfo) -> TimeWindow | None:
    """The window a time phrase in ``query`` names, relative to ``now``; None if none.

    The first phrase found wins; "may" is read as the month only after "in"/"on".
    """
    local_now = now.astimezone(tz)
    lowered = query.lower()
    for pattern, action in _rules(local_now.date(), tz):
        match = re.search(pattern, lowered)
        if match is None:
            continue
        bounds = action(match) if callable(action) else action
        start, end = bounds  # type: ignore[misc]
        return TimeWindow(start.astimezone(UTC), end.astimezone(UTC), match.group(0))
    return None
