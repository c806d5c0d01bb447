"""The history around a forgotten memory: exchanges keep their rows, not its text."""

from __future__ import annotations

import json
import re

from ..db import Database
from ..memory.texts import MEMORY_CHARS, defuse

REDACTED = "[forgotten]"
_WORD = re.compile(r"\w+")
_COMMON = frozenset(
    """the and for with that this from have has had was were are you your she her his him
    they them their our its not but all any can will would could should about into what
    when where which who how just also than then there here some more very user users""".split()
)


def _telling_words(text: str) -> set[str]:
    """The words that would give a memory away: numbers and uncommon words."""
    return {
        w
        for w in (t.lower() for t in _WORD.findall(text))
        if w.isdigit() or (len(w) >= 3 and w not in _COMMON)
    }


def repeats(text: str | None, memory_text: str) -> bool:
    """Whether ``text`` (an answer, a question, a correction) may repeat the memory."""
    return bool(text) and bool(_telling_words(text or "") & _telling_words(memory_text))


def _needles(memory_text: str) -> list[str]:
    """The memory as it appears in a stored prompt: defused, maybe cut short."""
    shown = defuse(memory_text)
    if len(memory_text) > MEMORY_CHARS:
        shown = defuse(memory_text[: MEMORY_CHARS - 1])
    return [n for n in dict.fromkeys([shown, memory_text]) if n]


def redact_exchanges(db: Database, memory_id: int, memory_text: str, now: str) -> None:
    """Take a forgotten memory's text out of the exchanges that saw it.

    An exchange that merely retrieved it (or had it among the profile facts) keeps its
    row and its feedback, with the memory's text in the stored prompt replaced by
    ``[forgotten]``. One whose question, answer, thinking or correction may repeat it is
    blanked, and its feedback goes, as before.
    """
    needles = _needles(memory_text)
    probes = [json.dumps(n, ensure_ascii=False)[1:-1] for n in needles]
    marks = " OR ".join("instr(e.prompt, ?) > 0" for _ in probes)
    rows = db.execute(
        "SELECT e.id, e.user_text, e.answer, e.thinking, e.prompt, f.correction "
        "FROM exchanges e LEFT JOIN feedback f ON f.exchange_id = e.id "
        f"WHERE e.forgotten_at IS NULL AND (({marks}) OR e.id IN "
        "(SELECT exchange_id FROM exchange_memories WHERE memory_id = ?))",
        (*probes, memory_id),
    ).fetchall()
    for row in rows:
        said = (row["user_text"], row["answer"], row["thinking"], row["correction"])
        if any(repeats(text, memory_text) for text in said):
            db.execute(
                "UPDATE exchanges SET user_text = '', answer = '', thinking = NULL, "
                "prompt = '[]', forgotten_at = ? WHERE id = ?",
                (now, row["id"]),
            )
            db.execute("DELETE FROM feedback WHERE exchange_id = ?", (row["id"],))
            continue
        messages = json.loads(row["prompt"])
        for message in messages:
            for needle in needles:
                message["content"] = message["content"].replace(needle, REDACTED)
        db.execute(
            "UPDATE exchanges SET prompt = ? WHERE id = ?",
            (json.dumps(messages, ensure_ascii=False), row["id"]),
        )
    db.execute("DELETE FROM exchange_memories WHERE memory_id = ?", (memory_id,))
