"""A second hop (pseudo-relevance feedback): search again with what the first hits name.

A multi-hop question ("what did Caroline do after the charity race?") needs the memory
that shares an entity with the first hit, not with the question. After the first
fusion, the best ``feedback_docs`` hits are read:

- their rarest words (by the store's own full-text document frequencies) join the
  question's words in a second BM25 query (RM3-style expansion). Words the question
  already holds, question scaffolding, words no other memory holds and common words
  (in over 0.5% of the memories, and over 50) are skipped; a word counts more the
  higher the hits holding it rank;
- the mean of their vectors joins the question's vector in a second vector search
  (Rocchio).

The retriever fuses both lists with the first two, each with its own weight
(``feedback_bm25_weight``, ``feedback_vector_weight``; 0 turns a list off).

Words are stemmed as the full-text index stems them: the hits' texts pass through a
private in-memory FTS5 table with the same tokenizer, never written to disk and emptied
after each use, so "moved" in a hit meets "move" in the index.
"""

from __future__ import annotations

import math
import re
import threading
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..db import sqlite_module
from .words import STOPWORDS

if TYPE_CHECKING:
    from ..memory.store import MemoryStore

TOKENIZER = "porter unicode61 remove_diacritics 2"  # memories_fts's (memory/migrations.py)
_TOKEN = re.compile(r"[^\W_]+")  # unicode61's tokens: runs of letters and digits
MIN_LENGTH = 3  # "ok", "hi": shorter words name nothing
# A word in more than this share of the memories (and more than COMMON_FLOOR of them)
# names nothing in particular, and its BM25 list would cost the most to read: at 100k
# memories, common words made the second hop's BM25 read 7x slower than the first's.
COMMON_SHARE = 0.005
COMMON_FLOOR = 50


@dataclass(frozen=True)
class SecondHop:
    words: str  # the hits' salient words, space-separated ("" for none)
    vector: Any  # the question's vector moved toward the hits' (None for none)


class Stemmer:
    """FTS5's porter tokenizer, through a private in-memory table (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._conn: Any = None

    def terms(self, texts: list[str]) -> list[tuple[str, int, str]]:
        """(term as the index keeps it, position of its text, the word as written) for
        every token of ``texts``, in order."""
        with self._lock:
            conn = self._connection()
            conn.executemany(
                "INSERT INTO hop(rowid, text) VALUES (?, ?)", enumerate(texts, start=1)
            )
            try:
                rows = conn.execute("SELECT term, doc, offset FROM hop_terms").fetchall()
            finally:
                conn.execute("DELETE FROM hop")
        tokens = [_TOKEN.findall(text.lower()) for text in texts]
        out = []
        for term, doc, offset in rows:
            written = tokens[doc - 1]
            word = written[offset] if offset < len(written) else term
            out.append((term, doc - 1, word))
        return out

    def _connection(self) -> Any:
        if self._conn is None:
            conn = sqlite_module().connect(":memory:", check_same_thread=False)
            conn.execute(f"CREATE VIRTUAL TABLE hop USING fts5(text, tokenize='{TOKENIZER}')")
            conn.execute("CREATE VIRTUAL TABLE hop_terms USING fts5vocab(hop, instance)")
            self._conn = conn
        return self._conn


STEMMER = Stemmer()


def salient_words(store: MemoryStore, question: str, texts: list[str], limit: int) -> list[str]:
    """Up to ``limit`` words of ``texts`` (best hit first) by rarity in the store,
    weighted by the rank of the hits holding them; none the question already holds."""
    if not texts or limit < 1:
        return []
    tokens = STEMMER.terms([question, *texts])
    asked = {term for term, position, _ in tokens if position == 0}
    held: dict[str, set[int]] = defaultdict(set)
    written: dict[str, str] = {}
    for term, position, word in tokens:
        if position == 0 or term in asked or word in STOPWORDS or len(word) < MIN_LENGTH:
            continue
        held[term].add(position)
        written.setdefault(term, word)
    frequencies = store.candidates.document_frequencies(list(held))
    total = max(len(store.index), len(texts))
    common = max(COMMON_FLOOR, COMMON_SHARE * total)
    scored = []
    for term, positions in held.items():
        df = frequencies.get(term, 0)
        if df <= len(positions) or df > common:  # nowhere new / nothing in particular
            continue
        idf = math.log(1 + (total - df + 0.5) / (df + 0.5))
        scored.append((idf * sum(1 / p for p in positions), term))
    scored.sort(key=lambda pair: (-pair[0], pair[1]))
    return [written[term] for _, term in scored[:limit]]


def second_hop(
    store: MemoryStore, question: str, fused: dict[int, float], vector: Any
) -> SecondHop:
    """What the best first hits add to ``question`` (its searched words) and ``vector``."""
    settings = store.settings.retrieval
    first = sorted(fused, key=fused.__getitem__, reverse=True)[: settings.feedback_docs]
    words = ""
    if settings.feedback_bm25_weight > 0:
        memories = store.get_many(first)
        texts = [memories[i].text for i in first if i in memories]
        words = " ".join(salient_words(store, question, texts, settings.feedback_terms))
    moved = None
    if settings.feedback_vector_weight > 0:
        _, vectors = store.index.vectors_of(first)
        if len(vectors):
            moved = np.asarray(vector, dtype=np.float32) + vectors.mean(axis=0)
            moved /= float(np.linalg.norm(moved)) or 1.0
    return SecondHop(words, moved)
