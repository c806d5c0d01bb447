import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from patience import patience

from pocketmind.cli import main


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch) -> object:
    monkeypatch.setenv("POCKETMIND_EMBEDDER__BACKEND", "fake")
    monkeypatch.setenv("POCKETMIND_TIMEZONE", "UTC")
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> object:
        return runner.invoke(main, list(args), input=input, catch_exceptions=False)

    return invoke


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in group.commands.items():
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found += _commands(command, (*prefix, name))
    return found


@pytest.mark.parametrize("path", _commands(main))
def test_every_command_has_help_and_home(path: tuple[str, ...], run: object) -> None:
    result = run(*path, "--help")  # type: ignore[operator]
    assert result.exit_code == 0
    command = main
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    assert command.help, f"{' '.join(path)} has no help text"
    if not isinstance(command, click.Group):
        assert "--home" in result.output


def test_add_search_forget_round_trip(run: object, tmp_path: Path) -> None:
    home = str(tmp_path / "h")
    added = run(
        "memory",
        "add",
        "My sister Maya moved to Lisbon",
        "--kind",
        "fact",  # type: ignore[operator]
        "--json",
        "--home",
        home,
    )
    memory_id = json.loads(added.output)["id"]
    again = run(
        "memory",
        "add",
        "my sister maya moved to lisbon",
        "--kind",
        "fact",  # type: ignore[operator]
        "--home",
        home,
    )
    assert f"already known as #{memory_id}" in again.output
    found = run("memory", "search", "Maya Lisbon", "--json", "--home", home)  # type: ignore[operator]
    results = json.loads(found.output)
    assert results[0]["id"] == memory_id and results[0]["kind"] == "fact"
    gone = run("memory", "forget", str(memory_id), "--home", home)  # type: ignore[operator]
    assert gone.exit_code == 0 and "forgot 1" in gone.output
    assert json.loads(run("memory", "search", "Maya", "--json", "--home", home).output) == []  # type: ignore[operator]


def test_home_on_the_group_works_too(run: object, tmp_path: Path) -> None:
    home = str(tmp_path / "g")
    run("--home", home, "memory", "add", "groceries: eggs")  # type: ignore[operator]
    assert (tmp_path / "g" / "pocketmind.db").exists()
    stats = json.loads(run("memory", "stats", "--json", "--home", home).output)  # type: ignore[operator]
    assert stats["memories"] == 1


def test_bad_input_is_one_clear_line(run: object) -> None:
    empty = run("memory", "add", "   ")  # type: ignore[operator]
    assert empty.exit_code == 1 and "text is empty" in empty.output
    assert "Traceback" not in empty.output
    bad_date = run("memory", "add", "x", "--at", "banana o'clock")  # type: ignore[operator]
    assert bad_date.exit_code == 1 and "invalid date" in bad_date.output
    bad_now = run("memory", "search", "x", "--now", "later")  # type: ignore[operator]
    assert bad_now.exit_code == 1 and "--now: invalid date" in bad_now.output
    neither = run("memory", "search")  # type: ignore[operator]
    assert neither.exit_code == 2


def test_import_reports_lines_and_exits_nonzero(run: object, tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text('{"text": "Gym at 7"}\n{"text": 3}\n{"text": "Call the bank"}\n')
    result = run("memory", "import", str(path))  # type: ignore[operator]
    assert result.exit_code == 1
    assert f"{path}:2: text must be a string, got int" in result.output
    assert "imported 2 memories" in result.output


def test_batch_search_prints_one_list_per_line(run: object, tmp_path: Path) -> None:
    run("memory", "add", "Lunch with Alice", "--at", "2025-01-02T12:00:00")  # type: ignore[operator]
    run("memory", "add", "Dentist on Friday", "--at", "2025-01-06T09:00:00")  # type: ignore[operator]
    queries = tmp_path / "q.jsonl"
    queries.write_text(
        '{"q": "what did I do yesterday", "now": "2025-01-03T08:00:00"}\n'
        '{"nope": 1}\n{"q": "dentist"}\n'
    )
    result = run("memory", "search", "--queries", str(queries))  # type: ignore[operator]
    lines = [line for line in result.output.splitlines() if not line.startswith("error:")]
    assert [len(json.loads(line)) for line in lines] == [1, 0, 2]
    assert json.loads(lines[0])[0]["text"] == "Lunch with Alice"
    assert f"{queries}:2" in result.output
    assert result.exit_code == 1


def test_forget_by_query_asks_first(run: object) -> None:
    run("memory", "add", "the wifi password is hunter2")  # type: ignore[operator]
    declined = run("memory", "forget", "--query", "wifi password", "-k", "1", input="n\n")  # type: ignore[operator]
    assert "nothing forgotten" in declined.output
    accepted = run("memory", "forget", "--query", "wifi password", "-k", "1", "--yes")  # type: ignore[operator]
    assert "forgot 1" in accepted.output


@pytest.mark.slow
def test_real_embedder_end_to_end_in_a_subprocess(tmp_path: Path) -> None:
    """The installed console script with the packaged MiniLM, as a user runs it."""
    env = {**os.environ, "POCKETMIND_HOME": str(tmp_path / "real")}
    env.pop("POCKETMIND_EMBEDDER__BACKEND", None)
    exe = Path(sys.executable).with_name("pocketmind")

    def cli(*args: str) -> str:
        done = subprocess.run(
            [str(exe), *args], env=env, capture_output=True, text=True, timeout=patience(120)
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    cli("memory", "add", "My sister Maya moved to Lisbon in spring", "--kind", "fact")
    cli("memory", "add", "Dentist appointment moved to Friday at 3pm")
    cli("memory", "add", "Bought oat milk and eggs")
    hits = json.loads(cli("memory", "search", "which city does my sibling live in", "--json"))
    assert "Lisbon" in hits[0]["text"]  # no shared word: the vectors found it
    stats = json.loads(cli("memory", "stats", "--json"))
    assert stats["embedding_model"] == "sentence-transformers/all-MiniLM-L6-v2"
    assert stats["embedding_dim"] == 384


def test_ask_json_reports_answer_memories_and_timing(
    run: object, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("POCKETMIND_ENGINE__BACKEND", "fake")
    run("memory", "add", "Dentist moved to Friday", "--at", "2025-01-02T12:00:00")  # type: ignore[operator]
    result = run("ask", "when is the dentist?", "--json", "--now", "2025-01-03T09:00:00")  # type: ignore[operator]
    body = json.loads(result.stdout)  # progress goes to stderr
    assert body["answer"] == "I don't know."
    assert body["memories"][0]["text"] == "Dentist moved to Friday"
    assert set(body["timing"]) >= {"prompt_tokens", "completion_tokens", "ttft_ms", "decode_tps"}
    plain = run("ask", "when is the dentist?")  # type: ignore[operator]
    assert plain.stdout.strip() == "I don't know."


def test_models_lists_the_packaged_default(run: object) -> None:
    body = json.loads(run("models", "--json").output)  # type: ignore[operator]
    assert body["backend"] == "llama"
    (packaged,) = [m for m in body["models"] if m["origin"] == "packaged"]
    assert packaged["in_use"] and packaged["bytes"] > 50_000_000
    missing = run("models", "--home", "/nonexistent-home-x")  # type: ignore[operator]
    assert "packaged" in missing.output


def test_ask_with_a_missing_model_is_one_clear_line(
    run: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POCKETMIND_ENGINE__MODEL", str(tmp_path / "gone.gguf"))
    result = run("ask", "hello")  # type: ignore[operator]
    assert result.exit_code == 1
    assert "engine.model: GGUF file not found" in result.output


@pytest.mark.slow
def test_ask_in_one_process_with_the_real_models(tmp_path: Path) -> None:
    env = {**os.environ, "POCKETMIND_HOME": str(tmp_path / "real")}
    for key in ("POCKETMIND_EMBEDDER__BACKEND", "POCKETMIND_ENGINE__BACKEND"):
        env.pop(key, None)
    exe = str(Path(sys.executable).with_name("pocketmind"))
    subprocess.run(
        [exe, "memory", "add", "Maya moved to Lisbon", "--kind", "fact"],
        env=env,
        check=True,
        capture_output=True,
        timeout=patience(120),
    )
    done = subprocess.run(
        [exe, "ask", "Where does Maya live?", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=patience(120),
    )
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert body["answer"]
    assert body["memories"][0]["text"] == "Maya moved to Lisbon"
    assert body["timing"]["model_id"] == "SmolLM2-135M-Instruct.Q4_1.gguf"
