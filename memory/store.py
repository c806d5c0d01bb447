"""The memory store: memories and their full-text and vector indexes (this room owns
``memories``, ``memories_fts``, ``memories_vec`` and ``embedding_space``).

Every write is one transaction across all of them; the in-RAM vector index is updated
only after the commit, so a crash can lose nothing acknowledged and leave nothing
half-written. ``MemoryStore`` is safe to share between threads: it reads and writes
through a :class:`~pocketmind.db.Database`, whose lock also guards the index.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np

from ..db import Connection, Database, StorageError, sqlite_version, vec_version
from ..embedders import Embedder, make_embedder
from ..schema import event_log, forgetters, migrate
from ..settings import Settings
from ..validation import InputError
from .candidates import SearchCandidates
from .instants import to_db
from .lookup import MemoryLookup
from .model import Memory, NewMemory, Remembered
from .vectors import VectorIndex
from .writing import Prepared, exact_duplicates, near_duplicates, prepare, write

Progress = Callable[[int, int], object]


def recorded_space(db: Connection | Database) -> tuple[str, int] | None:
    """The (model id, dimension) a database's vectors were made with, if any yet."""
    row = db.execute("SELECT model_id, dim FROM embedding_space WHERE id = 1").fetchone()
    return (row[0], row[1]) if row else None


class EmbeddingMismatch(StorageError):
    """The database holds vectors from another embedding model than the configured one."""


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
        self.lookup = MemoryLookup(self.db)  # what other rooms may ask of the memories
        self.candidates = SearchCandidates(self.db)  # what a search starts from
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

    def validate(self, item: NewMemory, where: str = "item") -> None:
        """Raise ``InputError`` naming ``where`` if ``item`` cannot be remembered."""
        prepare(item, where, datetime.now(UTC), self.settings)

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
            prepare(item, label, now, self.settings)
            for item, label in zip(items, labels, strict=True)
        ]
        return self.remember_prepared(prepared, now)

    def prepare(
        self, items: Sequence[NewMemory], where: Sequence[str]
    ) -> list[Prepared | InputError]:
        """Check each item once: ready to write, or the error that names what is wrong."""
        now = datetime.now(UTC)
        out: list[Prepared | InputError] = []
        for item, label in zip(items, where, strict=True):
            try:
                out.append(prepare(item, label, now, self.settings))
            except InputError as exc:
                out.append(exc)
        return out

    def remember_prepared(
        self,
        prepared: Sequence[Prepared],
        now: datetime | None = None,
        *,
        alongside: Callable[[], object] | None = None,
    ) -> list[Remembered]:
        """Write items :meth:`prepare` accepted, in one transaction: all, or none.
        ``alongside`` runs inside that transaction: another room's write that must commit
        (or roll back) with these memories, like the ingest stage marking the batch's
        events that carried nothing to remember."""
        now = now or datetime.now(UTC)
        # Embedding is the slow part: do it before taking the lock, so acknowledging
        # events (the events log) never waits behind a batch being embedded.
        embedded = self.embedder.embed([p.text for p in prepared])
        with self.lock:
            index = self.index
            targets, fresh = exact_duplicates(self.db, prepared)
            vectors = embedded[fresh]
            near_duplicates(self.db, self.settings, prepared, fresh, vectors, targets, index)
            new_rows: dict[int, int] = {}
            with self.db.transaction():
                results = [
                    write(self.db, p, i, targets, new_rows, now) for i, p in enumerate(prepared)
                ]
                for j, i in enumerate(fresh):
                    if targets[i] is None:
                        self.db.execute(
                            "INSERT INTO memories_vec (rowid, embedding) VALUES (?, ?)",
                            (new_rows[i], vectors[j].tobytes()),
                        )
                if alongside is not None:
                    alongside()
            kept = [j for j, i in enumerate(fresh) if targets[i] is None]
            index.add([new_rows[fresh[j]] for j in kept], vectors[kept])
            return results

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
        hooks = forgetters()
        with self.lock:
            index = self.index
            with self.db.transaction():
                for memory_id in ids:
                    row = self.db.execute(
                        "SELECT event_id, text FROM memories WHERE id = ?", (memory_id,)
                    ).fetchone()
                    if row is None:
                        continue
                    revived += [
                        r[0]
                        for r in self.db.execute(
                            "SELECT id FROM memories WHERE superseded_by = ?", (memory_id,)
                        )
                    ]
                    for forget in hooks:  # the events log, exchanges… blank their copies
                        forget(self.db, [(memory_id, row[0])], now)
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

    def recent(self, limit: int = 20) -> list[Memory]:
        """The latest memories still current (not superseded), newest first: what the
        TUI's memory browser shows before any search."""
        rows = self.db.execute(
            "SELECT * FROM memories WHERE superseded_by IS NULL "
            "ORDER BY occurred_at DESC, id DESC LIMIT ?",
            (limit,),
        ).fetchall()
        return [Memory.from_row(row) for row in rows]

    def iter_memories(self, batch: int = 1000, after: int = 0) -> Iterator[Memory]:
        """Every memory with an id above ``after``, oldest first, read ``batch`` at a time."""
        last = after
        while rows := self.db.execute(
            "SELECT * FROM memories WHERE id > ? ORDER BY id LIMIT ?", (last, batch)
        ).fetchall():
            for row in rows:
                yield Memory.from_row(row)
            last = rows[-1]["id"]

    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM memories").fetchone()[0])

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
            **event_log().counts(db),
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
