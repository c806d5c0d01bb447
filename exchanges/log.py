"""Exchanges: every question and answer, with what produced it, and the user's verdict.

This room owns the ``exchanges``, ``exchange_memories`` and ``feedback`` tables (their
migrations are registered here) and is the only code that reads or writes them: the
assistant records through :class:`ExchangeLog`, export asks it for its rows, and
forgetting a memory blanks every exchange that used it (:func:`_forget`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..db import Connection, Database
from ..engine.base import ChatStats, Message
from ..memory.instants import to_db
from ..memory.lookup import MemoryLookup
from ..schema import migration, on_forget
from ..validation import InputError
from .redaction import redact_exchanges


@dataclass(frozen=True)
class Exchange:
    id: int
    conversation_id: str
    created_at: str
    user_text: str
    answer: str
    thinking: str | None
    prompt: list[dict[str, str]]
    memory_ids: list[int]
    model_id: str
    adapter_id: str | None
    prompt_tokens: int | None
    completion_tokens: int | None
    ttft_ms: float | None
    decode_tps: float | None
    regenerates: int | None = None

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


class ExchangeLog:
    """The exchanges table's owner: record, read back, feedback, and rows for export."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def record(
        self,
        conversation_id: str,
        user_text: str,
        answer: str,
        prompt: list[Message],
        memory_ids: list[int],
        stats: ChatStats,
        thinking: str | None = None,
        regenerates: int | None = None,
    ) -> int:
        with self.db.transaction():  # serialized with every other writer
            exchange_id: int = self.db.execute(
                "INSERT INTO exchanges (conversation_id, created_at, user_text, answer, thinking, "
                "prompt, model_id, adapter_id, prompt_tokens, completion_tokens, ttft_ms, "
                "decode_tps, total_ms, regenerates) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    conversation_id,
                    to_db(datetime.now(UTC)),
                    user_text,
                    answer,
                    thinking,
                    json.dumps([m.to_json() for m in prompt], ensure_ascii=False),
                    stats.model_id,
                    stats.adapter_id,
                    stats.prompt_tokens,
                    stats.completion_tokens,
                    stats.ttft_ms,
                    stats.decode_tps,
                    stats.total_ms,
                    regenerates,
                ),
            ).lastrowid
            self.db.executemany(
                "INSERT OR IGNORE INTO exchange_memories (exchange_id, memory_id, rank) "
                "VALUES (?, ?, ?)",
                [(exchange_id, memory_id, rank) for rank, memory_id in enumerate(memory_ids)],
            )
        return exchange_id

    def get(self, exchange_id: int) -> Exchange | None:
        row = self.db.execute("SELECT * FROM exchanges WHERE id = ?", (exchange_id,)).fetchone()
        return self._exchange(row) if row else None

    def recent(self, conversation_id: str, turns: int) -> list[tuple[str, str]]:
        """The last ``turns`` (question, answer) pairs of a conversation, oldest first."""
        if turns <= 0:
            return []
        rows = self.db.execute(
            "SELECT user_text, answer FROM exchanges WHERE conversation_id = ? AND "
            "forgotten_at IS NULL AND id NOT IN (SELECT regenerates FROM exchanges WHERE "
            "regenerates IS NOT NULL) ORDER BY id DESC LIMIT ?",
            (conversation_id, turns),
        ).fetchall()
        return [(row[0], row[1]) for row in reversed(rows)]

    def request_at(self, conversation_id: str, at: str) -> str | None:
        """What the user said in the first live exchange of the conversation recorded at
        or after ``at`` (a stored instant): the turn that proposed an action made then."""
        row = self.db.one(
            "SELECT user_text FROM exchanges WHERE conversation_id = ? AND forgotten_at IS "
            "NULL AND created_at >= ? ORDER BY created_at, id LIMIT 1",
            (conversation_id, at),
        )
        return str(row[0]) if row else None

    def last_exchange_id(self, conversation_id: str) -> int | None:
        row = self.db.one(
            "SELECT max(id) FROM exchanges WHERE conversation_id = ? AND forgotten_at IS NULL",
            (conversation_id,),
        )
        return row[0] if row else None

    def last_memory_ids(self, conversation_id: str) -> list[int]:
        """The memories the conversation's last exchange used, in prompt order."""
        row = self.db.execute(
            "SELECT id FROM exchanges WHERE conversation_id = ? AND forgotten_at IS NULL "
            "ORDER BY id DESC LIMIT 1",
            (conversation_id,),
        ).fetchone()
        return self.memory_ids(row[0]) if row else []

    def memory_ids(self, exchange_id: int) -> list[int]:
        """The memories an exchange's prompt held, in prompt order."""
        rows = self.db.execute(
            "SELECT memory_id FROM exchange_memories WHERE exchange_id = ? ORDER BY rank",
            (exchange_id,),
        )
        return [r[0] for r in rows]

    def _exchange(self, row: Any) -> Exchange:
        memory_ids = self.memory_ids(row["id"])
        return Exchange(
            id=row["id"],
            conversation_id=row["conversation_id"],
            created_at=row["created_at"],
            user_text=row["user_text"],
            answer=row["answer"],
            thinking=row["thinking"],
            prompt=json.loads(row["prompt"]),
            memory_ids=memory_ids,
            model_id=row["model_id"],
            adapter_id=row["adapter_id"],
            prompt_tokens=row["prompt_tokens"],
            completion_tokens=row["completion_tokens"],
            ttft_ms=row["ttft_ms"],
            decode_tps=row["decode_tps"],
            regenerates=row["regenerates"],
        )

    # -- feedback ----------------------------------------------------------------------

    def record_feedback(self, exchange_id: int, rating: str, correction: str | None) -> None:
        """The user's verdict on an answer; a later one replaces an earlier one."""
        if rating not in ("good", "bad"):
            raise InputError("rating: must be good or bad")
        row = self.db.one("SELECT forgotten_at FROM exchanges WHERE id = ?", (exchange_id,))
        if row is None or row[0]:
            raise InputError(f"exchange {exchange_id}: no such answer")
        if correction is not None and not correction.strip():
            correction = None
        with self.db.transaction():
            self.db.execute(
                "INSERT OR REPLACE INTO feedback (exchange_id, rating, correction, created_at) "
                "VALUES (?, ?, ?, ?)",
                (exchange_id, rating, correction, to_db(datetime.now(UTC))),
            )

    # -- rows for export -----------------------------------------------------------------

    def for_export(self, after_exchange: int, after_feedback: str) -> list[Any]:
        """Live answers (not the skills' own replies) newer than ``after_exchange``, or
        whose feedback is newer than ``after_feedback``, with their rating, oldest first."""
        return self.db.query(
            "SELECT e.*, f.rating, f.correction, f.created_at AS feedback_at FROM exchanges e "
            "LEFT JOIN feedback f ON f.exchange_id = e.id WHERE e.forgotten_at IS NULL AND "
            "e.answer != '' AND e.model_id NOT LIKE 'skill:%' "  # the skills' own replies
            "AND (e.id > ? OR f.created_at > ?) ORDER BY e.id",
            (after_exchange, after_feedback),
        )

    def regenerations(self) -> dict[int, int]:
        """Original exchange -> its latest live regeneration."""
        return dict(
            self.db.query(
                "SELECT regenerates, max(id) FROM exchanges WHERE regenerates IS NOT NULL AND "
                "forgotten_at IS NULL GROUP BY regenerates"
            )
        )

    def live_row(self, exchange_id: int) -> Any:
        """An exchange's row, unless forgotten (None then, or when there is none)."""
        return self.db.one(
            "SELECT * FROM exchanges WHERE id = ? AND forgotten_at IS NULL", (exchange_id,)
        )

    def latest_feedback_at(self) -> str:
        return str(self.db.one("SELECT max(created_at) FROM feedback")[0] or "")

    def latest_model(self) -> tuple[str, str | None] | None:
        """The (model id, adapter id) of the last exchange, if any."""
        row = self.db.one("SELECT model_id, adapter_id FROM exchanges ORDER BY id DESC LIMIT 1")
        return (row[0], row[1]) if row else None

    def count(self) -> int:
        return int(self.db.one("SELECT count(*) FROM exchanges")[0])

    def any_between(self, start: str, end: str) -> bool:
        """Whether any exchange was created in [start, end) (forgotten ones count)."""
        row = self.db.one(
            "SELECT EXISTS (SELECT 1 FROM exchanges WHERE created_at >= ? AND created_at < ?)",
            (start, end),
        )
        return bool(row[0])

    def count_between(self, start: str, end: str) -> int:
        """Live exchanges created in [start, end)."""
        row = self.db.one(
            "SELECT count(*) FROM exchanges WHERE created_at >= ? AND created_at < ? AND "
            "forgotten_at IS NULL",
            (start, end),
        )
        return int(row[0])


@on_forget
def _forget(db: Database, forgotten: list[tuple[int, int | None]], now: str) -> None:
    """Exchanges that merely retrieved a forgotten memory keep their rows and feedback,
    with its text redacted from the stored prompt; one that may repeat it is blanked
    (redaction.py). Runs before the memory's row goes, so its text can still be read."""
    for memory_id, _event in forgotten:
        if (text := MemoryLookup(db).text_of(memory_id)) is not None:
            redact_exchanges(db, memory_id, text, now)


@migration(5, "m005_exchanges")
def m005_exchanges(db: Connection) -> None:
    """Every chat exchange, as the traces that personalization trains on.

    ``prompt`` holds the messages exactly as sent (the system message with the
    retrieved memories). ``exchange_memories`` links each exchange to the memories it
    used, so forgetting a memory can blank every exchange that saw it.
    """
    db.execute(
        """
        CREATE TABLE exchanges (
            id INTEGER PRIMARY KEY,
            conversation_id TEXT NOT NULL,
            created_at TEXT NOT NULL,
            user_text TEXT NOT NULL,
            answer TEXT NOT NULL,
            thinking TEXT,
            prompt TEXT NOT NULL CHECK (json_valid(prompt)),
            model_id TEXT NOT NULL,
            adapter_id TEXT,
            prompt_tokens INTEGER,
            completion_tokens INTEGER,
            ttft_ms REAL,
            decode_tps REAL,
            total_ms REAL,
            forgotten_at TEXT
        )
        """
    )
    db.execute("CREATE INDEX exchanges_conversation ON exchanges(conversation_id, id)")
    db.execute(
        """
        CREATE TABLE exchange_memories (
            exchange_id INTEGER NOT NULL REFERENCES exchanges(id) ON DELETE CASCADE,
            memory_id INTEGER NOT NULL,
            rank INTEGER NOT NULL,
            PRIMARY KEY (exchange_id, memory_id)
        )
        """
    )
    db.execute("CREATE INDEX exchange_memories_memory ON exchange_memories(memory_id)")


@migration(10, "m010_feedback_and_exports")
def m010_feedback(db: Connection) -> None:
    """The user's verdict on answers (the source of preference pairs), and each export's
    watermark, so the next export continues where the last one stopped."""
    db.execute(
        """
        CREATE TABLE feedback (
            exchange_id INTEGER PRIMARY KEY REFERENCES exchanges(id) ON DELETE CASCADE,
            rating TEXT NOT NULL CHECK (rating IN ('good', 'bad')),
            correction TEXT,
            created_at TEXT NOT NULL
        )
        """
    )


@migration(11, "m011_regenerations")
def m011_regenerations(db: Connection) -> None:
    """An answer asked for again: the new exchange points at the one it replaces, so a
    regenerated answer the user kept becomes a preference pair over the first one."""
    db.execute("ALTER TABLE exchanges ADD COLUMN regenerates INTEGER")
    db.execute("CREATE INDEX exchanges_regenerates ON exchanges(regenerates)")
