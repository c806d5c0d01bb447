"""The one way to open the database: SQLite with sqlite-vec loaded, WAL, durable commits.

The stdlib ``sqlite3`` is used where it can load extensions (Debian's and Termux's
Python); otherwise ``sqlean`` (sqlean.py), a drop-in build that can. Which one was used
is kept on the connection's module for ``memory stats`` and ``doctor``.
"""

from __future__ import annotations

import shutil
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

from . import host
from .privacy import private_db

BUSY_TIMEOUT_MS = 5000

Connection = Any  # sqlite3.Connection or sqlean.Connection: same API, distinct classes


class StorageError(RuntimeError):
    """The database could not be opened or used as required."""


def _can_load_extensions(module: ModuleType) -> bool:
    return hasattr(module.Connection, "enable_load_extension")


def sqlite_module() -> ModuleType:
    """The sqlite3-compatible module that can load sqlite-vec here."""
    if _can_load_extensions(sqlite3):
        return sqlite3
    try:
        import sqlean
    except ImportError:
        sqlean = None
    if sqlean is not None and _can_load_extensions(sqlean):
        module: ModuleType = sqlean
        return module
    raise StorageError(
        "cannot load SQLite extensions: this Python's sqlite3 lacks enable_load_extension "
        "and sqlean.py is not installed (pip install sqlean.py, or use a Python whose "
        "sqlite3 can load extensions, such as Debian's or Termux's)"
    )


def sqlite_vec_source() -> Path:
    """Where sqlite-vec comes from: the ``sqlite-vec`` wheel, else a compiled ``vec0.so``.

    There is no sqlite-vec wheel for Termux; termux/install.sh compiles the amalgamation
    into ``$PREFIX/lib/sqlite-vec/vec0.so`` (see :func:`pocketmind.host.sqlite_vec_candidates`).
    """
    try:
        import sqlite_vec
    except ImportError:
        pass
    else:
        return Path(sqlite_vec.loadable_path())
    for candidate in host.sqlite_vec_candidates():
        if candidate.is_file():
            return candidate
    raise StorageError(
        "sqlite-vec not found: pip install sqlite-vec, or on Termux run termux/install.sh "
        "(it compiles vec0.so into $PREFIX/lib/sqlite-vec), or set POCKETMIND_SQLITE_VEC to "
        "a compiled vec0.so"
    )


def connect(path: Path | str) -> Connection:
    """Open ``path`` (or ``":memory:"``) with sqlite-vec loaded and our pragmas set.

    Autocommit mode: callers group writes with :func:`transaction`.
    """
    source = sqlite_vec_source()
    module = sqlite_module()
    if str(path) != ":memory:":
        private_db(Path(path))  # 0600 before SQLite opens it: the -wal and -shm inherit it
    try:
        conn = module.connect(
            str(path),
            timeout=BUSY_TIMEOUT_MS / 1000,
            isolation_level=None,
            check_same_thread=False,
        )
    except module.Error as exc:
        raise StorageError(f"cannot open database {path}: {exc}") from exc
    try:
        conn.enable_load_extension(True)
        conn.load_extension(str(source))
        conn.enable_load_extension(False)
    except (module.Error, AttributeError) as exc:
        conn.close()
        raise StorageError(
            f"cannot load sqlite-vec ({source}) into {module.__name__}: {exc}"
        ) from exc
    conn.row_factory = module.Row
    for pragma in (
        "journal_mode=WAL",
        # FULL: a commit survives power loss (a phone's battery can die mid-write); the
        # ingest path batches commits, so the fsync cost is paid per batch.
        "synchronous=FULL",
        f"busy_timeout={BUSY_TIMEOUT_MS}",
        "foreign_keys=ON",
        # Forgotten memories are overwritten on disk, not just unlinked.
        "secure_delete=ON",
        # 16 MiB of page cache (SQLite's default is 2 MiB): FTS and row lookups of a
        # 100k-memory store stay in memory between searches.
        "cache_size=-16384",
    ):
        conn.execute(f"PRAGMA {pragma}")
    return conn


@contextmanager
def transaction(conn: Connection) -> Iterator[Connection]:
    """``BEGIN IMMEDIATE`` … ``COMMIT`` on a connection no other thread uses, rolled back
    on any exception. Shared connections go through :meth:`Database.transaction`."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException:
        # SQLite may have rolled back already (a full disk does that): ROLLBACK would
        # then fail and hide the error that matters.
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


SQLITE_FULL = 13  # "database or disk is full"


class DiskFull(StorageError):
    """SQLite could not grow the database: the disk (or the database's size cap) is full.
    Nothing of the failed transaction was written; retry once there is space."""


# sqlite-vec reports a failed write of a vector chunk (a new chunk is a large blob: the
# first write to fail when space runs out) as SQLITE_ERROR with this text, not SQLITE_FULL.
_VEC_CHUNK = "could not insert a new vector chunk"
ROOM_BYTES = 64 << 20  # less free than this (on disk, or under max_page_count) is "full"


def _is_full(exc: BaseException) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    return code == SQLITE_FULL or "database or disk is full" in str(exc)


def _disk_full(exc: BaseException) -> DiskFull:
    return DiskFull(
        f"the disk is full: cannot write to the memory database ({exc}); free some space, "
        "nothing acknowledged is lost"
    )


class Result:
    """The rows of one statement, read to the end while the database's lock was held
    (a cursor stepped later could see another thread's transaction half done)."""

    __slots__ = ("_next", "_rows", "lastrowid", "rowcount")

    def __init__(self, cursor: Any) -> None:
        self._rows: list[Any] = cursor.fetchall()
        self._next = 0
        self.lastrowid: Any = cursor.lastrowid  # Any, as a cursor's: set after an INSERT
        self.rowcount: int = cursor.rowcount

    def fetchone(self) -> Any:  # a row or None, typed as sqlite3's
        if self._next >= len(self._rows):
            return None
        self._next += 1
        return self._rows[self._next - 1]

    def fetchmany(self, size: int = 1) -> list[Any]:
        rows = self._rows[self._next : self._next + size]
        self._next += len(rows)
        return rows

    def fetchall(self) -> list[Any]:
        return self.fetchmany(len(self._rows))

    def __iter__(self) -> Iterator[Any]:
        return iter(self.fetchall())


class Database:
    """The database and the one discipline every thread uses it by: one connection,
    one lock.

    Every statement runs with ``lock`` held, and a transaction holds it from ``BEGIN
    IMMEDIATE`` to ``COMMIT``, so no thread ever sees (or joins) another's transaction
    half done; reads are read to the end under the lock. Writers serialize in the order
    they ask, without SQLite's sleep-and-retry busy handler between them. (One connection
    per thread with SQLite's own locking was measured against this: see ``bench/daemon.py``
    and the README.) A full disk raises :class:`DiskFull`, with the transaction rolled back.

    This is the seam each table's owner (the store, the trace log, the reminders…) writes
    through: ``transaction()`` for writes, ``execute()``/``query()``/``one()`` for reads,
    ``reading()`` for several reads that must agree or one streamed with ``fetchmany``.
    """

    def __init__(self, conn: Connection, path: Path | str = ":memory:") -> None:
        self.conn = conn
        self.path = str(path)
        self.lock = threading.RLock()
        self._depth = 0  # transactions open on this connection (only the lock's owner looks)

    @classmethod
    def open(cls, path: Path | str) -> Database:
        return cls(connect(path), path)

    @contextmanager
    def _storage_errors(self) -> Iterator[None]:
        """SQLite's and sqlite-vec's storage failures, raised as a StorageError."""
        try:
            yield
        except Exception as exc:
            if isinstance(exc, StorageError):
                raise
            if _is_full(exc):
                raise _disk_full(exc) from exc
            if _VEC_CHUNK in str(exc).lower():
                if self._short_of_room():
                    raise _disk_full(exc) from exc
                raise StorageError(f"the memory database could not store a vector: {exc}") from exc
            raise

    def _short_of_room(self) -> bool:
        size, cap, pages = (
            self.conn.execute(f"PRAGMA {name}").fetchone()[0]
            for name in ("page_size", "max_page_count", "page_count")
        )
        if (cap - pages) * size < ROOM_BYTES:
            return True
        if self.path == ":memory:":
            return False
        return shutil.disk_usage(Path(self.path).parent).free < ROOM_BYTES

    @property
    def module_name(self) -> str:
        """``sqlite3`` or ``sqlean``: which module's connection this is."""
        return type(self.conn).__module__.split(".")[0]

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """One atomic write, serialized with every other thread's. Nested inside another
        transaction of the same thread it is a savepoint: undone alone if it fails."""
        with self.lock, self._storage_errors():
            self._depth += 1
            try:
                if self._depth == 1:
                    with transaction(self.conn):
                        yield self
                        if not self.conn.in_transaction:  # SQLite rolled back under us
                            raise StorageError("the transaction was rolled back by SQLite")
                else:
                    yield from self._savepoint()
            finally:
                self._depth -= 1

    def _savepoint(self) -> Iterator[Database]:
        name = f"pm{self._depth}"
        self.conn.execute(f"SAVEPOINT {name}")
        try:
            yield self
            self.conn.execute(f"RELEASE {name}")
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute(f"ROLLBACK TO {name}")
                self.conn.execute(f"RELEASE {name}")
            raise

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """The connection itself, with the lock held: reads that must agree with each
        other, or a long one streamed with ``fetchmany``. Not for writes."""
        with self.lock, self._storage_errors():
            yield self.conn

    def execute(self, sql: str, args: Sequence[Any] | dict[str, Any] = ()) -> Result:
        """One statement; inside :meth:`transaction` for writes that must go together."""
        with self.lock, self._storage_errors():
            return Result(self.conn.execute(sql, args))

    def executemany(self, sql: str, rows: Any) -> Result:
        with self.lock, self._storage_errors():
            return Result(self.conn.executemany(sql, rows))

    def query(self, sql: str, args: Sequence[Any] | dict[str, Any] = ()) -> list[Any]:
        return self.execute(sql, args).fetchall()

    def one(self, sql: str, args: Sequence[Any] | dict[str, Any] = ()) -> Any:
        return self.execute(sql, args).fetchone()

    def data_version(self) -> int:
        """Changes when another connection (another process) has committed since."""
        return int(self.one("PRAGMA data_version")[0])

    def close(self) -> None:
        with self.lock:
            self.conn.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def sqlite_version(conn: Connection) -> str:
    return str(conn.execute("SELECT sqlite_version()").fetchone()[0])


def vec_version(conn: Connection) -> str:
    return str(conn.execute("SELECT vec_version()").fetchone()[0])
