"""Who "Mum", "my sister" or "Jonas" is: the phone's contacts, and what the user taught.

A relation ("my sister") resolves through the learned facts to a name ("Maya"), and a
name to the contacts it matches. One match is an answer; several are a question back to
the user, never a guess; none is said plainly. A number the user typed is taken as it is.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from ..sensing.termux import TermuxApi
from .base import NotOnThisDevice, ToolError

# "my sister" → "Maya": the learned facts (chat/facts.py) answer; None when unknown.
RelationResolver = Callable[[str], str | None]


@dataclass(frozen=True)
class Contact:
    name: str
    number: str

    def __str__(self) -> str:
        return f"{self.name} ({self.number})"


class Ambiguous(ToolError):
    def __init__(self, who: str, matches: list[Contact]) -> None:
        names = ", ".join(str(c) for c in matches)
        super().__init__(f"more than one contact matches {who!r}: {names}. Which one?")
        self.matches = matches


class Unknown(ToolError):
    pass


NUMBER = re.compile(r"^\+?[\d\s().-]{5,}$")
RELATION = re.compile(r"^(?:my\s+)?(.+)$", re.IGNORECASE)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


class Contacts:
    def __init__(
        self,
        termux: TermuxApi,
        relations: RelationResolver | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.termux = termux
        self.relations = relations or (lambda _relation: None)
        self.timeout = timeout

    def all(self) -> list[Contact]:
        if not self.termux.has("termux-contact-list"):
            raise NotOnThisDevice("looking up contacts needs the phone (termux-contact-list)")
        rows = self.termux.run_json("termux-contact-list", timeout=self.timeout)
        contacts = []
        for row in rows if isinstance(rows, list) else []:
            if isinstance(row, dict) and row.get("name") and row.get("number"):
                contacts.append(Contact(str(row["name"]), str(row["number"])))
        return contacts

    def resolve(self, who: str) -> Contact:
        """One contact for ``who`` (a name, a relation, or a number), or an error that
        says what to ask."""
        who = who.strip()
        if NUMBER.match(who):
            return Contact(who, who)
        contacts = self.all()
        matches = self._matches(who, contacts)
        if not matches:
            relation = RELATION.match(who)
            name = self.relations(relation.group(1) if relation else who)
            if name:
                matches = self._matches(name, contacts)
        unique = list(dict.fromkeys(matches))
        if len({c.name for c in unique}) > 1:
            raise Ambiguous(who, unique)
        if not unique:
            raise Unknown(f"no contact matches {who!r}")
        return unique[0]  # one person (with several numbers: the first)

    @staticmethod
    def _matches(who: str, contacts: list[Contact]) -> list[Contact]:
        wanted = _fold(who)
        exact = [c for c in contacts if _fold(c.name) == wanted]
        if exact:
            return exact
        words = wanted.split()
        return [c for c in contacts if words and all(w in _fold(c.name).split() for w in words)]
