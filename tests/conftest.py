"""Every test gets its own POCKETMIND_HOME and no stray POCKETMIND_* settings."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from pocketmind.memory import FakeEmbedder, MemoryStore
from pocketmind.settings import Settings, load_settings


@pytest.fixture(autouse=True)
def pocketmind_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for key in list(os.environ):
        if key.startswith("POCKETMIND_"):
            monkeypatch.delenv(key)
    home = tmp_path / "home"
    monkeypatch.setenv("POCKETMIND_HOME", str(home))
    monkeypatch.setenv("TZ", "UTC")
    return home


@pytest.fixture
def settings(pocketmind_home: Path) -> Settings:
    return load_settings(timezone="UTC", embedder={"backend": "fake"})


@pytest.fixture
def embedder() -> FakeEmbedder:
    return FakeEmbedder(64)


@pytest.fixture
def store(settings: Settings, embedder: FakeEmbedder) -> Iterator[MemoryStore]:
    with MemoryStore.open(settings, embedder) as opened:
        yield opened


@pytest.fixture(scope="session")
def minilm() -> object:
    """The real packaged all-MiniLM-L6-v2, loaded once per test session."""
    from pocketmind.memory import SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder()
    embedder.embed(["warm up"])
    return embedder
