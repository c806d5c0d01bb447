"""Grounded answers, facts from the user's words, and their undo (fake engine)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pocketmind.chat import Assistant
from pocketmind.chat.statements import confirmation, read_statement
from pocketmind.chat.support import DONT_KNOW, check
from pocketmind.engine import FakeEngine
from pocketmind.memory import MemoryStore
from pocketmind.retrieval import Retriever
from pocketmind.settings import Settings

NOW = datetime(2025, 10, 10, 12, 0, tzinfo=UTC)
SISTER = "my sister Maya just moved to Lisbon"


def _fill(store: MemoryStore) -> dict[str, int]:
    ids = {}
    for text, day in [
        (SISTER, 3),
        ("Dentist appointment on Tuesday at 3pm", 5),
        ("Bought a blue bike for the commute", 6),
    ]:
        ids[text] = store.remember(text, at=datetime(2025, 10, day, 9, tzinfo=UTC)).id
    return ids


def test_a_supported_answer_cites_its_memories(store: MemoryStore, settings: Settings) -> None:
    ids = _fill(store)
    answer = Assistant(store, FakeEngine(["She lives in Lisbon."]), settings).ask(
        "Where does my sister live?", now=NOW
    )
    assert answer.text == "She lives in Lisbon." and answer.supported is True
    assert answer.cited == [ids[SISTER]]
    shown = answer.to_json()
    assert shown["cited"] == [ids[SISTER]]
    assert [m["cited"] for m in shown["memories"] if m["id"] == ids[SISTER]] == [True]


def test_an_invention_is_not_shown_as_fact(store: MemoryStore, settings: Settings) -> None:
    _fill(store)
    engine = FakeEngine(["She lives in a small village called Azalia on El Hierro."])
    stream = Assistant(store, engine, settings).stream("Where does my sister live?", now=NOW)
    shown = "".join(stream)
    answer = stream.finish()
    assert shown == answer.text == f"I'm not sure. The closest memory: '{SISTER}' (3 Oct 2025)."
    assert answer.supported is False and "Azalia" not in shown


def test_a_question_nothing_answers_gets_i_dont_know(
    store: MemoryStore, settings: Settings
) -> None:
    _fill(store)
    engine = FakeEngine(["Your dog is called Rex."])
    answer = Assistant(store, engine, settings).ask("What is my dog called?", now=NOW)
    assert answer.text == DONT_KNOW and answer.cited == []


def test_an_echo_of_the_question_is_not_support(store: MemoryStore) -> None:
    store.remember(SISTER)
    found = Retriever(store).search("sister", k=1)
    assert check("Your sister lives there.", "Where does my sister live?", found).supported is False
    assert check("In Lisbon.", "Where does my sister live?", found).supported is True


def test_general_chat_is_not_checked(store: MemoryStore, settings: Settings) -> None:
    _fill(store)
    answer = Assistant(store, FakeEngine(["Paris."]), settings).ask(
        "What is the capital of France?"
    )
    assert answer.text == "Paris." and answer.supported is None


@pytest.mark.parametrize(
    ("said", "facts", "noted"),
    [
        (
            "My sister Maya moved to Lisbon",
            ["The user's sister is Maya.", "The user's sister Maya lives in Lisbon."],
            "Noted: your sister Maya lives in Lisbon.",
        ),
        ("I work as a nurse.", ["The user works as a nurse."], "Noted: you work as a nurse."),
        ("I live in New York", ["The user lives in New York."], "Noted: you live in New York."),
        ("I love sushi", ["The user likes sushi."], "Noted: you like sushi."),
        (
            "I have a dog called Rex",
            ["The user has a dog called Rex."],
            "Noted: you have a dog called Rex.",
        ),
    ],
)
def test_the_grammar_reads_statements(said: str, facts: list[str], noted: str) -> None:
    read = read_statement(said)
    assert [f.statement for f in read] == facts
    assert confirmation(read) == noted


@pytest.mark.parametrize(
    "said", ["I love you", "I have a question", "I'm a bit tired", "Where does my sister live?"]
)
def test_the_grammar_leaves_what_is_not_a_fact(said: str) -> None:
    assert read_statement(said) == []


def test_noted_facts_supersede_and_undo_brings_back_the_old(
    store: MemoryStore, settings: Settings
) -> None:
    engine = FakeEngine()
    assistant = Assistant(store, engine, settings)
    first = assistant.ask("My sister Maya lives in Porto", conversation_id="c", now=NOW)
    second = assistant.ask("My sister Maya moved to Lisbon", conversation_id="c", now=NOW)
    assert second.text.startswith("Noted: your sister Maya lives in Lisbon.")
    assert engine.prompts == []  # the grammar read it: no model
    porto = store.get(first.facts_learned[1])
    assert len(second.facts_learned) == 1  # "your sister is Maya" was known already
    assert porto is not None and porto.superseded_by == second.facts_learned[0]
    assert second.to_json()["undo"] == second.exchange_id
    undone = assistant.ask("undo", conversation_id="c")
    assert undone.text == "Undone: I forgot 1 fact from your last message."
    assert all(store.get(i) is None for i in second.facts_learned)
    back = store.get(first.facts_learned[1])
    assert back is not None and back.superseded_by is None
    assert assistant.ask("undo", conversation_id="c").text == "There was nothing to undo."
    assert assistant.undo(first.exchange_id) == first.facts_learned


def test_forgetting_keeps_the_exchanges_that_merely_retrieved_it(
    store: MemoryStore, settings: Settings
) -> None:
    from pocketmind.training.export import record_feedback

    secret = store.remember("The wifi password at home is hunter2")
    store.remember(SISTER)
    fact = store.remember("The user's favourite cake is tiramisu.", kind="fact")  # profile
    assistant = Assistant(store, FakeEngine(["Lisbon.", "It is hunter2."]), settings)
    kept = assistant.ask("Where does my sister live?", now=NOW)
    record_feedback(store.db, kept.exchange_id, "bad", "She lives in Lisbon, Portugal.")
    leaked = assistant.ask("what is my wifi password?", now=NOW)
    assert secret.id in [m.memory.id for m in kept.memories]
    store.forget(secret.id)
    store.forget(fact.id)
    row = store.db.execute("SELECT * FROM exchanges WHERE id = ?", (kept.exchange_id,)).fetchone()
    assert row["forgotten_at"] is None and row["answer"] == "Lisbon."
    assert "hunter2" not in row["prompt"] and "tiramisu" not in row["prompt"]
    assert "[forgotten]" in row["prompt"] and SISTER in row["prompt"]
    feedback = store.db.execute(
        "SELECT correction FROM feedback WHERE exchange_id = ?", (kept.exchange_id,)
    ).fetchone()
    assert feedback["correction"] == "She lives in Lisbon, Portugal."
    gone = store.db.execute(
        "SELECT * FROM exchanges WHERE id = ?", (leaked.exchange_id,)
    ).fetchone()
    assert gone["forgotten_at"] and "hunter2" not in str(dict(gone))
    everything = store.db.execute("SELECT * FROM exchanges").fetchall()
    assert len(everything) == 2 and "hunter2" not in str([dict(r) for r in everything])
