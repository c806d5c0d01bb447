"""The support check's holes, each with its principle (tuning-seed examples, no model).

The answers are the kind the packaged model and its adapter gave on generated personas;
the memories are a persona's, as bench/synth.py writes them.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pocketmind.chat.support import check, closest, degenerate
from pocketmind.memory.model import Memory, SearchResult

AT = datetime(2025, 10, 1, 9, tzinfo=UTC)
PERSONA = [
    "my sister Theo just moved to Porto",
    "my brother Tom works as a pilot",
    "I work as a nurse at Lidl",
    "we live in Leeds now, close to the station",
    "my favourite food is risotto",
    "the gym locker code is 4821",
    "my partner Elena plays the cello",
]


def _found(texts: list[str]) -> list[SearchResult]:
    return [
        SearchResult(Memory(i, t, "note", "chat", AT, AT, AT, 1, 0.5, {}, None, None), 1.0)
        for i, t in enumerate(texts, start=1)
    ]


def _id(text: str) -> int:
    return PERSONA.index(text) + 1


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        # "work" is the question's own topic, "gym" is from the locker code: a blend
        ("What is my job?", "You work at the gym."),
        # "Elena" from the partner, "works as a pilot" from the brother
        ("What instrument does my partner play?", "Your partner Elena works as a pilot."),
        # a name from the right memory, the rest invented
        ("Where does my sister live?", "Your sister Theo lives on a farm with goats and sheep."),
    ],
)
def test_a_claim_scattered_over_memories_is_not_supported(question: str, answer: str) -> None:
    assert check(answer, question, _found(PERSONA)).supported is False


@pytest.mark.parametrize(
    ("question", "answer", "memory"),
    [
        ("Which company do I work for?", "You work at Lidl.", "I work as a nurse at Lidl"),
        (
            "What instrument does my partner play?",
            "Your partner Elena plays the cello.",
            "my partner Elena plays the cello",
        ),
        ("Where does my sister live?", "Your sister Theo lives in Porto.", PERSONA[0]),
    ],
)
def test_one_memory_carrying_the_claim_is_cited(question: str, answer: str, memory: str) -> None:
    found = check(answer, question, _found(PERSONA))
    assert found.supported is True and found.cited == [_id(memory)]


def test_a_repetition_loop_is_never_support() -> None:
    loop = "Theo Theo Theo Theo Theo Theo Theo Theo"
    assert degenerate(loop) and degenerate("She is Theo. She is Theo. She is Theo. She is")
    assert check(loop, "What is my sister called?", _found(PERSONA)).supported is False
    assert check("Your sister is Theo.", "What is my sister called?", _found(PERSONA)).supported
    assert not degenerate("Your sister Theo lives in Porto, and Theo likes it there.")


def test_the_questions_own_words_do_not_count_against_a_memory() -> None:
    question = "What's my favourite dish?"
    found = check("Your favourite dish is risotto.", question, _found(PERSONA))
    assert found.supported is True and found.cited == [_id("my favourite food is risotto")]
    nearest = closest(question, _found(PERSONA))
    assert nearest is not None and nearest.memory.text == "my favourite food is risotto"
    # but who is asked about must match: the sister's city is not the aunt's
    aunt = check("Your aunt lives in Porto.", "Where does my aunt live?", _found(PERSONA))
    assert aunt.supported is False
    assert closest("Where does my aunt live?", _found(PERSONA)) is None
    assert closest("What is my cat called?", _found(PERSONA)) is None
