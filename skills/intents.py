"""Reminders from the chat: "remind me to call Mum tomorrow at 6pm".

Read deterministically where possible; when the time is not in a form the grammar
knows, the model is asked for JSON (``{"what", "when"}``) under a schema and its
``when`` goes back through the same grammar, so the model never sets a time the
grammar cannot read. Nothing is saved until the user says yes: the proposal waits in
``pending_actions`` for the conversation's next message. Only the user's own words are
read here; memories and sensed text never are.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from pydantic import BaseModel, Field, ValidationError

from ..clock import SYSTEM_CLOCK, Clock
from ..db import Database
from ..engine import ChatOptions, Engine, EngineError, Message
from ..engine.thinking import strip_thinking
from ..replies import NO, YES
from ..sensing.places import Places
from ..settings import Settings
from ..validation import InputError
from .base import SkillSwitches
from .reminders import ReminderBook
from .runs import SkillRuns
from .schedules import PastTimeError, Schedule, parse_when

_REMIND = re.compile(
    r"^\s*(?:please\s+|hey\s+)?(?:can you\s+|could you\s+)?remind me\s+"
    # "remind me who my sister is" is a question about the past, not a reminder
    r"(?!(?:who|what|where|when|why|how|which|whether|if)\b)(?:to\s+|about\s+)?"
    r"(?P<rest>.+?)\s*[.!?]*\s*$",
    re.IGNORECASE,
)
_WHEN = re.compile(
    r"\s+(?P<when>(?:tomorrow|today|tonight|yesterday|in \d+\s*\w+|(?:on )?\d{4}-\d{2}-\d{2}.*|"
    r"(?:after|at) lunch|lunchtime|(?:this|in the) (?:morning|afternoon|evening)|"
    r"at \d.*|on \w+day.*|every \w+.*|(?:next|this) \w+day.*|"
    r"(?:mon|tues|wednes|thurs|fri|satur|sun)day.*|\d{1,2}(?::\d{2})?\s*(?:am|pm)).*)$",
    re.IGNORECASE,
)
_CONTEXT = [
    (
        re.compile(
            r"\s+when i (?:get|arrive|come)(?: back)?(?: (?:to|at|home))?\s*(?P<place>[\w' -]*)$",
            re.IGNORECASE,
        ),
        "arrive",
    ),
    (re.compile(r"\s+when i leave\s+(?P<place>[\w' -]+)$", re.IGNORECASE), "leave"),
    (
        re.compile(
            r"\s+when (?:the |my )?battery (?:drops |goes |is |gets )?(?:below|under)\s+"
            r"(?P<percent>\d{1,3})\s*%?$",
            re.IGNORECASE,
        ),
        "battery_below",
    ),
    (
        re.compile(r"\s+when i (?:connect|join|am on)(?: to)?\s+(?P<ssid>.+)$", re.IGNORECASE),
        "wifi",
    ),
]


class ReminderRequest(BaseModel):
    what: str = Field(min_length=1, max_length=300)
    when: str = Field(min_length=1, max_length=100)


class ReminderIntent:
    def __init__(
        self,
        db: Database,
        engine: Engine | None,
        settings: Settings,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.clock = clock
        self.engine = engine
        self.settings = settings
        self.book = ReminderBook(db, settings.tz())
        self.places = Places(db)
        self.runs = SkillRuns(db)

    def handle(self, text: str, conversation_id: str, now: datetime | None = None) -> str | None:
        """A reply if ``text`` is about a reminder (a request or a yes/no), else None."""
        now = now or self.clock.now()
        answer = " ".join(text.lower().strip(" .!").split())
        pending = self._pending(conversation_id)
        if pending is not None:
            self._clear(conversation_id)
            if answer in YES:
                return self._save(pending, now)
            if answer in NO:
                return "OK, I won't set that reminder."
        match = _REMIND.match(text)
        if match is None:
            return None
        try:
            proposal = self._read(match["rest"], now)
        except InputError as exc:
            return (
                f"I could not set that reminder: {exc}. Try: remind me to call Mum tomorrow at 6pm."
            )
        self._propose(conversation_id, proposal, now)
        return f"Shall I remind you to {proposal['what']} — {proposal['describe']}? (yes/no)"

    def _read(self, rest: str, now: datetime) -> dict[str, Any]:
        for pattern, kind in _CONTEXT:
            if found := pattern.search(rest):
                return self._context(rest[: found.start()].strip(), kind, found.groupdict())
        if found := _WHEN.search(rest):
            what, when = rest[: found.start()].strip(), found["when"]
            try:
                return self._timed(what, parse_when(when, now, self.settings.tz(), "when"))
            except PastTimeError:
                raise  # read right, and gone: the model would only guess another time
            except InputError:
                if self.engine is None:
                    raise
        request = self._ask_model(rest)
        return self._timed(request.what, parse_when(request.when, now, self.settings.tz(), "when"))

    def _timed(self, what: str, schedule: Schedule) -> dict[str, Any]:
        if not what:
            raise InputError("what to remind you of is missing")
        return {
            "what": what,
            "schedule": schedule.to_json(),
            "describe": schedule.describe(self.settings.tz()),
        }

    def _context(self, what: str, kind: str, found: dict[str, str | None]) -> dict[str, Any]:
        if not what:
            raise InputError("what to remind you of is missing")
        trigger: dict[str, Any] = {"type": kind}
        if kind in ("arrive", "leave"):
            name = (found.get("place") or "home").strip() or "home"
            place = next(
                (p for p in self.places.all() if (p.name or "").lower() == name.lower()),
                None,
            )
            if place is None:
                raise InputError(
                    f"I don't know a place called {name!r} yet (name one with "
                    "`pocketmind places name ID NAME`)"
                )
            trigger["place_id"] = place.id
            describe = f"when you {'arrive at' if kind == 'arrive' else 'leave'} {place.label}"
        elif kind == "battery_below":
            trigger["percent"] = int(found["percent"] or 20)
            describe = f"when the battery drops below {trigger['percent']}%"
        else:
            trigger["ssid"] = (found.get("ssid") or "").strip()
            describe = f"when you connect to {trigger['ssid']}"
        return {"what": what, "trigger": trigger, "describe": describe}

    def _ask_model(self, rest: str) -> ReminderRequest:
        if self.engine is None:
            raise InputError("cannot read when")
        messages = [
            Message(
                "system",
                "Split the reminder request into what to do and when, as JSON. "
                "Write when in plain words like 'tomorrow 18:00' or 'in 2 hours'.",
            ),
            Message("user", rest),
        ]
        schema = ReminderRequest.model_json_schema()
        try:
            reply = self.engine.chat(
                messages, ChatOptions(max_tokens=80, temperature=0, json_schema=schema)
            ).text()
            return ReminderRequest.model_validate_json(strip_thinking(reply))
        except (EngineError, ValidationError, ValueError):
            raise InputError("cannot read when") from None

    def _propose(self, conversation_id: str, proposal: dict[str, Any], now: datetime) -> None:
        self.runs.propose(conversation_id, "reminder", proposal, now)

    def _pending(self, conversation_id: str) -> dict[str, Any] | None:
        return self.runs.pending(conversation_id)

    def _clear(self, conversation_id: str) -> None:
        self.runs.clear(conversation_id)

    def _save(self, proposal: dict[str, Any], now: datetime) -> str:
        if "trigger" in proposal:
            reminder = self.book.add_context(
                proposal["what"],
                proposal["trigger"],
                now,
                cooldown_s=self.settings.skills.context_cooldown_min * 60,
            )
        else:
            spec = proposal["schedule"]
            schedule = (
                Schedule(at=datetime.fromisoformat(spec["at"]))
                if spec["type"] == "at"
                else Schedule(cron=spec["cron"])
            )
            if schedule.at is not None and schedule.at <= now:
                return "That time has passed now, so I did not set it. Ask me again?"
            reminder = self.book.add_time(proposal["what"], schedule, now)
        return f"Done: I'll remind you to {reminder.text} {proposal['describe']} (#{reminder.id})."


class IntentRegistry(Protocol):
    """Where the chat takes intents (``chat.intents.IntentRouter``)."""

    def register(self, name: str, intent: Any, enabled: Callable[[], bool] = ...) -> None: ...


def register_intents(
    router: IntentRegistry, db: Database, engine: Engine | None, settings: Settings
) -> None:
    """The skills' chat intents: reminders, while the user leaves that skill on."""
    router.register(
        "reminders",
        ReminderIntent(db, engine, settings),
        lambda: SkillSwitches(db).enabled("reminders", True),
    )
