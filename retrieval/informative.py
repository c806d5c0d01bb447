"""Statements over chatter: how much a memory's text states something about someone.

A cheap, model-free signal computed from the text at query time, over the candidate
pool only (about 30 texts, well under a millisecond): computing it at ingest would need
a migration and a backfill for no measured gain in speed. "my sister Maya just moved to
Lisbon for her new job" states a fact; "haha Maya you're the best!!" shares a name.

The score is in [0, 1], 0.5 for neutral text. Its weight is a retrieval setting
(``informative_weight``), chosen on the tuning halves of the benchmarks
(bench/retrieval.py).
"""

from __future__ import annotations

import re

_STATE = re.compile(
    r"\b(moved|move|lives?|living|works?|working|started|switched|got|bought|booked|"
    r"joined|adopted|married|engaged|born|allergic|diagnosed|decided|finished|graduated|"
    r"signed|hired|promoted|quit|left|visited|went|became|became|began|changed|"
    r"is|are|was|were|has|have|had|since|because|for|new|now|job|birthday|"
    r"appointment|booked|scheduled|renewed|cancelled|canceled|paid|address|number)\b",
    re.IGNORECASE,
)
_RELATION = re.compile(
    r"\b(my|our)\s+(sister|brother|mum|mom|mother|dad|father|wife|husband|partner|"
    r"girlfriend|boyfriend|son|daughter|kids?|children|friend|boss|doctor|dentist|"
    r"gym|job|flat|apartment|landlord|neighbou?r|colleague|cousin|aunt|uncle|grandma|"
    r"grandpa|team|school|office|car)\b",
    re.IGNORECASE,
)
_DETAIL = re.compile(r"\d|\b[A-Z][a-z]+\b")
_CHATTER = re.compile(
    r"\b(haha+|hah|lol|lmao|omg|wow|yay|hi|hey|hello|hiya|thanks|thank you|thx|cool|"
    r"nice|awesome|great|amazing|love it|love you|miss you|sounds good|see you|see ya|"
    r"good night|good morning|take care|you too|bye|ok|okay|sure|yeah|yes|no way|"
    r"congrats|congratulations|glad|totally|absolutely|xo+|xx+)\b",
    re.IGNORECASE,
)
_EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf]")


def informativeness(text: str) -> float:
    """0..1: a statement with details scores high, greetings and reactions low."""
    words = text.split()
    statement = min(len(_STATE.findall(text)), 3) / 3
    relation = 1.0 if _RELATION.search(text) else 0.0
    # Capitalized words past the first (a name, a place) and digits are details.
    detail = min(len(_DETAIL.findall(" ".join(words[1:]))), 3) / 3
    chatter = min(len(_CHATTER.findall(text)) + len(_EMOJI.findall(text)), 3) / 3
    short = 1.0 if len(words) < 6 else 0.0
    question = 1.0 if text.rstrip().endswith("?") else 0.0
    exclaim = min(text.count("!"), 3) / 3
    raw = (
        0.25 * statement
        + 0.2 * relation
        + 0.15 * detail
        - 0.25 * chatter
        - 0.15 * short
        - 0.1 * question
        - 0.1 * exclaim
    )
    return max(0.0, min(1.0, 0.5 + raw))
