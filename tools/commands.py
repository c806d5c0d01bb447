"""Phone commands read deterministically: "text Mum that I'll be late", "set an alarm for
6:40", "turn the torch on", "share my location with Maya".

The reminders grammar is the pattern: where a sentence has a shape a grammar can read,
it is read, not generated, so the packaged 135M model is not asked to do what a regular
expression does reliably. What is read becomes the same tool calls the model would make,
and goes through the same gate (an external one still waits for the user's yes). A
request the grammar does not know returns None and goes to the model. Only the user's
own words are read here.

A command may be several steps whose later arguments use an earlier result:
``{location}`` in a text is filled from the ``location`` tool's answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..engine.toolcalls import ToolCall
from .style import learn


@dataclass(frozen=True)
class Command:
    calls: list[ToolCall]  # in order; later arguments may hold {tool_name} placeholders

    @property
    def steps(self) -> int:
        return len(self.calls)


_PLEASE = r"^\s*(?:(?:hey|ok|okay)\s*,?\s*)?(?:please\s+)?(?:can you\s+|could you\s+|would you\s+)?"
_END = r"\s*(?:,?\s*please)?\s*[.!?]*\s*$"
_TIME = r"(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?\s*(?P<ampm>a\.?m\.?|p\.?m\.?)?"
_NOT_SOMEONE = r"(?!(?:me|us|him|her|them|it|this|that)\b)"  # "tell me how…" texts nobody
_PERSON = r"(?P<to>" + _NOT_SOMEONE + r"(?:my\s+)?[\w'+][\w' +().-]*?)"


def _first_person(text: str) -> str:
    """What to say, as the user would write it: "that I'll be late" → "I'll be late";
    "to say the dinner is off" → "the dinner is off"."""
    text = re.sub(r"^(?:that|saying|to say|and say|and tell (?:him|her|them))\s+", "", text.strip())
    text = text.strip().strip('"“”')
    return text[:1].upper() + text[1:] if text else text


def _hour(match: re.Match[str]) -> tuple[int, int] | None:
    hour, minute = int(match["h"]), int(match["m"] or 0)
    half = (match["ampm"] or "").replace(".", "").lower()
    if half == "pm" and hour < 12:
        hour += 12
    elif half == "am" and hour == 12:
        hour = 0
    return (hour, minute) if hour < 24 and minute < 60 else None


Reader = Callable[[re.Match[str]], Command | None]
RULES: list[tuple[re.Pattern[str], Reader]] = []


def rule(pattern: str) -> Callable[[Reader], Reader]:
    def add(reader: Reader) -> Reader:
        RULES.append((re.compile(f"{_PLEASE}(?:{pattern}){_END}", re.IGNORECASE), reader))
        return reader

    return add


def _one(tool: str, **arguments: Any) -> Command:
    return Command([ToolCall(tool, arguments)])


@rule(
    r"(?:share|send)\s+(?:my\s+)?(?:current\s+)?(?:location|position|where i am)\s+"
    r"(?:with|to)\s+" + _PERSON
)
def _share_location(m: re.Match[str]) -> Command:
    return _location_then_text(m["to"])


def _location_then_text(to: str) -> Command:
    return Command(
        [
            ToolCall("location", {}),
            ToolCall("send_text", {"to": to, "text": "I'm here: {location}"}),
        ]
    )


@rule(
    r"(?:send|text|message|tell)\s+" + _PERSON + r"\s+(?:my\s+(?:current\s+)?location|"
    r"where\s+i\s+am(?:\s+(?:right\s+)?now)?)"
)
def _location_to(m: re.Match[str]) -> Command:
    return _location_then_text(m["to"])


@rule(
    r"(?:share|send)\s+(?:my\s+)?(?P<what>parking spot|parking|battery(?: level)?)\s+"
    r"(?:with|to)\s+" + _PERSON
)
def _share_reading(m: re.Match[str]) -> Command:
    what = m["what"].lower()
    tool = "battery" if what.startswith("battery") else "location"
    prefix = "My battery: " if tool == "battery" else "I parked here: "
    return Command(
        [
            ToolCall(tool, {}),
            ToolCall("send_text", {"to": m["to"], "text": prefix + "{" + tool + "}"}),
        ]
    )


@rule(
    r"(?:send\s+(?:a\s+)?(?:text|message|sms)\s+to|text|message|sms|tell|draft\s+a\s+"
    r"(?:text|message)\s+to)\s+"
    + _PERSON
    + r"(?P<style>\s+in\s+my\s+(?:usual|own|normal)\s+(?:style|way))?\s*(?:,\s*|\s+)"
    r"(?P<what>(?:that|saying|to say)\s+.+)"
)
def _text(m: re.Match[str]) -> Command:
    if m["style"]:  # the user's own sent texts first, as the examples of their style
        text = USUAL_STYLE + _first_person(m["what"])
        return Command(
            [ToolCall("sent_messages", {}), ToolCall("send_text", {"to": m["to"], "text": text})]
        )
    return _one("send_text", to=m["to"], text=_first_person(m["what"]))


@rule(
    r"(?:send|shoot|drop)\s+" + _PERSON + r"\s+an?\s+(?:quick\s+)?(?:text|message|sms|line)"
    r"\s*(?::\s*|,\s*|\s+)(?P<what>(?:that\s+|saying\s+|to say\s+)?.+)"
)
def _text_them(m: re.Match[str]) -> Command:
    return _one("send_text", to=m["to"], text=_first_person(m["what"]))


@rule(r"let\s+" + _PERSON + r"\s+know\s+(?P<what>.+)")
def _let_know(m: re.Match[str]) -> Command:
    return _one("send_text", to=m["to"], text=_first_person(m["what"]))


# "text Maya I'm running late", "tell Jonas: dinner is off": no "that", so the name is
# what a name looks like (capitalised words, "my sister", a number) and a , or : may end it.
_NAMED = (
    _NOT_SOMEONE
    + r"(?P<to>my\s+\w+|[A-Z][\w'-]*(?:\s+(?!I\b|I'\w+)[A-Z][\w'-]*)?|\+?\d[\d ()-]{4,}\d)"
)


@rule(
    r"(?:text|message|sms|tell)\s+" + _NAMED + r"\s*[,:]?\s+(?P<what>(?:I|I'm|I'll|we|the|my|"
    r"running|on|see|be|don't|can't|sorry|thanks|happy|call)\b.+)"
)
def _text_bare(m: re.Match[str]) -> Command:
    return _one("send_text", to=m["to"], text=_first_person(m["what"]))


@rule(r"(?:look\s+up|find|what(?:'s| is))\s+(?P<who>.+?)(?:'s|s')\s+(?:phone\s+)?number")
def _lookup(m: re.Match[str]) -> Command:
    return _one("contact_lookup", name=m["who"])


@rule(r"(?:text|send|forward)\s+(?:it|that|this)\s+to\s+" + _PERSON)
def _text_previous(m: re.Match[str]) -> Command:
    return _one("send_text", to=m["to"], text="{previous}")


@rule(
    r"(?:give|get)\s+" + _PERSON + r"\s+(?:a\s+(?:call|ring|buzz)|on\s+the\s+(?:phone|line))"
    r"|(?:call|ring|phone)\s+up\s+" + _PERSON.replace("to>", "to2>")
)
def _call_them(m: re.Match[str]) -> Command:
    return _one("call", to=m["to"] or m["to2"])


@rule(r"(?:call|ring|phone|dial)\s+" + _PERSON)
def _call(m: re.Match[str]) -> Command:
    return _one("call", to=m["to"])


@rule(
    r"(?:(?:set\s+(?:an?\s+|my\s+)?)?alarm\s+(?:for|at)|wake\s+me\s+(?:up\s+)?at)\s+"
    + _TIME
    + r"(?:\s+(?:for|called|labelled)\s+(?P<label>.+?))?"
)
def _alarm(m: re.Match[str]) -> Command | None:
    clock = _hour(m)
    if clock is None:
        return None
    label = (m["label"] or "").strip()
    return _one("set_alarm", hour=clock[0], minute=clock[1], label=label)


@rule(r"set\s+(?:an?\s+|my\s+)?" + _TIME + r"\s+alarm")
def _alarm_at(m: re.Match[str]) -> Command | None:
    clock = _hour(m)
    return _one("set_alarm", hour=clock[0], minute=clock[1], label="") if clock else None


@rule(
    r"(?:(?:turn|switch|put)\s+)?(?:the\s+|my\s+)?(?:torch|flashlight|flash light)\s+"
    r"(?P<on>on|off)"
    r"|(?:turn|switch)\s+(?P<on2>on|off)\s+(?:the\s+|my\s+)?(?:torch|flashlight)"
)
def _torch(m: re.Match[str]) -> Command:
    return _one("torch", on=(m["on"] or m["on2"]).lower() == "on")


@rule(
    r"(?:what(?:'s| is)\s+my\s+battery(?:\s+level)?|how\s+much\s+battery(?:\s+do\s+i\s+have)?"
    r"(?:\s+left)?|battery(?:\s+level)?)"
)
def _battery(_m: re.Match[str]) -> Command:
    return _one("battery")


@rule(r"(?:my\s+|the\s+)?battery\s+(?:status|level|percentage|state)")
def _battery_status(_m: re.Match[str]) -> Command:
    return _one("battery")


@rule(r"(?:what(?:'s| is)\s+my\s+wifi|which\s+wifi(?:\s+am\s+i\s+on)?|what\s+wifi\s+am\s+i\s+on)")
def _wifi(_m: re.Match[str]) -> Command:
    return _one("wifi")


@rule(r"(?:where\s+am\s+i|what(?:'s| is)\s+my\s+(?:current\s+)?location)(?:\s+(?:right\s+)?now)?")
def _where(_m: re.Match[str]) -> Command:
    return _one("location")


@rule(
    r"(?:set|turn|put|change)\s+(?:the\s+)?(?P<stream>alarm|music|notification|ring|ringer|call)"
    r"\s+volume\s+(?:(?:up|down)\s+)?to\s+(?P<level>\d{1,2})"
)
def _volume(m: re.Match[str]) -> Command | None:
    level = int(m["level"])
    stream = "ring" if m["stream"].lower() == "ringer" else m["stream"].lower()
    return _one("set_volume", stream=stream, level=level) if level <= 15 else None


@rule(r"copy\s+(?P<text>.+?)\s+to\s+(?:the\s+|my\s+)?clipboard")
def _copy(m: re.Match[str]) -> Command:
    return _one("copy", text=_unquote(m["text"]))


@rule(
    r"(?:say|read)\s+(?P<text>.+?)\s+(?:out\s+loud|aloud)"
    r"|(?:say|read)\s+(?:out\s+loud|aloud)\s+(?P<text2>.+)"
)
def _speak(m: re.Match[str]) -> Command:
    return _one("speak", text=_unquote(m["text"] or m["text2"]))


def _unquote(text: str) -> str:
    return text.strip().strip("\"“”'‘’")


@rule(r"(?:open|go\s+to|visit|browse\s+to)\s+(?P<url>(?:https?://)?[\w-]+(?:\.[\w-]+)+(?:/\S*)?)")
def _open(m: re.Match[str]) -> Command:
    url = m["url"] if m["url"].startswith("http") else "https://" + m["url"]
    return _one("open_url", url=url)


_STATES = {
    "battery": r"\b(?:battery|charge|charged|charging)\b",
    "wifi": r"\b(?:wi-?fi|network|connected|online)\b",
    "location": r"\b(?:location|where\s+am\s+i|where\s+i\s+am)\b",
}


@rule(r"(?P<q>(?:what|what's|whats|how|how's|is|am|are|which|where|do|does)\b[^.!?]*)")
def _state(m: re.Match[str]) -> Command | None:
    """A question about one of the phone's states ("how's my battery?", "am I on wifi?")
    is that state's read; a question naming two, or none, is not read here."""
    asked = [tool for tool, words in _STATES.items() if re.search(words, m["q"], re.IGNORECASE)]
    return _one(asked[0]) if len(asked) == 1 else None


_JOIN = re.compile(r"\s*(?:,\s*)?\b(?:and then|then|and also|and)\b\s*|\s*;\s*", re.IGNORECASE)


def read_command(text: str) -> Command | None:
    """The tool calls ``text`` asks for, when rules read it; None otherwise.

    "Call Mum and turn the torch off" is two commands when each part reads as one;
    "text Mum that I'll buy bread and milk" stays one, since "milk" reads as nothing."""
    parts = [p for p in _JOIN.split(text) if p and p.strip()]
    if len(parts) > 1:
        commands = [_read_one(part) for part in parts]
        if all(c is not None for c in commands):
            return Command([call for c in commands if c is not None for call in c.calls])
    return _read_one(text)


def _read_one(text: str) -> Command | None:
    for pattern, reader in RULES:
        match = pattern.match(text)
        if match is not None:
            command = reader(match)
            if command is not None:
                return command
    return None


USUAL_STYLE = "{usual_style}"  # the text that follows is put in the sent messages' style


def fill(arguments: dict[str, Any], results: dict[str, str]) -> dict[str, Any]:
    """Put earlier steps' answers into ``{tool}`` placeholders (``{previous}``: the last);
    a text marked :data:`USUAL_STYLE` takes the habits of ``sent_messages``' answer."""
    filled: dict[str, Any] = {}
    for key, value in arguments.items():
        if isinstance(value, str) and value.startswith(USUAL_STYLE):
            sent = results.get("sent_messages", "")
            examples = [] if sent == "no sent messages" else sent.splitlines()
            value = learn(examples).apply(value.removeprefix(USUAL_STYLE))
        if isinstance(value, str):
            for name, result in results.items():
                value = value.replace("{" + name + "}", result)
            if results:
                value = value.replace("{previous}", list(results.values())[-1])
        filled[key] = value
    return filled


# Whether a turn the grammar could not read still asks the phone to do or tell something,
# so that the model may propose tool calls for it. Chit-chat and questions about the
# user's life go to the chat instead: a small model under a tool grammar picks a tool for
# nearly anything it is shown, so it is shown only turns that start with an action verb
# or ask about the phone's own state.
_ASK = re.compile(
    _PLEASE + r"(?:i\s+(?:need|want|would\s+like|'d\s+like)\s+(?:you\s+)?to\s+)?"
    r"(?P<verb>text|message|sms|send|forward|call|ring|phone|dial|set|turn|switch|put|open|"
    r"share|copy|say|speak|read|wake|tell|let|give|kill|mute|unmute|draft|write|look\s+up|"
    r"find|raise|lower|increase|decrease|play|add|create|schedule|notify|remind)\b"
    r"(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_NOT_AN_ACTION = re.compile(
    r"^\s*(?:me|us)\b(?!.*\b(?:know|number|battery|wifi|location)\b)"  # "tell me about…"
    r"|^\s*(?:up\s+(?:for|with|on)|about|what|why|how)\b",
    re.IGNORECASE,
)
_STATE_QUESTION = re.compile(
    r"^\s*(?:what|what's|whats|how|is|am|are|which|where|do|does)\b.*"
    r"\b(?:battery|charg\w*|wi-?fi|network|connected|location|where\s+am\s+i|torch|"
    r"flashlight|volume)\b",
    re.IGNORECASE | re.DOTALL,
)


def asks_for_action(text: str) -> bool:
    """True when ``text`` asks the phone to act or to report its state ("ring Maya's
    mobile", "how full is the battery?"); False for chit-chat and other questions."""
    if _STATE_QUESTION.match(text):
        return True
    found = _ASK.match(text)
    if found is None:
        return False
    if found["verb"].lower() in (
        "find",
        "read",
        "write",
        "play",
        "add",
        "create",
    ) and not re.search(
        r"\b(?:number|aloud|out\s+loud|text|message|sms|alarm|event|calendar)\b",
        found["rest"],
        re.I,
    ):
        return False  # "find my notes on…", "write a poem": not the phone's
    return not _NOT_AN_ACTION.match(found["rest"])
