"""Reading "tomorrow 18:00", "in 20 minutes", "every Monday at 9" deterministically.

Parts of the day stand for fixed hours, stated here and in ``pocketmind remind --help``:
"this morning"/"in the morning" 09:00, "at lunch"/"lunchtime" 12:30, "after lunch" 14:00,
"this afternoon"/"in the afternoon" 15:00, "this evening"/"in the evening" 19:00 and
"tonight" 20:00; a day with no time is 09:00. "next friday" is the first Friday after
today (as is "friday"), and a time already gone ("yesterday at 9am") is "in the past".

One-off times become an instant; recurring ones an APScheduler ``CronTrigger`` in the
user's zone, which keeps "every day at 9" at 9 local time across DST changes. Anything
this grammar does not read is a clear error (the chat falls back to the model, then
back here, so the model never decides a time on its own).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from apscheduler.triggers.cron import CronTrigger

from ..memory.instants import check_year
from ..validation import InputError

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_CRON_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_TIME = re.compile(
    r"^(?:at\s+)?(?:(?P<noon>noon|midday)|(?P<midnight>midnight)|"
    r"(?P<h>\d{1,2})(?:[:.h](?P<m>\d{2}))?\s*(?P<ampm>am|pm|a\.m\.|p\.m\.)?)$"
)
_IN = re.compile(r"^in\s+(?P<n>\d{1,4})\s*(?P<unit>minutes?|mins?|m|hours?|hrs?|h|days?|d)$")
_UNIT = {"m": 60, "h": 3600, "d": 86400}
DEFAULT_HOUR = time(9)
PARTS_OF_DAY = {  # the hour each phrase stands for; the module docstring states them
    "after lunch": time(14),
    "at lunch": time(12, 30),
    "lunchtime": time(12, 30),
    "this morning": time(9),
    "in the morning": time(9),
    "morning": time(9),
    "this afternoon": time(15),
    "in the afternoon": time(15),
    "afternoon": time(15),
    "this evening": time(19),
    "in the evening": time(19),
    "evening": time(19),
    "tonight": time(20),
}
_PART_OF_DAY = re.compile(
    r"\b(?P<part>" + "|".join(sorted(PARTS_OF_DAY, key=len, reverse=True)) + r")\b"
)


class PastTimeError(InputError):
    """The phrase was read, and the time it names is gone: the model cannot help."""


@dataclass(frozen=True)
class Schedule:
    """Either one instant (``at``) or a recurring rule (``cron``) in a zone."""

    at: datetime | None = None
    cron: dict[str, Any] | None = None
    zone: str | None = None

    def trigger(self, tz: tzinfo) -> CronTrigger:
        assert self.cron is not None
        return CronTrigger(timezone=tz, **self.cron)

    def to_json(self) -> dict[str, Any]:
        if self.at is not None:
            return {"type": "at", "at": self.at.astimezone(UTC).isoformat()}
        return {"type": "cron", "cron": self.cron}

    def describe(self, tz: tzinfo) -> str:
        if self.at is not None:
            return self.at.astimezone(tz).strftime("%a %d %b %Y at %H:%M")
        assert self.cron is not None
        days = self.cron.get("day_of_week", "*")
        when = f"{int(self.cron['hour']):02d}:{int(self.cron['minute']):02d}"
        names = {"*": "every day", "mon-fri": "every weekday"}
        names.update(
            {
                short: f"every {day.capitalize()}"
                for short, day in zip(_CRON_DAYS, WEEKDAYS, strict=True)
            }
        )
        return f"{names.get(days, 'every ' + days)} at {when}"


def _clock_time(text: str, where: str) -> time:
    match = _TIME.match(text.strip())
    if match is None:
        raise InputError(f"{where}: cannot read a time in {text!r} (try 18:00 or 6pm)")
    if match["noon"]:
        return time(12)
    if match["midnight"]:
        return time(0)
    hour, minute = int(match["h"]), int(match["m"] or 0)
    ampm = (match["ampm"] or "").replace(".", "")
    if ampm:
        if not 1 <= hour <= 12:
            raise InputError(f"{where}: {hour}{ampm} is not a time")
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    if hour > 23 or minute > 59:
        raise InputError(f"{where}: {text!r} is not a time of day")
    return time(hour, minute)


def parse_when(text: str, now: datetime, tz: tzinfo, where: str = "when") -> Schedule:
    """A ``Schedule`` for ``text``, relative to ``now`` in zone ``tz``, within the years
    the memory accepts (``memory.instants.MIN_YEAR`` to ``MAX_YEAR``)."""
    try:
        schedule = _parse_when(text, now, tz, where)
        at = schedule.at.astimezone(tz) if schedule.at is not None else None
    except OverflowError:
        at = datetime.max.replace(tzinfo=UTC)
        schedule = Schedule(at=at)
    if at is not None:
        check_year(at.year, where, repr(text))
    return schedule


def _parse_when(text: str, now: datetime, tz: tzinfo, where: str) -> Schedule:
    raw = " ".join(str(text).lower().split())
    if not raw:
        raise InputError(f"{where}: no time given")
    local = now.astimezone(tz)
    if match := _IN.match(raw):
        seconds = int(match["n"]) * _UNIT[match["unit"][0]]
        return Schedule(at=now + timedelta(seconds=seconds))
    if raw.startswith("every "):
        return _recurring(raw[6:], where)
    try:  # ISO 8601
        moment = datetime.fromisoformat(raw.upper() if "t" in raw else raw)
    except ValueError:
        moment = None
    if moment is not None:
        moment = moment if moment.tzinfo else moment.replace(tzinfo=tz)
        return _future(Schedule(at=moment.astimezone(UTC)), now, text, where)
    day: date | None = None
    rest, phrase = _part_of_day(raw)
    part = PARTS_OF_DAY.get(phrase)
    if phrase.startswith("this") or phrase == "tonight":
        day = local.date()  # "this evening" once the evening is over is in the past
    for word, offset in (("today", 0), ("tomorrow", 1), ("yesterday", -1)):
        if rest.startswith(word):
            day, rest = local.date() + timedelta(days=offset), rest[len(word) :].strip()
    if match := re.match(r"^(?:on\s+)?(?P<iso>\d{4}-\d{2}-\d{2})\b\s*(?P<rest>.*)$", rest):
        try:
            day, rest = date.fromisoformat(match["iso"]), match["rest"]
        except ValueError:
            raise InputError(f"{where}: no such date {match['iso']!r}") from None
    weekday = r"^(?:on\s+)?(?:next\s+|this\s+)?(?P<wd>" + "|".join(WEEKDAYS) + r")\b\s*"
    if match := re.match(weekday + r"(?P<rest>.*)$", rest):
        ahead = (WEEKDAYS.index(match["wd"]) - local.weekday()) % 7 or 7
        day, rest = local.date() + timedelta(days=ahead), match["rest"]
    clock = _clock_time(rest, where) if rest else part or DEFAULT_HOUR
    if rest and part is not None and part.hour >= 12 and clock.hour < 12 and "am" not in rest:
        clock = clock.replace(hour=clock.hour + 12)  # "this evening at 7" is 19:00
    if day is None:  # a bare time: today if still ahead, else tomorrow
        day = local.date()
        if datetime.combine(day, clock, tz) <= local:
            day += timedelta(days=1)
    moment = datetime.combine(day, clock, tz)
    return _future(Schedule(at=moment.astimezone(UTC)), now, text, where)


def _part_of_day(raw: str) -> tuple[str, str]:
    """``raw`` without its part-of-day phrase ("after lunch tomorrow" -> "tomorrow"), and
    the phrase ("" if none)."""
    found = _PART_OF_DAY.search(raw)
    if found is None:
        return raw, ""
    rest = " ".join((raw[: found.start()] + " " + raw[found.end() :]).split())
    return rest, found["part"]


def _future(schedule: Schedule, now: datetime, text: str, where: str) -> Schedule:
    assert schedule.at is not None
    if schedule.at <= now:
        raise PastTimeError(f"{where}: {text!r} is in the past")
    return schedule


def _recurring(rest: str, where: str) -> Schedule:
    match = re.match(r"^(?P<days>day|weekday|" + "|".join(WEEKDAYS) + r")\s*(?P<time>.*)$", rest)
    if match is None:
        raise InputError(
            f"{where}: cannot read 'every {rest}' (try: every day at 8, every monday at 9am)"
        )
    clock = _clock_time(match["time"], where) if match["time"] else time(9)
    days = {"day": "*", "weekday": "mon-fri"}.get(
        match["days"],
        _CRON_DAYS[WEEKDAYS.index(match["days"])] if match["days"] in WEEKDAYS else "*",
    )
    return Schedule(cron={"day_of_week": days, "hour": clock.hour, "minute": clock.minute})
