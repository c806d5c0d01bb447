"""A question about what PocketMind does gets the truth, not the model's guess.

The packaged 135M model answers "Hello! What can you do?" with an invented letter or a
refusal; the user's first question deserves the truth, so the router answers it.
"""

from __future__ import annotations

import re
from datetime import datetime

ASKS = re.compile(
    r"^\s*(?:(?:hi|hello|hey|good (?:morning|afternoon|evening))\b[\s,!.]*)?"
    r"(?:what (?:can|do) you do|what are you(?: for)?|how (?:can|do) you help(?: me)?"
    r"|what can i ask(?: you)?|help)\s*[?!.]*\s*$",
    re.I,
)

ANSWER = (
    "Hello! I'm PocketMind. I remember what you tell me and what your phone senses, "
    'and answer from those memories. I can set reminders ("remind me to call Maya at 6"), '
    'act on the phone after you say yes ("text Mum that I\'ll be late", "set an alarm for '
    '6:40", "turn the torch on"), and plan ("when am I free on Thursday afternoon?"). '
    'Tell me things to remember, like "my sister Maya lives in Lisbon".'
)


class Capabilities:
    """The intent that answers a question about what PocketMind does."""

    def handle(self, text: str, conversation_id: str, now: datetime | None = None) -> str | None:
        return ANSWER if ASKS.match(text) else None
