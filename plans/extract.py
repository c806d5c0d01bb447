"""A personal request ("find a free hour with Maya tomorrow, not before 10, and add it to
my calendar") read into :class:`Constraints`: the grammar first, the model for the rest.

The deterministic reader takes what a grammar can read: durations (reusing
:func:`plans.read.duration`), days ("today", "tomorrow", weekdays, "this week", "next
week", "the weekend"), parts of the day and clock bounds, the people named with "with"
or "X and I", and what to do with the slot (calendar, text, alarm). Only what it leaves
open goes to the model, under a JSON schema, and the model's answer is held to the
request: a name it offers must be in the request, a day phrase is read by the same
grammar, a length must be sane. Nothing the model says becomes a step by itself.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from ..engine.base import ChatOptions, Engine, Message
from .model import Action, Constraints
from .read import duration

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
PARTS = {"morning": (8, 12), "afternoon": (12, 18), "evening": (18, 22)}
NOT_PEOPLE = {
    "I", "Me", "My", "Find", "When", "Plan", "Please", "Add", "Text", "Put", "Book", "Then",
    "Remind", "Set", "And", "Is", "Are", "Can", "Schedule", "What", "Where",
    *(d.capitalize() for d in WEEKDAYS),
}  # fmt: skip
NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "a": 1, "an": 1}
NAME = r"[A-Z][a-z]+"
NAMES = rf"{NAME}(?:(?:,\s*|\s+and\s+){NAME})*"
BOUND = re.compile(
    r"\b(not before|not earlier than|after|from|not after|before|until|by|no later than)\s+"
    r"(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?\b",
    re.IGNORECASE,
)
HOURS = re.compile(r"\b(\d{1,2}(?:\.\d)?)\s*(?:h|hrs?|hours?)\b", re.IGNORECASE)
AN_HOUR = re.compile(
    r"\b(?:an?|one)\s+(?:(?:free|spare|quiet|whole|evening|morning|afternoon)\s+)?hour\b", re.I
)
CALENDAR = re.compile(r"\b(?:calendar|diary|book it|block it)\b", re.IGNORECASE)
TEXT = re.compile(
    rf"\b(?:text|message|sms|send)\s+(him|her|them|{NAMES})\b(?:\s+(\w+)\s+options?)?",
)
ALARM = re.compile(r"\b(?:remind me|alarm)\b(?:[^.]*?\b(\d{1,3})\s*min(?:ute)?s?\s+before)?", re.I)

# Budgets: "with at most 40 minutes of travel", "no more than an hour on the road", "under
# 30 min travelling" (travel); "I have 3 hours", "all done within 2.5 hours" (the outing).
# An amount is the duration grammar's ("40 minutes", "an hour", "1.5 h", "two hours",
# "an hour and a half", "1 hour 20 minutes"); a bare length ("climbing gym (2 hours)",
# "travel agent (30 min)") names no budget: a budget needs its cue word.
AMOUNT = (
    r"(?:\d{1,3}(?:\.\d)?|an?|one|two|three|four|five|six|half\s+an)\s*-?\s*"
    r"(?:h|hrs?|hours?|minutes?|mins?)\b(?:\s+and\s+a\s+half\b)?"
    r"(?:,?\s+(?:and\s+)?\d{1,2}\s*(?:minutes?|mins?)\b)?"
)
CUE = (
    r"(?:at\s+most|no\s+more\s+than|not\s+more\s+than|under|less\s+than|below|within"
    r"|max(?:imum)?|up\s+to)"
)
ON_THE_WAY = (
    r"(?:of\s+)?(?:total\s+)?(?:travel(?:l?ing)?(?:\s+time)?|on\s+the\s+(?:road|way|move)"
    r"|in\s+transit|getting\s+around|driving|cycling|riding|commuting)\b"
)
TRAVELLING = r"(?:travel(?:l?ing)?(?:\s+time)?|driving|cycling|commuting|time\s+on\s+the\s+road)"
TRAVEL_BUDGET = re.compile(
    rf"(?:\b(?:with|and|keep(?:ing)?)\s+)?\b{CUE}\s+(?P<a>{AMOUNT})\s+{ON_THE_WAY}"
    rf"|(?:\b(?:with|and|keep(?:ing)?)\s+)?\b{TRAVELLING}\s+(?:(?:of|is|should\s+be|must\s+be"
    rf"|kept|at)\s+)?{CUE}\s+(?P<b>{AMOUNT})"
    rf"|\b(?:an?\s+)?(?P<c>{AMOUNT})\s+travel\s+budget\b"
    rf"|\btravel\s+budget\s+(?:of\s+|is\s+)?(?P<d>{AMOUNT})"
    rf"|\b(?P<e>{AMOUNT})\s+{ON_THE_WAY}\s+(?:at\s+most|max(?:imum)?|tops)\b",
    re.I,
)
TIME_BUDGET = re.compile(
    rf"\bI(?:\s+only|\s+just)?(?:\s+have|'ve|\s+got)(?:\s+only|\s+just|\s+got)*\s+(?:about\s+)?"
    rf"(?P<a>{AMOUNT})(?:\s+(?:in\s+total|for\s+(?:it|this|everything|the\s+whole\s+\w+)))?"
    rf"|\b(?:all|everything|it\s+all|the\s+whole\s+(?:thing|trip|outing|lot|round))\s+"
    rf"(?:done\s+|back\s+)?(?:with)?in\s+(?:{CUE}\s+)?(?P<b>{AMOUNT})"
    rf"|\b(?:with)?in\s+{CUE}\s+(?P<c>{AMOUNT})|\bwithin\s+(?P<d>{AMOUNT})"
    rf"|\b(?:out|away|gone)\s+(?:for\s+)?{CUE}\s+(?P<e>{AMOUNT})"
    rf"|\b(?:an?\s+)?(?P<f>{AMOUNT})\s+time\s+budget\b"
    rf"|\btime\s+budget\s+(?:of\s+|is\s+)?(?P<g>{AMOUNT})",
    re.I,
)
WORD_NUMBERS = {"a": "1", "an": "1", "one": "1", "two": "2", "three": "3", "four": "4",
                "five": "5", "six": "6"}  # fmt: skip


def amount_minutes(amount: str) -> int | None:
    """Minutes in a budget's amount, read by the duration grammar (:func:`_minutes`)
    once number words are digits and a half or a tail of minutes is split off."""
    text = re.sub(r"\bhalf\s+an\s+hour\b", "30 minutes", amount.strip(), flags=re.I)
    text = re.sub(r"^(an?|one|two|three|four|five|six)\b",
                  lambda m: WORD_NUMBERS[m.group(1).lower()], text, flags=re.I)  # fmt: skip
    half = re.search(r"\s+and\s+a\s+half\b", text, re.I)
    tail = re.search(r",?\s+(?:and\s+)?(\d{1,2})\s*(?:minutes?|mins?)\b\s*$", text, re.I)
    cut = half or tail
    head = text[: cut.start()] if cut else text
    head = re.sub(r"\bminute\b", "minutes", re.sub(r"(\d)\s*-\s*", r"\1 ", head))
    minutes = _minutes(head)
    if minutes is None:
        return None
    if half:
        minutes += 30
    if tail and head != text:
        minutes += int(tail.group(1))
    return minutes


def read_budget(text: str) -> tuple[int | None, int | None]:
    """(travel budget, time budget) in minutes, each None when the request sets none."""
    travel = _first_amount(TRAVEL_BUDGET, text)
    rest = TRAVEL_BUDGET.sub(" ", text)  # "within 30 minutes of travel" is not the outing's
    return travel, _first_amount(TIME_BUDGET, rest)


def without_budget(text: str) -> str:
    """``text`` with its budget phrases cut out (so no budget is read as a stop)."""
    return TIME_BUDGET.sub(" ", TRAVEL_BUDGET.sub(" ", text))


def _first_amount(pattern: re.Pattern[str], text: str) -> int | None:
    for found in pattern.finditer(text):
        amount = next((g for g in found.groups() if g), None)
        minutes = amount_minutes(amount) if amount else None
        if minutes and 1 <= minutes <= 24 * 60:
            return minutes
    return None


ASKS_FREE = re.compile(rf"\bwhen\s+(?:am\s+I|are\s+(?:we|you|{NAMES}\s+and\s+I))\b.*\bfree\b", re.I)
FREE_STRETCH = 15  # the shortest free time worth naming when no length is asked


@dataclass
class Reading:
    constraints: Constraints
    read_by: dict[str, str] = field(default_factory=dict)  # field -> reader, model, default

    @property
    def missing(self) -> list[str]:
        return [k for k, v in self.read_by.items() if v == "default"]


def read_request(text: str, now: datetime) -> Reading:
    """Everything the grammar can read from ``text``; open fields keep defaults."""
    c = Constraints()
    by: dict[str, str] = {}
    minutes = _minutes(text)
    if minutes is not None:
        c.minutes, by["minutes"] = minutes, "reader"
    else:
        by["minutes"] = "default"
    days = read_days(text, now.date())
    c.days = days or [now.date() + timedelta(days=i) for i in range(7)]
    by["days"] = "reader" if days else "default"
    _bounds(text, c)
    c.participants = people(text)
    by["participants"] = "reader"
    c.actions, c.text_to, c.options, remind = _actions(text, c.participants)
    if remind is not None:
        c.remind_before = remind
    c.title = _title(text)
    c.travel_budget, c.time_budget = read_budget(text)
    if ASKS_FREE.search(text):  # a question about free time: every stretch, any length
        c.asks_free = True
        if by["minutes"] == "default":
            c.minutes, by["minutes"] = FREE_STRETCH, "reader"
    return Reading(c, by)


def _minutes(text: str) -> int | None:
    found = HOURS.search(text)
    if re.search(r"\bhalf an hour\b", text, re.I):
        return 30
    if re.search(r"\b(?:an|one|1)\s+hour\s+and\s+a\s+half\b", text, re.I):
        return 90
    if found:
        return int(float(found.group(1)) * 60)
    if AN_HOUR.search(text) and not re.search(r"hour and a half", text, re.I):
        return 60
    return duration(text)


def read_days(text: str, today: date) -> list[date]:
    """The days a phrase names, in order, from ``today`` on."""
    lowered = text.lower()
    monday = today - timedelta(days=today.weekday())
    if "weekend" in lowered:  # before "this week", which "this weekend" contains
        saturday = today + timedelta(days=(5 - today.weekday()) % 7)
        return [saturday, saturday + timedelta(days=1)]
    if "next week" in lowered:
        return [monday + timedelta(days=7 + i) for i in range(7)]
    if "this week" in lowered:
        return [today + timedelta(days=i) for i in range(7 - today.weekday())]
    days: list[date] = []
    for match in re.finditer(r"\b(today|tomorrow|" + "|".join(WEEKDAYS) + r")\b", lowered):
        word = match.group(1)
        if word == "today":
            day = today
        elif word == "tomorrow":
            day = today + timedelta(days=1)
        else:
            day = today + timedelta(days=(WEEKDAYS.index(word) - today.weekday()) % 7)
        if day not in days:
            days.append(day)
    return days


def clock_time(
    hour: str, minute: str | None, half: str | None, part: tuple[int, int] | None
) -> time:
    h, m = int(hour), int(minute or 0)
    if half:
        h = h % 12 + (12 if half.lower() == "pm" else 0)
    elif h < 8 and (part is None or part[0] >= 12):
        h += 12  # "after 6": an evening, not dawn
    if not (0 <= h <= 23 and 0 <= m < 60):
        raise ValueError(f"not a time of day: {hour}:{minute or '00'}")
    return time(h, m)


def _bounds(text: str, c: Constraints) -> None:
    part = next((PARTS[p] for p in PARTS if p in text.lower()), None)
    if part:
        c.not_before, c.not_after = time(part[0]), time(part[1])
    for bound in BOUND.finditer(text):
        word = bound.group(1).lower()
        at = clock_time(bound.group(2), bound.group(3), bound.group(4), part)
        if word in ("not before", "not earlier than", "after", "from"):
            c.not_before = at
        else:
            c.not_after = at


def people(text: str) -> list[str]:
    """Names the request meets: "with Maya and Jonas", "Jonas and I"."""
    found: list[str] = []
    for pattern in (rf"\bwith\s+({NAMES})", rf"\b({NAMES})\s+and\s+I\b", rf"\bme\s+and\s+({NAME})"):
        for match in re.finditer(pattern, text):
            found += re.split(r",\s*|\s+and\s+", match.group(1))
    return [n for n in dict.fromkeys(found) if n not in NOT_PEOPLE]


def _actions(text: str, participants: list[str]) -> tuple[list[Action], list[str], int, int | None]:
    actions: list[Action] = []
    text_to: list[str] = []
    options = 1
    if CALENDAR.search(text):
        actions.append("calendar")
    texting = TEXT.search(text)
    if texting:
        actions.append("text")
        who = texting.group(1)
        pronoun = who.lower() in ("him", "her", "them")
        text_to = participants if pronoun else re.split(r",\s*|\s+and\s+", who)
        options = NUMBERS.get((texting.group(2) or "").lower(), 0) or (
            int(texting.group(2)) if (texting.group(2) or "").isdigit() else 1
        )
    remind = ALARM.search(text)
    if remind:
        actions.append("alarm")
    before = int(remind.group(1)) if remind and remind.group(1) else None
    return actions, text_to, max(1, min(options, 5)), before


def _title(text: str) -> str:
    found = re.search(
        r"\bfor\s+(?!\d|an?\s+hour|half|one\s+hour|the\s+(?:next|whole)\b)(?:the\s+|my\s+|a\s+)?"
        r"([a-z][\w' -]*?)"
        r"(?=\s+(?:with|this|next|on|tomorrow|today|and|not|before|after|in)\b|[,.]|$)",
        text,
        re.IGNORECASE,
    )
    return found.group(1).strip().capitalize() if found else ""


FILL_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "minutes": {"type": ["integer", "null"]},
        "when": {"type": ["string", "null"]},
        "participants": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["minutes", "when", "participants"],
}


def fill_with_model(engine: Engine, text: str, reading: Reading, now: datetime) -> Reading:
    """Ask the model, under :data:`FILL_SCHEMA`, for what the grammar left open, and keep
    only answers the request bears out."""
    if not reading.missing:
        return reading
    prompt = (
        "Read the scheduling request. Answer JSON: minutes (the meeting length, or null), "
        "when (a day phrase such as 'tomorrow' or 'Friday', or null), participants (names "
        f"of other people in the request).\nRequest: {text}"
    )
    options = ChatOptions(max_tokens=64, temperature=0, json_schema=FILL_SCHEMA)
    reply = engine.chat([Message("user", prompt)], options).text()
    try:
        filled = json.loads(reply)
    except json.JSONDecodeError:
        return reading
    if not isinstance(filled, dict):
        return reading
    c = reading.constraints
    minutes = filled.get("minutes")
    open_length = reading.read_by.get("minutes") == "default"
    if open_length and isinstance(minutes, int) and 5 <= minutes <= 600:
        c.minutes, reading.read_by["minutes"] = minutes, "model"
    when = filled.get("when")
    if reading.read_by.get("days") == "default" and isinstance(when, str):
        days = read_days(when, now.date())
        if days:
            c.days, reading.read_by["days"] = days, "model"
    names = filled.get("participants")
    if isinstance(names, list):
        extra = [n for n in names if isinstance(n, str) and re.search(rf"\b{re.escape(n)}\b", text)]
        new = [n for n in extra if n not in c.participants and n not in NOT_PEOPLE]
        if new:
            c.participants += new
            reading.read_by["participants"] = "model"
    return reading
