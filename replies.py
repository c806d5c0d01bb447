"""The words a user answers a yes/no question with, for every room that asks one."""

from __future__ import annotations

YES = frozenset(
    {
        "yes",
        "y",
        "yeah",
        "yep",
        "ok",
        "okay",
        "sure",
        "please",
        "please do",
        "do it",
        "confirm",
        "yes please",
    }
)
NO = frozenset({"no", "n", "nope", "cancel", "don't", "do not", "no thanks"})
