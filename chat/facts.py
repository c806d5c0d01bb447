"""Durable facts from the user's own words, as memories of kind ``fact``.

The model is asked for JSON constrained to a schema (a llama.cpp grammar, or
``response_format`` over HTTP) and the reply is validated with pydantic: anything
malformed is dropped with a log line. A new fact supersedes older facts on the same
subject ("Maya lives in Porto" gives way to "Maya moved to Lisbon").
"""

from __future__ import annotations

import logging
import re
from datetime import datetime

from pydantic import BaseModel, Field, ValidationError

from ..engine.base import ChatOptions, Engine, EngineError, Message
from ..engine.thinking import strip_thinking
from ..memory import MemoryStore, Remembered
from ..memory.texts import normalize
from ..validation import InputError

log = logging.getLogger(__name__)


class Fact(BaseModel):
    subject: str = Field(min_length=1, max_length=80, description="Who or what it is about")
    statement: str = Field(min_length=3, max_length=300, description="One short sentence")


class Facts(BaseModel):
    facts: list[Fact] = Field(max_length=8)


SCHEMA = Facts.model_json_schema()
INSTRUCTIONS = (
    "Extract durable facts about the user's life from the message: people, places, "
    "preferences, plans, relationships. Use only what the user states, not questions or "
    "requests. For each fact give its subject (a short noun phrase such as 'sister Maya' or "
    "'user's job') and a short statement in the third person. Answer with JSON only; use "
    'an empty list when there are none: {"facts": []}.'
)
_FIRST_PERSON = re.compile(r"\b(i|i'm|i've|my|mine|we|our|me)\b", re.IGNORECASE)
_QUESTION = re.compile(
    r"^\s*(who|what|when|where|why|how|which|is|are|do|does|did|can|could|"
    r"will|would|should|remind|tell|show|find)\b",
    re.IGNORECASE,
)


_WORD = re.compile(r"\w+")
# Words a faithful third-person restatement may add to what the user said.
_RESTATEMENT = frozenset(
    "user user's users the a an is are was were has have had their they them he she his "
    "her its it s of to in on at for and with".split()
)


def grounded(fact: Fact, source: str, share: float = 0.6) -> bool:
    """Whether most of the fact's words come from the user's message.

    Small models invent details ("she works as a dentist in Los Angeles"); a fact is
    kept only when at least ``share`` of its words (beyond restatement glue) appear in
    what the user actually wrote.
    """
    said = {w.lower() for w in _WORD.findall(source)}
    words = [
        w.lower()
        for w in _WORD.findall(f"{fact.subject} {fact.statement}")
        if w.lower() not in _RESTATEMENT
    ]
    if not words:
        return False
    return sum(w in said for w in words) / len(words) >= share


def worth_extracting(text: str) -> bool:
    """A cheap gate: first-person statements, not questions or commands."""
    stripped = text.strip()
    return (
        bool(_FIRST_PERSON.search(stripped))
        and not stripped.endswith("?")
        and not (_QUESTION.match(stripped))
    )


class FactExtractor:
    def __init__(self, engine: Engine, store: MemoryStore, max_tokens: int = 256) -> None:
        self.engine = engine
        self.store = store
        self.max_tokens = max_tokens

    def extract(self, text: str) -> list[Fact]:
        messages = [Message("system", INSTRUCTIONS), Message("user", text)]
        options = ChatOptions(max_tokens=self.max_tokens, temperature=0.0, json_schema=SCHEMA)
        try:
            reply = strip_thinking(self.engine.chat(messages, options).text())
            return Facts.model_validate_json(reply).facts
        except (ValidationError, ValueError) as exc:  # the model's words: DEBUG only
            log.info("dropped malformed fact extraction output (%s)", type(exc).__name__)
            log.debug("the malformed fact extraction output: %s", exc)
        except EngineError as exc:
            log.warning("fact extraction failed: %s", exc)
        return []

    def learn(
        self, text: str, at: datetime | None = None, exchange_id: int | None = None
    ) -> list[Remembered]:
        """Extract facts from ``text`` and remember them, superseding older ones."""
        learned = []
        for fact in self.extract(text):
            if not grounded(fact, text):
                log.info(
                    "dropped a fact not grounded in the user's words (%d characters)",
                    len(fact.statement),
                )
                log.debug("the fact not grounded: %s", fact.statement)
                continue
            if (
                kept := remember_fact(self.store, fact.subject, fact.statement, at, exchange_id)
            ) is not None:
                learned.append(kept)
        return learned


def remember_fact(
    store: MemoryStore,
    subject: str,
    statement: str,
    at: datetime | None,
    exchange_id: int | None = None,
) -> Remembered | None:
    """Remember one fact, superseding the standing facts on the same subject. The
    exchange it was learned in is kept in its meta, so the user can undo it."""
    key = normalize(subject)
    meta: dict[str, object] = {"subject": key}
    if exchange_id is not None:
        meta["exchange_id"] = exchange_id
    try:
        result = store.remember(
            statement, kind="fact", source="chat", at=at, meta=meta, importance=0.8
        )
    except InputError as exc:
        log.info("dropped an unusable fact: %s", exc)
        return None
    for old_id in store.lookup.facts_about(key, besides=result.id):
        store.supersede(old_id, result.id)
    return result


def learned_in(store: MemoryStore, exchange_id: int) -> list[int]:
    """The facts learned in an exchange (what its undo takes back)."""
    return store.lookup.facts_learned_in(exchange_id)
