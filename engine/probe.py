"""Is a model's answer degenerate? The test a LoRA adapter's first answer must pass.

An adapter with NaN weights, or weights large enough to overflow the KV cache, makes
llama.cpp answer with nothing, one token over and over, or a string of dots. Such an
answer to a plain question is refused before the adapter serves anyone.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from .base import Message

PROBE = (Message("user", "Say hello to me in one short sentence."),)
PROBE_TOKENS = 8  # enough to tell; a healthy answer often stops sooner
PUNCTUATION_RUN = 8  # this many punctuation or symbol characters in a row


def _symbol(char: str) -> bool:
    return unicodedata.category(char)[0] in "PS"


def degenerate(text: str, tokens: Sequence[int] = ()) -> str | None:
    """Why ``text`` (and its ``tokens``) is no answer at all, or None if it is one."""
    chars = [c for c in text if not c.isspace() and unicodedata.category(c) != "Cf"]
    if not chars:
        return "empty"
    if len(chars) >= 3 and len(set(chars)) == 1:
        return f"one character repeated ({chars[0]!r} x{len(chars)})"
    if len(tokens) >= 4 and len(set(tokens)) == 1:
        return f"one token repeated ({len(tokens)} times)"
    run = longest = 0
    for char in chars:
        run = run + 1 if _symbol(char) else 0
        longest = max(longest, run)
    if longest >= PUNCTUATION_RUN:
        return f"a run of {longest} punctuation marks"
    if len(chars) >= PUNCTUATION_RUN and sum(c.isalnum() for c in chars) * 4 < len(chars):
        return "mostly punctuation"
    return None
