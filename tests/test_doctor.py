"""`pocketmind doctor` on this machine, and on a patched "phone" with fake termux-api."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from fake_termux import FakeTermux

from pocketmind.cli import main
from pocketmind.doctor import diagnose
from pocketmind.embedders import FakeEmbedder
from pocketmind.memory import MemoryStore
from pocketmind.settings import load_settings


def _lines(*args: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(main, ["doctor", *args])
    return result.exit_code, result.output.splitlines()


def _finding(lines: list[str], check: str) -> str:
    (line,) = [line for line in lines if line.split(maxsplit=1)[1].startswith(f"{check}:")]
    return line


def test_doctor_on_this_machine_finds_nothing_to_fix(pocketmind_home: Path) -> None:
    code, lines = _lines()
    assert code == 0, lines
    assert _finding(lines, "sqlite-vec").startswith("OK")
    assert "v0." in _finding(lines, "sqlite-vec")
    assert _finding(lines, "chat model").startswith("OK")
    assert "SmolLM2" in _finding(lines, "chat model")
    assert _finding(lines, "embedder").startswith("OK")
    assert _finding(lines, "termux-api").startswith("INFO")
    assert _finding(lines, "daemon") == "INFO  daemon: not running → pocketmind start"
    assert all(not line.startswith("FIX") for line in lines)


def test_doctor_json_is_one_object_per_line_of_text(pocketmind_home: Path) -> None:
    result = CliRunner().invoke(main, ["doctor", "--json"])
    findings = json.loads(result.output)
    assert {f["check"] for f in findings} >= {"python", "sqlite-vec", "storage", "chat model"}
    assert all(f["status"] in {"ok", "info", "warn", "fix"} for f in findings)


def test_an_embedding_space_mismatch_says_reindex(pocketmind_home: Path) -> None:
    fake = load_settings(embedder={"backend": "fake"})
    with MemoryStore.open(fake, FakeEmbedder(64)) as store:
        store.remember("Maya is my sister")
    code, lines = _lines()
    assert code == 1
    line = _finding(lines, "database")
    assert line.startswith("FIX")
    assert "fake-hash-64" in line and "pocketmind memory reindex" in line


def test_an_unreachable_engine_server_is_named(
    pocketmind_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POCKETMIND_ENGINE__BACKEND", "http")
    monkeypatch.setenv("POCKETMIND_ENGINE__URL", "http://127.0.0.1:9/v1")
    code, lines = _lines()
    assert code == 1
    line = _finding(lines, "engine server")
    assert line.startswith("FIX") and "127.0.0.1:9" in line and "llama-server" in line


@pytest.fixture
def phone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeTermux:
    """sys.platform patched to android, fake termux-api commands on PATH."""
    fake = FakeTermux(tmp_path / "termux").install()
    for name in ("termux-notification", "termux-wake-lock"):
        script = fake.bin / name
        script.write_text("#!/bin/sh\nexit 0\n")
        script.chmod(0o755)
    monkeypatch.setenv("PATH", fake.path)
    monkeypatch.setattr(sys, "platform", "android")
    return fake


def test_on_a_phone_each_permission_problem_gets_its_own_line(
    phone: FakeTermux, pocketmind_home: Path
) -> None:
    phone.mode("termux-notification-list", "hang")  # no Notification Access: it hangs
    phone.set("termux-location", {"API_ERROR": "Failed to get location"})
    settings = load_settings(sensing={"termux_timeout_s": 1})
    findings = {f.check: f for f in diagnose(settings)}
    assert findings["python"].detail.endswith("on Android (Termux)")
    assert findings["termux-battery-status"].status == "ok"
    assert findings["termux-wifi-connectioninfo"].status == "ok"
    notifications = findings["termux-notification-list"]
    assert notifications.status == "fix"
    assert "did not answer" in notifications.detail
    assert notifications.fix is not None and "Notification access" in notifications.fix
    location = findings["termux-location"]
    assert location.status == "fix" and "Failed to get location" in location.detail
    assert location.fix is not None and "Allow all the time" in location.fix
    # Opt-in sensors that are off are not probed.
    assert "termux-sms-list" not in findings
    # The phone's default embedder is llama.cpp's, and its GGUF is not pulled yet.
    embedder = findings["embedder"]
    assert embedder.status == "fix"
    assert embedder.fix == "pocketmind models pull all-minilm-l6-v2"


def test_on_a_phone_a_missing_termux_api_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pocketmind_home: Path
) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setattr(sys, "platform", "android")
    findings = diagnose(load_settings())
    missing = [f for f in findings if f.detail == "not found"]
    assert {f.check for f in missing} >= {"termux-notification", "termux-battery-status"}
    assert all(f.fix and "pkg install termux-api" in f.fix for f in missing)


def test_a_broken_check_does_not_hide_the_others(pocketmind_home: Path) -> None:
    def broken(_settings: object) -> object:
        raise OSError("disk on fire")

    from pocketmind.doctor import CHECKS

    findings = diagnose(load_settings(), (broken, *CHECKS[:1]))  # type: ignore[arg-type]
    assert findings[0].status == "warn" and "disk on fire" in findings[0].detail
    assert findings[1].check == "python"
