"""What an export removes on top of the sensing redaction: emails, phone numbers and the
names the user listed.

Everything is matched on normalized text (see :func:`pocketmind.redact.normalize`),
so an invisible character inside an address does not hide it. A phone number is 7-15
digits with spaces, dots, dashes, slashes or brackets between them ("415.555.0132",
"+49 151 0000 0000"), but never a date or a time ("2025-01-02 13:04", "03.05.2024"), an
IP address or a decimal number. A listed name is also found in the other order ("Kowalski,
Maya" for "Maya Kowalski") and spelled without its accents ("Juergen", "Jurgen" for
"Jürgen"; "Jürgen" for "Juergen").
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from ..redact import is_date, normalize, redact
from ..settings import Settings

_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_PHONE = re.compile(r"(?<![\w+.])\+?\(?\d[\d ()/.\-]{5,}\d(?![\w.]?\d)")
_ANY_DIGIT = re.compile(r"\d")
_IPV4 = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
_DECIMAL = re.compile(r"\d+\.\d+|\d{1,3}(?:\.\d{3})+")  # 3.14159265, 1.234.567
# German umlauts have a two-letter spelling; other accents are just dropped.
_SPELLINGS = {"ä": ("ae", "a"), "ö": ("oe", "o"), "ü": ("ue", "u"), "ß": ("ss",)}
_DIGRAPHS = {"ae": "ä", "oe": "ö", "ue": "ü", "ss": "ß"}


def _phone_piece(m: re.Match[str]) -> str:
    found = m.group(0).strip()
    digits = sum(c.isdigit() for c in found)
    if not 7 <= digits <= 15 or _IPV4.fullmatch(found) or _DECIMAL.fullmatch(found):
        return m.group(0)
    return m.group(0).replace(found, "[phone]")


def _phones(text: str) -> str:
    def sub(m: re.Match[str]) -> str:
        found = m.group(0)
        if not is_date(found):
            return _phone_piece(m)
        # A date (and maybe a time) ran into the digits: a number after it still counts.
        parts = re.split(r"((?:19|20)\d\d[-./]\d\d?[-./]\d\d?|\d\d?[-./]\d\d?[-./]\d{2,4})", found)
        return "".join(
            part if i % 2 else _PHONE.sub(_phone_piece, part) for i, part in enumerate(parts)
        )

    return _PHONE.sub(sub, text)


def _letter(ch: str) -> str:
    low = ch.lower()
    if low in _SPELLINGS:
        return "(?:" + "|".join([re.escape(low), *_SPELLINGS[low]]) + ")"
    bare = "".join(c for c in unicodedata.normalize("NFKD", low) if not unicodedata.combining(c))
    if bare != low and bare:
        return f"(?:{re.escape(low)}|{re.escape(bare)})"
    return re.escape(low)


def _spelled(word: str) -> str:
    """A pattern for ``word`` in its accented and unaccented spellings (case-insensitive)."""
    out, i = [], 0
    low = word.lower()
    while i < len(low):
        pair = low[i : i + 2]
        if pair in _DIGRAPHS:
            out.append(f"(?:{pair}|{_DIGRAPHS[pair]})")
            i += 2
        else:
            out.append(_letter(low[i]))
            i += 1
    return "".join(out)


def name_pattern(names: list[str]) -> re.Pattern[str] | None:
    """One pattern for the listed names, each in its spellings, and a two-part or longer
    name also last part first ("Kowalski, Maya", "Kowalski Maya")."""
    forms: list[str] = []
    for name in names:
        words = normalize(name).split()
        if not words:
            continue
        parts = [_spelled(w) for w in words]
        forms.append(r"\s+".join(parts))
        if len(parts) > 1:
            forms.append(parts[-1] + r",?\s+" + r"\s+".join(parts[:-1]))
    if not forms:
        return None
    forms.sort(key=len, reverse=True)  # the longest form first: the full name wins
    return re.compile(r"(?<!\w)(?:" + "|".join(forms) + r")(?!\w)", re.IGNORECASE)


class Redactor:
    def __init__(self, settings: Settings) -> None:
        self.on = settings.export.redact
        listed = [n for n in settings.export.redact_names if n.strip()]
        self.count = len(listed)
        self.names = name_pattern(listed)

    def _more(self, line: str) -> str:
        if "@" in line:
            line = _EMAIL.sub("[email]", line)
        if _ANY_DIGIT.search(line):
            line = _phones(line)
        return self.names.sub("[name]", line) if self.names else line

    def __call__(self, text: str) -> str:
        if not self.on:
            return text
        return redact(text, self._more)

    def describe(self) -> dict[str, Any]:
        return {
            "enabled": self.on,
            "kinds": [
                "email",
                "phone",
                "card number",
                "one-time code",
                "bank account",
                "password",
                "names",
            ]
            if self.on
            else [],
            "names": self.count,
        }
