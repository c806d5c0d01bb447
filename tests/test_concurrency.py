"""Many clients at once on a real daemon: chats (streamed and not) while events pour in.

Every chat writes its trace, every event batch is committed before it is acknowledged,
and the ingest worker turns events into memories in the background: all of them write
to the one database at the same time. Nothing may fail, no stream may be cut short, and
every acknowledged event must end up remembered.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from daemon_helpers import DaemonProcess
from patience import patience

from pocketmind.chat import ExchangeLog
from pocketmind.db import connect
from pocketmind.engine.base import ChatStats, Message
from pocketmind.ingest import EventLog
from pocketmind.memory import MemoryStore, NewEvent

CHAT_CLIENTS = 8
CHATS_EACH = 12
INGEST_CLIENTS = 2
BATCHES_EACH = 15
BATCH = 40


def _http(process: DaemonProcess) -> httpx.Client:
    return httpx.Client(
        transport=httpx.HTTPTransport(uds=str(process.settings.socket_path)),
        base_url="http://pocketmind",
        timeout=patience(60),
    )


def _chat(http: httpx.Client, n: int, client: int, errors: list[str]) -> None:
    conversation = f"c{client}"
    # Alternate streamed and plain answers; first-person statements make the fact
    # extractor run too (another model call and, when it learns, more writes).
    question = (
        f"I am planning trip {n} with my sister"
        if n % 3 == 0
        else f"what did the parcel {n} notification say?"
    )
    body = {"question": question, "conversation_id": conversation, "stream": n % 2 == 0}
    if not body["stream"]:
        response = http.post("/chat", json=body)
        if response.status_code != 200:
            errors.append(f"chat {client}/{n}: {response.status_code} {response.text[:200]}")
        elif not response.json().get("exchange_id"):
            errors.append(f"chat {client}/{n}: no exchange id in {response.text[:200]}")
        return
    events: list[tuple[str, Any]] = []
    with http.stream("POST", "/chat", json=body) as response:
        if response.status_code != 200:
            response.read()
            errors.append(f"stream {client}/{n}: {response.status_code} {response.text[:200]}")
            return
        event = "message"
        for line in response.iter_lines():
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                events.append((event, json.loads(line[5:])))
    kinds = [kind for kind, _ in events]
    if "error" in kinds or kinds[-1:] != ["done"] or not events[-1][1].get("exchange_id"):
        errors.append(f"stream {client}/{n}: truncated or failed: {events[-2:]}")


def _ingest(
    http: httpx.Client, n: int, client: int, errors: list[str], acked: dict[str, int]
) -> None:
    keys = [f"i{client}-{n}-{j}" for j in range(BATCH)]
    events = [
        {
            "source": "termux-notification",
            "kind": "notification",
            "key": key,
            "payload": {"text": f"Notification {key}: parcel {key} is out for delivery"},
        }
        for key in keys
    ]
    response = http.post("/events", json={"events": events})
    if response.status_code == 503 and "queue full" in response.text:
        time.sleep(0.2)  # backpressure is an answer, not an error: send it again
        return _ingest(http, n, client, errors, acked)
    if response.status_code != 202:
        errors.append(f"events {client}/{n}: {response.status_code} {response.text[:200]}")
        return None
    ids = response.json()["ids"]
    acked.update(zip(keys, ids, strict=True))
    return None


def _worker(
    process: DaemonProcess, count: int, job: Callable[[httpx.Client, int], None], errors: list[str]
) -> threading.Thread:
    def run() -> None:
        with _http(process) as http:
            for n in range(count):
                try:
                    job(http, n)
                except Exception as exc:  # a dropped connection, a cut stream
                    errors.append(f"{threading.current_thread().name} {n}: {exc!r}")

    return threading.Thread(target=run)


def test_every_writer_shares_one_discipline(store: MemoryStore) -> None:
    """Traces, events, memories and forgetting from many threads on one store: each
    transaction whole, none inside another's."""
    errors: list[str] = []
    traces = ExchangeLog(store.db)
    kept = store.remember("Maya lives in Lisbon", kind="fact").id

    def job(name: str, step: Callable[[int], object]) -> threading.Thread:
        def run() -> None:
            for n in range(40):
                try:
                    step(n)
                except Exception as exc:
                    errors.append(f"{name} {n}: {exc!r}")

        return threading.Thread(target=run, name=name)

    def trace(n: int) -> None:
        traces.record(
            f"c{n}", "where?", "Lisbon", [Message("user", "where?")], [kept], ChatStats("m", None)
        )

    def remember_and_forget(n: int) -> None:
        memory = store.remember(f"note {n} about parcel {n}").id
        if n % 2:
            store.forget(memory)

    threads = [job(f"trace{i}", trace) for i in range(4)] + [
        job(
            "events",
            lambda n: EventLog(store.db, store.settings).record(
                [NewEvent("s", "k", {"text": f"event {n} {j}"}) for j in range(5)]
            ),
        ),
        job("memories", remember_and_forget),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=patience(60))
    assert errors == [], errors[:5]
    assert store.db.one("SELECT count(*) FROM exchanges")[0] == 160
    assert store.db.one("SELECT count(*) FROM events WHERE kind = 'k'")[0] == 200
    assert store.db.query("PRAGMA foreign_key_check") == []


@pytest.mark.slow
def test_chats_and_events_at_once_lose_nothing(tmp_path: Path) -> None:
    process = DaemonProcess(tmp_path / "home").start()
    errors: list[str] = []
    acked: dict[str, int] = {}
    try:
        with process.client() as client:
            client.request(
                "POST", "/memories", json={"text": "My sister Maya lives in Lisbon", "kind": "fact"}
            )
        threads = [
            _worker(
                process,
                CHATS_EACH,
                lambda http, n, c=c: _chat(http, n, c, errors),
                errors,
            )
            for c in range(CHAT_CLIENTS)
        ] + [
            _worker(
                process,
                BATCHES_EACH,
                lambda http, n, c=c: _ingest(http, n, c, errors, acked),
                errors,
            )
            for c in range(INGEST_CLIENTS)
        ]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + patience(180)
        for thread in threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
        assert not any(thread.is_alive() for thread in threads), "clients did not finish"
        with process.client() as client:
            drained = time.monotonic() + patience(60)
            while (status := client.status())["queue_depth"] and time.monotonic() < drained:
                time.sleep(0.05)
        assert status["queue_depth"] == 0
        assert status["ingest"]["failed"] == 0
    finally:
        process.stop()
    log = process.log.read_text()
    assert errors == [], "\n".join(errors[:20])
    assert "Traceback" not in log, log[-3000:]
    assert len(acked) == INGEST_CLIENTS * BATCHES_EACH * BATCH
    db = connect(process.settings.db_path)
    try:
        rows = {
            key: (event_id, memory_id, processed)
            for key, event_id, memory_id, processed in db.execute(
                "SELECT key, id, memory_id, processed_at FROM events WHERE key IS NOT NULL"
            )
        }
        exchanges = db.execute("SELECT count(*) FROM exchanges").fetchone()[0]
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        orphans = db.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        db.close()
    missing = [k for k, i in acked.items() if k not in rows or rows[k][0] != i]
    unremembered = [k for k in acked if k in rows and (rows[k][1] is None or rows[k][2] is None)]
    assert missing == [] and unremembered == [], (missing[:5], unremembered[:5])
    assert exchanges >= CHAT_CLIENTS * CHATS_EACH
    assert integrity == "ok" and orphans == []
