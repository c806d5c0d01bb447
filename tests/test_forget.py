"""Forgetting by query: a score threshold, and a preview before anything is deleted."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from daemon_helpers import DaemonProcess
from patience import patience

from pocketmind.cli import main
from pocketmind.memory import MemoryStore
from pocketmind.retrieval import Retriever
from pocketmind.retrieval.forgetting import forget_matches
from pocketmind.settings import Settings

LIFE = [
    "The wifi password at home is hunter2",
    "Lunch with Alice at Cafe Nero on Friday",
    "Maya moved to Lisbon in March",
    "The dentist appointment is on Tuesday at 3pm",
    "Bought a new bike for the commute",
]


def _fill(store: MemoryStore) -> None:
    for text in LIFE:
        store.remember(text)


def test_a_query_that_matches_nothing_relevant_matches_nothing(store: MemoryStore) -> None:
    _fill(store)
    assert (
        len(Retriever(store).search("quantum chromodynamics lecture notes", k=5)) == 5
    )  # top-k: all
    assert forget_matches(store, "quantum chromodynamics lecture notes", 5) == []
    matches = forget_matches(store, "wifi password", 5)
    assert [m.result.memory.text for m in matches] == [LIFE[0]]
    assert matches[0].similarity >= store.settings.memory.forget_min_similarity
    assert forget_matches(store, "wifi password", 5, min_similarity=-1.0)[0].id == matches[0].id
    assert len(forget_matches(store, "wifi password", 5, min_similarity=-1.0)) == 5


@pytest.mark.slow
def test_the_threshold_separates_meant_from_unrelated_with_the_real_embedder(
    settings: Settings, minilm: object
) -> None:
    """The default, measured on all-MiniLM-L6-v2 (bench/forget.py)."""
    with MemoryStore.open(settings, minilm, check_space=False) as store:  # type: ignore[arg-type]
        _fill(store)
        assert forget_matches(store, "quantum chromodynamics lecture notes", 5) == []
        assert forget_matches(store, "my favourite pizza topping", 5) == []
        meant = forget_matches(store, "wifi password", 5)
        assert [m.result.memory.text for m in meant] == [LIFE[0]]
        assert [m.result.memory.text for m in forget_matches(store, "Maya's move", 5)] == [LIFE[2]]


@pytest.fixture(scope="module")
def daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaemonProcess]:
    process = DaemonProcess(tmp_path_factory.mktemp("forget") / "home").start()
    yield process
    process.stop()


@pytest.mark.slow
def test_the_api_previews_without_confirm_and_forgets_only_what_matches(
    daemon: DaemonProcess,
) -> None:
    transport = httpx.HTTPTransport(uds=str(daemon.settings.socket_path))
    with httpx.Client(transport=transport, base_url="http://pm", timeout=patience(60)) as http:
        ids = [http.post("/memories", json={"text": t}).json()["id"] for t in LIFE]
        preview = http.post("/memories/forget", json={"query": "wifi password"}).json()
        assert preview["confirmed"] is False and preview["forgotten"] == []
        assert [m["id"] for m in preview["matches"]] == [ids[0]]
        assert preview["matches"][0]["similarity"] >= preview["min_similarity"]
        assert http.get(f"/memories/{ids[0]}").status_code == 200  # nothing deleted

        unrelated = {"query": "quantum chromodynamics lecture notes", "confirm": True}
        nothing = http.post("/memories/forget", json=unrelated).json()
        assert nothing["matches"] == [] and nothing["forgotten"] == []
        assert all(http.get(f"/memories/{i}").status_code == 200 for i in ids)

        done = http.post("/memories/forget", json={"query": "wifi password", "confirm": True})
        assert done.json()["forgotten"] == [ids[0]]
        assert http.get(f"/memories/{ids[0]}").status_code == 404
        assert all(http.get(f"/memories/{i}").status_code == 200 for i in ids[1:])


@pytest.mark.parametrize("through_daemon", [False, pytest.param(True, marks=pytest.mark.slow)])
def test_the_cli_shows_the_preview_asks_and_forgets_nothing_unrelated(
    through_daemon: bool,
    pocketmind_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("POCKETMIND_EMBEDDER__BACKEND", "fake")
    monkeypatch.setenv("POCKETMIND_TIMEZONE", "UTC")
    process = DaemonProcess(pocketmind_home).start() if through_daemon else None
    try:
        runner = CliRunner()
        for text in LIFE:
            assert runner.invoke(main, ["memory", "add", text]).exit_code == 0
        forget = ["memory", "forget", "--query"]
        none = runner.invoke(main, [*forget, "quantum chromodynamics lecture notes", "--yes"])
        assert "nothing forgotten" in none.output and "forgot 1" not in none.output
        declined = runner.invoke(main, [*forget, "wifi password"], input="n\n")
        assert "hunter2" in declined.output and "forget these 1?" in declined.output
        assert "nothing forgotten" in declined.output
        accepted = runner.invoke(main, [*forget, "wifi password", "--yes"])
        assert "forgot 1 memories" in accepted.output
        stats = runner.invoke(main, ["memory", "stats", "--json"])
        assert '"memories": 4' in stats.output
    finally:
        if process is not None:
            process.stop()
