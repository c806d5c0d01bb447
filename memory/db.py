"""The one way to open the database: SQLite with sqlite-vec loaded, WAL, durable commits.

The stdlib ``sqlite3`` is used where it can load extensions (Debian's and Termux's
Python); otherwise ``sqlean`` (sqlean.py), a drop-in build that can. Which one was used
is kept on the connection's module for ``memory stats`` and ``doctor``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

from .. import host

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
        Path(path).parent.mkdir(parents=True, exist_ok=True)
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
    """``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any exception."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")


def sqlite_version(conn: Connection) -> str:
    return str(conn.execute("SELECT sqlite_version()").fetchone()[0])


def vec_version(conn: Connection) -> str:
    return str(conn.execute("SELECT vec_version()").fetchone()[0])
