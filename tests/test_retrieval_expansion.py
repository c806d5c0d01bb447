"""Learned-fact expansion, "now" ordering, informativeness and the rerank seam (issue 18)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from pocketmind.memory import MemoryStore, NewMemory
from pocketmind.retrieval import Retriever
from pocketmind.retrieval.expansion import asks_about_now, expand
from pocketmind.retrieval.informative import informativeness
from pocketmind.retrieval.relations import Relations, former_names_in, names_in
from pocketmind.retrieval.rerank import FakeReranker, HttpReranker, RerankError, rerank
from pocketmind.retrieval.retriever import content_words

NOW = datetime(2025, 10, 15, 9, 0, tzinfo=UTC)


def learned(store: MemoryStore, statement: str, subject: str, days_ago: int) -> int:
    """A fact as the chat's fact extractor writes it."""
    return store.remember(
        statement,
        kind="fact",
        source="chat",
        at=NOW - timedelta(days=days_ago),
        meta={"subject": subject},
        importance=0.8,
    ).id


def test_names_and_former_names_come_from_the_statement() -> None:
    assert names_in("The user switched gyms from Parkside Fitness to Urban Boulder") == [
        "Parkside Fitness",
        "Urban Boulder",
    ]
    assert names_in("Maya is the user's sister") == ["Maya"]
    assert former_names_in("The user left Globex and now works at Northwind") == ["Globex"]


def test_relations_resolve_roles_and_follow_the_supersede_chain(store: MemoryStore) -> None:
    learned(store, "Maya is the user's sister", "sister maya", 200)
    old = learned(store, "The user goes to Parkside Fitness", "user's gym", 100)
    new = learned(store, "The user goes to Urban Boulder now", "user's gym", 10)
    store.supersede(old, new)
    store.remember("Parkside is a nice gym", kind="fact", source="user")  # no subject: ignored
    relations = Relations.load(store.lookup)
    (sister,) = relations.resolve(["sisters"])
    assert sister.current == ["Maya"] and sister.former == []
    (gym,) = relations.resolve(["gym"])
    assert gym.current == ["Urban Boulder"] and gym.former == ["Parkside Fitness"]
    assert relations.resolve(["brother"]) == []


def test_a_question_naming_a_relation_gains_the_name(store: MemoryStore) -> None:
    learned(store, "Maya is the user's sister", "sister maya", 200)
    question = "Where does my sister live now?"
    expansion = expand(question, content_words(question), Relations.load(store.lookup))
    assert expansion.words == ("maya",)
    assert expansion.about_now
    assert expansion.query_text(["sister", "live"]) == "sister live maya"
    assert expansion.query_text(["sister", "live"], keep_roles=False) == "live maya"
    assert expansion.restates_relation("Maya is the user's sister", "fact")
    assert not expansion.restates_relation("Maya is the user's sister", "note")
    plain = expand("who is Maya", ["maya"], Relations.load(store.lookup))
    assert plain.words == () and not plain.about_now


def test_now_questions_are_recognized() -> None:
    assert asks_about_now("Which gym do I go to now?")
    assert asks_about_now("what do I drink these days")
    assert not asks_about_now("Which gym did I go to in May?")


def test_now_shift_prefers_change_and_current_state(store: MemoryStore) -> None:
    old = learned(store, "The user goes to Parkside Fitness", "user's gym", 100)
    new = learned(store, "The user goes to Urban Boulder", "user's gym", 10)
    store.supersede(old, new)
    question = "Which gym do I go to now?"
    expansion = expand(question, content_words(question), Relations.load(store.lookup))
    switched = "I switched my gym membership from Parkside Fitness to Urban Boulder"
    assert expansion.now_shift(switched) == 1.0
    assert expansion.now_shift("Parkside Fitness: our October newsletter") == -1.0
    assert expansion.now_shift("Leg day at the gym") == 0.0
    later = expand(
        "Which gym did I go to in May?", ["gym", "go", "may"], Relations.load(store.lookup)
    )
    assert later.now_shift(switched) == 0.0


def test_now_question_ranks_the_change_above_older_states(store: MemoryStore) -> None:
    old = learned(store, "The user goes to Parkside Fitness", "user's gym", 300)
    new = learned(store, "The user goes to Urban Boulder", "user's gym", 40)
    store.supersede(old, new)
    store.remember_many(
        [
            NewMemory(
                "Parkside Fitness gym: renew your gym membership",
                "notification",
                "mail",
                NOW - timedelta(days=60),
            ),
            NewMemory(
                "Checked in at Parkside Fitness gym", "event", "app", NOW - timedelta(days=90)
            ),
            NewMemory(
                "I switched my gym membership to Urban Boulder",
                "note",
                "user",
                NOW - timedelta(days=40),
            ),
        ]
    )
    question = "Which gym membership do I have now?"
    store.settings.retrieval.now_weight = 0.5
    ranked = [r.memory.text for r in Retriever(store).search(question, k=10, now=NOW)]
    store.settings.retrieval.expand_relations = False
    before = [r.memory.text for r in Retriever(store).search(question, k=10, now=NOW)]
    changed = "I switched my gym membership to Urban Boulder"
    renewal = "Parkside Fitness gym: renew your gym membership"
    assert before.index(renewal) < before.index(changed)  # more of the question's words
    assert ranked.index(changed) < ranked.index(renewal)
    assert ranked.index(changed) < ranked.index("Checked in at Parkside Fitness gym")


def test_statements_score_above_chatter() -> None:
    statement = "WhatsApp from Maya: my new job starts on the 1st, so I just moved to Lisbon!"
    assert informativeness(statement) > 0.6
    assert informativeness("WhatsApp from Maya: haha you're the best!! 😂") < 0.4
    assert 0.0 <= informativeness("ok") <= 1.0


def test_rerank_reorders_the_head_and_keeps_the_tail(store: MemoryStore) -> None:
    store.remember_many(
        [
            NewMemory(text, at=NOW - timedelta(hours=i))
            for i, text in enumerate(
                ["gym", "the gym membership renewal", "gym shoes", "lunch", "dinner"]
            )
        ]
    )
    results = Retriever(store).search("gym", k=5, now=NOW, time_phrases=False)
    fake = FakeReranker()
    out = rerank("gym membership renewal", results, fake, depth=3, weight=1.0)
    assert out[0].memory.text == "the gym membership renewal"
    assert fake.calls == [("gym membership renewal", [r.memory.text for r in results[:3]])]
    assert [r.memory.id for r in out[3:]] == [r.memory.id for r in results[3:]]
    assert [r.score for r in out] == sorted((r.score for r in out), reverse=True)
    assert rerank("x", results, fake, depth=3, weight=0.0) == results


def test_retriever_takes_a_reranker_through_its_seam(store: MemoryStore) -> None:
    store.remember_many([NewMemory(t, at=NOW) for t in ("gym bag", "gym membership renewal")])
    store.settings.retrieval.rerank_weight = 1.0
    fake = FakeReranker()
    found = Retriever(store, reranker=fake).search("gym membership renewal", k=1, now=NOW)
    assert found[0].memory.text == "gym membership renewal" and len(fake.calls) == 1


def test_http_reranker_speaks_llama_cpp_rerank() -> None:
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        seen.append((request.url.path, body))
        scores = [len(doc) for doc in body["documents"]]
        return httpx.Response(
            200,
            json={"results": [{"index": i, "relevance_score": s} for i, s in enumerate(scores)]},
        )

    reranker = HttpReranker("http://rerank.test", transport=httpx.MockTransport(handler))
    assert reranker.scores("q", ["a", "abc"], [1, 2]) == [1.0, 3.0]
    assert seen == [("/v1/rerank", {"query": "q", "documents": ["a", "abc"], "top_n": 2})]


def test_a_failing_reranker_leaves_the_first_stage_order(store: MemoryStore) -> None:
    store.remember_many([NewMemory(t, at=NOW) for t in ("gym bag", "gym membership")])
    broken = HttpReranker(
        "http://rerank.test", transport=httpx.MockTransport(lambda r: httpx.Response(500))
    )
    with pytest.raises(RerankError, match="answered 500"):
        broken.scores("q", ["a"], [1])
    plain = Retriever(store).search("gym", now=NOW)
    assert [r.memory.id for r in Retriever(store, reranker=broken).search("gym", now=NOW)] == [
        r.memory.id for r in plain
    ]
