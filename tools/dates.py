"""Dates the request writes, in the format a tool asks for.

People write "April 11th, 2023", "the 2nd of March 2023" or "November 1, 2023 at 4pm";
a tool's parameter asks for ``YYYY-MM-DD`` (in its description) or ``"format": "date"``
(JSON Schema). Left to choose among the request's word spans, a small model copies
"2023". :func:`dates_in` reads the dates a request states (with a clock time when one
follows), and :func:`formatted` writes them as the leaf wants them, so the grammar can
offer exactly those strings. A date without a year is the next such day from ``now``.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}  # fmt: skip
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(\d{4}))?"
_MONTH_FIRST = re.compile(rf"\b({_MONTH})\.?\s+{_DAY}\b{_YEAR}", re.IGNORECASE)
_DAY_FIRST = re.compile(rf"\b{_DAY}\s+(?:of\s+)?({_MONTH})\b\.?{_YEAR}", re.IGNORECASE)
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_CLOCK = re.compile(
    r"^\W{0,3}(?:at\s+)?(\d{1,2})(?::(\d{2}))?(?:\s*(am|pm|a\.m\.|p\.m\.))?"
    r"(?:\s+in\s+the\s+(morning|afternoon|evening)|\s+at\s+night)?",
    re.IGNORECASE,
)
# Format letters as tools write them, to strftime's: YYYY-MM-DD, DD/MM/YYYY HH:MM.
_PATTERN = re.compile(
    r"(?:YYYY|yyyy|YY|MM|mm|DD|dd|HH|hh|SS|ss)(?:[-/:. T](?:YYYY|yyyy|YY|MM|mm|DD|dd|HH|hh|SS|ss))+"
)
_STRFTIME = re.compile(r"%[YmdHMS](?:[-/:. T]%[YmdHMS])*")


def dates_in(text: str, now: datetime | None = None) -> list[datetime]:
    """The dates ``text`` states, each with the clock time written just after it (else
    midnight), in order, without repeats."""
    today = (now or datetime.now()).replace(hour=0, minute=0, second=0, microsecond=0)
    found: list[tuple[int, datetime]] = []
    for match in _MONTH_FIRST.finditer(text):
        month, day, stated = match.groups()
        y = int(stated) if stated else _next_year(today, MONTHS[month.lower()], int(day))
        _add(found, match, text, y, MONTHS[month.lower()], int(day))
    for match in _DAY_FIRST.finditer(text):
        day, month, stated = match.groups()
        y = int(stated) if stated else _next_year(today, MONTHS[month.lower()], int(day))
        _add(found, match, text, y, MONTHS[month.lower()], int(day))
    for match in _ISO.finditer(text):
        stated, month, day = match.groups()
        _add(found, match, text, int(stated), int(month), int(day))
    out: list[datetime] = []
    for _, when in sorted(found, key=lambda pair: pair[0]):
        if when not in out:
            out.append(when)
    return out


def _next_year(today: datetime, month: int, day: int) -> int:
    """The year of the next such day from ``today`` on: "the 5th of May", said in
    November, is next May."""
    try:
        return today.year + (datetime(today.year, month, day) < today)
    except ValueError:
        return today.year  # "February 30th": _add drops it


def _add(
    found: list[tuple[int, datetime]], match: re.Match[str], text: str, y: int, m: int, d: int
) -> None:
    try:
        day = datetime(y, m, d)
    except ValueError:
        return  # "February 30th": no such day
    clock = _CLOCK.match(text[match.end() :])
    if (
        clock
        and clock.group(0).strip(" ,")
        and (clock.group(3) or clock.group(4) or "at" in clock.group(0))
    ):
        hour, minute = int(clock.group(1)), int(clock.group(2) or 0)
        half = (clock.group(3) or "").lower().replace(".", "")
        if (half == "pm" or clock.group(4) in ("afternoon", "evening")) and hour < 12:
            hour += 12
        if half == "am" and hour == 12:
            hour = 0
        if hour < 24 and minute < 60:
            day = day.replace(hour=hour, minute=minute)
    found.append((match.start(), day))


def date_format(spec: dict[str, Any]) -> str | None:
    """The strftime format a string leaf asks for: ``"format": "date"``/``"date-time"``,
    or a pattern its description writes ("YYYY-MM-DD", "'%Y-%m-%d'", "DD/MM/YYYY HH:MM")."""
    kind = spec.get("format")
    if kind == "date":
        return "%Y-%m-%d"
    if kind == "date-time":
        return "%Y-%m-%dT%H:%M:%S"
    said = str(spec.get("description", ""))
    strf = _STRFTIME.search(said)
    if strf:
        return strf.group()
    pattern = _PATTERN.search(said)
    if pattern is None or not re.search("[YyDd]", pattern.group()):
        return None
    out, clock = [], False
    for piece in re.split(r"([-/:. T])", pattern.group()):
        if piece in ("HH", "hh"):
            clock = True
        out.append(
            {
                "YYYY": "%Y", "yyyy": "%Y", "YY": "%y", "DD": "%d", "dd": "%d", "HH": "%H",
                "hh": "%H", "SS": "%S", "ss": "%S", "MM": "%M" if clock else "%m",
                "mm": "%M" if clock else "%m",
            }.get(piece, piece)
        )  # fmt: skip
    return "".join(out)


def formatted(spec: dict[str, Any], text: str, now: datetime | None = None) -> list[str]:
    """The dates ``text`` states, written as the leaf ``spec`` asks; none when it asks
    for no date format or the text states no date."""
    wanted = date_format(spec)
    if wanted is None:
        return []
    return [when.strftime(wanted) for when in dates_in(text, now)]
