"""Secrets out of sensed text before anything is stored.

One-time codes ("123456 is your code", "OTP: 4821"), payment card numbers (checked with
Luhn so order numbers survive), IBANs, and "password: …" fragments become tags that say
what was removed, so the memory still reads ("Your bank code is [one-time code]").
"""

from __future__ import annotations

import re

_CARD = re.compile(r"\b\d(?:[ -]?\d){12,18}\b")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b")
_OTP_CONTEXT = re.compile(
    r"(?i)\b(?:code|otp|passcode|pin|verification|verify|security|2fa|tan|one[- ]time)\b"
)
# A code is 4-8 digits (or "123 456"), not part of a date or time ("2025-01-02", "13:04").
_DIGITS = re.compile(
    r"(?<!\d[-:./])\b(?:\d{3} \d{3}|\d{4,8})\b(?![-:./]\d)"
    r"|\b[A-Z0-9]{6,8}\b(?=[^A-Za-z0-9]*(?:is|ist)\b)"
)
_PASSWORD = re.compile(r"(?i)\b(password|passwort|pwd)\s*[:=]\s*\S+")


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def redact(text: str) -> str:
    """``text`` with secrets replaced; one-time codes only on lines that say "code"."""
    return "\n".join(_redact_line(line) for line in text.split("\n"))


def _redact_line(text: str) -> str:
    def card(m: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", m.group(0))
        return "[card number]" if 13 <= len(digits) <= 19 and _luhn(digits) else m.group(0)

    text = _CARD.sub(card, text)
    text = _IBAN.sub("[bank account]", text)
    text = _PASSWORD.sub(lambda m: f"{m.group(1)}: [secret]", text)
    if _OTP_CONTEXT.search(text):
        text = _DIGITS.sub(
            lambda m: "[one-time code]" if any(c.isdigit() for c in m.group(0)) else m.group(0),
            text,
        )
    return text
