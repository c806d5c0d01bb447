import sqlite3
from pathlib import Path

import pytest

from pocketmind import db
from pocketmind.db import StorageError, connect, transaction


def test_connection_loads_sqlite_vec_with_durable_pragmas(tmp_path: Path) -> None:
    conn = connect(tmp_path / "x.db")
    assert conn.execute("SELECT vec_version()").fetchone()[0].startswith("v")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == db.BUSY_TIMEOUT_MS
    conn.close()


def test_transaction_rolls_back_on_error(tmp_path: Path) -> None:
    conn = connect(tmp_path / "x.db")
    conn.execute("CREATE TABLE t (x)")
    with pytest.raises(RuntimeError), transaction(conn):
        conn.execute("INSERT INTO t VALUES (1)")
        raise RuntimeError("boom")
    assert conn.execute("SELECT count(*) FROM t").fetchone()[0] == 0


def test_clear_error_when_no_module_can_load_extensions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(db, "_can_load_extensions", lambda module: False)
    with pytest.raises(StorageError, match=r"sqlite3.*sqlean"):
        db.sqlite_module()


def test_stdlib_sqlite3_is_preferred_when_it_can_load_extensions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(db, "_can_load_extensions", lambda module: module is sqlite3)
    assert db.sqlite_module() is sqlite3


def test_unopenable_path_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises((StorageError, OSError)):
        connect(blocker / "sub" / "x.db")
