"""Writing memories: each item checked and normalized once (:func:`prepare`), exact and
near duplicates found, rows written. :class:`~pocketmind.memory.store.MemoryStore` runs
these under its lock and in one transaction; the events log (its owner, ingest/events)
records where each memory came from through :func:`pocketmind.schema.event_log`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from numpy.typing import NDArray

from ..db import Database
from ..schema import event_log
from ..settings import Settings
from ..validation import InputError, clean_importance, clean_label, clean_text, json_problem
from .instants import parse_instant, to_db
from .model import NewMemory, Remembered
from .texts import text_hash
from .vectors import VectorIndex

Target = tuple[str, int] | None  # ("exact"|"near", memory id or -(batch index) - 1)


@dataclass(frozen=True)
class Prepared:
    """A memory checked and normalized once: ready to embed and write."""

    text: str
    hash: str
    kind: str
    source: str
    at: datetime
    meta: str
    importance: float
    payload: str
    untrusted: bool
    event_id: int | None


def prepare(item: NewMemory, where: str, now: datetime, settings: Settings) -> Prepared:
    limit = settings.memory.max_text_bytes
    text = clean_text(item.text, limit, where)
    at = parse_instant(item.at, settings.tz(), f"{where}: at") if item.at else now
    if not isinstance(item.meta, dict):
        raise InputError(f"{where}: meta must be an object")
    importance = clean_importance(item.importance, where)
    kind, source = clean_label(item.kind, "kind", where), clean_label(item.source, "source", where)
    payload = (
        item.payload
        if item.payload is not None
        else {
            "text": text,
            "kind": kind,
            "source": source,
            "meta": item.meta,
        }
    )
    if problem := json_problem(item.meta, "meta") or json_problem(payload, "payload"):
        raise InputError(f"{where}: {problem}")
    meta_json = json.dumps(item.meta, ensure_ascii=False)
    payload_json = json.dumps(payload, ensure_ascii=False)
    return Prepared(
        text,
        text_hash(text),
        kind,
        source,
        at,
        meta_json,
        importance,
        payload_json,
        item.untrusted,
        item.event_id,
    )


def exact_duplicates(
    db: Database, prepared: Sequence[Prepared]
) -> tuple[list[tuple[str, int] | None], list[int]]:
    """Per item: ``("exact", memory id or -(batch index) - 1)`` or None; and the rest."""
    targets: list[tuple[str, int] | None] = [None] * len(prepared)
    fresh: list[int] = []
    first_in_batch: dict[tuple[str, str, str], int] = {}
    for i, p in enumerate(prepared):
        key = (p.hash, p.kind, p.source)
        if key in first_in_batch:
            targets[i] = ("exact", -first_in_batch[key] - 1)
            continue
        row = db.execute(
            "SELECT id FROM memories WHERE text_hash = ? AND kind = ? AND source = ? "
            "AND superseded_by IS NULL ORDER BY id LIMIT 1",
            key,
        ).fetchone()
        if row:
            targets[i] = ("exact", row[0])
        else:
            first_in_batch[key] = i
            fresh.append(i)
    return targets, fresh


def near_duplicates(
    db: Database,
    settings: Settings,
    prepared: Sequence[Prepared],
    fresh: Sequence[int],
    vectors: NDArray[np.float32],
    targets: list[tuple[str, int] | None],
    index: VectorIndex,
) -> None:
    threshold = settings.memory.dedup_threshold
    window = timedelta(hours=settings.memory.dedup_window_hours)
    if threshold >= 1.0 or window <= timedelta(0):
        return
    batch_new: list[tuple[int, int]] = []  # (batch index, row in vectors)
    for j, i in enumerate(fresh):
        p = prepared[i]
        rows = db.execute(
            "SELECT id FROM memories WHERE kind = ? AND source = ? AND occurred_at "
            "BETWEEN ? AND ? AND superseded_by IS NULL LIMIT 2000",
            (p.kind, p.source, to_db(p.at - window), to_db(p.at + window)),
        ).fetchall()
        ids, known = index.vectors_of(row[0] for row in rows)
        best_id, best = None, threshold
        if len(ids):
            sims = known @ vectors[j]
            top = int(np.argmax(sims))
            if sims[top] >= best:
                best_id, best = int(ids[top]), float(sims[top])
        for other, other_row in batch_new:
            q = prepared[other]
            if (q.kind, q.source) == (p.kind, p.source) and abs(q.at - p.at) <= window:
                sim = float(vectors[other_row] @ vectors[j])
                if sim >= best:
                    best_id, best = -other - 1, sim
        if best_id is None:
            batch_new.append((i, j))
        else:
            targets[i] = ("near", best_id)


def write(
    db: Database,
    p: Prepared,
    i: int,
    targets: Sequence[tuple[str, int] | None],
    new_rows: dict[int, int],
    now: datetime,
) -> Remembered:
    events = event_log()
    event_id = p.event_id or events.log(
        db, p.source, p.kind, to_db(p.at), to_db(now), p.payload, p.untrusted
    )
    target = targets[i]
    if target is None:
        memory_id = db.execute(
            "INSERT INTO memories (text, text_hash, kind, source, occurred_at, created_at, "
            "last_seen_at, importance, meta, event_id, untrusted) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (
                p.text,
                p.hash,
                p.kind,
                p.source,
                to_db(p.at),
                to_db(now),
                to_db(p.at),
                p.importance,
                p.meta,
                event_id,
                int(p.untrusted),
            ),
        ).lastrowid
        db.execute("INSERT INTO memories_fts (rowid, text) VALUES (?, ?)", (memory_id, p.text))
        new_rows[i] = memory_id
        result = Remembered(memory_id, True)
    else:
        how, memory_id = target
        if memory_id < 0:  # repeats an earlier item of this batch
            memory_id = new_rows[-memory_id - 1]
        # a later repeat of this item finds the memory it went to, new or not (the first
        # of two equal items may itself be a near duplicate of a stored memory)
        new_rows[i] = memory_id
        db.execute(
            "UPDATE memories SET seen_count = seen_count + 1, "
            "last_seen_at = max(last_seen_at, ?), importance = max(importance, ?) "
            "WHERE id = ?",
            (to_db(p.at), p.importance, memory_id),
        )
        result = Remembered(memory_id, False, how)
    events.link(db, event_id, memory_id, to_db(now))
    return result
