"""Question expansion from what PocketMind knows, and "now" ordering.

"Where does my sister live now?" names a relation, not a person: the learned facts
resolve "sister" to Maya, so "Maya" joins the question's words for both the vector and
the BM25 search. A question about now ("now", "currently", "these days") prefers
memories that state a change ("switched", "moved", "now") and memories naming the
subject's current state, and ranks memories that name only a former state (a name the
supersede chain has replaced) below them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .relations import Relations, Subject, singular

_NOW = re.compile(
    r"\b(now|currently|current|these days|nowadays|at the moment|still|anymore|any more|"
    r"latest|right now|at present|presently)\b",
    re.IGNORECASE,
)
_CHANGE = re.compile(
    r"\b(switched|switch|moved|moving|now|new|changed|started|joined|quit|left|"
    r"transferred|relocated|became|no longer|anymore|instead|replaced|upgraded|signed up)\b",
    re.IGNORECASE,
)


def asks_about_now(question: str) -> bool:
    return _NOW.search(question) is not None


def states_change(text: str) -> bool:
    return _CHANGE.search(text) is not None


@dataclass(frozen=True)
class Expansion:
    """What a question gains from the relations: extra words and the subjects' states."""

    words: tuple[str, ...] = ()
    current: tuple[str, ...] = ()
    former: tuple[str, ...] = ()
    about_now: bool = False
    subjects: tuple[Subject, ...] = field(default=(), compare=False)
    # The question's words beyond the resolved roles ("live" in "where does my sister live").
    asked: frozenset[str] = frozenset()

    def query_text(self, content_words: list[str], *, keep_roles: bool = True) -> str:
        """The content words with the resolved names added.

        Without ``keep_roles`` each resolved role gives way to its names ("sister live"
        becomes "live maya"): for the embedding, where "sister" pulls towards the fact
        that defines the relation ("Maya is the user's sister") and away from what Maya
        said. Words (BM25) keep the role: "my sister Maya moved" holds both.
        """
        roles = {role for subject in self.subjects for role in subject.roles}
        kept = [w for w in content_words if keep_roles or singular(w) not in roles]
        return " ".join(dict.fromkeys([*kept, *self.words]))

    def now_shift(self, text: str) -> float:
        """-1..1: how much a memory's text fits a question about now (0 when not asked).

        A stated change counts half; naming a current state of a resolved subject counts
        half; naming only former states of it counts -1.
        """
        if not self.about_now:
            return 0.0
        lowered = text.lower()
        shift = 0.5 if states_change(text) else 0.0
        names_current = any(name.lower() in lowered for name in self.current)
        names_former = any(name.lower() in lowered for name in self.former)
        if names_current:
            shift += 0.5
        elif names_former:
            shift -= 1.0
        return shift

    def restates_relation(self, text: str, kind: str) -> bool:
        """A resolved subject's own fact that holds none of the other words asked.

        "Maya is the user's sister" resolved "sister"; it does not say where she lives.
        The chat puts standing facts in the prompt's profile anyway, so it need not take
        one of the top places from a memory that answers.
        """
        if kind != "fact" or not any(text in s.statements for s in self.subjects):
            return False
        words = {singular(w) for w in re.findall(r"\w+", text.lower())}
        return not words & self.asked


def expand(question: str, words: list[str], relations: Relations) -> Expansion:
    """The expansion of ``question`` (whose content words are ``words``)."""
    subjects = relations.resolve(words)
    present = {w.lower() for w in words}
    current = [n for s in subjects for n in s.current]
    former = [n for s in subjects for n in s.former if n not in current]
    added = [w for name in current for w in name.lower().split() if w not in present]
    roles = {role for s in subjects for role in s.roles}
    asked = frozenset(singular(w) for w in words) - roles
    return Expansion(
        tuple(dict.fromkeys(added)),
        tuple(dict.fromkeys(current)),
        tuple(dict.fromkeys(former)),
        asks_about_now(question),
        tuple(subjects),
        asked,
    )
