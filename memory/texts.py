"""Normalization of memory text for exact deduplication."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_SPACE = re.compile(r"\s+")
# Chat-template control tokens (<|im_start|>, <|eot_id|>, ...), think tags and the
# prompt's own delimiters, which untrusted text must not be able to open or close.
_CONTROL = re.compile(r"<\|[^|>]{0,40}\|>|</?think>|</?memories>", re.IGNORECASE)
MEMORY_CHARS = 1200  # one long memory (a note, a file chunk) must not eat a prompt


def defuse(text: str) -> str:
    """Make control tokens and delimiters inert, keeping them readable."""
    return _CONTROL.sub(lambda m: m.group(0).replace("<", "‹").replace(">", "›"), text)


def normalize(text: str) -> str:
    """Case-, width- and whitespace-insensitive form used for exact deduplication."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def text_hash(text: str) -> str:
    return hashlib.sha256(normalize(text).encode("utf-8")).hexdigest()[:32]
