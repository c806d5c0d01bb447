"""Out-of-range instants, non-finite numbers and lone surrogates: a clear error naming
the field, in the importer, the store, the CLI and the API; nothing accepted is lost."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from click.testing import CliRunner
from daemon_helpers import DaemonProcess
from patience import patience

from pocketmind.cli import main
from pocketmind.ingest import EventLog
from pocketmind.memory import MemoryStore, NewEvent, NewMemory, time_window
from pocketmind.memory.importer import import_jsonl
from pocketmind.memory.instants import parse_instant
from pocketmind.skills.schedules import parse_when
from pocketmind.validation import InputError

BAD_LINES = [
    (b'{"text": "bad", "at": "0001-01-01"}', r"at: '0001-01-01' is out of range: years 1000"),
    (b'{"text": "bad", "at": "9999-12-31T23:59:59"}', r"at: '9999-12-31T23:59:59' is out of"),
    (b'{"text": "bad", "importance": NaN}', r"importance: NaN is not a JSON number"),
    (b'{"text": "bad", "importance": 7}', r"importance: must be between 0 and 1"),
    (b'{"text": "bad", "importance": "high"}', r"importance: must be a number"),
    (b'{"text": "bad", "mood": [1, -Infinity]}', r"mood\[1\]: -Infinity is not a JSON number"),
    (b'{"text": "bad", "kind": "\\ud800"}', r"kind: lone surrogate U\+D800"),
    (b'{"text": "\\udfff bad"}', r"text: lone surrogate U\+DFFF"),
    (b'{"text": "bad", "x\\ud800": 1}', r"x\\ud800 \(the key\): lone surrogate"),
]


def _lines(path: Path, middle: list[bytes]) -> Path:
    good = [json.dumps({"text": f"good line {i}", "importance": 0.7}).encode() for i in range(3)]
    path.write_bytes(b"\n".join([good[0], *middle, good[1], good[2]]) + b"\n")
    return path


def test_each_bad_value_is_named_with_its_line_and_the_good_lines_are_stored(
    store: MemoryStore, tmp_path: Path
) -> None:
    path = _lines(tmp_path / "in.jsonl", [line for line, _ in BAD_LINES])
    report = import_jsonl(store, path, batch_size=4)
    assert report.imported == 3
    assert len(report.errors) == len(BAD_LINES)
    for number, ((_, pattern), error) in enumerate(zip(BAD_LINES, report.errors, strict=True), 2):
        assert error.startswith(f"{path}:{number}: ")
        assert re.search(pattern, error), error
    texts = sorted(m.text for m in store.iter_memories())
    assert texts == ["good line 0", "good line 1", "good line 2"]
    assert {m.importance for m in store.iter_memories()} == {0.7}


def test_a_batch_refused_after_validation_keeps_its_good_lines(
    store: MemoryStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should a line get past validation and fail in the batch, the batch is written
    line by line and only that line is reported."""
    monkeypatch.setattr(store, "validate", lambda item, where="item": None)
    path = _lines(tmp_path / "in.jsonl", [b'{"text": "bad", "at": "0001-01-01"}'])
    report = import_jsonl(store, path, batch_size=10)
    assert report.imported == 3
    assert len(report.errors) == 1 and f"{path}:2: at:" in report.errors[0]


def test_the_cli_import_reports_lines_and_exits_1_without_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POCKETMIND_EMBEDDER__BACKEND", "fake")
    path = _lines(tmp_path / "in.jsonl", [line for line, _ in BAD_LINES[:3]])
    result = CliRunner().invoke(main, ["memory", "import", str(path)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert "imported 3 memories" in result.output
    assert f"{path}:3: at: '9999-12-31T23:59:59' is out of range" in result.output
    assert f"{path}:4: importance: NaN" in result.output


@pytest.mark.parametrize(
    ("value", "zone"),
    [
        ("0001-01-01", "UTC"),
        ("9999-12-31T23:59:59", "UTC"),
        ("0999-12-31T23:00:00", "UTC"),
        ("3000-01-01", "UTC"),
        ("2999-12-31T23:00:00-05:00", "UTC"),  # 3000 in UTC
        ("1000-01-01T02:00:00", "Asia/Tokyo"),  # 999 in UTC
        ("2999-12-31T20:00:00", "America/New_York"),  # 3000 in UTC
        (datetime(1, 1, 1, tzinfo=UTC), "UTC"),
    ],
)
def test_instants_outside_the_years_1000_to_2999_are_refused(
    value: str | datetime, zone: str
) -> None:
    with pytest.raises(InputError, match=r"^here: .* is out of range: years 1000 to 2999"):
        parse_instant(value, ZoneInfo(zone), "here")


def test_instants_at_the_edges_are_accepted_both_ways() -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    assert parse_instant("1000-01-01T12:00:00", tokyo).year == 1000
    assert parse_instant("2999-12-31T08:00:00", tokyo).astimezone(tokyo).year == 2999


def test_time_phrases_with_absurd_years_and_reminders_far_out_are_clear_errors() -> None:
    now = datetime(2025, 6, 1, tzinfo=UTC)
    with pytest.raises(InputError, match=r"query: 'on december 31, 9999' is out of range"):
        time_window("what did I do on December 31, 9999", now, UTC)
    with pytest.raises(InputError, match=r"query: .* out of range"):
        time_window("in may 0001", now, UTC)
    for text in ("9999-12-31 23:59", "9999-12-31T23:30", "on 9999-12-31 at 23:59"):
        with pytest.raises(InputError, match=r"at: .* out of range"):
            parse_when(text, now, ZoneInfo("America/New_York"), "at")


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (NewMemory("x", at="9999-12-31T23:59:59"), r"memory: at: .* out of range"),
        (NewMemory("x", importance=float("nan")), r"memory: importance: must be between"),
        (NewMemory("x", importance=10**400), r"memory: importance: must be between"),
        (NewMemory("x", meta={"a": {"b": float("inf")}}), r"memory: meta.a.b: Infinity"),
        (NewMemory("x", source="s\ud800"), r"memory: source: lone surrogate"),
    ],
)
def test_the_store_refuses_what_it_cannot_keep(
    store: MemoryStore, item: NewMemory, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        store.remember_many([item], where=["memory"])
    assert store.count() == 0


def test_events_out_of_range_or_not_finite_are_refused_before_they_are_logged(
    store: MemoryStore,
) -> None:
    for event, message in [
        (NewEvent("s", "k", {"text": "hi"}, at="0001-01-01"), r"event 1: at: .* out of range"),
        (NewEvent("s", "k", {"text": "hi", "x": float("nan")}), r"event 1: payload.x: NaN"),
        (NewEvent("s", "k", {"text": "hi"}, key="k\ud800"), r"event 1: key: lone surrogate"),
    ]:
        with pytest.raises(InputError, match=message):
            EventLog(store.db, store.settings).record([event])
    assert store.db.execute("SELECT count(*) FROM events").fetchone()[0] == 0


# -- the API, on a real daemon over its socket ---------------------------------------


@pytest.fixture(scope="module")
def daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaemonProcess]:
    process = DaemonProcess(
        tmp_path_factory.mktemp("bad-input") / "home",
        {"POCKETMIND_ENGINE__CONTEXT_SIZE": "512", "POCKETMIND_ENGINE__ANSWER_TOKENS": "64"},
    ).start()
    yield process
    process.stop()


@pytest.fixture
def http(daemon: DaemonProcess) -> Iterator[httpx.Client]:
    transport = httpx.HTTPTransport(uds=str(daemon.settings.socket_path))
    with httpx.Client(transport=transport, base_url="http://pm", timeout=patience(60)) as client:
        yield client


def _post(http: httpx.Client, path: str, raw: bytes) -> httpx.Response:
    return http.post(path, content=raw, headers={"content-type": "application/json"})


EVENT = b'{"events": [{"source": "s", "kind": "k", %s}]}'
OPENAI = b'{"messages": [{"role": "user", "content": "hi"}], %s}'
REFUSED = [
    ("/memories", b'{"text": "x", "importance": NaN}', "importance"),
    ("/memories", b'{"text": "x", "importance": Infinity}', "importance"),
    ("/memories", b'{"text": "x", "at": "0001-01-01"}', "at"),
    ("/memories", b'{"text": "x", "at": "9999-12-31T23:59:59"}', "at"),
    ("/memories", b'{"text": "\\ud800"}', "text"),
    ("/memories", b'{"text": "x", "kind": "a\\udc00"}', "kind"),
    ("/memories", b'{"text": "x", "meta": {"a": [NaN]}}', "meta"),
    ("/memories", b'{"text": "x", "meta": {"a": "\\ud800"}}', "meta"),
    ("/events", EVENT % b'"payload": {}, "at": "0001-01-01"', "at"),
    ("/events", EVENT % b'"payload": {}, "at": "9999-12-31T23:59:59"', "at"),
    ("/events", EVENT % b'"payload": {"x": NaN}', "payload"),
    ("/events", b'{"events": [{"source": "\\ud800", "kind": "k", "payload": {}}]}', "source"),
    ("/chat", b'{"question": "\\ud800", "stream": false}', "question"),
    ("/chat", b'{"question": "hi", "now": "9999-12-31T23:59:59", "stream": false}', "now"),
    ("/v1/chat/completions", OPENAI % b'"temperature": NaN', "temperature"),
    ("/v1/chat/completions", b'{"messages": [{"role": "user", "content": "\\ud800"}]}', "content"),
    ("/reminders", b'{"text": "\\ud800", "at": "tomorrow 18:00"}', "text"),
    ("/reminders", b'{"text": "x", "at": "9999-12-31 18:00"}', "at"),
    ("/reminders", b'{"text": "x", "wifi": "\\ud800"}', "wifi"),
    ("/reminders/1/snooze", b'{"minutes": NaN}', "minutes"),
    ("/exchanges/1/feedback", b'{"rating": "bad", "correction": "\\ud800"}', "correction"),
    ("/memories/forget", b'{"query": "\\ud800"}', "query"),
    ("/adapter/reload", b'{"path": "\\ud800"}', "path"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("path", "raw", "field"), REFUSED)
def test_the_api_answers_422_naming_the_field(
    http: httpx.Client, path: str, raw: bytes, field: str
) -> None:
    response = _post(http, path, raw)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    if isinstance(detail, list):  # validation: each error's loc names the field
        assert any(field in map(str, err["loc"]) for err in detail), detail
    else:
        assert f"{field}:" in detail or f"{field} " in detail, detail


@pytest.mark.slow
def test_refused_requests_lose_nothing_accepted(http: httpx.Client) -> None:
    good = _post(http, "/memories", b'{"text": "kept across bad requests", "importance": 0.9}')
    assert good.status_code == 201
    for path, raw, _ in REFUSED[:12]:
        _post(http, path, raw)
    found = http.get("/memories", params={"q": "kept across bad requests"}).json()
    assert found and found[0]["text"] == "kept across bad requests"
    assert http.get("/health").json() == {"ok": True}


@pytest.mark.slow
@pytest.mark.parametrize("path", ["/chat", "/v1/chat/completions"])
def test_a_question_longer_than_the_context_is_413_saying_how_long_it_may_be(
    http: httpx.Client, path: str
) -> None:
    question = "word " * 2000
    body = (
        {"question": question, "stream": False}
        if path == "/chat"
        else {"messages": [{"role": "user", "content": question}]}
    )
    response = http.post(path, json=body)
    assert response.status_code == 413, response.text
    answer = response.json()
    limit = answer["max_question_tokens"]
    assert 0 < limit < 512 and answer["max_question_chars"] > 0
    assert f"at most {limit} tokens" in answer["detail"]
    if path.startswith("/v1/"):
        assert answer["error"]["code"] == "context_length_exceeded"
    short = "word " * (limit // 2)
    body = (
        {"question": short, "stream": False}
        if path == "/chat"
        else {"messages": [{"role": "user", "content": short}]}
    )
    assert http.post(path, json=body).status_code == 200
