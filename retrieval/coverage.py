"""How many of the question's words a memory holds (Lucene's old "coord" factor).

BM25 divides by length: "Maya has two kids" (one of the question's words, short) beats
"my new job starts on the 1st, so I just moved to Lisbon" from Maya (two of them, long)
on "Which city did Maya move to?". Coverage counts distinct question words present,
after a light suffix strip so "move", "moved" and "moving" meet.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"\w+")
_SUFFIXES = ("ing", "ed", "es", "s", "e")


def stem(word: str) -> str:
    word = word.lower().replace("’", "'").removesuffix("'s")
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def stems(text: str) -> set[str]:
    return {stem(w) for w in _WORD.findall(text)}


def coverage(asked: set[str], text: str) -> float:
    """0..1: the share of the asked stems that ``text`` holds (0 when nothing is asked)."""
    return len(asked & stems(text)) / len(asked) if asked else 0.0
