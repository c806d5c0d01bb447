"""Qwen3-style ``<think>…</think>`` blocks: removed from what is shown, stored, exported.

Qwen3 chat templates open the assistant turn with an empty think block when thinking
is off, and a model may still emit one; a stream can split the tags across tokens, so
``ThinkingFilter`` holds back just enough text to decide.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

OPEN, CLOSE = "<think>", "</think>"
_BLOCK = re.compile(r"<think>.*?(</think>\s*|$)", re.DOTALL)


def strip_thinking(text: str) -> str:
    """``text`` without think blocks; an unterminated block runs to the end."""
    return _BLOCK.sub("", text).lstrip() if OPEN in text else text


def split_thinking(text: str) -> tuple[str, str]:
    """(thoughts, answer) from a complete reply."""
    thoughts = "".join(m.group(0) for m in _BLOCK.finditer(text))
    return thoughts, strip_thinking(text)


class ThinkingFilter:
    """Feed streamed pieces; get back only the visible text, in order."""

    def __init__(self) -> None:
        self._buffer = ""
        self._inside = False
        self._started = False  # leading whitespace after a think block is dropped

    def feed(self, piece: str) -> str:
        self._buffer += piece
        out = []
        while self._buffer:
            if self._inside:
                end = self._buffer.find(CLOSE)
                if end < 0:
                    self._buffer = self._buffer[-(len(CLOSE) - 1) :]
                    break
                self._buffer = self._buffer[end + len(CLOSE) :]
                self._inside = False
                continue
            start = self._buffer.find(OPEN)
            if start >= 0:
                out.append(self._buffer[:start])
                self._buffer = self._buffer[start + len(OPEN) :]
                self._inside = True
                continue
            keep = _partial_tag_suffix(self._buffer)
            out.append(self._buffer[: len(self._buffer) - keep])
            self._buffer = self._buffer[len(self._buffer) - keep :]
            break
        text = "".join(out)
        if not self._started:
            text = text.lstrip()
            self._started = bool(text)
        return text

    def flush(self) -> str:
        rest = "" if self._inside else self._buffer
        self._buffer = ""
        return rest if self._started else rest.lstrip()

    def filter(self, pieces: Iterable[str]) -> Iterator[str]:
        for piece in pieces:
            if visible := self.feed(piece):
                yield visible
        if rest := self.flush():
            yield rest


def _partial_tag_suffix(text: str) -> int:
    """Length of the longest suffix of ``text`` that could start ``<think>``."""
    for n in range(min(len(OPEN) - 1, len(text)), 0, -1):
        if OPEN.startswith(text[-n:]):
            return n
    return 0
