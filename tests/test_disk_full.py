"""A full disk: a clear answer, nothing acknowledged lost, the backlog retried when space
returns. The disk is SQLite's own: ``PRAGMA max_page_count`` caps the file, and SQLite
then fails exactly as on a full disk ("database or disk is full", SQLITE_FULL)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from patience import patience

from pocketmind.daemon.api import create_app
from pocketmind.daemon.runtime import Runtime
from pocketmind.daemon.server import make_server
from pocketmind.db import Database, DiskFull
from pocketmind.engine import FakeEngine
from pocketmind.settings import load_settings

UNCAPPED = 1_073_741_823  # SQLite's default max_page_count


def _cap(db: Database, spare_pages: int) -> None:
    pages = db.one("PRAGMA page_count")[0]
    db.execute(f"PRAGMA max_page_count = {pages + spare_pages}")


def test_a_full_disk_rolls_back_and_names_itself(tmp_path: Path) -> None:
    with Database.open(tmp_path / "x.db") as db:
        db.execute("CREATE TABLE t (x)")
        with db.transaction():
            db.execute("INSERT INTO t VALUES ('kept')")
        _cap(db, 1)
        with pytest.raises(DiskFull, match="disk is full"), db.transaction():
            db.executemany("INSERT INTO t VALUES (?)", [("x" * 2000,) for _ in range(200)])
        assert not db.conn.in_transaction  # rolled back, not left open for the next writer
        assert [tuple(r) for r in db.query("SELECT x FROM t")] == [("kept",)]
        db.execute(f"PRAGMA max_page_count = {UNCAPPED}")
        with db.transaction():  # space is back: the same connection writes again
            db.executemany("INSERT INTO t VALUES (?)", [("x" * 2000,) for _ in range(200)])
        assert db.one("SELECT count(*) FROM t")[0] == 201


def test_a_failed_savepoint_is_undone_alone(tmp_path: Path) -> None:
    with Database.open(tmp_path / "x.db") as db:
        db.execute("CREATE TABLE t (x)")
        with db.transaction():
            db.execute("INSERT INTO t VALUES ('outer')")
            with pytest.raises(ValueError), db.transaction():
                db.execute("INSERT INTO t VALUES ('inner')")
                raise ValueError("undo me")
        assert [tuple(r) for r in db.query("SELECT x FROM t")] == [("outer",)]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Runtime, httpx.Client]]:
    """The daemon's runtime and API in this process, on its real Unix socket, so the
    test can reach the database's connection to fill and free the "disk"."""
    settings = load_settings(
        tmp_path / "home",
        timezone="UTC",
        embedder={"backend": "fake"},
        engine={"backend": "fake"},
    )
    runtime = Runtime(settings, engine_factory=lambda s: FakeEngine())
    runtime.start()
    runtime.ingestor.retry_max_s = 0.5  # the backlog's retries, a test's pace
    server, sockets = make_server(create_app(runtime), settings, None)
    thread = threading.Thread(target=server.run, kwargs={"sockets": sockets})
    thread.start()
    http = httpx.Client(
        transport=httpx.HTTPTransport(uds=str(settings.socket_path)),
        base_url="http://pocketmind",
        timeout=patience(30),
    )
    try:
        deadline = time.monotonic() + patience(30)
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        yield runtime, http
    finally:
        http.close()
        server.should_exit = True
        thread.join(timeout=patience(30))
        runtime.stop()


def _batch(n: int) -> dict[str, Any]:
    return {
        "events": [
            {
                "source": "termux-notification",
                "kind": "notification",
                "key": f"b{n}-{i}",
                "payload": {"text": f"Parcel {n}-{i} is out for delivery to locker {i}"},
            }
            for i in range(20)
        ]
    }


def _wait(http: httpx.Client, done: Any, seconds: float) -> dict[str, Any]:
    deadline = time.monotonic() + patience(seconds)
    while not done(status := http.get("/status").json()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return status  # type: ignore[no-any-return]


def test_events_on_a_full_disk_get_507_and_the_backlog_is_remembered_later(
    served: tuple[Runtime, httpx.Client],
) -> None:
    runtime, http = served
    db = runtime.store.db
    # Room for a few event batches, not for the first memory (its vector chunk).
    _cap(db, 24)
    acked: list[int] = []
    refused = None
    for n in range(200):
        response = http.post("/events", json=_batch(n))
        if response.status_code != 202:
            refused = response
            break
        acked += response.json()["ids"]
    assert refused is not None, "the capped database never filled"
    assert refused.status_code == 507, refused.text
    assert "disk is full" in refused.json()["detail"]
    assert refused.headers["retry-after"]
    assert acked, "nothing was acknowledged before the disk filled"
    memory = http.post("/memories", json={"text": "Maya's birthday is 3 May"})
    assert memory.status_code == 507 and "disk is full" in memory.json()["detail"]

    # Acknowledged, not remembered, and status says so; the worker keeps them for later.
    status = _wait(http, lambda s: s["ingest"]["retrying"] == len(acked), 30)
    assert status["pending"] == len(acked)
    assert status["queue_depth"] == len(acked)
    assert status["ingest"]["retrying"] == len(acked)
    assert "disk is full" in status["ingest"]["last_error"]

    db.execute(f"PRAGMA max_page_count = {UNCAPPED}")  # space is back; no restart
    status = _wait(http, lambda s: s["pending"] == 0, 60)
    assert status["pending"] == 0 and status["queue_depth"] == 0
    assert status["ingest"]["failed"] == 0 and status["ingest"]["last_error"] is None
    remembered = db.query(
        f"SELECT count(*) FROM events WHERE memory_id IS NOT NULL AND id IN "
        f"({','.join('?' * len(acked))})",
        acked,
    )[0][0]
    assert remembered == len(acked)
    assert http.post("/events", json=_batch(999)).status_code == 202
