"""The CLI says what it waits for, and `memory import` uses the daemon when it runs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from daemon_helpers import FAKE, DaemonProcess
from patience import patience

from pocketmind.cli import main


@pytest.fixture
def fake_models(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in FAKE.items():
        monkeypatch.setenv(key, value)


def test_ask_in_process_says_it_is_loading_on_stderr(fake_models: None) -> None:
    result = CliRunner().invoke(main, ["ask", "what is my job?"])
    assert result.exit_code == 0, result.output
    assert "loading the models (`pocketmind start` keeps them loaded)…" in result.stderr
    assert "loading" not in result.stdout  # the answer stays clean for scripts
    assert result.stdout.strip()


def test_import_in_process_says_it_loads_the_embedder(fake_models: None, tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text('{"text": "Gym at 7"}\n')
    result = CliRunner().invoke(main, ["memory", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "loading the embedding model" in result.stderr
    assert result.stdout.strip().endswith("0 lines skipped (in this process)")


@pytest.mark.slow
def test_start_shows_progress_and_import_goes_through_the_daemon(tmp_path: Path) -> None:
    process = DaemonProcess(tmp_path / "home")
    exe = str(Path(sys.executable).with_name("pocketmind"))
    started = subprocess.run(
        [exe, "start", "--wait", str(patience(60))],
        env=process.env,
        capture_output=True,
        text=True,
        timeout=patience(90),
    )
    assert started.returncode == 0, started.stderr
    assert started.stderr.startswith("starting the daemon…")
    assert started.stdout.startswith("started (pid ")
    try:
        path = tmp_path / "in.jsonl"
        path.write_text(
            '{"text": "Gym at 7", "at": "2025-01-02T07:00:00Z"}\n{"text": 3}\n'
            '{"text": "Call the bank", "source": "notes", "mood": "dull"}\n'
        )
        imported = subprocess.run(
            [exe, "memory", "import", str(path)],
            env=process.env,
            capture_output=True,
            text=True,
            timeout=patience(60),
        )
        assert imported.returncode == 1  # one line skipped
        assert "loading the embedding model" not in imported.stderr
        assert f"skipped {path}:2: text" in imported.stderr
        assert imported.stdout.strip() == (
            "imported 2 memories, 0 duplicates merged, 1 lines skipped (through the daemon)"
        )
        with process.client() as client:
            found = client.request("GET", "/memories/recent")
        kept = {m["text"]: m for m in found}
        assert kept["Call the bank"]["source"] == "notes"
        assert kept["Call the bank"]["meta"] == {"mood": "dull"}
        assert kept["Gym at 7"]["occurred_at"].startswith("2025-01-02T07:00:00")
        status = subprocess.run(
            [exe, "status", "--json"], env=process.env, capture_output=True, text=True
        )
        assert json.loads(status.stdout)["memories"] == 2
    finally:
        subprocess.run([exe, "stop"], env=process.env, timeout=patience(60), check=True)
