"""The memories a search starts from, read by their owner: which live memories pass the
filters, the full-text (BM25) candidates, and a memory's neighbours in its source.

The :class:`~pocketmind.retrieval.Retriever` fuses and ranks; the SQL on ``memories`` and
``memories_fts`` stays here. Reached as ``store.candidates``; callers hold the
database's lock across one search, as the Retriever does.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from ..db import Database
from .instants import TimeWindow, from_db, to_db

Ranking = list[tuple[int, float]]  # (memory id, score), best first
WIDE = timedelta(days=1)  # threads() reads whole windows only up to this span


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
        self._vocabulary = False

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

    def document_frequencies(self, terms: Sequence[str]) -> dict[str, int]:
        """How many memories' full text holds each FTS5 term (terms as the index keeps
        them: lower case, porter-stemmed); absent terms are left out."""
        wanted = list(dict.fromkeys(terms))
        if not wanted:
            return {}
        if not self._vocabulary:  # a read-only view of memories_fts's terms, per connection
            self.db.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.memories_terms "
                "USING fts5vocab(main, memories_fts, row)"
            )
            self._vocabulary = True
        marks = ",".join("?" * len(wanted))
        rows = self.db.execute(
            f"SELECT term, doc FROM temp.memories_terms WHERE term IN ({marks})", wanted
        )
        return {row[0]: int(row[1]) for row in rows}

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

    def threads(
        self, memory_ids: Sequence[int], hops: int, within: timedelta
    ) -> dict[int, tuple[list[int], list[int]]]:
        """``neighbors(id, hops, within)`` for many memories in one read: every live memory
        of the same source within ``within`` of each, split and trimmed here (two
        statements instead of three per memory; the search's spreading asks for 40)."""
        ids = list(dict.fromkeys(memory_ids))
        if not ids or hops < 1:
            return {memory_id: ([], []) for memory_id in ids}
        if within > WIDE:  # the window would hold a whole source: nearest-first reads win
            return {memory_id: self.neighbors(memory_id, hops, within) for memory_id in ids}
        marks = ",".join("?" * len(ids))
        hits = self.db.execute(
            f"SELECT id, source, occurred_at FROM memories WHERE id IN ({marks})", ids
        ).fetchall()
        out: dict[int, tuple[list[int], list[int]]] = {memory_id: ([], []) for memory_id in ids}
        if not hits:
            return out
        spans, params = [], []
        for hit_id, source, at in hits:
            moment = from_db(at)
            spans.append("(?, ?, ?, ?, ?)")
            params += [hit_id, source, at, to_db(moment - within), to_db(moment + within)]
        rows = self.db.execute(
            f"WITH hits(hit, source, at, low, high) AS (VALUES {', '.join(spans)}) "
            "SELECT h.hit, h.at, m.id, m.occurred_at FROM hits h JOIN memories m "
            "ON m.source = h.source AND m.occurred_at BETWEEN h.low AND h.high "
            "WHERE m.superseded_by IS NULL AND m.id != h.hit",
            params,
        ).fetchall()
        near: dict[int, list[tuple[str, int]]] = {hit_id: [] for hit_id, _, _ in hits}
        placed = {hit_id: at for hit_id, _, at in hits}
        for hit_id, _, neighbor, at in rows:
            near[hit_id].append((at, neighbor))
        for hit_id, found in near.items():
            here = (placed[hit_id], hit_id)
            before = sorted((p for p in found if p < here), reverse=True)[:hops]
            after = sorted(p for p in found if p > here)[:hops]
            out[hit_id] = ([n for _, n in before], [n for _, n in after])
        return out
