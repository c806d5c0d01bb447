"""The memories a search starts from, read by their owner: which live memories pass the
filters, the full-text (BM25) candidates, and a memory's neighbours in its source.

The :class:`~pocketmind.retrieval.Retriever` fuses and ranks; the SQL on ``memories`` and
``memories_fts`` stays here. Reached as ``store.candidates``; callers hold the
database's lock across one search, as the Retriever does.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ..db import Database
from .instants import TimeWindow, from_db, to_db

Ranking = list[tuple[int, float]]  # (memory id, score), best first


def _filters(
    kind: str | None, source: str | None, window: TimeWindow | None
) -> tuple[str, list[Any]]:
    clauses, params = ["m.superseded_by IS NULL"], []
    if kind:
        clauses.append("m.kind = ?")
        params.append(kind)
    if source:
        clauses.append("m.source = ?")
        params.append(source)
    if window:
        clauses.append("m.occurred_at >= ? AND m.occurred_at < ?")
        params += [to_db(window.start), to_db(window.end)]
    return " AND ".join(clauses), params


class SearchCandidates:
    def __init__(self, db: Database) -> None:
        self.db = db

    def allowed(
        self, kind: str | None, source: str | None, window: TimeWindow | None
    ) -> set[int] | None:
        """The live memories passing the filters; None when there are none to apply."""
        if not (kind or source or window):
            return None
        where, params = _filters(kind, source, window)
        rows = self.db.execute(f"SELECT m.id FROM memories m WHERE {where}", params)
        return {row[0] for row in rows}

    def full_text(
        self,
        match: str,
        kind: str | None,
        source: str | None,
        window: TimeWindow | None,
        limit: int,
    ) -> Ranking:
        """Live memories matching the FTS5 expression ``match``, by BM25 (higher is better)."""
        where, params = _filters(kind, source, window)
        rows = self.db.execute(
            "SELECT f.rowid, -f.rank FROM memories_fts f JOIN memories m ON m.id = f.rowid "
            f"WHERE memories_fts MATCH ? AND {where} ORDER BY f.rank LIMIT ?",
            [match, *params, limit],
        )
        return [(row[0], float(row[1])) for row in rows]

    def neighbors(
        self, memory_id: int, hops: int, within: timedelta | None = None
    ) -> tuple[list[int], list[int]]:
        """Up to ``hops`` live memories of the same source just before and just after
        ``memory_id`` (each nearest first), only ``within`` of it when given."""
        row = self.db.execute(
            "SELECT source, occurred_at FROM memories WHERE id = ?", (memory_id,)
        ).fetchone()
        if row is None:
            return [], []
        out: list[list[int]] = []
        for op, order, sign in (("<", "DESC", -1), (">", "ASC", 1)):
            span, params = "", [row[0], row[1], memory_id]
            if within is not None:
                bound = to_db(from_db(row[1]) + sign * within)
                span = " AND occurred_at BETWEEN ? AND ?"
                params += sorted((bound, row[1]))
            neighbors = self.db.execute(
                f"SELECT id FROM memories WHERE source = ? AND superseded_by IS NULL AND "
                f"(occurred_at, id) {op} (?, ?){span} "
                f"ORDER BY occurred_at {order}, id {order} LIMIT ?",
                [*params, hops],
            ).fetchall()
            out.append([n[0] for n in neighbors])
        return out[0], out[1]
