"""Secrets out of sensed text before anything is stored.

One-time codes ("123456 is your code", "OTP: 4821", "Your code is" and the code on the
next line, "code: 48 29 13"), payment card numbers (checked with Luhn so order numbers
survive), IBANs (any case; the mod-97 check decides for those not written in capitals)
and passwords ("password: …", "passwd:…", "my pw is …") become tags that say what was
removed, so the memory still reads ("Your bank code is [one-time code]").

Matching runs on normalized text (:func:`normalize`: NFKC, zero-width and bidi
characters dropped), so a no-break space or an invisible character between the digits
of a card does not hide it. A line where nothing was found is returned as it came; a
line with a secret comes back normalized. :func:`redact` takes an ``extra`` step that
the export adds its own kinds (emails, phone numbers, names) through.

It sits on the bottom floor because both sensing (before storing) and training (before
exporting) use it, and training sits below sensing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

# Invisible characters: zero-width space/joiners, word joiner, BOM, soft hyphen, the
# Mongolian vowel separator, invisible operators and bidi controls.
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")

_CARD = re.compile(r"(?<!\d)\d(?:[ .\-]?\d){12,18}(?!\d)")
_IBAN = re.compile(r"(?i)\b[A-Z]{2}\d{2}(?:[ .\-]?[A-Z0-9]{4}){2,7}(?:[ .\-]?[A-Z0-9]{1,4})?\b")
_IBAN_WORD = re.compile(r"(?i)\biban\b")
_OTP_CONTEXT = re.compile(
    r"(?i)\b(?:code|otp|passcode|pin|verification|verify|security|2fa|tan|one[- ]time)\b"
)
# A line that announces the code for the next one: "Your code is", "Code:".
_OTP_LEAD = re.compile(r"(?i)(?:\b(?:is|ist|lautet)|:)\s*$")
# A code is 4-8 digits, maybe in groups ("123 456", "48 29 13"), not part of a date or a
# time ("2025-01-02", "13:04"); or 6-8 capitals and digits before "is".
_DIGITS = re.compile(
    r"(?<!\d[-:./])\b(?:\d{2,4}(?:[ .\-]\d{2,4}){1,3}|\d{4,8})\b(?![-:./]\d)"
    r"|\b[A-Z0-9]{6,8}\b(?=[^A-Za-z0-9]*(?:is|ist)\b)"
)
_DATE = re.compile(
    r"(?<!\d)(?:(?:19|20)\d\d[-./](?:0?[1-9]|1[0-2])[-./](?:0?[1-9]|[12]\d|3[01])"
    r"|(?:0?[1-9]|[12]\d|3[01])[-./](?:0?[1-9]|[12]\d|3[01])[-./](?:\d\d|(?:19|20)\d\d))(?!\d)"
)
_PASSWORD = re.compile(
    r"(?i)\b(?P<key>password|passwort|passwd|passphrase|passcode|kennwort|pwd|pw)\b"
    r"(?P<what>\s+(?:for|of|to|für)\s+(?:the\s+|my\s+|your\s+|das\s+|den\s+)?[\w'.-]+)?"
    r"(?P<sep>\s*[:=]\s*|\s+(?:is|ist|lautet|was|war)\s*:?\s*|\s+)(?P<value>\S+)"
)
_PASSWORD_HINT = re.compile(r"(?i)pw|pass|kennwort")
_ANY_DIGIT = re.compile(r"\d")
# Words that follow "password" in ordinary sentences ("Your password was changed"):
# after a bare space or "is", one of these is not the secret.
_NOT_SECRETS = frozenset(
    """a again also an and any are as at be been below by can change changed changes
    check correct could did does email entry expired expires field for from has have
    here hint hints in incorrect invalid is it just length link login manager managers
    may must my no not now of on only or our page please policy protected protection
    recovery required requirements reset rules safe same saved screen secure sent set
    short should so still strength strong the their this to too update updated very
    was weak will with wrong you your""".split()
)

Step = Callable[[str], str]
Sub = Callable[[re.Match[str]], str]


def normalize(text: str) -> str:
    """NFKC (a no-break space becomes a space, full-width digits ASCII ones), with the
    invisible characters removed: the text every pattern here is matched against."""
    return _INVISIBLE.sub("", unicodedata.normalize("NFKC", text))


def is_date(text: str) -> bool:
    """Whether ``text`` holds a date written with ``-``, ``.`` or ``/`` ("2025-01-02")."""
    return _DATE.search(text) is not None


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def iban_ok(compact: str) -> bool:
    """The ISO 13616 mod-97 check of an IBAN without separators."""
    compact = compact.upper()
    if not (15 <= len(compact) <= 34 and compact[:2].isalpha() and compact[2:4].isdigit()):
        return False
    moved = compact[4:] + compact[:4]
    return int("".join(str(int(ch, 36)) for ch in moved)) % 97 == 1


def redact(text: str, extra: Step | None = None) -> str:
    """``text`` with secrets replaced; one-time codes only on lines that say "code" (or
    right after one that ends "… code is"). ``extra`` runs on each normalized line after."""
    out = []
    lead = False
    for line in text.split("\n"):
        clean = normalize(line)
        done = _redact_line(clean, lead)
        if extra is not None:
            done = extra(done)
        out.append(line if done == clean else done)
        lead = bool(_OTP_CONTEXT.search(clean) and _OTP_LEAD.search(clean))
    return "\n".join(out)


def _card(m: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", m.group(0))
    return "[card number]" if 13 <= len(digits) <= 19 and _luhn(digits) else m.group(0)


def _iban(line: str) -> Sub:
    said = _IBAN_WORD.search(line) is not None

    def sub(m: re.Match[str]) -> str:
        found = m.group(0)
        ends = [i + 1 for i, ch in enumerate(found) if ch.isalnum()]  # end of each alnum
        compact = "".join(ch for ch in found if ch.isalnum())
        for n in range(len(compact), 14, -1):  # the longest part that passes the check
            if iban_ok(compact[:n]):
                return "[bank account]" + found[ends[n - 1] :]
        capitals = found == found.upper()  # written as banks print them
        if capitals or (said and sum(ch.isdigit() for ch in compact) >= 10):
            return "[bank account]"
        return found

    return sub


def _password(m: re.Match[str]) -> str:
    value = m.group("value")
    bare = not re.search(r"[:=]", m.group("sep"))
    word = value.strip(".,;!?\"'()").lower()
    if value.startswith("[") or (bare and word in _NOT_SECRETS):
        return m.group(0)
    return m.group("key") + (m.group("what") or "") + m.group("sep") + "[secret]"


def _code(m: re.Match[str]) -> str:
    found = m.group(0)
    if not any(c.isdigit() for c in found):
        return found
    digits = sum(c.isdigit() for c in found)
    if not found.isalnum() and (not 4 <= digits <= 8 or is_date(found)):
        return found  # grouped digits: a date, or too long to be a code
    return "[one-time code]"


def _redact_line(text: str, lead: bool = False) -> str:
    digits = _ANY_DIGIT.search(text) is not None  # most lines have none: no card, no code
    if digits:
        text = _CARD.sub(_card, text)
        text = _IBAN.sub(_iban(text), text)
    if _PASSWORD_HINT.search(text):
        text = _PASSWORD.sub(_password, text)
    if digits and (lead or _OTP_CONTEXT.search(text)):
        text = _DIGITS.sub(_code, text)
    return text
