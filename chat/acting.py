"""Acting from the chat: "text Maya I'm late" becomes a proposal, "yes" does it.

A route the assistant takes before retrieval: a phone command the grammar reads
(``tools/commands.py``) goes through the agent and its gate; read tools answer at once,
an external action is held in the actions table with the conversation's id, and the
answer says what it will do and asks. The conversation's next "yes" or "no" decides
the newest action waiting there, as the API's confirm and reject do. Only the user's
own words are read as commands; memories and sensed text never are.

A turn the grammar cannot read but that still asks the phone for something ("ring
Maya's mobile", "how full is the battery?", by :func:`asks_for_action`) goes to the
model (:meth:`Acting.propose`): it picks a tool or none under the tools' grammar, with
nothing but the user's words in its prompt, so sensed text can neither choose a tool
nor fill an argument; a number or address in its call that only sensed memories hold is
flagged in the question. Its calls pass the same gate, so an external one still waits
for the yes. When it picks no tool the turn goes on to the chat. A turn a skill started
is never read as a command, cannot answer a waiting question, and cannot act outside.
"""

from __future__ import annotations

import logging
import re
import shlex
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from ..clock import SYSTEM_CLOCK, Clock
from ..db import Database
from ..engine.base import Engine, Message
from ..exchanges import ExchangeLog
from ..host import pocketmind_command
from ..memory import MemoryStore
from ..replies import NO, YES
from ..sensing.termux import SubprocessTermux, TermuxApi
from ..settings import Settings
from ..tools.actions import ActionBook, ArgvRecorder
from ..tools.agent import Agent
from ..tools.base import Tool
from ..tools.commands import asks_for_action, read_command
from ..tools.contacts import Contacts
from ..tools.gate import ActionRecord, Gate, Origin
from ..tools.phone import PhoneTools

log = logging.getLogger(__name__)
ACTIONS_MODEL_ID = "skill:actions"  # marks the reply as PocketMind's, not the model's


@dataclass(frozen=True)
class ActionReply:
    text: str
    action: ActionRecord | None = None  # what waits for the user's yes, if anything

    def action_json(self) -> dict[str, Any] | None:
        return self.action.to_json() if self.action else None


class Acting:
    def __init__(
        self,
        agent: Agent,
        book: ActionBook,
        ask: Callable[[ActionRecord], None] | None = None,
        sensed: Callable[[], list[str]] = list,
    ) -> None:
        self.agent = agent
        self.book = book
        self.ask = ask  # also ask on the phone: a notification with Confirm and Cancel
        self.sensed = sensed  # the text of untrusted memories, for the proposals' flags

    @property
    def gate(self) -> Gate:
        return self.agent.gate

    def handle(
        self, text: str, conversation_id: str, origin: Origin = "user"
    ) -> ActionReply | None:
        """A reply when ``text`` answers a waiting action or is a phone command, else None."""
        if origin != "user":
            return None  # a skill's "yes" confirms nothing; its words are not commands
        answer = " ".join(text.lower().strip(" .!").split())
        if answer in YES or answer in NO:
            latest = self.book.latest(conversation_id)
            if latest is not None and latest.status == "pending":
                outcome = (
                    self.agent.confirm(latest.id) if answer in YES else self.agent.reject(latest.id)
                )
                return self._reply(outcome.answer, outcome.pending)
            if latest is not None and latest.status == "expired" and self._just_asked(latest):
                return ActionReply(
                    f"That waited too long and expired, so I did not {_lower(latest.proposal)}."
                    " Ask again if you still want it."
                )
        command = read_command(text)
        if command is None or not all(c.name in self.agent.tools for c in command.calls):
            return None
        outcome = self.agent.run(
            [Message("user", text)], origin="user", conversation_id=conversation_id
        )
        return self._reply(outcome.answer, outcome.pending)

    def propose(
        self, text: str, conversation_id: str, origin: Origin = "user"
    ) -> ActionReply | None:
        """The model's tool calls for a turn that asks for an action the grammar could not
        read; None when it is not such a turn or the model calls no tool."""
        if not asks_for_action(text):
            return None
        outcome = self.agent.run(
            [Message("user", text)],
            origin=origin,
            untrusted=self.sensed(),
            conversation_id=conversation_id,
            read_commands=False,  # the grammar has had its go
        )
        if not outcome.steps and outcome.pending is None and not outcome.invalid_calls:
            return None  # the model chose words: the chat answers, with the memories
        return self._reply(outcome.answer, outcome.pending)

    def _reply(self, text: str, pending: ActionRecord | None) -> ActionReply:
        if pending is not None and self.ask is not None:
            try:
                self.ask(pending)
            except Exception:  # the chat's own question stands without it
                log.warning("could not post the confirmation notification", exc_info=True)
        return ActionReply(text, pending)

    def _just_asked(self, record: ActionRecord) -> bool:
        """Whether the conversation's last answer was this action's question."""
        if record.conversation_id is None:
            return False
        last = ExchangeLog(self.book.db).recent(record.conversation_id, 1)
        return bool(last) and _lower(record.proposal) in last[-1][1]

    def confirm(self, action_id: str) -> ActionReply:
        outcome = self.agent.confirm(action_id)
        return self._reply(outcome.answer, outcome.pending)

    def reject(self, action_id: str) -> ActionReply:
        outcome = self.agent.reject(action_id)
        return ActionReply(outcome.answer, outcome.pending)


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:]


def relations_from_facts(store: MemoryStore) -> Any:
    """ "sister" → "Maya" from what the user told PocketMind ("my sister is Maya",
    "Maya is my sister"); only the user's own facts, never sensed text."""

    def resolve(relation: str) -> str | None:
        word = relation.strip().lower()
        if not re.fullmatch(r"[a-z][a-z -]{0,40}", word):
            return None
        facts = store.lookup.own_facts_mentioning(word)
        w = re.escape(word)
        patterns = (
            rf"\bmy {w}(?:'s name)? is (?:called )?(?P<name>[A-Z][\w'-]+)",
            rf"(?P<name>[A-Z][\w'-]+) is my {w}\b",
        )
        for fact in facts:
            for pattern in patterns:
                if found := re.search(pattern, fact, re.IGNORECASE):
                    name = found["name"]
                    return name[:1].upper() + name[1:]
        return None

    return resolve


def phone_gate(
    store: MemoryStore,
    db: Database,
    settings: Settings,
    termux: TermuxApi | None = None,
    clock: Clock = SYSTEM_CLOCK,
) -> tuple[Gate, list[Tool[Any]], ActionBook]:
    """The phone's tools over ``termux`` (the real commands by default) behind a gate
    that keeps every call, and each command line it ran, in the actions table."""
    recorder = ArgvRecorder(termux or SubprocessTermux())
    timeout = settings.sensing.termux_timeout_s
    contacts = Contacts(recorder, relations_from_facts(store), timeout=timeout)
    book = ActionBook(db)
    gate = Gate(
        log=book,
        ttl=timedelta(seconds=settings.skills.confirm_ttl_s),
        clock=clock,
        capture=recorder.capture,
    )
    return gate, PhoneTools(recorder, contacts, timeout=timeout).tools(), book


def make_acting(
    store: MemoryStore,
    db: Database,
    engine: Engine,
    settings: Settings,
    termux: TermuxApi | None = None,
    clock: Clock = SYSTEM_CLOCK,
) -> Acting:
    termux = termux or SubprocessTermux()
    gate, tools, book = phone_gate(store, db, settings, termux, clock)
    ask = PhoneQuestion(
        termux, pocketmind_command(settings.home), settings.sensing.termux_timeout_s
    )
    return Acting(Agent(engine, tools, gate), book, ask, store.lookup.untrusted_texts)


class PhoneQuestion:
    """The same question as a notification on the phone, its buttons calling
    ``pocketmind actions confirm|reject ID`` (by absolute path: Termux runs them with no
    PATH). Off the phone there is no such notification; the chat and TUI still ask."""

    def __init__(self, termux: TermuxApi, command: str, timeout: float) -> None:
        self.termux = termux
        self.command = command
        self.timeout = timeout
        remove = shutil.which("termux-notification-remove")
        self.remove = shlex.quote(remove) if remove else None

    def __call__(self, record: ActionRecord) -> None:
        if not self.termux.has("termux-notification"):
            return
        notes = "".join(f"\nNote: {flag}." for flag in record.flags)
        tag = f"pocketmind-action-{record.id}"
        done = f"; {self.remove} {tag}" if self.remove else ""  # the buttons close it
        self.termux.run(
            "termux-notification",
            "--id", tag,
            "-t", "Shall I do this?",
            "-c", record.proposal + notes,
            "--group", "pocketmind",
            "--button1", "Confirm",
            "--button1-action", f"{self.command} actions confirm {record.id}{done}",
            "--button2", "Cancel",
            "--button2-action", f"{self.command} actions reject {record.id}{done}",
            timeout=self.timeout,
        )  # fmt: skip
