"""The memory store: the events log, memories, and their full-text and vector indexes.

Every write is one transaction across all of them; the in-RAM vector index is updated
only after the commit, so a crash can lose nothing acknowledged and leave nothing
half-written. ``MemoryStore`` is safe to share between threads: it reads and writes
through a :class:`~pocketmind.memory.db.Database`, whose lock also guards the index.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..embedders import Embedder, make_embedder
from ..settings import Settings
from .db import Connection, Database, StorageError, sqlite_version, vec_version
from .instants import TimeWindow, parse_instant, to_db
from .migrations import migrate
from .model import Memory, NewEvent, NewMemory, Remembered, SearchResult
from .texts import MemoryInputError, clean_importance, clean_text, json_problem, text_hash
from .vectors import VectorIndex

Progress = Callable[[int, int], object]


def recorded_space(db: Connection | Database) -> tuple[str, int] | None:
    """The (model id, dimension) a database's vectors were made with, if any yet."""
    row = db.execute("SELECT model_id, dim FROM embedding_space WHERE id = 1").fetchone()
    return (row[0], row[1]) if row else None


class EmbeddingMismatch(StorageError):
    """The database holds vectors from another embedding model than the configured one."""


@dataclass(frozen=True)
class _Prepared:
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


def _label(value: object, field: str, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise MemoryInputError(f"{where}: {field} must be a non-empty string")
    if len(value) > 200:
        raise MemoryInputError(f"{where}: {field} is longer than 200 characters")
    if problem := json_problem(value, field):
        raise MemoryInputError(f"{where}: {problem}")
    return value.strip()


class MemoryStore:
    """What the assistant remembers, and the one way to write or forget it."""

    def __init__(
        self,
        db: Database | Connection,
        embedder: Embedder,
        settings: Settings,
        *,
        check_space: bool = True,
    ) -> None:
        self.db = db if isinstance(db, Database) else Database(db)
        self.embedder = embedder
        self.settings = settings
        self._index: VectorIndex | None = None
        self._seen_version: int | None = None
        with self.db.reading() as conn:
            migrate(conn)
        space = self.embedding_space()
        if space is None:
            with self.db.transaction():
                self._create_space(embedder.model_id, embedder.dim)
        elif check_space and space != (embedder.model_id, embedder.dim):
            raise EmbeddingMismatch(
                f"the memory database was embedded with {space[0]} (dimension {space[1]}) "
                f"but the configured embedder is {embedder.model_id} (dimension "
                f"{embedder.dim}); run `pocketmind memory reindex` to re-embed everything"
            )

    @classmethod
    def open(
        cls,
        settings: Settings,
        embedder: Embedder | None = None,
        *,
        check_space: bool = True,
    ) -> MemoryStore:
        db = Database.open(settings.db_path)
        try:
            return cls(
                db,
                embedder or make_embedder(settings),
                settings,
                check_space=check_space,
            )
        except BaseException:
            db.close()
            raise

    @property
    def lock(self) -> threading.RLock:
        """The database's lock: held, nothing else reads or writes (the index included)."""
        return self.db.lock

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> MemoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- embedding space ---------------------------------------------------------------

    def embedding_space(self) -> tuple[str, int] | None:
        return recorded_space(self.db)

    def _create_space(self, model_id: str, dim: int) -> None:
        self.db.execute("DROP TABLE IF EXISTS memories_vec")
        self.db.execute(
            f"CREATE VIRTUAL TABLE memories_vec USING vec0("
            f"embedding float[{int(dim)}] distance_metric=cosine)"
        )
        self.db.execute(
            "INSERT OR REPLACE INTO embedding_space (id, model_id, dim, recorded_at) "
            "VALUES (1, ?, ?, ?)",
            (model_id, dim, to_db(datetime.now(UTC))),
        )

    # -- the in-RAM vector index ----------------------------------------------------------

    @property
    def index(self) -> VectorIndex:
        """The vector index, reloaded when another connection has written since."""
        with self.lock:
            version = self.db.data_version()
            if self._index is None or version != self._seen_version:
                self._index = self._load_index()
                self._seen_version = version
            return self._index

    def _load_index(self) -> VectorIndex:
        index = VectorIndex(self.embedder.dim)
        with self.db.reading() as conn:
            cursor = conn.execute(
                "SELECT v.rowid, v.embedding FROM memories_vec v "
                "JOIN memories m ON m.id = v.rowid WHERE m.superseded_by IS NULL"
            )
            while chunk := cursor.fetchmany(4096):
                ids = [row[0] for row in chunk]
                vectors = np.frombuffer(b"".join(row[1] for row in chunk), dtype=np.float32)
                index.add(ids, vectors.reshape(len(ids), self.embedder.dim))
        return index

    # -- writing ------------------------------------------------------------------------

    def _prepare(self, item: NewMemory, where: str, now: datetime) -> _Prepared:
        limit = self.settings.memory.max_text_bytes
        text = clean_text(item.text, limit, where)
        at = parse_instant(item.at, self.settings.tz(), f"{where}: at") if item.at else now
        if not isinstance(item.meta, dict):
            raise MemoryInputError(f"{where}: meta must be an object")
        importance = clean_importance(item.importance, where)
        kind, source = _label(item.kind, "kind", where), _label(item.source, "source", where)
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
            raise MemoryInputError(f"{where}: {problem}")
        meta_json = json.dumps(item.meta, ensure_ascii=False)
        payload_json = json.dumps(payload, ensure_ascii=False)
        return _Prepared(
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

    def record_events(self, events: Sequence[NewEvent]) -> list[int]:
        """Append raw events to the log in one transaction and return their ids.

        This is the acknowledgement point of the ingest path: once it returns, the
        events survive a crash, whatever happens to the memories derived from them.
        An event whose (source, key) is already logged is not logged again; its
        existing id is returned.
        """
        now = datetime.now(UTC)
        rows = [self._event_row(event, f"event {n}", now) for n, event in enumerate(events, 1)]
        ids: list[int] = []
        with self.db.transaction():
            for row in rows:
                inserted = self.db.execute(
                    "INSERT INTO events (source, kind, occurred_at, received_at, payload, "
                    "untrusted, key) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING "
                    "RETURNING id",
                    row,
                ).fetchone()
                if inserted is None:  # a repeat of a keyed event
                    inserted = self.db.execute(
                        "SELECT id FROM events WHERE source = ? AND key = ?", (row[0], row[6])
                    ).fetchone()
                ids.append(int(inserted[0]))
        return ids

    def _event_row(self, event: NewEvent, where: str, now: datetime) -> tuple[Any, ...]:
        if not isinstance(event.payload, dict):
            raise MemoryInputError(f"{where}: payload must be an object")
        if problem := json_problem(event.payload, "payload"):
            raise MemoryInputError(f"{where}: {problem}")
        payload = json.dumps(event.payload, ensure_ascii=False)
        if event.key is not None and not (isinstance(event.key, str) and 0 < len(event.key) <= 200):
            raise MemoryInputError(f"{where}: key must be a string of 1 to 200 characters")
        if event.key is not None and (problem := json_problem(event.key, "key")):
            raise MemoryInputError(f"{where}: {problem}")
        at = parse_instant(event.at, self.settings.tz(), f"{where}: at") if event.at else now
        return (
            _label(event.source, "source", where),
            _label(event.kind, "kind", where),
            to_db(at),
            to_db(now),
            payload,
            int(event.untrusted),
            event.key,
        )

    def pending_events(self, after: int = 0, limit: int = 1000) -> list[Any]:
        """Logged events whose memory is not written yet, oldest first."""
        return list(
            self.db.execute(
                "SELECT * FROM events WHERE processed_at IS NULL AND id > ? ORDER BY id LIMIT ?",
                (after, limit),
            )
        )

    def mark_processed(self, event_ids: Sequence[int]) -> None:
        """Events that carry no memory (no text): done, nothing to write."""
        with self.db.transaction():
            self.db.executemany(
                "UPDATE events SET processed_at = ? WHERE id = ?",
                [(to_db(datetime.now(UTC)), event_id) for event_id in event_ids],
            )

    def validate(self, item: NewMemory, where: str = "item") -> None:
        """Raise ``MemoryInputError`` naming ``where`` if ``item`` cannot be remembered."""
        self._prepare(item, where, datetime.now(UTC))

    def remember(
        self,
        text: str,
        kind: str = "note",
        source: str = "user",
        at: datetime | str | None = None,
        meta: dict[str, Any] | None = None,
        importance: float = 0.5,
        untrusted: bool = False,
    ) -> Remembered:
        item = NewMemory(text, kind, source, at, meta or {}, importance, untrusted=untrusted)
        return self.remember_many([item], where=["memory"])[0]

    def remember_many(
        self, items: Sequence[NewMemory], *, where: Sequence[str] | None = None
    ) -> list[Remembered]:
        """Write ``items`` in one transaction: all of them, or (on error) none.

        Each item is logged as an event; exact duplicates (same normalized text, kind
        and source) and near duplicates (cosine ≥ ``dedup_threshold``, same kind and
        source, within ``dedup_window_hours``) update the memory they repeat.
        """
        now = datetime.now(UTC)
        labels = where or [f"item {i + 1}" for i in range(len(items))]
        prepared = [
            self._prepare(item, label, now) for item, label in zip(items, labels, strict=True)
        ]
        # Embedding is the slow part: do it before taking the lock, so acknowledging
        # events (record_events) never waits behind a batch being embedded.
        embedded = self.embedder.embed([p.text for p in prepared])
        with self.lock:
            index = self.index
            targets, fresh = self._exact_duplicates(prepared)
            vectors = embedded[fresh]
            self._near_duplicates(prepared, fresh, vectors, targets, index)
            new_rows: dict[int, int] = {}
            with self.db.transaction():
                results = [
                    self._write(p, i, targets, new_rows, now) for i, p in enumerate(prepared)
                ]
                for j, i in enumerate(fresh):
                    if targets[i] is None:
                        self.db.execute(
                            "INSERT INTO memories_vec (rowid, embedding) VALUES (?, ?)",
                            (new_rows[i], vectors[j].tobytes()),
                        )
            kept = [j for j, i in enumerate(fresh) if targets[i] is None]
            index.add([new_rows[fresh[j]] for j in kept], vectors[kept])
            return results

    def _exact_duplicates(
        self, prepared: Sequence[_Prepared]
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
            row = self.db.execute(
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

    def _near_duplicates(
        self,
        prepared: Sequence[_Prepared],
        fresh: Sequence[int],
        vectors: NDArray[np.float32],
        targets: list[tuple[str, int] | None],
        index: VectorIndex,
    ) -> None:
        threshold = self.settings.memory.dedup_threshold
        window = timedelta(hours=self.settings.memory.dedup_window_hours)
        if threshold >= 1.0 or window <= timedelta(0):
            return
        batch_new: list[tuple[int, int]] = []  # (batch index, row in vectors)
        for j, i in enumerate(fresh):
            p = prepared[i]
            rows = self.db.execute(
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

    def _write(
        self,
        p: _Prepared,
        i: int,
        targets: Sequence[tuple[str, int] | None],
        new_rows: dict[int, int],
        now: datetime,
    ) -> Remembered:
        event_id = (
            p.event_id
            or self.db.execute(
                "INSERT INTO events (source, kind, occurred_at, received_at, payload, untrusted) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (p.source, p.kind, to_db(p.at), to_db(now), p.payload, int(p.untrusted)),
            ).lastrowid
        )
        target = targets[i]
        if target is None:
            memory_id = self.db.execute(
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
            self.db.execute(
                "INSERT INTO memories_fts (rowid, text) VALUES (?, ?)", (memory_id, p.text)
            )
            new_rows[i] = memory_id
            result = Remembered(memory_id, True)
        else:
            how, memory_id = target
            if memory_id < 0:
                memory_id = new_rows[-memory_id - 1]
            self.db.execute(
                "UPDATE memories SET seen_count = seen_count + 1, "
                "last_seen_at = max(last_seen_at, ?), importance = max(importance, ?) "
                "WHERE id = ?",
                (to_db(p.at), p.importance, memory_id),
            )
            result = Remembered(memory_id, False, how)
        self.db.execute(
            "UPDATE events SET memory_id = ?, processed_at = ? WHERE id = ?",
            (memory_id, to_db(now), event_id),
        )
        return result

    def supersede(self, old_id: int, new_id: int) -> None:
        """Mark ``old_id`` as replaced by ``new_id``: kept for history, never retrieved."""
        with self.lock:
            with self.db.transaction():
                self.db.execute(
                    "UPDATE memories SET superseded_by = ? WHERE id = ? AND id != ?",
                    (new_id, old_id, new_id),
                )
            self.index.remove([old_id])

    # -- forgetting ---------------------------------------------------------------------

    def forget(self, memory_id: int) -> bool:
        """Remove a memory from every table and index; blank the events it came from."""
        return bool(self.forget_many([memory_id]))

    def forget_many(self, memory_ids: Iterable[int]) -> list[int]:
        ids = sorted({int(i) for i in memory_ids})
        now = to_db(datetime.now(UTC))
        forgotten: list[int] = []
        revived: list[int] = []
        with self.lock:
            index = self.index
            with self.db.transaction():
                for memory_id in ids:
                    row = self.db.execute(
                        "SELECT event_id FROM memories WHERE id = ?", (memory_id,)
                    ).fetchone()
                    if row is None:
                        continue
                    revived += [
                        r[0]
                        for r in self.db.execute(
                            "SELECT id FROM memories WHERE superseded_by = ?", (memory_id,)
                        )
                    ]
                    self.db.execute(
                        "UPDATE events SET payload = '{}', forgotten_at = ? "
                        "WHERE memory_id = ? OR id = ?",
                        (now, memory_id, row[0]),
                    )
                    # An answer that used the memory may repeat it: blank those traces.
                    self.db.execute(
                        "UPDATE exchanges SET user_text = '', answer = '', thinking = NULL, "
                        "prompt = '[]', forgotten_at = ? WHERE id IN (SELECT exchange_id FROM "
                        "exchange_memories WHERE memory_id = ?)",
                        (now, memory_id),
                    )
                    self.db.execute(  # a correction may repeat it too
                        "DELETE FROM feedback WHERE exchange_id IN (SELECT exchange_id FROM "
                        "exchange_memories WHERE memory_id = ?)",
                        (memory_id,),
                    )
                    self.db.execute("DELETE FROM memories_fts WHERE rowid = ?", (memory_id,))
                    self.db.execute("DELETE FROM memories_vec WHERE rowid = ?", (memory_id,))
                    self.db.execute("DELETE FROM memories WHERE id = ?", (memory_id,))
                    forgotten.append(memory_id)
            index.remove(forgotten)
            self._reindex_ids([i for i in revived if i not in forgotten], index)
            # Old page images of the forgotten rows live on in the WAL until a checkpoint.
            self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return forgotten

    def _reindex_ids(self, ids: Sequence[int], index: VectorIndex) -> None:
        for memory_id in ids:
            row = self.db.execute(
                "SELECT embedding FROM memories_vec WHERE rowid = ?", (memory_id,)
            ).fetchone()
            if row:
                index.add([memory_id], np.frombuffer(row[0], dtype=np.float32)[None, :])

    # -- reading ------------------------------------------------------------------------

    def get(self, memory_id: int) -> Memory | None:
        row = self.db.execute("SELECT * FROM memories WHERE id = ?", (memory_id,)).fetchone()
        return Memory.from_row(row) if row else None

    def get_many(self, ids: Sequence[int]) -> dict[int, Memory]:
        found: dict[int, Memory] = {}
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            for row in self.db.execute(f"SELECT * FROM memories WHERE id IN ({marks})", chunk):
                found[row["id"]] = Memory.from_row(row)
        return found

    def iter_memories(self, batch: int = 1000) -> Iterator[Memory]:
        last = 0
        while rows := self.db.execute(
            "SELECT * FROM memories WHERE id > ? ORDER BY id LIMIT ?", (last, batch)
        ).fetchall():
            for row in rows:
                yield Memory.from_row(row)
            last = rows[-1]["id"]

    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM memories").fetchone()[0])

    def search(
        self,
        query: str,
        *,
        k: int | None = None,
        kind: str | None = None,
        source: str | None = None,
        window: TimeWindow | None = None,
        now: datetime | None = None,
        time_phrases: bool = True,
    ) -> list[SearchResult]:
        from .retrieval import Retriever

        return Retriever(self).search(
            query,
            k=k,
            kind=kind,
            source=source,
            window=window,
            now=now,
            time_phrases=time_phrases,
        )

    def stats(self) -> dict[str, Any]:
        with self.lock:  # one moment's figures
            return self._stats(self.db)

    def _stats(self, db: Database) -> dict[str, Any]:
        kinds = dict(db.execute("SELECT kind, count(*) FROM memories GROUP BY kind").fetchall())
        space = self.embedding_space()
        page = (
            db.execute("PRAGMA page_count").fetchone()[0]
            * db.execute("PRAGMA page_size").fetchone()[0]
        )
        return {
            "memories": self.count(),
            "by_kind": kinds,
            "superseded": db.execute(
                "SELECT count(*) FROM memories WHERE superseded_by IS NOT NULL"
            ).fetchone()[0],
            "events": db.execute("SELECT count(*) FROM events").fetchone()[0],
            "forgotten_events": db.execute(
                "SELECT count(*) FROM events WHERE forgotten_at IS NOT NULL"
            ).fetchone()[0],
            "embedding_model": space[0] if space else None,
            "embedding_dim": space[1] if space else None,
            "database": str(self.settings.db_path),
            "database_bytes": page,
            "sqlite": sqlite_version(db),
            "sqlite_module": db.module_name,
            "sqlite_vec": vec_version(db),
        }

    # -- re-embedding -------------------------------------------------------------------

    def reindex(self, progress: Progress | None = None, batch: int = 256) -> int:
        """Re-embed every memory with the configured embedder, in one transaction."""
        total = self.count()
        done = 0
        with self.lock:
            with self.db.transaction():
                self._create_space(self.embedder.model_id, self.embedder.dim)
                last = 0
                while rows := self.db.execute(
                    "SELECT id, text FROM memories WHERE id > ? ORDER BY id LIMIT ?",
                    (last, batch),
                ).fetchall():
                    vectors = self.embedder.embed([row[1] for row in rows])
                    self.db.executemany(
                        "INSERT INTO memories_vec (rowid, embedding) VALUES (?, ?)",
                        [(row[0], vec.tobytes()) for row, vec in zip(rows, vectors, strict=True)],
                    )
                    last = rows[-1][0]
                    done += len(rows)
                    if progress:
                        progress(done, total)
            self._index = None
        return done
