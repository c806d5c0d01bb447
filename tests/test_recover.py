"""A database damaged in the middle: one clear line, doctor's integrity check, and
``memory recover`` copying what can be read into a new file, the damaged one kept."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from pocketmind.cli import main
from pocketmind.doctor import check_database
from pocketmind.embedders import FakeEmbedder
from pocketmind.memory import MemoryStore, NewMemory
from pocketmind.memory.recover import integrity, recover
from pocketmind.retrieval import Retriever
from pocketmind.settings import Settings, load_settings

MEMORIES = 3000


@pytest.fixture(scope="module")
def damaged_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, set[int]]:
    """A store of 3000 memories, closed, then 3 pages in the middle overwritten; and
    the ids it held before the damage. Built once, copied into each test's home."""
    home = tmp_path_factory.mktemp("damaged")
    settings = load_settings(
        home, timezone="UTC", embedder={"backend": "fake"}, memory={"dedup_window_hours": 0}
    )
    with MemoryStore.open(settings, FakeEmbedder(64)) as store:
        store.remember_many(
            [NewMemory(f"memory {i} on topic {i % 37} " + "x" * (i % 300)) for i in range(MEMORIES)]
        )
        ids = {m.id for m in store.iter_memories()}
    path = settings.db_path
    size = path.stat().st_size
    with path.open("r+b") as fh:
        fh.seek(size // 2 - (size // 2) % 4096 + 100)
        fh.write(random.Random(12).randbytes(3 * 4096))
    assert integrity(path) != ["ok"]
    return path, ids


@pytest.fixture
def damaged(env: Settings, damaged_template: tuple[Path, set[int]]) -> Path:
    env.home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(damaged_template[0], env.db_path)
    return env.db_path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("POCKETMIND_EMBEDDER__BACKEND", "fake")
    monkeypatch.setenv("POCKETMIND_TIMEZONE", "UTC")
    return settings


def test_a_damaged_database_is_one_line_naming_the_file_and_what_to_do(damaged: Path) -> None:
    path = damaged
    result = CliRunner().invoke(main, ["memory", "search", "topic 3"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert f"{path}: the database is damaged" in result.output
    assert "pocketmind memory recover" in result.output


def test_doctor_runs_the_integrity_check(
    env: Settings, damaged_template: tuple[Path, set[int]]
) -> None:
    with MemoryStore.open(env, FakeEmbedder(64)) as store:
        store.remember("a sound database")
    assert [f.status for f in check_database(env)] == ["ok"]
    for suffix in ("", "-wal", "-shm"):
        Path(f"{env.db_path}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(damaged_template[0], env.db_path)
    (finding,) = check_database(env)
    assert finding.status == "fix"
    assert f"{env.db_path} is damaged" in finding.detail
    assert finding.fix is not None and "pocketmind memory recover" in finding.fix
    result = CliRunner().invoke(main, ["doctor"])
    assert result.exit_code == 1
    assert "FIX   database integrity" in result.output


def test_recover_copies_what_can_be_read_and_keeps_the_damaged_file(
    env: Settings, damaged: Path, damaged_template: tuple[Path, set[int]], tmp_path: Path
) -> None:
    before = _digest(damaged)
    out = tmp_path / "recovered.db"
    report = recover(damaged, out, use_cli=False)
    assert _digest(damaged) == before  # never touched
    assert integrity(out) == ["ok"]
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert report.method == "row by row"
    original = damaged_template[1]
    recovered = report.rows["memories"]
    assert 0.8 * len(original) < recovered < len(original)
    assert report.vectors + report.missing_vectors == recovered
    settings = env.model_copy(update={"home": tmp_path})
    os.replace(out, settings.db_path)
    with MemoryStore.open(settings, FakeEmbedder(64)) as store:
        kept = {m.id for m in store.iter_memories()}
        assert len(kept) == recovered and kept < original
        # the report names where the missing memories were
        gaps = report.unreadable["memories"]
        assert all(any(a <= i <= b for a, b in gaps) for i in original - kept)
        assert any("memories: " in line and "no row readable" in line for line in report.lines())
        some = store.get(max(kept))
        assert some is not None
        hit = Retriever(store).search(
            some.text, k=1
        )  # the full-text and vector indexes were rebuilt
        assert hit and hit[0].memory.id == some.id
        assert store.remember("written after recovery").created


def test_recover_falls_back_to_python_when_the_sqlite3_command_fails(
    damaged: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "sqlite3"
    fake.write_text("#!/bin/sh\necho 'sql error: SQL logic error (1)' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    report = recover(damaged, tmp_path / "out.db")
    assert report.method == "row by row"
    assert any("sqlite3 .recover did not work here" in note for note in report.notes)
    assert report.rows["memories"] > 0.8 * MEMORIES


def test_the_recover_command_reports_and_installs(env: Settings, damaged: Path) -> None:
    before = _digest(damaged)
    runner = CliRunner()
    result = runner.invoke(main, ["memory", "recover", "--no-cli", "--install"])
    assert result.exit_code == 0, result.output
    assert "recovered into" in result.output and "memories:" in result.output
    kept = [p for p in env.home.iterdir() if p.name.startswith("pocketmind.db.damaged-")]
    assert len(kept) == 1 and _digest(kept[0]) == before
    assert integrity(env.db_path) == ["ok"]
    search = runner.invoke(main, ["memory", "search", "topic 5", "-k", "1"])
    assert search.exit_code == 0 and "memory " in search.output
    again = runner.invoke(main, ["memory", "recover", "--no-cli", "--out", str(env.db_path)])
    assert again.exit_code == 1 and "already exists" in again.output
