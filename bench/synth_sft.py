"""Training chats for the default adapter, in the prompts the pipeline really builds.

Tuning material only: personas from seeds below 1000 and phrasing set 0 of
``synth.py`` plus the extra tuning phrasings here; ``bench/answers.py`` asks held-out
personas (seeds from 1000) in set 2, and nothing here draws on sets 1 or 2. Three jobs:

- grounded answers: the Assistant's own ``PromptBuilder`` lays out the system message
  and the ``<memories>`` block (a few memories of the persona, and sometimes standing
  facts in the profile); the reply cites what answers, or says "I don't know that yet."
  when nothing shown does;
- facts from statements: the extractor's own instructions and JSON shape, for what the
  statement grammar does not read;
- tool use (``synth_tools.py``): OpenAI messages with ``tool_calls`` and ``tool`` turns.
"""

from __future__ import annotations

import argparse
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from synth import memories, persona, questions, replies, statements

from pocketmind.chat.facts import INSTRUCTIONS
from pocketmind.chat.prompt import PromptBuilder
from pocketmind.chat.statements import read_statement
from pocketmind.engine import Message
from pocketmind.memory.model import Memory, SearchResult
from pocketmind.settings import ChatSettings

IDK = "I don't know that yet."
NOW = datetime(2025, 10, 1, 12, 0, tzinfo=UTC)

# More ways to ask set 0's questions (index into set 0), for tuning only.
EXTRA_QUESTIONS = [
    (0, "Which city is my sister in?"),
    (1, "Tell me my sister's name."),
    (3, "What do I work as?"),
    (4, "What company employs me?"),
    (5, "What city is home for us?"),
    (6, "What's the dog called?"),
    (7, "What's my favourite thing to eat?"),
    (9, "gym locker code?"),
    (10, "When's my dentist appointment?"),
    (12, "What colour is the bike I ride to work?"),
]
EXTRA_UNKNOWN = [
    "What is my partner's job?",
    "What is my brother's phone number?",
    "When did I start at my job?",
    "What is my dentist called?",
    "Where did my sister live before?",
    "How old is my dog?",
    "What's my sister's favourite food?",
    "Which language am I learning?",
]
# Statements the grammar may not read, with the facts a right extraction gives.
EXTRA_STATEMENTS = [
    ("I just started learning the {instrument}", "user", "The user is learning the {instrument}."),
    ("my neighbour {friend} keeps bees", "neighbour {friend}", "{friend} keeps bees."),
    ("Our flat in {home} has a balcony", "user's flat", "The user's flat in {home} has a balcony."),
    ("I'm allergic to {food}", "user", "The user is allergic to {food}."),
    ("{partner} and I met in {city}", "partner {partner}", "{partner} met the user in {city}."),
    ("my boss {brother} drives a {bike} van", "boss {brother}", "{brother} drives a {bike} van."),
]
NO_FACTS = [
    "I'm so tired today",
    "I think it might rain later",
    "my phone is slow again",
    "we should go out sometime",
]


def _memory(n: int, text: str, at: datetime, kind: str = "note") -> Memory:
    return Memory(n, text, kind, "chat", at, at, at, 1, 0.5, {}, None, None)


def _builder() -> PromptBuilder:
    # the budget never binds here: a handful of short memories
    return PromptBuilder(ChatSettings(), 4096, lambda ms: sum(len(m.content) for m in ms), UTC)


def _openai(messages: list[Message]) -> list[dict[str, str]]:
    return [m.to_json() for m in messages]


def answer_chats(seed: int, most: int = 0) -> list[list[dict[str, str]]]:
    """Grounded answers and "I don't know" for one persona, as the Assistant prompts
    (``most`` of them drawn at random; 0: all)."""
    p = persona(seed)
    rng = random.Random(seed)
    builder = _builder()
    lines = memories(p)
    at = [NOW - timedelta(days=rng.randint(1, 60), hours=rng.randint(0, 10)) for _ in lines]
    pool = [_memory(i + 1, text, at[i]) for i, text in enumerate(lines)]
    asked = list(zip(questions(p, 0), replies(p), strict=True))
    asked += [((q, questions(p, 0)[i][1]), replies(p)[i]) for i, q in EXTRA_QUESTIONS]
    asked += [((q, None), IDK) for q in rng.sample(EXTRA_UNKNOWN, 3)]
    if most:
        asked = rng.sample(asked, k=min(most, len(asked)))
    chats = []
    for (question, gold), reply in asked:
        shown = rng.sample(pool, k=rng.randint(4, 7))
        if gold is not None:
            needed = next(m for m in pool if gold.lower() in m.text.lower())
            if needed not in shown:
                shown[rng.randrange(len(shown))] = needed
        profile: list[Memory] = []
        if rng.random() < 0.25:  # standing facts the user stated before
            profile = [_memory(100, f"The user's sister is {p.sister}.", NOW, "fact")]
        results = [SearchResult(m, 1.0 - i / 10) for i, m in enumerate(shown)]
        built = builder.build(question, results, (), profile)
        chats.append([*_openai(built.messages), {"role": "assistant", "content": reply}])
    return chats


def fact_chats(seed: int, most: int = 5) -> list[list[dict[str, str]]]:
    """Statements to facts, as ``FactExtractor`` asks (set 0, the extra ones, and
    first-person remarks that hold no durable fact)."""
    p = persona(seed)
    rng = random.Random(seed + 7)
    said: list[tuple[str, list[dict[str, str]]]] = []
    for text, _spans in statements(p, 0):
        facts = [{"subject": f.subject, "statement": f.statement} for f in read_statement(text)]
        if facts:
            said.append((text, facts))
    values = {**p.__dict__, "city": p.sister_city}
    template = rng.choice(EXTRA_STATEMENTS)
    text, subject, statement = (part.format(**values) for part in template)
    said.append((text, [{"subject": subject, "statement": statement}]))
    if rng.random() < 0.5:
        said.append((rng.choice(NO_FACTS), []))
    return [
        [
            {"role": "system", "content": INSTRUCTIONS},
            {"role": "user", "content": text},
            {"role": "assistant", "content": json.dumps({"facts": facts})},
        ]
        for text, facts in rng.sample(said, k=min(most, len(said)))
    ]


def training_chats(
    personas: int, tools: int, seed: int = 0, answers: int = 0, facts: int = 5
) -> list[list[dict[str, Any]]]:
    """Every training chat, shuffled with ``seed``: personas 0..personas-1 (``answers``
    questions and ``facts`` statements each; 0 answers: all) and ``tools`` tool-use chats."""
    from synth_tools import tool_chats

    chats: list[list[dict[str, Any]]] = []
    for p in range(personas):
        chats += answer_chats(p, answers) + fact_chats(p, facts)
    chats += tool_chats(tools, seed)
    random.Random(seed).shuffle(chats)
    return chats


def main() -> None:
    parser = argparse.ArgumentParser(description="The default adapter's training chats.")
    parser.add_argument("out", type=Path, help="folder for sft.jsonl (pocketmind refresh OUT)")
    parser.add_argument("--personas", type=int, default=8, help="seeds 0..N-1 (below 1000)")
    parser.add_argument("--tools", type=int, default=100, help="tool-use chats")
    parser.add_argument("--answers", type=int, default=0, help="questions a persona (0: all)")
    parser.add_argument("--facts", type=int, default=5, help="statements a persona")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.personas > 1000:
        parser.error("--personas: seeds from 1000 are the benchmark's held-out personas")
    chats = training_chats(args.personas, args.tools, args.seed, args.answers, args.facts)
    args.out.mkdir(parents=True, exist_ok=True)
    with (args.out / "sft.jsonl").open("w", encoding="utf-8") as fh:
        for chat in chats:
            fh.write(json.dumps({"messages": chat}, ensure_ascii=False) + "\n")
    print(f"{len(chats)} chats in {args.out / 'sft.jsonl'}")
