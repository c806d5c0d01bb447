"""Validation and normalization of memory text: the one place that decides what is valid."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_SPACE = re.compile(r"\s+")


class MemoryInputError(ValueError):
    """Input that cannot become a memory. The message says what and where."""


def clean_text(text: object, max_bytes: int, where: str = "text") -> str:
    """Return ``text`` stripped, or raise naming ``where`` and what is wrong."""
    if not isinstance(text, str):
        raise MemoryInputError(f"{where}: text must be a string, got {type(text).__name__}")
    stripped = text.strip()
    if not stripped:
        raise MemoryInputError(f"{where}: text is empty")
    try:
        encoded = stripped.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise MemoryInputError(
            f"{where}: text is not valid UTF-8 (lone surrogate at character {exc.start})"
        ) from exc
    if "\x00" in stripped:
        raise MemoryInputError(f"{where}: text contains a NUL character")
    if len(encoded) > max_bytes:
        raise MemoryInputError(
            f"{where}: text is {len(encoded)} bytes, over the limit of {max_bytes}"
        )
    return stripped


def normalize(text: str) -> str:
    """Case-, width- and whitespace-insensitive form used for exact deduplication."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def text_hash(text: str) -> str:
    return hashlib.sha256(normalize(text).encode("utf-8")).hexdigest()[:32]
