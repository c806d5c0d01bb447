"""The second hop (retrieval/feedback.py): real SQLite store, fake embedder."""

from datetime import UTC, datetime, timedelta

import pytest

from pocketmind.configfile import SettingsError
from pocketmind.memory import MemoryStore, NewMemory
from pocketmind.retrieval import Retriever, feedback
from pocketmind.retrieval.feedback import STEMMER, salient_words, second_hop
from pocketmind.settings import load_settings

NOW = datetime(2025, 10, 15, 9, 0, tzinfo=UTC)
QUESTION = "Which pottery workshop did I sign up for?"
FIRST = "Signed up for the pottery workshop at Clayhouse with Melanie"
# Shares no word with the question, only the place with the first hit: a second hop.
SECOND = "Clayhouse closes over winter, Priya said"
FILLER = [
    "Melanie went hiking with the kids on Sunday",
    "Melanie baked sourdough bread for the neighbours",
    "Dinner with Sam at the noodle bar downtown",
    "The garage called: the car is ready for pickup",
    "Priya recommended a novel about sailing",
    "Bought a rain jacket and walking boots",
    "Renovation of the train station starts in spring",
    "Sam sent photos of his new apartment",
    "Melanie: the kids loved the beach today",
    "Melanie asked if we are still on for Friday",
    "Melanie shared a photo of her garden",
    "Melanie is reading a book about birds",
]


@pytest.fixture
def studio(store: MemoryStore) -> MemoryStore:
    texts = [FIRST, SECOND, *FILLER]
    store.remember_many(
        [
            NewMemory(text, "message", f"chat{i}", NOW - timedelta(days=10 + 3 * i))
            for i, text in enumerate(texts)
        ]
    )
    return store


def _rank(store: MemoryStore, text: str, **retrieval: float) -> int:
    for name, value in retrieval.items():
        setattr(store.settings.retrieval, name, value)
    found = [r.memory.text for r in Retriever(store).search(QUESTION, k=10, now=NOW)]
    return found.index(text)


def test_second_hop_is_off_by_default() -> None:
    settings = load_settings(timezone="UTC")
    assert settings.retrieval.feedback_bm25_weight == 0
    assert settings.retrieval.feedback_vector_weight == 0


def test_settings_refuse_a_negative_weight() -> None:
    with pytest.raises(SettingsError, match=r"retrieval\.feedback_bm25_weight"):
        load_settings(timezone="UTC", retrieval={"feedback_bm25_weight": -1})


def test_salient_words_are_the_hits_rare_words_the_question_lacks(studio: MemoryStore) -> None:
    words = salient_words(studio, QUESTION, [FIRST], limit=5)
    # "clayhouse" (2 memories) is rarer than "melanie" (7); "pottery", "workshop" and
    # "signed" ("sign") the question holds; "the", "for", "at", "with" are scaffolding.
    assert words == ["clayhouse", "melanie"]
    assert salient_words(studio, QUESTION, [FIRST], limit=1) == ["clayhouse"]


def test_salient_words_weigh_the_hits_rank_and_respect_the_limit(studio: MemoryStore) -> None:
    hits = [SECOND, "Sam sent photos of his new apartment"]
    words = salient_words(studio, "what happened?", hits, limit=10)
    # "closes", "winter", "apartment": no other memory holds them. "photos" (Melanie's
    # "photo") and "sam" are as rare as "clayhouse" and "priya" (2 memories each) but
    # only in the second hit.
    assert words == ["clayhouse", "priya", "photos", "sam"]
    assert salient_words(studio, "what happened?", hits, limit=2) == words[:2]
    assert salient_words(studio, "what happened?", [], limit=5) == []


def test_salient_words_skip_common_words(
    studio: MemoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "melanie" is in 7 of the 14 memories: with the floor lowered it is common.
    monkeypatch.setattr(feedback, "COMMON_FLOOR", 5)
    assert salient_words(studio, QUESTION, [FIRST], limit=5) == ["clayhouse"]


def test_bm25_second_hop_brings_the_memory_that_shares_the_hits_entity(
    studio: MemoryStore,
) -> None:
    without = _rank(studio, SECOND)
    assert without >= 4  # the question's words do not lead to it
    assert _rank(studio, FIRST, feedback_bm25_weight=1.0) == 0
    assert _rank(studio, SECOND, feedback_bm25_weight=1.0) <= 2
    assert _rank(studio, SECOND, feedback_bm25_weight=1.0, feedback_with_question=False) <= 2


def test_vector_second_hop_brings_the_memory_near_the_first_hits(studio: MemoryStore) -> None:
    assert _rank(studio, SECOND) >= 4
    assert _rank(studio, SECOND, feedback_vector_weight=1.0) <= 2


def test_vector_second_hop_moves_toward_the_first_hits(studio: MemoryStore) -> None:
    studio.settings.retrieval.feedback_vector_weight = 1.0
    studio.settings.retrieval.feedback_docs = 1
    vector = studio.embedder.embed([QUESTION])[0]
    first_id = next(m.id for m in studio.recent(20) if m.text == FIRST)
    hop = second_hop(studio, QUESTION, {first_id: 1.0}, vector)
    assert hop.words == ""  # the BM25 list is off
    assert hop.vector is not None
    _, (hit,) = studio.index.vectors_of([first_id])
    assert float(hop.vector @ hit) > float(vector @ hit)
    assert abs(float(hop.vector @ hop.vector) - 1.0) < 1e-5


def test_document_frequencies_follow_the_index_and_forget(studio: MemoryStore) -> None:
    frequencies = studio.candidates.document_frequencies(["clayhous", "melani", "zzz"])
    assert frequencies == {"clayhous": 2, "melani": 7}
    second = next(m.id for m in studio.recent(20) if m.text == SECOND)
    studio.forget(second)
    assert studio.candidates.document_frequencies(["clayhous"]) == {"clayhous": 1}
    assert salient_words(studio, QUESTION, [FIRST], limit=5) == ["melanie"]


def test_stemmer_keeps_the_index_stems_and_no_text(studio: MemoryStore) -> None:
    terms = STEMMER.terms(["Where did she move?", "She moved to Málaga's old town"])
    assert ("move", 0, "move") in terms
    assert ("move", 1, "moved") in terms
    assert ("malaga", 1, "málaga") in terms
    # The hits' text passes through the private table and leaves it at once.
    assert STEMMER._connection().execute("SELECT count(*) FROM hop").fetchone()[0] == 0
