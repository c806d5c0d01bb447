"""Relations from learned facts: role words, the names they resolve to, and former names.

A learned fact (``kind = 'fact'``, ``source = 'chat'``, written by the chat's fact
extractor) carries a subject ("sister maya", "user's gym") and a statement ("Maya is the
user's sister", "The user switched gyms from Parkside to Urban Boulder"). The subject's
words that are not names are its roles; the statement's capitalized runs are names. The
live fact of a subject gives its current names; the facts it superseded, and names
after "from"/"left"/"instead of" in the live one, give former names: what the subject
used to be, which a question about "now" should rank below what it is.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..memory.lookup import MemoryLookup

_NAME = re.compile(r"\b[A-Z][\w'’-]*(?:\s+(?:de |van |von |da )?[A-Z][\w'’-]*)*")
_FORMER = re.compile(
    r"\b(?:from|left|leaving|instead of|no longer (?:at|with|in)|quit|former|formerly|"
    r"used to (?:be|go to|live in|work at))\s+(?:the\s+)?([A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*)"
)
# Capitalized words that are not names: sentence openers, pronouns, the user.
_NOT_NAMES = frozenset(
    "the a an user user's users she he they it his her their my i we our this that "
    "there these those in on at and but so".split()
)
_NOT_ROLES = frozenset("user user's users s my the a an of their his her our me".split())
_WORD = re.compile(r"[a-z0-9]+")


def names_in(text: str) -> list[str]:
    """Capitalized runs in ``text`` that look like names, possessives stripped."""
    found = []
    for match in _NAME.finditer(text):
        words = [w for w in match.group(0).split() if w.lower().rstrip("'’s") not in _NOT_NAMES]
        words = [w for w in words if w.lower() not in _NOT_NAMES]
        if not words:
            continue
        name = re.sub(r"['’]s$", "", " ".join(words))
        if name and name not in found:
            found.append(name)
    return found


def former_names_in(text: str) -> list[str]:
    """Names ``text`` says are left behind ("from Parkside to Urban Boulder")."""
    return [re.sub(r"['’]s$", "", m.group(1)) for m in _FORMER.finditer(text)]


def singular(word: str) -> str:
    """A crude singular: "sisters" -> "sister", "sister's" -> "sister"."""
    word = word.lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    return word


@dataclass
class Subject:
    """One subject of learned facts and what the supersede chain says about it."""

    key: str
    roles: frozenset[str]
    current: list[str] = field(default_factory=list)
    former: list[str] = field(default_factory=list)
    statements: list[str] = field(default_factory=list)  # the live facts' texts


class Relations:
    """The user's relations and roles, as learned facts state them."""

    def __init__(self, subjects: Iterable[Subject]) -> None:
        self.subjects = list(subjects)
        self._by_role: dict[str, list[Subject]] = defaultdict(list)
        for subject in self.subjects:
            for role in subject.roles:
                self._by_role[role].append(subject)

    @classmethod
    def from_facts(cls, rows: Iterable[tuple[str, str, bool]]) -> Relations:
        """From (subject, statement, live) rows, oldest first."""
        grouped: dict[str, list[tuple[str, bool]]] = defaultdict(list)
        for subject, statement, live in rows:
            grouped[subject].append((statement, live))
        return cls(_subject(key, facts) for key, facts in grouped.items())

    @classmethod
    def load(cls, lookup: MemoryLookup) -> Relations:
        """The relations in a store's learned facts (``store.lookup``, memory/'s owner)."""
        return cls.from_facts(lookup.learned_facts())

    def resolve(self, words: Iterable[str]) -> list[Subject]:
        """The subjects whose roles the words name ("sister", "gym"), each once."""
        found: list[Subject] = []
        for word in words:
            for subject in self._by_role.get(singular(word), []):
                if subject not in found:
                    found.append(subject)
        return found


def _subject(key: str, facts: list[tuple[str, bool]]) -> Subject:
    live = [statement for statement, is_live in facts if is_live]
    old = [statement for statement, is_live in facts if not is_live]
    current, former = [], []
    for statement in live:
        left = former_names_in(statement)
        former += left
        current += [n for n in names_in(statement) if n not in left]
    for statement in old:
        former += [n for n in names_in(statement) if n not in current]
    name_words = {w for name in current + former for w in _WORD.findall(name.lower())}
    roles = frozenset(
        singular(w) for w in _WORD.findall(key.lower()) if w not in _NOT_ROLES | name_words
    )
    return Subject(key, roles, list(dict.fromkeys(current)), list(dict.fromkeys(former)), live)
