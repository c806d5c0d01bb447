"""The exchanges log: every question and answer, with what produced it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..engine.base import ChatStats, Message
from ..memory.db import Database
from ..memory.instants import to_db


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


class TraceLog:
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

    def last_memory_ids(self, conversation_id: str) -> list[int]:
        """The memories the conversation's last exchange used, in prompt order."""
        row = self.db.execute(
            "SELECT id FROM exchanges WHERE conversation_id = ? AND forgotten_at IS NULL "
            "ORDER BY id DESC LIMIT 1",
            (conversation_id,),
        ).fetchone()
        return self._memory_ids(row[0]) if row else []

    def _memory_ids(self, exchange_id: int) -> list[int]:
        rows = self.db.execute(
            "SELECT memory_id FROM exchange_memories WHERE exchange_id = ? ORDER BY rank",
            (exchange_id,),
        )
        return [r[0] for r in rows]

    def _exchange(self, row: Any) -> Exchange:
        memory_ids = self._memory_ids(row["id"])
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
