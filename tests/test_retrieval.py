from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pocketmind.embedders import FakeEmbedder
from pocketmind.memory import MemoryStore, NewMemory, SearchResult, TimeWindow
from pocketmind.retrieval import Retriever
from pocketmind.retrieval.retriever import content_words, fts_query
from pocketmind.settings import Settings
from pocketmind.validation import InputError

NOW = datetime(2025, 10, 15, 9, 0, tzinfo=UTC)


@pytest.fixture
def diary(store: MemoryStore) -> MemoryStore:
    store.remember_many(
        [
            NewMemory(
                "Lunch with Alice at the harbour", "event", "calendar", NOW - timedelta(days=1)
            ),
            NewMemory(
                "Dentist appointment moved to Friday",
                "notification",
                "gmail",
                NOW - timedelta(days=1, hours=3),
            ),
            NewMemory("Maya moved to Lisbon last spring", "fact", "user", NOW - timedelta(days=90)),
            NewMemory("Bought running shoes", "event", "bank", NOW - timedelta(days=9)),
            NewMemory("Arrived at work", "place", "location", NOW - timedelta(days=8)),
        ]
    )
    return store


def test_results_carry_what_a_caller_needs(diary: MemoryStore) -> None:
    (hit, *_) = _search(diary, "dentist", now=NOW)
    as_json = hit.to_json()
    assert set(as_json) == {
        "id",
        "text",
        "kind",
        "source",
        "occurred_at",
        "meta",
        "untrusted",
        "score",
    }
    assert as_json["text"] == "Dentist appointment moved to Friday"
    assert as_json["source"] == "gmail"


def _search(store: MemoryStore, query: str, **options: Any) -> list[SearchResult]:
    return Retriever(store).search(query, **options)


def test_filters_by_kind_and_source(diary: MemoryStore) -> None:
    assert {r.memory.kind for r in _search(diary, "moved", kind="fact", now=NOW)} == {"fact"}
    assert {r.memory.source for r in _search(diary, "moved", source="gmail", now=NOW)} == {"gmail"}
    assert _search(diary, "moved", kind="nonexistent", now=NOW) == []


def test_time_phrase_narrows_to_the_window(diary: MemoryStore) -> None:
    texts = [r.memory.text for r in _search(diary, "what happened yesterday", now=NOW)]
    assert set(texts) == {"Lunch with Alice at the harbour", "Dentist appointment moved to Friday"}
    last_week = _search(diary, "what did I do last week", now=NOW)
    assert {r.memory.text for r in last_week} == {"Bought running shoes", "Arrived at work"}
    everything = _search(diary, "what happened yesterday", now=NOW, time_phrases=False)
    assert len(everything) == 5


def test_an_empty_dated_window_is_widened_by_a_week(diary: MemoryStore) -> None:
    # Nothing happened on 4 October; "Bought running shoes" (6 Oct) and "Arrived at work"
    # (7 Oct) lie within a week of it, Maya's move (July) does not.
    widened = {r.memory.text for r in _search(diary, "what did I buy on October 4", now=NOW)}
    assert widened == {"Bought running shoes", "Arrived at work"}
    diary.settings.retrieval.empty_window_widen_days = 0
    assert _search(diary, "what did I buy on October 4", now=NOW) == []


def test_an_explicit_empty_window_is_never_widened(diary: MemoryStore) -> None:
    window = TimeWindow(NOW - timedelta(days=12), NOW - timedelta(days=11))
    assert _search(diary, "shoes", window=window, now=NOW) == []


def test_explicit_window_wins(diary: MemoryStore) -> None:
    window = TimeWindow(NOW - timedelta(days=100), NOW - timedelta(days=50))
    assert [r.memory.text for r in _search(diary, "yesterday", window=window, now=NOW)] == [
        "Maya moved to Lisbon last spring"
    ]


def test_lexical_match_ranks_first(diary: MemoryStore) -> None:
    assert _search(diary, "running shoes", now=NOW)[0].memory.text == "Bought running shoes"


def test_neighbours_of_a_hit_are_pulled_up(settings: Settings) -> None:
    store = MemoryStore.open(settings, FakeEmbedder(1024))  # few hash collisions
    t = NOW - timedelta(days=2)
    chat = [
        "Bob: did you see the game",
        "Me: which one",
        "Bob: where did you park the car last night",
        "Me: level three by the blue pillar",
        "Bob: thanks",
    ] + [f"Bob: filler message {i} about nothing" for i in range(30)]
    store.remember_many(
        [
            NewMemory(text, "chat", "signal:bob", t + timedelta(minutes=i))
            for i, text in enumerate(chat)
        ]
    )
    answer = "Me: level three by the blue pillar"  # shares no word with the question
    ranked = [r.memory.text for r in Retriever(store).search("park the car", k=35, now=NOW)]
    assert ranked[0] == "Bob: where did you park the car last night"
    assert ranked.index(answer) <= 2
    store.settings.retrieval.neighbor_weight = 0.0
    plain = [r.memory.text for r in Retriever(store).search("park the car", k=35, now=NOW)]
    assert plain.index(answer) > ranked.index(answer)
    store.close()


def test_rrf_fusion_is_available(diary: MemoryStore) -> None:
    diary.settings.retrieval.fusion = "rrf"
    assert _search(diary, "running shoes", now=NOW)[0].memory.text == "Bought running shoes"


def test_empty_query_and_bad_k_are_refused(diary: MemoryStore) -> None:
    with pytest.raises(InputError, match="query: text is empty"):
        _search(diary, "  ")
    with pytest.raises(InputError, match="k: must be at least 1"):
        _search(diary, "x", k=-1)


def test_query_words_drop_scaffolding() -> None:
    assert content_words("When did Caroline go to the LGBTQ support group?") == [
        "caroline",
        "go",
        "lgbtq",
        "support",
        "group",
    ]
    assert content_words("what is it") == ["what", "is", "it"]
    assert fts_query('say "hi" OR NEAR(x)') == '"say" OR "hi" OR "near" OR "x"'
    assert fts_query("?!") is None


@settings(max_examples=80, deadline=None)
@given(st.text(min_size=1, max_size=60).filter(lambda s: s.strip()))
def test_any_query_text_searches_without_error(query: str) -> None:
    from pocketmind.settings import load_settings

    store = MemoryStore(
        __import__("pocketmind.db", fromlist=["connect"]).connect(":memory:"),
        FakeEmbedder(16),
        load_settings(timezone="UTC"),
    )
    store.remember("the quick brown fox")
    try:
        Retriever(store).search(query, now=NOW)
    except InputError as exc:
        assert "no such date" in str(exc)
    finally:
        store.close()


def test_candidates_come_from_the_memory_room(store: MemoryStore) -> None:
    at = NOW - timedelta(days=1)
    rows = [
        NewMemory("first", "notification", "chat", at - timedelta(hours=5)),
        NewMemory("second", "notification", "chat", at - timedelta(minutes=10)),
        NewMemory("middle", "notification", "chat", at),
        NewMemory("third", "notification", "chat", at + timedelta(minutes=5)),
        NewMemory("elsewhere", "notification", "mail", at + timedelta(minutes=1)),
    ]
    first, second, middle, third, elsewhere = [r.id for r in store.remember_many(rows)]
    candidates = store.candidates
    assert candidates.neighbors(middle, 2) == ([second, first], [third])
    assert candidates.neighbors(middle, 2, within=timedelta(minutes=30)) == ([second], [third])
    # Many at once, as the search spreads: the same answers as one at a time.
    ids = [first, second, middle, third, elsewhere]
    for hops, within in (
        (1, timedelta(minutes=30)),
        (2, timedelta(hours=6)),
        (2, timedelta(days=9)),
    ):
        threads = candidates.threads([*ids, middle], hops, within)
        assert threads == {m: candidates.neighbors(m, hops, within=within) for m in ids}
    assert candidates.threads([middle], 2, timedelta(hours=6))[middle] == ([second, first], [third])
    assert candidates.threads([], 2, timedelta(minutes=30)) == {}
    assert candidates.allowed(None, None, None) is None
    assert candidates.allowed(None, "mail", None) == {elsewhere}
    window = TimeWindow(at - timedelta(minutes=20), at + timedelta(minutes=1))
    assert candidates.allowed(None, "chat", window) == {second, middle}
    (hit,) = candidates.full_text('"third"', None, None, None, 10)
    assert hit[0] == third and hit[1] > 0
    assert candidates.full_text('"third"', None, "mail", None, 10) == []
