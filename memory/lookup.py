"""Questions other rooms ask of the memories, answered by their owner.

Skills, chat, sensing and the daemon used to run their own SQL on ``memories``; each
question is a method here instead, so the memory room alone knows its tables. Reached
as ``store.lookup``.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..db import Database


class MemoryLookup:
    def __init__(self, db: Database) -> None:
        self.db = db

    def count(self) -> int:
        return int(self.db.one("SELECT count(*) FROM memories")[0])

    def top_facts(self, limit: int) -> list[int]:
        """The live facts, most important first (ties: oldest first)."""
        rows = self.db.query(
            "SELECT id FROM memories WHERE kind = 'fact' AND superseded_by IS NULL "
            "ORDER BY importance DESC, id LIMIT ?",
            (limit,),
        )
        return [row[0] for row in rows]

    def ids_between(
        self, start: str, end: str, source: str | None = None, limit: int = 500
    ) -> list[int]:
        """Live memories that occurred in [start, end) (of ``source`` only, if given),
        in time order: a day's timeline."""
        rows = self.db.query(
            "SELECT id FROM memories WHERE occurred_at >= ? AND occurred_at < ? AND "
            "superseded_by IS NULL AND (? IS NULL OR source = ?) ORDER BY occurred_at, id "
            "LIMIT ?",
            (start, end, source, source, limit),
        )
        return [row[0] for row in rows]

    def own_facts_mentioning(self, word: str, limit: int = 20) -> list[str]:
        """The text of live facts the user stated (never sensed text) that mention
        ``word``, newest first: "my sister is Maya" for the word "sister"."""
        rows = self.db.query(
            "SELECT text FROM memories WHERE kind = 'fact' AND untrusted = 0 "
            "AND superseded_by IS NULL AND lower(text) LIKE ? ORDER BY id DESC LIMIT ?",
            (f"%{word.lower()}%", limit),
        )
        return [row[0] for row in rows]

    def untrusted_texts(self, limit: int = 500) -> list[str]:
        """The text of live sensed memories (notifications, files), newest first: what
        a proposed action's numbers and addresses are checked against."""
        rows = self.db.query(
            "SELECT text FROM memories WHERE untrusted = 1 AND superseded_by IS NULL "
            "ORDER BY id DESC LIMIT ?",
            (limit,),
        )
        return [row[0] for row in rows]

    def facts_about(self, subject: str, besides: int) -> list[int]:
        """Live facts whose ``meta.subject`` is ``subject``, other than ``besides``."""
        rows = self.db.query(
            "SELECT id FROM memories WHERE kind = 'fact' AND superseded_by IS NULL AND "
            "json_extract(meta, '$.subject') = ? AND id != ?",
            (subject, besides),
        )
        return [row[0] for row in rows]

    def text_of(self, memory_id: int) -> str | None:
        """A memory's text (the exchanges' forget hook redacts it from prompts)."""
        row = self.db.one("SELECT text FROM memories WHERE id = ?", (memory_id,))
        return None if row is None else str(row[0])

    def facts_learned_in(self, exchange_id: int) -> list[int]:
        """The facts the chat learned in an exchange (``meta.exchange_id``)."""
        rows = self.db.query(
            "SELECT id FROM memories WHERE kind = 'fact' AND "
            "json_extract(meta, '$.exchange_id') = ? ORDER BY id",
            (exchange_id,),
        )
        return [row[0] for row in rows]

    def file_chunks(self, path: str) -> list[int]:
        """The memories a watched file was indexed into."""
        rows = self.db.query(
            "SELECT id FROM memories WHERE kind = 'file' AND json_extract(meta, '$.path') = ?",
            (path,),
        )
        return [row[0] for row in rows]

    def file_mtime(self, path: str) -> float | None:
        """The modification time a watched file had when it was indexed."""
        row = self.db.one(
            "SELECT json_extract(meta, '$.mtime') FROM memories WHERE kind = 'file' AND "
            "json_extract(meta, '$.path') = ? LIMIT 1",
            (path,),
        )
        return float(row[0]) if row and row[0] is not None else None

    def texts_between(self, kind: str, start: str, end: str) -> list[str]:
        """Texts of ``kind`` that occurred in [start, end), in time order."""
        rows = self.db.query(
            "SELECT text FROM memories WHERE kind = ? AND occurred_at >= ? AND "
            "occurred_at < ? ORDER BY occurred_at",
            (kind, start, end),
        )
        return [row[0] for row in rows]

    def metas_between(self, kind: str, start: str, end: str) -> list[str]:
        """The meta JSON of memories of ``kind`` that occurred in [start, end)."""
        rows = self.db.query(
            "SELECT meta FROM memories WHERE kind = ? AND occurred_at >= ? AND occurred_at < ?",
            (kind, start, end),
        )
        return [row[0] for row in rows]

    def notifications_from(
        self, apps: Sequence[str], start: str, end: str
    ) -> list[tuple[str, str, str]]:
        """(text, meta JSON, occurred_at) of live notifications from ``apps`` sensed in
        [start, end), in time order: the planner reads calendar reminders from them."""
        marks = ",".join("?" * len(apps))
        rows = self.db.query(
            "SELECT text, meta, occurred_at FROM memories WHERE kind = 'notification' AND "
            "superseded_by IS NULL AND occurred_at >= ? AND occurred_at < ? AND "
            f"json_extract(meta, '$.app') IN ({marks}) ORDER BY occurred_at",
            (start, end, *apps),
        )
        return [(row[0], row[1], row[2]) for row in rows]

    def live_between(self, start: str, end: str, besides: Sequence[str]) -> list[tuple[str, str]]:
        """(kind, text) of live memories in [start, end), not of the kinds ``besides``."""
        marks = ",".join("?" * len(besides))
        rows = self.db.query(
            "SELECT kind, text FROM memories WHERE occurred_at >= ? AND occurred_at < ? AND "
            f"superseded_by IS NULL AND kind NOT IN ({marks}) ORDER BY occurred_at",
            (start, end, *besides),
        )
        return [(row[0], row[1]) for row in rows]

    def any_between(self, start: str, end: str, besides: Sequence[str]) -> bool:
        marks = ",".join("?" * len(besides))
        row = self.db.one(
            "SELECT EXISTS (SELECT 1 FROM memories WHERE occurred_at >= ? AND occurred_at < ? "
            f"AND kind NOT IN ({marks}))",
            (start, end, *besides),
        )
        return bool(row[0])

    def duplicate_groups(self) -> list[list[int]]:
        """Live memories with the same normalized text, kind and source, grouped."""
        rows = self.db.query(
            "SELECT group_concat(id) FROM memories WHERE superseded_by IS NULL "
            "GROUP BY text_hash, kind, source HAVING count(*) > 1"
        )
        return [[int(i) for i in row[0].split(",")] for row in rows]

    def fact_groups(self) -> list[list[int]]:
        """Live facts about the same subject, grouped, oldest first within a group."""
        rows = self.db.query(
            "SELECT group_concat(id) FROM (SELECT id, json_extract(meta, '$.subject') AS s "
            "FROM memories WHERE kind = 'fact' AND superseded_by IS NULL AND s IS NOT NULL "
            "ORDER BY occurred_at, id) GROUP BY s HAVING count(*) > 1"
        )
        return [[int(i) for i in row[0].split(",")] for row in rows]

    def learned_facts(self) -> list[tuple[str, str, bool]]:
        """(subject, statement, live) of the facts learned in chat, oldest first (an
        indexed read of kind/source); facts with no subject are left out."""
        rows = self.db.execute(
            "SELECT json_extract(meta, '$.subject'), text, superseded_by IS NULL FROM memories "
            "WHERE kind = 'fact' AND source = 'chat' ORDER BY occurred_at, id"
        ).fetchall()
        return [(r[0], r[1], bool(r[2])) for r in rows if isinstance(r[0], str)]
