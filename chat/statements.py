"""What the user says about their life, read by a grammar where a grammar can.

"my sister Maya moved to Lisbon" is two facts: the user's sister is Maya, and Maya
lives in Lisbon. Relations, places, work, preferences and possessions in the common
shapes are read here deterministically, with no model; what the grammar cannot read
goes to the model under a schema (``facts.FactExtractor``). Each fact carries its
``subject`` (a newer fact on the same subject supersedes the older one) and the words
the chat confirms it with, in the second person ("your sister Maya lives in Lisbon").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

RELATIONS = (
    "sister|brother|mum|mom|mother|dad|father|wife|husband|partner|girlfriend|boyfriend|"
    "son|daughter|friend|best friend|boss|manager|colleague|cousin|aunt|uncle|grandma|"
    "grandmother|grandpa|grandfather|niece|nephew|flatmate|roommate|neighbour|neighbor|"
    "doctor|dentist|landlord|teacher|coach"
)
PETS = "dog|cat|puppy|kitten|rabbit|hamster|parrot|horse|fish|tortoise|turtle"
_NAME = r"(?P<name>[A-Z][\w'-]+(?: [A-Z][\w'-]+)?)"
_PLACE = (
    r"(?-i:(?P<place>[A-Z][\w'-]*(?:,? [A-Z][\w'-]*)*))"
    r"(?: (?:last|this|in|a|two|three|few) \w+(?: ago)?| recently| for work)?"
)
_END = r"\s*(?:[.!]+\s*)?$"
_MOVED = r"(?:just |recently |finally )?(?:moved to|lives in|live in|is living in|relocated to)"


@dataclass(frozen=True)
class StatedFact:
    subject: str  # normalized key: a newer fact on it supersedes the older
    statement: str  # third person, as remembered: "Maya lives in Lisbon."
    confirm: str  # second person, as confirmed: "your sister Maya lives in Lisbon"


def _clean(text: str) -> str:
    return " ".join(text.strip(" .!,;").split())


def _relation(rel: str) -> str:
    return {"mom": "mum", "neighbor": "neighbour", "roommate": "flatmate"}.get(
        rel.lower(), rel.lower()
    )


def _person(rel: str, name: str) -> StatedFact:
    rel = _relation(rel)
    return StatedFact(f"user's {rel}", f"The user's {rel} is {name}.", f"your {rel} is {name}")


def _relation_facts(text: str) -> list[StatedFact] | None:
    rel = rf"my (?P<rel>{RELATIONS})"
    if m := re.fullmatch(rf"{rel}(?:'s name is| is called| is named| is) {_NAME}{_END}", text):
        return [_person(m["rel"], m["name"])]
    m = re.fullmatch(rf"{rel},? {_NAME},? (?P<rest>.+?){_END}", text)
    if m is None:
        return None
    rel_, name, rest = _relation(m["rel"]), m["name"], m["rest"]
    said = f"your {rel_} {name}"
    facts = [_person(rel_, name)]
    if p := re.fullmatch(rf"(?:has |had )?{_MOVED} {_PLACE}", rest):
        place = _clean(p["place"])
        facts.append(
            StatedFact(
                f"{name.lower()}'s home",
                f"The user's {rel_} {name} lives in {place}.",
                f"{said} lives in {place}",
            )
        )
    elif p := re.fullmatch(r"works? (?P<how>as an?|at|for) (?P<what>.+)", rest):
        what = _clean(p["what"])
        how = p["how"]
        key = "job" if how.startswith("as") else "employer"
        facts.append(
            StatedFact(
                f"{name.lower()}'s {key}",
                f"The user's {rel_} {name} works {how} {what}.",
                f"{said} works {how} {what}",
            )
        )
    elif p := re.fullmatch(r"is (?P<what>[a-z][\w' -]+)", rest):
        what = _clean(p["what"])
        facts.append(
            StatedFact(
                f"{name.lower()}'s job", f"The user's {rel_} {name} is {what}.", f"{said} is {what}"
            )
        )
    elif p := re.fullmatch(r"(?:likes|loves|enjoys) (?P<what>.+)", rest):
        what = _clean(p["what"])
        facts.append(
            StatedFact(
                f"{name.lower()} likes {what.lower()}",
                f"{name} likes {what}.",
                f"{said} likes {what}",
            )
        )
    else:
        return None
    return facts


def _user_facts(text: str) -> list[StatedFact] | None:
    if m := re.fullmatch(rf"i(?:'ve| have)? {_MOVED} {_PLACE}{_END}", text, re.IGNORECASE):
        place = _clean(m["place"])
        return [StatedFact("user's home", f"The user lives in {place}.", f"you live in {place}")]
    if m := re.fullmatch(rf"i(?:'m| am) from {_PLACE}{_END}", text, re.IGNORECASE):
        place = _clean(m["place"])
        return [
            StatedFact("user's hometown", f"The user is from {place}.", f"you are from {place}")
        ]
    if m := re.fullmatch(
        rf"i work (?P<how>as an?|at|for) (?P<what>.+?){_END}", text, re.IGNORECASE
    ):
        what, how = _clean(m["what"]), m["how"].lower()
        key = "user's job" if how.startswith("as") else "user's employer"
        return [StatedFact(key, f"The user works {how} {what}.", f"you work {how} {what}")]
    if m := re.fullmatch(
        r"(?:my job is|i(?:'m| am) an?|i work as an?) (?P<what>[a-z][\w' -]+?)"
        r"(?: (?P<how>at|for) (?P<where>.+?))?" + _END,
        text,
        re.IGNORECASE,
    ):
        what = _clean(m["what"]).removeprefix("a ").removeprefix("an ")
        facts = [
            StatedFact("user's job", f"The user works as {_a(what)}.", f"you work as {_a(what)}")
        ]
        if m["where"]:
            where = _clean(m["where"])
            facts.append(
                StatedFact("user's employer", f"The user works at {where}.", f"you work at {where}")
            )
        return facts
    if m := re.fullmatch(r"my favou?rite (?P<what>[\w ]+?) is (?P<value>.+?)" + _END, text, re.I):
        what, value = _clean(m["what"]).lower(), _clean(m["value"])
        return [
            StatedFact(
                f"user's favourite {what}",
                f"The user's favourite {what} is {value}.",
                f"your favourite {what} is {value}",
            )
        ]
    if m := re.fullmatch(
        r"i (?P<verb>really like|like|love|enjoy|adore|hate|dislike|don't like|do not like|"
        r"can't stand|prefer) (?P<what>.+?)" + _END,
        text,
        re.IGNORECASE,
    ):
        verb, what = m["verb"].lower(), _clean(m["what"])
        likes = verb not in {"hate", "dislike", "don't like", "do not like", "can't stand"}
        word = "likes" if likes else "dislikes"
        return [
            StatedFact(
                f"user {word} {what.lower()}",
                f"The user {word} {what}.",
                f"you {'like' if likes else 'dislike'} {what}",
            )
        ]
    if m := re.fullmatch(
        rf"i (?:have|own|got|'ve got|have got) (?:a|an) (?P<what>[\w -]*?(?P<pet>{PETS})?)"
        rf"(?:,? (?:called|named) {_NAME})?{_END}",
        text,
        re.IGNORECASE,
    ):
        what = _clean(m["what"])
        if m["name"]:
            key = (m["pet"] or what.split()[-1]).lower()
            return [
                StatedFact(
                    f"user's {key}",
                    f"The user has {_a(what)} called {m['name']}.",
                    f"you have {_a(what)} called {m['name']}",
                )
            ]
        return [
            StatedFact(
                f"user has {what.lower()}", f"The user has {_a(what)}.", f"you have {_a(what)}"
            )
        ]
    if m := re.fullmatch(
        rf"my (?P<what>[a-z][\w ]*?)(?:'s name is| is called| is named) {_NAME}{_END}", text
    ):
        what = _clean(m["what"]).lower()
        return [
            StatedFact(
                f"user's {what}",
                f"The user's {what} is called {m['name']}.",
                f"your {what} is called {m['name']}",
            )
        ]
    return None


def _a(noun: str) -> str:
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    text = re.sub(
        r"^(?:remember(?: this)?:?|note(?: that)?:?|fyi:?|by the way,?)\s+", "", text, flags=re.I
    )
    text = re.sub(r"^(?:that\s+)", "", text, flags=re.I)
    if text[:2].lower() == "my":
        text = "my" + text[2:]
    return text


def read_statement(text: str) -> list[StatedFact]:
    """The facts in ``text`` when the whole message is a statement the grammar reads."""
    sentence = _sentence(text)
    if not sentence or sentence.endswith("?"):
        return []
    facts = _relation_facts(sentence) or _user_facts(sentence) or []
    # "I love you", "I have a question", "I'm a bit tired": not facts about a life
    if any(_VAGUE.search(f.statement) for f in facts):
        return []
    return facts


_VAGUE = re.compile(
    r"(?:likes|dislikes) (?:you|it|this|that|them|him|her)\b|"
    r"has an? (?:question|problem|idea|doubt|feeling|headache|meeting|minute|moment|request)\b|"
    r"works as an? (?:bit|little|big|huge|fan|lot|bit of)\b",
    re.IGNORECASE,
)


def confirmation(facts: list[StatedFact]) -> str:
    said = [f.confirm for f in facts]
    # "your sister is Maya" is implied by "your sister Maya lives in Lisbon"
    if len(said) > 1 and said[0].startswith("your ") and " is " in said[0]:
        said = said[1:]
    return "Noted: " + "; ".join(said) + "."
