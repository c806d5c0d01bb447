"""The three misses issue 18 names, with the real MiniLM and the real sqlite-vec store.

The memories are the issue's own (the sister's move among "Left home", "Arrived at
home" and a message; the gym switch under the old gym and its newsletter; Maya's move
among her chatty messages), learned facts as the chat's extractor writes them, and a
background of 200 synthetic phone-life memories (bench/corpus.py).
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pocketmind.memory import MemoryStore, NewMemory
from pocketmind.retrieval import Retriever
from pocketmind.settings import Settings, load_settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import corpus

pytestmark = pytest.mark.slow
NOW = datetime(2025, 10, 15, 9, 0, tzinfo=UTC)
MOVE = "my sister Maya just moved to Lisbon for her new job"
SWITCH = "I switched my gym membership from Parkside to Urban Boulder"


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


@pytest.fixture
def phone(minilm: object, pocketmind_home: Path) -> MemoryStore:
    settings: Settings = load_settings(timezone="UTC", memory={"dedup_threshold": 1.0})
    store = MemoryStore.open(settings, minilm)  # type: ignore[arg-type]
    background = [NewMemory(t, k, s, at) for t, k, s, at in corpus.memories(80, seed=41)]
    store.remember_many(
        [
            *background,
            NewMemory(MOVE, "chat", "WhatsApp", ago(20)),
            NewMemory("Left home", "place", "location", ago(1)),
            NewMemory("Arrived at home", "place", "location", ago(0.5)),
            NewMemory("Omar: are we still on for Friday?", "chat", "WhatsApp", ago(2)),
            NewMemory("Maya: haha you're the best!! 😂", "chat", "WhatsApp", ago(5)),
            NewMemory("Maya: miss you, call soon?", "chat", "WhatsApp", ago(8)),
            NewMemory("Maya: omg did you see the new season", "chat", "WhatsApp", ago(3)),
            NewMemory("Maya: lol ok", "chat", "WhatsApp", ago(1)),
            NewMemory(SWITCH, "note", "user", ago(40)),
            NewMemory(
                "Parkside gym newsletter: new spin classes in October",
                "notification",
                "Gmail",
                ago(10),
            ),
            NewMemory("Checked in at Parkside gym", "event", "Parkside", ago(80)),
        ]
    )
    facts = [
        ("Maya is the user's sister", "sister maya", 200),
        ("The user goes to Parkside gym", "user's gym", 300),
        ("The user switched gyms from Parkside to Urban Boulder", "user's gym", 40),
    ]
    ids = [
        store.remember(text, "fact", "chat", ago(days), {"subject": subject}, 0.8).id
        for text, subject, days in facts
    ]
    store.supersede(ids[1], ids[2])
    yield store
    store.close()


def top3(store: MemoryStore, question: str) -> list[str]:
    return [r.memory.text for r in Retriever(store).search(question, k=3, now=NOW)]


def test_a_relation_resolves_to_the_person(phone: MemoryStore) -> None:
    assert MOVE in top3(phone, "Where does my sister live now?")


def test_the_gym_now_is_the_switch(phone: MemoryStore) -> None:
    found = top3(phone, "Which gym do I go to now?")
    assert SWITCH in found or "The user switched gyms from Parkside to Urban Boulder" in found
    assert "Checked in at Parkside gym" not in found


def test_a_name_among_decoys_finds_the_statement(phone: MemoryStore) -> None:
    assert MOVE in top3(phone, "Which city did Maya move to and why?")
