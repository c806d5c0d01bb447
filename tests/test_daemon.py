"""The daemon as a real process on a real Unix socket."""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from daemon_helpers import DaemonProcess, connect_wifi
from patience import patience

from pocketmind.daemon.client import DaemonClient, DaemonError
from pocketmind.db import connect

pytestmark = pytest.mark.slow


@pytest.fixture
def daemon(tmp_path: Path) -> Iterator[DaemonProcess]:
    process = DaemonProcess(tmp_path / "home").start()
    yield process
    process.stop()


def _raw(settings_socket: Path, request: bytes) -> bytes:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(patience(10))
        s.connect(str(settings_socket))
        s.sendall(request)
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
        return b"".join(chunks)


def test_status_reports_every_part_and_files_are_private(daemon: DaemonProcess) -> None:
    with daemon.client() as client:
        report = client.status()
    assert list(report["components"]) == [
        "database",
        "embedder",
        "engine",
        "actions",
        "ingest",
        "sensors",
        "scheduler",
        "mcp",
        "api",
    ]
    assert all(part["state"] == "running" for part in report["components"].values())
    assert report["model"] == "fake-model" and report["queue_depth"] == 0
    settings = daemon.settings
    assert stat.S_IMODE(settings.socket_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(settings.run_dir.stat().st_mode) == 0o700


def test_one_instance_per_home(daemon: DaemonProcess) -> None:
    second = subprocess.run(
        [sys.executable, "-m", "pocketmind.cli", "up"],
        env=daemon.env,
        capture_output=True,
        text=True,
        timeout=patience(60),
    )
    assert second.returncode == 1
    assert "already running" in second.stderr


def test_sigterm_stops_in_reverse_order_and_cleans_up(daemon: DaemonProcess) -> None:
    assert daemon.stop() == 0
    log = daemon.log.read_text()
    started = [
        line.rsplit("starting ", 1)[1]
        for line in log.splitlines()
        if "pocketmind.daemon.runtime: starting " in line
    ]
    stopped = [
        line.rsplit("stopping ", 1)[1]
        for line in log.splitlines()
        if "pocketmind.daemon.runtime: stopping " in line
    ]
    assert started == [
        "database",
        "embedder",
        "engine",
        "actions",
        "ingest",
        "sensors",
        "scheduler",
        "mcp",
    ]
    assert stopped == started[::-1]
    assert "stopped" in log.splitlines()[-1]
    settings = daemon.settings
    assert not settings.socket_path.exists()
    assert not (settings.run_dir / "pocketmind.pid").exists()


def test_events_are_acknowledged_then_remembered(daemon: DaemonProcess) -> None:
    events = [
        {
            "source": "termux-notification",
            "kind": "notification",
            "key": "n1",
            "payload": {
                "text": "New notification from Gmail: Riverside Dental — moved to Friday",
                "app": "com.google.android.gm",
            },
        },
        {"source": "termux-battery", "kind": "battery", "payload": {"percentage": 19}},
    ]
    with daemon.client() as client:
        ids = client.request("POST", "/events", json={"events": events})["ids"]
        again = client.request("POST", "/events", json={"events": events[:1]})["ids"]
        assert again == ids[:1]  # the same key is not logged twice
        deadline = time.monotonic() + 10
        while client.status()["queue_depth"] and time.monotonic() < deadline:
            time.sleep(0.05)
        hits = client.request("GET", "/memories", params={"q": "dentist friday"})
    assert hits[0]["text"].startswith("New notification from Gmail")
    assert hits[0]["meta"] == {"app": "com.google.android.gm"}
    assert hits[0]["source"] == "termux-notification"


def test_backpressure_refuses_instead_of_growing(tmp_path: Path) -> None:
    process = DaemonProcess(tmp_path / "h", {"POCKETMIND_DAEMON__INGEST_CAPACITY": "3"}).start()
    try:
        with (
            process.client() as client,
            pytest.raises(DaemonError, match="503: ingest queue full"),
        ):
            client.request(
                "POST",
                "/events",
                json={
                    "events": [
                        {"source": "s", "kind": "k", "payload": {"text": f"t{i}"}} for i in range(4)
                    ]
                },
            )
    finally:
        process.stop()


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (b'{"text": "x"', 422, "JSON decode error"),
        (b'{"text": "x", "colour": "blue"}', 422, "colour"),
        (b'{"text": ""}', 422, "text"),
        (b'{"text": "\xff\xfe"}', 400, "parsing the body"),
        (b'{"text": "x", "at": "banana"}', 422, "invalid date"),
        (b"[1, 2]", 422, ""),
    ],
)
def test_bad_bodies_get_a_4xx_with_a_message(
    daemon: DaemonProcess, body: bytes, status: int, message: str
) -> None:
    transport = httpx.HTTPTransport(uds=str(daemon.settings.socket_path))
    with httpx.Client(transport=transport, base_url="http://pm") as http:
        response = http.post(
            "/memories", content=body, headers={"content-type": "application/json"}
        )
    assert response.status_code == status
    detail = response.json()["detail"]
    assert detail and message in json.dumps(detail)


def test_oversized_bodies_are_refused(tmp_path: Path) -> None:
    process = DaemonProcess(tmp_path / "h", {"POCKETMIND_DAEMON__MAX_BODY_BYTES": "2048"}).start()
    try:
        big = json.dumps({"text": "x" * 5000}).encode()
        declared = _raw(
            process.settings.socket_path,
            b"POST /memories HTTP/1.1\r\nhost: pm\r\ncontent-type: application/json"
            b"\r\ncontent-length: %d\r\nconnection: close\r\n\r\n" % len(big) + big,
        )
        assert declared.startswith(b"HTTP/1.1 413")
        chunked = _raw(
            process.settings.socket_path,
            b"POST /memories HTTP/1.1\r\nhost: pm\r\ncontent-type: application/json"
            b"\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n"
            + b"%x\r\n" % len(big)
            + big
            + b"\r\n0\r\n\r\n",
        )
        assert chunked.startswith(b"HTTP/1.1 413")
    finally:
        process.stop()


def test_the_official_openai_client_talks_to_the_assistant(daemon: DaemonProcess) -> None:
    import openai

    with daemon.client() as client:
        client.request("POST", "/memories", json={"text": "Maya moved to Lisbon", "kind": "fact"})
    http = httpx.Client(transport=httpx.HTTPTransport(uds=str(daemon.settings.socket_path)))
    ai = openai.OpenAI(base_url="http://pocketmind/v1", api_key="unused", http_client=http)
    assert [m.id for m in ai.models.list()] == ["fake-model"]
    reply = ai.chat.completions.create(
        model="fake-model",
        max_tokens=64,
        messages=[
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Where does Maya live?"},
        ],
    )
    # The fake model says "I don't know."; the support check shows what was found instead
    # (chat/support.py), to an OpenAI client as to the chat.
    hedge = "I'm not sure. The closest memory: 'Maya moved to Lisbon'"
    content = reply.choices[0].message.content
    assert content is not None and content.startswith(hedge)
    assert reply.usage is not None and reply.usage.completion_tokens == 3
    extra = reply.model_extra or {}
    assert extra["pocketmind"]["memories"][0]["text"] == "Maya moved to Lisbon"
    pieces = [
        chunk.choices[0].delta.content or ""
        for chunk in ai.chat.completions.create(
            model="fake-model",
            stream=True,
            messages=[{"role": "user", "content": "Where does Maya live?"}],
        )
        if chunk.choices
    ]
    assert "".join(pieces) == content
    http.close()


def test_chat_streams_tokens_then_the_answer(daemon: DaemonProcess) -> None:
    with daemon.client() as client:
        events = list(client.chat("hello there"))
    assert [e for e, _ in events] == ["token"] * 3 + ["done"]
    done = events[-1][1]
    assert done["answer"] == "I don't know." and done["exchange_id"] == 1
    with daemon.client() as client:
        again = client.request("POST", "/exchanges/1/regenerate")
        assert again["exchange_id"] == 2 and again["conversation_id"] == done["conversation_id"]
        client.request("POST", "/exchanges/2/feedback", json={"rating": "good"})
        with pytest.raises(DaemonError, match="422: exchange 9: no model answer"):
            client.request("POST", "/exchanges/9/regenerate")


def test_missing_memory_is_404(daemon: DaemonProcess) -> None:
    with daemon.client() as client, pytest.raises(DaemonError, match="404"):
        client.request("DELETE", "/memories/999")


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to connect as another uid")
def test_a_connection_from_another_uid_is_refused(daemon: DaemonProcess) -> None:
    # A second name for the socket in a directory anyone can enter, mode 0666: the file
    # mode is out of the way, so only the SO_PEERCRED check can refuse.
    path = Path(f"/tmp/pocketmind-peer-test-{os.getpid()}.sock")
    os.link(daemon.settings.socket_path, path)
    os.chmod(path, 0o666)
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        try:
            os.setgid(65534)
            os.setuid(65534)
            try:
                reply = _raw(path, b"GET /health HTTP/1.1\r\nhost: pm\r\nconnection: close\r\n\r\n")
            except (ConnectionResetError, BrokenPipeError):
                reply = b""  # closed on us mid-request: refused
            os._exit(0 if reply == b"" else 1)
        except BaseException:
            os._exit(2)
    _, code = os.waitpid(child, 0)
    path.unlink()
    assert os.waitstatus_to_exitcode(code) == 0  # closed without an answer
    with daemon.client() as client:  # the owner still gets in
        assert client.status()["pid"]


def test_tcp_needs_the_bearer_token(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = DaemonProcess(tmp_path / "h", {"POCKETMIND_DAEMON__TCP_PORT": str(port)}).start()
    try:
        token_file = process.settings.run_dir / "api-token"
        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
        token = token_file.read_text().strip()
        url = f"http://127.0.0.1:{port}/status"
        assert httpx.get(url).status_code == 401
        assert httpx.get(url, headers={"Authorization": "Bearer wrong"}).status_code == 401
        ok = httpx.get(url, headers={"Authorization": f"Bearer {token}"})
        assert ok.status_code == 200 and ok.json()["model"] == "fake-model"
    finally:
        process.stop()


def test_kill_9_loses_no_acknowledged_event(tmp_path: Path) -> None:
    """10,000 events stream in; the daemon is killed with SIGKILL part way; after a
    restart every acknowledged event is there once and becomes a memory once."""
    exact = {"POCKETMIND_MEMORY__DEDUP_THRESHOLD": "1.0"}  # the fake embedder collides
    process = DaemonProcess(tmp_path / "h", exact).start()
    acknowledged: dict[str, int] = {}
    sent = 0
    killed = False
    with process.client() as client:
        for batch in range(100):
            events = [
                {
                    "source": "bench",
                    "kind": "note",
                    "key": f"e{batch * 100 + i}",
                    "payload": {"text": f"event {batch * 100 + i} of the stream"},
                }
                for i in range(100)
            ]
            try:
                ids = client.request("POST", "/events", json={"events": events})["ids"]
            except DaemonError:
                break
            sent += 100
            acknowledged.update({e["key"]: i for e, i in zip(events, ids, strict=True)})
            if batch == 40 and not killed:
                assert process.process is not None
                os.kill(process.process.pid, signal.SIGKILL)
                killed = True
    process.stop(signal.SIGKILL)
    assert killed and len(acknowledged) >= 4100
    restarted = DaemonProcess(tmp_path / "h", exact).start()
    try:
        with restarted.client() as client:
            deadline = time.monotonic() + 60
            while client.status()["queue_depth"] and time.monotonic() < deadline:
                time.sleep(0.1)
        db = connect(restarted.settings.db_path)
        rows = dict(db.execute("SELECT key, id FROM events WHERE source = 'bench'").fetchall())
        assert all(rows.get(key) == event_id for key, event_id in acknowledged.items())
        assert (
            db.execute("SELECT count(*) FROM events WHERE processed_at IS NULL").fetchone()[0] == 0
        )
        per_event = db.execute(
            "SELECT count(*) FROM memories m JOIN events e ON "
            "m.event_id = e.id GROUP BY e.id HAVING count(*) > 1"
        ).fetchall()
        assert per_event == []
        assert db.execute("SELECT count(*) FROM memories").fetchone()[0] == len(rows)
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        db.close()
    finally:
        restarted.stop()


def test_cli_goes_through_the_running_daemon(daemon: DaemonProcess) -> None:
    env = daemon.env
    exe = str(Path(sys.executable).with_name("pocketmind"))
    added = subprocess.run(
        [exe, "memory", "add", "Parcel arrives Monday", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=patience(60),
    )
    assert json.loads(added.stdout)["created"]
    status = subprocess.run(
        [exe, "status", "--json"], env=env, capture_output=True, text=True, timeout=patience(60)
    )
    assert json.loads(status.stdout)["memories"] == 1
    asked = subprocess.run(
        [exe, "ask", "when is the parcel", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=patience(60),
    )
    assert json.loads(asked.stdout)["memories"][0]["text"] == "Parcel arrives Monday"
    with DaemonClient(daemon.settings) as client:
        assert client.status()["events"] == 1  # the add went through the daemon


def test_reminders_and_skills_through_the_api(daemon: DaemonProcess) -> None:
    with daemon.client() as client:
        timed = client.request(
            "POST", "/reminders", json={"text": "call Mum", "at": "tomorrow 18:00"}
        )
        assert timed["trigger"]["type"] == "at" and timed["next_fire_at"]
        context = client.request(
            "POST", "/reminders", json={"text": "sync photos", "wifi": "HomeNet"}
        )
        with pytest.raises(DaemonError, match="422: at: cannot read a time"):
            client.request("POST", "/reminders", json={"text": "x", "at": "banana o'clock"})
        with pytest.raises(DaemonError, match="422"):
            client.request("POST", "/reminders", json={"text": "x", "at": "9", "wifi": "y"})
        assert [r["text"] for r in client.request("GET", "/reminders")] == [
            "call Mum",
            "sync photos",
        ]
        connect_wifi(client, "HomeNet")
        deadline = time.monotonic() + 10
        while len(client.request("GET", "/reminders")) > 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [r["id"] for r in client.request("GET", "/reminders")] == [timed["id"]]
        assert context["id"] != timed["id"]
        client.request("POST", f"/reminders/{timed['id']}/cancel")
        assert client.request("GET", "/reminders") == []
        skills = {s["name"]: s for s in client.request("GET", "/skills")}
        assert skills["reminders"]["enabled"] and skills["reminders"]["state"] == "ok"
        client.request("POST", "/skills/briefing/enable")
        assert {s["name"]: s for s in client.request("GET", "/skills")}["briefing"]["enabled"]


def test_export_through_the_api_stays_under_home(daemon: DaemonProcess) -> None:
    with daemon.client() as client:
        client.request("POST", "/chat", json={"question": "hello", "stream": False})
        done = client.request("POST", "/export", json={"name": "weekly-1"})
        assert done["out"] == str(daemon.settings.home / "exports" / "weekly-1")
        assert done["counts"]["sft"] == 1
        with pytest.raises(DaemonError, match="422"):
            client.request("POST", "/export", json={"name": "../../etc"})
    assert (daemon.settings.home / "exports" / "weekly-1" / "manifest.json").exists()


def test_start_loads_the_vector_index_and_stop_closes_the_embedder(tmp_path: Path) -> None:
    from pocketmind.daemon.runtime import Runtime
    from pocketmind.embedders import FakeEmbedder
    from pocketmind.engine import FakeEngine
    from pocketmind.memory import MemoryStore
    from pocketmind.settings import load_settings

    settings = load_settings(
        tmp_path / "home", timezone="UTC", embedder={"backend": "fake"}, engine={"backend": "fake"}
    )
    with MemoryStore.open(settings, FakeEmbedder(64)) as store:
        store.remember("Maya moved to Lisbon")
    closed: list[bool] = []
    runtime = Runtime(settings, engine_factory=lambda s: FakeEngine(context_size=4096))
    runtime.start()
    try:
        assert runtime.store._index is not None  # loaded at start, not on the first search
        assert len(runtime.store._index) == 1
        runtime.store.embedder.close = lambda: closed.append(True)  # type: ignore[method-assign]
    finally:
        runtime.stop()
    assert closed == [True]


def test_noted_facts_can_be_undone_through_the_api(daemon: DaemonProcess) -> None:
    with daemon.client() as client:
        assert client.status()["model_hint"] is None  # the fake model is not the tiny one
        said = {"question": "My sister Maya moved to Lisbon", "stream": False}
        noted = client.request("POST", "/chat", json=said)
        assert noted["answer"].startswith("Noted: your sister Maya lives in Lisbon.")
        assert len(noted["facts_learned"]) == 2 and noted["undo"] == noted["exchange_id"]
        undone = client.request("POST", f"/exchanges/{noted['undo']}/undo")
        assert sorted(undone["forgotten"]) == sorted(noted["facts_learned"])
        with pytest.raises(DaemonError, match="no learned facts"):
            client.request("POST", f"/exchanges/{noted['undo']}/undo")
