"""A question's words as the searches use them: content words and the FTS5 expression."""

from __future__ import annotations

import re

_WORD = re.compile(r"\w+", re.UNICODE)
# Question scaffolding: it matches everything and ranks nothing.
STOPWORDS = frozenset(
    """
    a an the and or but if of at by for with about against between into through during
    before after above below to from up down in out on off over under again further then
    once here there when where why how all any both each few more most other some such
    no nor not only own same so than too very s t can will just don should now i me my
    myself we our ours you your yours he him his she her hers it its they them their
    what which who whom this that these those am is are was were be been being have has
    had having do does did doing would could ever
    """.split()
)


def content_words(text: str) -> list[str]:
    """The query's words without question scaffolding (all words if nothing is left)."""
    words = _WORD.findall(text.lower())
    kept = [w for w in words if w not in STOPWORDS]
    return list(dict.fromkeys(kept or words))


def fts_query(text: str) -> str | None:
    """An FTS5 MATCH expression: the content words, quoted (no FTS syntax), OR-ed."""
    words = content_words(text)
    return " OR ".join(f'"{w}"' for w in words) if words else None
