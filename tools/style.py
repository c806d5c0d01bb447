""" "In my usual style": the user's own sent texts as examples, applied without a model.

What a handful of sent messages show reliably is their surface: whether the user starts
with a capital, ends with a full stop, and signs off the same way ("x", "cheers", an
emoji). :func:`learn` reads those habits (each one only when most messages share it)
and :meth:`Style.apply` puts them on the new text; the words stay the user's.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Style:
    lowercase: bool = False
    full_stop: bool | None = None  # None: leave the text's own ending alone
    sign_off: str = ""

    def apply(self, text: str) -> str:
        text = text.strip()
        if not text:
            return text
        if self.lowercase and not text[:2].isupper():
            text = text[0].lower() + text[1:]
        if self.full_stop is False:
            text = text.rstrip(".")
        elif self.full_stop and text[-1].isalnum():
            text += "."
        if self.sign_off and not text.lower().endswith(self.sign_off.lower()):
            text = f"{text} {self.sign_off}"
        return text


def learn(messages: Sequence[str]) -> Style:
    """The habits most of ``messages`` share; an empty :class:`Style` from none."""
    bodies = [m.strip() for m in messages if m.strip()]
    if not bodies:
        return Style()
    most = len(bodies) / 2
    lowercase = sum(b[0].islower() for b in bodies) > most
    stops = sum(b.endswith(".") for b in bodies)
    full_stop = True if stops > most else False if stops == 0 else None
    endings = Counter(last for b in bodies if (last := _sign_off(b)))
    sign_off = ""
    if endings and len(bodies) >= 2:
        word, count = endings.most_common(1)[0]
        sign_off = word if count > most else ""
    return Style(lowercase, full_stop, sign_off)


def _sign_off(body: str) -> str:
    """The message's last word when it is a sign-off: "x", "cheers", an emoji."""
    words = body.split()
    last = words[-1] if len(words) > 1 else ""
    if re.fullmatch(r"(?i)x+|cheers|thx|ta|love|ciao|bye", last) or (
        last and not any(c.isalnum() for c in last) and not re.fullmatch(r"[.!?,;:]+", last)
    ):
        return last
    return ""
