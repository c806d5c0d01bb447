"""Whether an answer rests on the memories it was given: a cheap, deterministic check.

An answer's claim is what it adds to the question: its names and numbers (capitalized
words, digits) and its content words beyond the question's own words and the everyday
synonyms the question brings (asked about a job, "works" adds nothing). It is
**supported** when ONE memory about what was asked carries that claim: every new name
and number in it, and most of its other new content words. A claim scattered over
several memories ("you work at the gym": "work" from one memory, "gym" from another) is
a blend, not a memory; an answer that only echoes the question says nothing; an answer
that names a place no memory names is an invention, however fluent; and a degenerate
repetition ("Theo Theo Theo ...") is never support. That memory is the one it **cites**.

A memory is about what was asked when it shares the question's specific words (sister,
dog, gym). The question's own common nouns may be worded otherwise in the memory ("which
dish is my favourite?" and "my favourite food is risotto") as long as it shares another
of the question's topic words; who or what is named (my aunt, Maya, 1234) must match.

When the model's answer fails, the user gets what was found instead: the memory closest
to the question (sharing its topic words, allowing a few everyday synonyms), or "I
don't know that yet" when none does. bench/answers.py measures this against showing the
model's answer as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import tzinfo

from ..memory.model import SearchResult
from .statements import PETS, RELATIONS

DONT_KNOW = "I don't know that yet."
_QUESTION = re.compile(
    r"^\s*(who|whom|whose|what|when|where|why|how|which|is|are|am|do|does|did|can|could|"
    r"will|would|should|was|were|has|have|tell|remind me (who|what|where|when)|show|find)\b",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"[A-Za-z][\w'-]*|\d+(?:[.,:]\d+)*")
_STOP = frozenset(
    """a about after again all also am an and any are as at be been before being but by can
    could did do does doing done for from had has have having he her here hers him his how i
    i'm if in into is it it's its just know let me might more most my mine much no not now of
    off on once only or our ours out over own please said same say says she should so some
    such tell than that the their theirs them then there these they this those through to too
    under until up us very was we were what when where which while who whom whose why will
    with would yes yet you your yours user user's users sure think sorry maybe like well okay
    oh hi hello thanks thank one s t really named called name""".split()
)
# Question words that name a topic some memories state in other words.
_SYNONYMS = {
    "job": ("work", "works", "working", "job", "profession", "employer", "nurse"),
    "work": ("work", "works", "job", "employer"),
    "live": ("live", "lives", "living", "moved", "home", "house", "flat"),
    "home": ("live", "lives", "moved", "home"),
    "pet": ("dog", "cat", "pet", "rabbit", "hamster", "parrot"),
    "birthday": ("birthday", "born"),
    "favourite": ("favourite", "favorite", "likes", "loves"),
    "like": ("like", "likes", "love", "loves", "enjoys", "favourite"),
    "employer": ("work", "works", "employer"),
    "company": ("work", "works", "employer"),
    "city": ("live", "lives", "moved", "home"),
    "town": ("live", "lives", "moved", "home"),
}
# Capitalized words that are not names.
_NOT_NAMES = frozenset(
    "i i'm the a an your you my she he it they we yes no sorry sure maybe based according "
    "there this that these those her his their our what where when who why how".split()
)


def stem(word: str) -> str:
    w = word.lower().removesuffix("'s").removesuffix("’s")
    for suffix in ("ing", "ed", "es", "s"):
        if len(w) > len(suffix) + 3 and w.endswith(suffix):
            w = w[: -len(suffix)]
            break
    return w[:6]


def _stop(token: str) -> bool:
    low = token.lower()
    return low in _STOP or low.removesuffix("'s") in _STOP  # "what's", "who's"


def content_words(text: str) -> set[str]:
    return {stem(t) for t in _TOKEN.findall(text) if not _stop(t) and len(t) > 1}


def names_and_numbers(text: str) -> set[str]:
    """Capitalized words (but not a sentence's common first word) and numbers."""
    found = set()
    for token in _TOKEN.findall(text):
        if token[0].isdigit() or (token[0].isupper() and token.lower() not in _NOT_NAMES | _STOP):
            found.add(stem(token))
    return found


_GENERIC = {stem(k) for k in _SYNONYMS} | {
    stem(w) for w in "do does day colour color month year time place".split()
}
_JOBS_TOO = {"doctor", "dentist", "teacher", "coach", "landlord", "manager", "boss"}
_RELATIONS = {stem(w) for w in RELATIONS.split("|") if " " not in w and w not in _JOBS_TOO}
# Words naming who or what a question is about: a memory must name the same one.
_WHO = {stem(w) for w in f"{RELATIONS}|{PETS}".split("|") if " " not in w}
_SELF = re.compile(r"\b(i|i'm|i've|me|my|we|our|us)\b", re.IGNORECASE)


def topic_words(question: str) -> tuple[set[str], set[str]]:
    """The question's specific words (sister, dog, gym) and its generic ones with their
    everyday synonyms (live: moved, home)."""
    words = content_words(question)
    specific = words - _GENERIC
    generic = words & _GENERIC
    for word in list(generic):
        for key, same in _SYNONYMS.items():
            if word == stem(key):
                generic |= {stem(s) for s in same}
    return specific, generic


def on_topic(question: str, memory_text: str) -> int:
    """How much of the question's topic a memory shares: 0 when the question names
    someone or something (my aunt, my cat, Maya, 1234) the memory does not, or when the
    memory shares none of its specific words and none of its everyday ones."""
    specific, generic = topic_words(question)
    words = content_words(memory_text)
    named = specific & (_WHO | names_and_numbers(question))
    if specific and not specific & words and (named or not generic & words):
        # "which dish is my favourite?" is about "my favourite food": the question's
        # own nouns may be worded otherwise, who it names may not
        return 0
    score = 2 * len(specific & words) + len(generic & words)
    if score == 0:
        return 0
    # "what is my job" is about the user, not "my brother works as ..."
    others = (words & _RELATIONS) - specific
    if others:
        score -= 1
    elif _SELF.search(question) and _SELF.search(memory_text):
        score += 1
    return max(score, 0)


def degenerate(answer: str) -> bool:
    """A repetition loop ("Theo Theo Theo ...", the same clause over and over)."""
    words = [w.lower() for w in _TOKEN.findall(answer)]
    content = [stem(w) for w in words if not _stop(w) and len(w) > 1]
    if any(content.count(w) >= 3 for w in set(content)):
        return True
    return len(words) >= 8 and len(set(words)) < len(words) / 2


@dataclass(frozen=True)
class Support:
    supported: bool
    cited: list[int]  # memory ids the answer rests on, in the order given
    closest: SearchResult | None  # the memory nearest the question, for "I'm not sure"


def _said(text: str) -> set[str]:
    return content_words(text) | names_and_numbers(text)  # "5 June", "at 2pm": numbers too


def check(answer: str, question: str, memories: Sequence[SearchResult]) -> Support:
    _, synonyms = topic_words(question)
    asked = _said(question)
    claims = names_and_numbers(answer) - asked
    added = _said(answer) - asked
    # words the question's topic brings ("works" for "what is my job?") need no memory
    # of their own: a memory must carry the rest
    must = added - synonyms
    cited = [r for r in memories if added & _said(r.memory.text)]
    if not added or degenerate(answer):
        return Support(False, [r.memory.id for r in cited], closest(question, memories))
    for result in cited:
        words = _said(result.memory.text)
        # one memory, about what was asked, carries the whole claim: all its names and
        # numbers and most of its other words; "your aunt lives in Lisbon" is not supported
        # by "my sister moved to Lisbon", nor "you work at the gym" by a locker code
        if (
            claims <= words
            and (not must or 2 * len(must & words) > len(must))
            and on_topic(question, result.memory.text)
        ):
            return Support(True, [result.memory.id], closest(question, memories))
    return Support(False, [r.memory.id for r in cited], closest(question, memories))


def closest(question: str, memories: Iterable[SearchResult]) -> SearchResult | None:
    """The memory sharing the most of the question's topic, earlier (better ranked) first;
    None when no memory shares any."""
    best, best_overlap = None, 0
    for result in memories:
        overlap = on_topic(question, result.memory.text)
        if overlap > best_overlap:
            best, best_overlap = result, overlap
    return best


def not_sure(result: SearchResult | None, tz: tzinfo) -> str:
    if result is None:
        return DONT_KNOW
    memory = result.memory
    when = memory.occurred_at.astimezone(tz)
    day = f"{when.day} {when:%b %Y}"
    if memory.untrusted:
        # sensed text (a notification, a message) is not put in our own words: it is
        # shown under the answer as data, never as what PocketMind says
        return f"I'm not sure. The closest memory is a {memory.kind} from {memory.source} ({day})."
    text = memory.text if len(memory.text) <= 200 else memory.text[:199] + "…"
    return f"I'm not sure. The closest memory: '{text}' ({day})."


def is_personal(question: str, memories: Sequence[SearchResult]) -> bool:
    """A question about the user's life: in the first person, or naming someone or
    something the memories name. A statement ("my sister moved to Lisbon") is not one."""
    stripped = question.strip()
    if not (stripped.endswith("?") or _QUESTION.match(stripped)):
        return False
    if re.search(r"\b(i|i'm|i've|my|me|mine|we|our|us)\b", question, re.IGNORECASE):
        return True
    names = names_and_numbers(question)
    return bool(names) and any(names & content_words(r.memory.text) for r in memories)
