"""Arguments grounded in the request's own words.

A 135M model under a tool's JSON Schema grammar makes calls that always parse but whose
values it invents: on BFCL it named the right function and filled ``base=15`` where the
question said 10. Most argument values a phone request carries are written in it: the
number, the name, the place, the words of a message. :func:`ground` narrows a tool's
schema so that each free string is one of the request's word spans and each free number
one of the numbers it states (digits or words: "five", "a dozen"); the grammar then lets
the model choose WHICH span, never invent one. Copying is what small models do well.

A value the request does not hold stays free: a leaf with an ``enum``, ``const`` or
``format`` is kept as it is, so are booleans, and so is a leaf for which the words offer
no candidate (a number asked of a request that states none). The model is not forced to
fill optional parameters; the grammar still lets it leave them out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .binding import (
    WORD,
    as_fractions,
    bind_siblings,
    named_spans,
    said_options,
    stem,
    wants_fraction,
    with_named,
)
from .dates import formatted

MAX_SPAN_WORDS = 12  # the longest span offered: a short message's text, a full address
MAX_SPANS = 600  # per leaf; llama.cpp's grammar stays small and quick to build well below it

_NUMBER = re.compile(r"(?<![\w.])(-|minus |negative )?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\w.]\d)")
_WORD_NUMBERS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "thousand": 1000,
    "million": 1_000_000, "dozen": 12, "half": 0.5, "once": 1, "twice": 2, "thrice": 3,
}  # fmt: skip
_KEEP = ("enum", "const", "format", "pattern")
# A span that starts or ends on one of these is never a value ("of a", "and height").
_GLUE = frozenset(
    "a an the of and or with to for in on at by from as is are was be that this my me i "
    "please can could would you your it its into than then".split()
)


def spans(texts: Iterable[str], max_words: int = MAX_SPAN_WORDS) -> list[str]:
    """Every run of 1..``max_words`` consecutive words of each text, as it is written
    there (its own spacing and inner punctuation), shortest first, without repeats."""
    found: dict[str, int] = {}
    for text in texts:
        words = [(m.start(), m.end()) for m in WORD.finditer(text)]
        for i, (start, _) in enumerate(words):
            for j in range(i, min(len(words), i + max_words)):
                span = text[start : words[j][1]].strip(",.:'’")
                if not span or "\n" in span or '"' in span or "\\" in span:
                    continue  # a quote or backslash: llama.cpp's grammar cannot hold it
                first, last = span.split()[0].lower(), span.split()[-1].lower()
                if first not in _GLUE and last not in _GLUE:
                    found.setdefault(span, j - i)
    return sorted(found, key=lambda s: (found[s], len(s)))


def numbers(texts: Iterable[str]) -> list[float]:
    """The numbers the texts state, in digits ("1,250", "-3", "2.5") or words ("five",
    "a dozen", "half"), in order of appearance, without repeats."""
    seen: dict[float, None] = {}
    for text in texts:
        for match in _NUMBER.finditer(text):
            sign, whole, fraction = match.groups()
            value = float(whole.replace(",", "") + (fraction or ""))
            seen.setdefault(-value if sign else value, None)
        for word in re.findall(r"[a-z]+", text.lower()):
            if word in _WORD_NUMBERS:
                seen.setdefault(float(_WORD_NUMBERS[word]), None)
    return list(seen)


def ground(
    schema: Any,
    texts: Sequence[str],
    focus: str | None = None,
    only_numbers: Sequence[float] | None = None,
    pinned: Mapping[str, list[str]] | None = None,
) -> Any:
    """``schema`` with each free string and number leaf narrowed to an ``enum`` of what
    ``texts`` state (see the module's docstring). With a ``focus`` (the part of a message
    this call serves), spans and numbers come from it alone when it has any;
    ``only_numbers`` names the numbers outright, and ``pinned`` the spans a named string
    parameter may take (the next item of a list). The input is not changed."""
    offered = ((spans([focus]) if focus else []) or spans(texts))[:MAX_SPANS]
    if only_numbers is not None:
        stated = list(only_numbers)
    else:
        stated = (numbers([focus]) if focus else []) or numbers(texts)
    said = focus or "\n".join(texts)
    if isinstance(schema, dict):
        schema = with_named(schema, said)
    return _narrow(schema, _Offer(offered, stated, said, dict(pinned or {})))


@dataclass
class _Offer:
    """What the request's words offer a leaf."""

    spans: list[str]
    numbers: list[float]
    said: str  # the words the numbers are bound by
    pinned: dict[str, list[str]] = field(default_factory=dict)


def carried(arguments: Any) -> tuple[set[float], set[str]]:
    """The numbers and strings a call's arguments carry (a number written inside a
    string, "2022/AL2562", counts as carried too)."""
    found: tuple[set[float], set[str]] = (set(), set())
    stack = [arguments]
    while stack:
        value = stack.pop()
        if isinstance(value, bool):
            continue
        if isinstance(value, int | float):
            found[0].add(float(value))
        elif isinstance(value, str):
            found[1].add(value.lower())
            found[0].update(numbers([value]))
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, dict):
            stack.extend(value.values())
    return found


def brings_new(arguments: Any, earlier: Sequence[Any]) -> bool:
    """Whether a call carries a value none of the ``earlier`` calls' arguments did: a
    second call of a function that only reshuffles the first's values is not a new one."""
    numbers_now, strings_now = carried(arguments)
    numbers_then: set[float] = set()
    strings_then: set[str] = set()
    for other in earlier:
        more_numbers, more_strings = carried(other)
        numbers_then |= more_numbers
        strings_then |= more_strings
    return bool(numbers_now - numbers_then or strings_now - strings_then)


def without_echoes(arguments: dict[str, Any], required: Sequence[str]) -> dict[str, Any]:
    """``arguments`` less each optional one that only repeats another's value: a small
    model pads an optional parameter with a value it already used ("speed_of_light": 4
    beside "distance_in_light_years": 4)."""
    kept = dict(arguments)
    for key, value in arguments.items():
        if key in required or isinstance(value, bool) or not isinstance(value, int | float | str):
            continue
        others = [v for k, v in kept.items() if k != key and not isinstance(v, bool)]
        if value in others:
            del kept[key]
    return kept


def numeric_required(parameters: dict[str, Any] | None) -> list[str]:
    """The required parameters that take a number."""
    properties = (parameters or {}).get("properties") or {}
    return [
        name
        for name in (parameters or {}).get("required") or []
        if isinstance(properties.get(name), dict)
        and properties[name].get("type") in ("number", "integer")
    ]


def _narrow(schema: Any, offer: _Offer, name: str = "", bound: list[float] | None = None) -> Any:
    """``schema`` narrowed; ``name`` is the property it is the value of, if any: a leaf
    takes the numbers, or the words, written next to its name's words when the request
    has some (:mod:`tools.binding`)."""
    if isinstance(schema, list):
        return [_narrow(s, offer) for s in schema]
    if not isinstance(schema, dict):
        return schema
    dated = formatted(schema, offer.said) if schema.get("type") == "string" else []
    if dated and "enum" not in schema:  # "April 11th, 2023" as "2023-04-11"
        return {**{k: v for k, v in schema.items() if k != "format"}, "enum": dated}
    if any(key in schema for key in _KEEP):
        said = said_options(schema.get("enum") or [], offer.said)
        return {**schema, "enum": said} if said else schema  # "in feet": feet
    out = {key: _narrow_child(key, value, offer) for key, value in schema.items()}
    kind = schema.get("type")
    stated = offer.numbers
    if kind in ("integer", "number") and stated:
        stated = bound if bound is not None else stated
        if wants_fraction(schema):
            stated = as_fractions(stated, offer.said)
    if kind == "string" and name in offer.pinned:
        out["enum"] = offer.pinned[name]
    elif kind == "string" and name and named_spans(name, offer.said):
        out["enum"] = named_spans(name, offer.said)  # "directed by Thurop Van Orman"
    elif kind == "string" and offer.spans:
        out["enum"] = offer.spans
    elif kind == "integer":
        whole = [int(n) for n in stated if n == int(n)]
        if whole:
            out["enum"] = whole
    elif kind == "number" and stated:
        out["enum"] = [int(n) if n == int(n) else n for n in stated]
    return out


def _narrow_child(key: str, value: Any, offer: _Offer) -> Any:
    if key == "properties" and isinstance(value, dict):
        numeric = [
            name
            for name, spec in value.items()
            if isinstance(spec, dict) and spec.get("type") in ("integer", "number")
        ]
        bound = bind_siblings(numeric, offer.said, offer.numbers) if offer.numbers else {}
        return {name: _narrow(spec, offer, name, bound.get(name)) for name, spec in value.items()}
    if key in ("items", "anyOf", "oneOf", "allOf", "additionalProperties"):
        return _narrow(value, offer)
    return value


# Words that say nothing about which tool a request needs.
_VAGUE = _GLUE | frozenset(
    "what who how which when where why do does did get find give given calculate compute "
    "using use based about some any all number value values tell show want need like".split()
)


def content_words(text: str) -> set[str]:
    """The request's or a tool's content words, crudely stemmed ("annually" ~ "annual")."""
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", text.replace("_", " ").replace(".", " "))
    return {stem(w) for w in re.findall(r"[a-z]+", text.lower()) if len(w) > 2 and w not in _VAGUE}


def tool_words(name: str, description: str, parameters: dict[str, Any] | None) -> set[str]:
    """A tool's content words: its name, description, and parameters' names and descriptions."""
    parts = [name, description]
    for param, spec in ((parameters or {}).get("properties") or {}).items():
        parts += [param, str(spec.get("description", "")) if isinstance(spec, dict) else ""]
    return content_words(" ".join(parts))


DUE = 3  # shared content words that make a call due without asking the model


def shortlist(request: str, tools: dict[str, set[str]]) -> tuple[list[str], bool]:
    """Which tools a request may call, and whether it must call one of them.

    ``tools`` maps each name to its :func:`tool_words`. The request's best-matching tools
    are offered (ties all of them): with ``DUE`` or more content words in common a call
    is due; with fewer the model may still answer in words; with none no tool is called.
    A request with no Latin-script words at all leaves every tool to the model.

    The rule was read off BFCL's live categories, which are not the ones reported
    (``bench/bfcl.py --shortlist``): there the gold function is among the offered for
    0.88-0.92 of the relevant questions, and no tool is offered for 0.51 of the
    irrelevant ones. A call is due for 0.50-0.59 of the relevant and 0.13 of the
    irrelevant; with two shared words instead of three it was 0.72-0.80 and 0.23, and
    the model, asked, says "none" to most irrelevant requests.
    """
    asked = content_words(request)
    if not asked and not re.search(r"[A-Za-z]", request):
        return list(tools), False
    scores = {name: len(asked & words) for name, words in tools.items()}
    best = max(scores.values(), default=0)
    if best == 0:
        return [], False
    return [name for name, score in scores.items() if score == best], best >= DUE


_PART = re.compile(
    r"(?:(?<=[.?!;])\s+(?=(?:also|then|after that|afterwards|additionally|next|finally|lastly|"
    r"first(?:ly)?|second(?:ly)?|third(?:ly)?|and then|besides|moreover|furthermore|"
    r"in addition|as well)\b)|,?\s+and\s+then\s+|,\s+then\s+)",
    re.IGNORECASE,
)


def requests_in(text: str) -> list[str]:
    """A message cut where it moves on to another request ("… Also, …", "Then …",
    "Secondly, …"), each part stripped; a message that asks one thing is one part."""
    parts = [p.strip(" \t\n\"'") for p in _PART.split(text)]
    return [p for p in parts if p]


def alike_numbers(text: str, used: set[float], unused: Sequence[float]) -> list[float]:
    """The ``unused`` numbers ``text`` states in the same words as a ``used`` one: "the
    factorial of 5, the factorial of 7", "20 minutes and 15 minutes", "filed in 2019 …
    filed in the year 2018". A number's context is the two content words before it and
    the two after it (up to the next number), compared side by side; the numbers of one
    list ("the numbers 45, 100, and 150", "3 and 4, 5 and 12") share theirs. A number
    meant for another parameter ("12,000 miles at 25 MPG") shares none."""
    tokens = [m.group() for m in WORD.finditer(text)]
    values = [numbers([t]) for t in tokens]
    contexts: dict[float, set[tuple[int, str]]] = {}
    listed: list[float] = []  # the numbers of the list being read: "45, 100, and 150"
    for i, found in enumerate(values):
        if not found:
            continue
        back = i - 1
        while back >= 0 and not values[back] and tokens[back].lower() in ("and", "or", "&"):
            back -= 1
        if back < 0 or not values[back]:
            listed = []
        listed += found
        near: set[tuple[int, str]] = set()
        for step in (-1, 1):
            j, taken = i + step, 0
            while 0 <= j < len(tokens) and taken < 2 and not values[j]:
                word = tokens[j].lower()
                if word not in _GLUE and word not in ("per", "also"):
                    near.add((step, word))
                    taken += 1
                j += step
        for value in listed:  # a list's numbers share their words
            contexts.setdefault(value, set()).update(near)
        shared = set().union(*(contexts[v] for v in listed))
        for value in listed:
            contexts[value] = shared
    seen: set[tuple[int, str]] = set()
    for value in used:
        seen |= contexts.get(value, set())
    return [n for n in unused if contexts.get(n, set()) & seen]
