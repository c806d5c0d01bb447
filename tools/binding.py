"""Which of the request's values belongs to which parameter.

:func:`tools.grounding.ground` offers every argument leaf all the numbers a request
states, and the model chooses. A 135M model chooses by position, not meaning: "a law case
from 2010 to 2015" came back as ``from_year: 2015, to_year: 2010``. People write a value
next to the word that names it ("from 2010", "a decay rate of 0.1", "1500 miles"), so a
number leaf is held to the numbers written next to its own name's words when some are
(:func:`bound_numbers`). A parameter the request names ("with details", "assuming equal
variance", "weight 0.5") is one the user meant to set (:func:`named`); a yes/no one the
request names is yes, unless a negation comes just before it, and an option of an enum
the request says ("in feet") is the one meant (:func:`said_options`). The words right
after a name and a linking word are that parameter's value ("directed by Thurop Van
Orman", :func:`named_spans`). A percentage goes to a leaf whose description asks for a
decimal as a fraction ("3%" -> 0.03, :func:`percents`). The next item of a list one call
took ("the artists Taylor Swift and Maroon 5") is what another call is for
(:func:`next_items`).

Nothing here invents a value: each rule only narrows what the request's words offer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

# A word as written, with its inner punctuation: "Bob-123", "12,000", "3%", "sq.ft".
WORD = re.compile(r"[\w$€£%+#@]+(?:[-.'’:/,][\w%]+)*")
_NUMBER = re.compile(r"^[$€£]?-?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?")
_PERCENT = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s*(?:%|percent\b|per cent\b)", re.IGNORECASE)
# Name words that say nothing about where a value sits ("rate_of_interest").
_FILLER = frozenset("a an the of and or is in for with by".split())
_NEGATION = frozenset("no not without don't dont never exclude excluding except".split())
_BEFORE = 4  # words read before a number, back to the previous number
_AFTER = 2  # words read after it (units: "1500 miles", "25 MPG"), up to the next one


def stem(word: str) -> str:
    """Suffixes off until none comes off: "annually", "annual" -> "annu"."""
    for suffix in ("ing", "ed", "es", "s", "ly", "al"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return stem(word[: -len(suffix)])
    return word


def name_words(name: str) -> set[str]:
    """A parameter name's words, stemmed, less filler: "from_year" -> {"from", "year"},
    "rate_of_interest" -> {"rate", "interest"}."""
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", name).replace("_", " ").replace("-", " ")
    words = re.findall(r"[a-z]+", spaced.lower())
    return {stem(w) for w in words if w not in _FILLER}


def _words(text: str) -> list[str]:
    return [m.group() for m in WORD.finditer(text)]


def _value(token: str) -> float | None:
    match = _NUMBER.match(token)
    if match is None:
        return None
    value = float(match.group(1).replace(",", "") + (match.group(2) or ""))
    return -value if "-" in token[: match.end(1)] else value


def _scores(words: set[str], text: str) -> dict[float, int]:
    """Each stated number's best score for a leaf named by ``words``: 3 for each of them
    within three words before the number ("from 2010", "decay rate of 0.1"), 2 for one
    right after it (its unit: "1500 miles"), 1 further off; never across a comma or a
    full stop ("3 bedrooms, 2 bathrooms")."""
    found = list(WORD.finditer(text))
    tokens = [m.group() for m in found]
    values = [_value(t) for t in tokens]
    scores: dict[float, int] = {}
    for i, value in enumerate(values):
        if value is None:
            continue
        score = 0
        for step, reach in ((-1, _BEFORE), (1, _AFTER)):
            j = i + step
            while 0 <= j < len(tokens) and abs(j - i) <= reach and values[j] is None:
                near, far = sorted((j, j - step))
                if re.search(r"[,;.!?]", text[found[near].end() : found[far].start()]):
                    break
                if stem(tokens[j].lower().strip("'’")) in words:
                    score += (3 if step < 0 else 2) if abs(j - i) <= (3 if step < 0 else 1) else 1
                j += step
        # the unit glued to it: "12ft", "5km"
        tail = re.sub(r"^[$€£]?-?[\d,.]+", "", tokens[i]).lower()
        if tail and stem(tail) in words:
            score += 1
        scores[value] = max(scores.get(value, 0), score)
    return scores


def bound_numbers(
    name: str, text: str, candidates: Sequence[float], words: set[str] | None = None
) -> list[float]:
    """The ``candidates`` written next to ``name``'s words (or ``words``) in ``text``,
    the best placed ones only; all of them when none is (the model chooses, as before)."""
    words = name_words(name) if words is None else words
    if not words:
        return list(candidates)
    scores = _scores(words, text)
    best = max((scores.get(n, 0) for n in candidates), default=0)
    if best == 0:
        return list(candidates)
    return [n for n in candidates if scores.get(n, 0) == best]


def bind_siblings(
    names: Sequence[str], text: str, candidates: Sequence[float]
) -> dict[str, list[float]]:
    """:func:`bound_numbers` for the number parameters of one object, read together.

    A leaf is named by the words its siblings do not share ("initial" of
    ``initial_value`` beside ``final_value``), and a number bound alone to two leaves
    binds neither ("base and height as 6cm and 10cm" puts "height" next to 6): those
    leaves keep every candidate, as before."""
    named = {name: name_words(name) for name in names}
    bound: dict[str, list[float]] = {}
    for name, words in named.items():
        shared = set().union(*(w for other, w in named.items() if other != name))
        own = words - shared or words
        bound[name] = bound_numbers(name, text, candidates, own)
    alone = [tuple(b) for b in bound.values() if len(b) == 1]
    for name, numbers in bound.items():
        if len(numbers) == 1 and alone.count(tuple(numbers)) > 1:
            bound[name] = list(candidates)
    return bound


def percents(text: str) -> set[float]:
    """The numbers ``text`` writes as a percentage ("3%", "4.5 percent")."""
    return {float(m.group(1)) for m in _PERCENT.finditer(text)}


def wants_fraction(spec: dict[str, Any]) -> bool:
    """Whether a number leaf's description asks for a rate as a decimal fraction."""
    said = str(spec.get("description", "")).lower()
    asks = re.search(r"\bdecimal\b|\bfraction\b|e\.g\.,? 0\.\d", said)
    return bool(asks) and "percent" not in said


def as_fractions(stated: Iterable[float], text: str) -> list[float]:
    """``stated`` with each percentage the text writes as a fraction of one."""
    shares = percents(text)
    return [round(n / 100, 10) if n in shares else n for n in stated]


def named(name: str, text: str) -> bool | None:
    """Whether ``text`` names the parameter ``name`` (all its words appear), and if so
    whether it says so plainly (True) or with a negation just before (False)."""
    words = name_words(name)
    if not words:
        return None
    tokens = [t.lower().strip("'’") for t in _words(text)]
    stems = [stem(t) for t in tokens]
    if not words <= set(stems):
        return None
    first = min(i for i, s in enumerate(stems) if s in words)
    return not any(t in _NEGATION for t in tokens[max(0, first - 3) : first])


def with_named(schema: dict[str, Any], text: str) -> dict[str, Any]:
    """``schema`` (an object's) with each optional parameter the request names, or one
    of whose options it says, made required: a yes/no one held to what the request says
    (yes, or no after "not"), one with options to the options it says."""
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return schema
    required = list(schema.get("required") or [])
    out = dict(schema)
    changed = dict(properties)
    for key, spec in properties.items():
        if key in required or not isinstance(spec, dict):
            continue
        options = said_options(spec.get("enum") or [], text)
        if options:  # "in feet": the unit is meant, and it is feet
            required.append(key)
            changed[key] = {**spec, "enum": options}
            continue
        said = named(key, text)
        if said is None:
            continue
        required.append(key)
        if spec.get("type") == "boolean":
            changed[key] = {**spec, "enum": [said]}
    out["properties"] = changed
    out["required"] = required
    return out


# What joins the items of a list: "Taylor Swift and Maroon 5", "Netflix, Hulu", "A or B".
_JOIN = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|\s(?:and|or|&|as well as|plus)\s+)", re.I)
_ITEM_WORDS = 4  # the longest list item offered


# Words that start a new clause, not another item ("24 hours and another one", "Maya, I'll").
_NOT_ITEM = frozenset(
    "a an the with for in on at to from of that which who whose another also then so but "
    "respectively i i'll i'm i've i'd we you he she they it this these those there".split()
)


def item_spans(text: str, start: int) -> list[str]:
    """The spans a list item starting at ``start`` may be: its first 1..4 words, up to
    punctuation or a joining word ("Maroon 5, with …" -> "Maroon", "Maroon 5")."""
    out: list[str] = []
    end = start
    for match in WORD.finditer(text, start):
        gap = text[end : match.start()]
        word = match.group().lower()
        if not out and word.strip("'’") in _NOT_ITEM | {"and", "or"}:
            break  # a clause or a joining word, not an item
        if out and (gap.strip() or word in ("and", "or") or word in _NOT_ITEM):
            break
        if len(out) == _ITEM_WORDS or '"' in match.group() or "\\" in match.group():
            break
        end = match.end()
        span = text[start:end].strip(",.:'’")
        if span and span.split()[-1].lower() not in _FILLER:
            out.append(span)
    return out


def _alike(value: str, item: str) -> bool:
    """Whether ``item`` can be another of what ``value`` is: written the same way (a
    capital, a digit or a small letter first) and not the start of a clause."""
    first = item.split()[0]
    if first.lower().strip("'’") in _NOT_ITEM:
        return False
    head, lead = value.strip()[0], first[0]
    if head.isdigit() or lead.isdigit():
        return head.isdigit() == lead.isdigit()
    return head.isupper() == lead.isupper()


def next_item(text: str, value: str) -> list[str]:
    """The spans of the item written right after ``value`` in a list of the request
    ("the artists Taylor Swift and Maroon 5": after "Taylor Swift", "Maroon 5"), or none."""
    if not value.strip():
        return []
    low, want = text.lower(), value.lower()
    at = low.find(want)
    while at >= 0:
        join = _JOIN.match(text, at + len(want))
        if join is not None and join.end() < len(text):
            found = item_spans(text, join.end())
            if found and _alike(value, found[0]):
                return found
        at = low.find(want, at + 1)
    return []


def next_items(
    text: str, arguments: dict[str, Any], earlier: Sequence[Any]
) -> dict[str, list[str]]:
    """Each string argument of the last call whose value is an item of a list in
    ``text``, and the spans of the list's next item, when no ``earlier`` call of the same
    function took it: what another call of the function is for."""
    taken = {
        str(value).lower()
        for other in earlier
        if isinstance(other, dict)
        for value in other.values()
        if isinstance(value, str)
    }
    out: dict[str, list[str]] = {}
    for key, value in arguments.items():
        if not isinstance(value, str):
            continue
        if not value.strip() or not (value.strip()[0].isupper() or value.strip()[0].isdigit()):
            continue  # a list of names or numbers, not of common words ("units and height")
        found = next_item(text, value)
        if found and not {s.lower() for s in found} & taken:
            out[key] = found
    return out


# What may stand between a parameter's name and its value: "directed by Thurop Van
# Orman", "a recipe for pasta carbonara", "my location, Manhattan", "genre: Drama".
_LINKS = frozenset("by from to at in on for with of".split())  # a name that ends linking
_LEAD = re.compile(r"(?:\s*[,:=]\s*|\s+(?:of|for|by|named|called|is|as)\s+)", re.I)


def named_spans(name: str, text: str) -> list[str]:
    """The spans of the value written right after ``name``'s words in ``text`` ("directed
    by Thurop Van Orman" for ``directed_by``), or none when the name is not written."""
    words = name_words(name)
    if not words:
        return []
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", name).replace("_", " ").replace("-", " ")
    last = stem(spaced.split()[-1].lower()) if spaced.split() else ""
    out: list[str] = []
    for match in WORD.finditer(text):
        word = stem(match.group().lower().strip("'’"))
        if word not in words:
            continue
        lead = _LEAD.match(text, match.end())
        if lead is None and word == last and last in _LINKS:  # "directed_by": "by X"
            lead = re.compile(r"\s+").match(text, match.end())
        if lead is None or lead.end() >= len(text):
            continue
        after = WORD.match(text, lead.end())
        if after is None or stem(after.group().lower()) in words:
            continue  # the name goes on ("directed by" -> "by"): read from its last word
        found = item_spans(text, lead.end())
        out += [s for s in found if s not in out]
    return out


def said_options(options: Sequence[Any], text: str) -> list[Any]:
    """The string ``options`` of an enum the request says, as a word ("in feet") or as
    the start of one ("sort in ascending" for "ASC"); none when it says none."""
    words = [w.lower().strip("'’") for w in _words(text)]
    said = []
    for option in options:
        if not isinstance(option, str) or not option.strip():
            continue
        low = option.lower()
        if " " in low or "_" in low:
            if low.replace("_", " ") in " ".join(words):
                said.append(option)
        elif low in words or (
            len(low) >= 3 and low.isalpha() and any(w.startswith(low) for w in words)
        ):
            said.append(option)
    return said
