"""Tool-use training chats: OpenAI messages over the phone tools' own schemas.

Each chat's system message is the agent's tools prompt (``tools_prompt``, native mode:
calls as ``<tool_call>`` blocks, which is how ``refresh`` renders ``tool_calls``) over
the tool it needs and a few others drawn at random, so the model learns to pick among
what it is shown. Some requests need no tool at all (greetings, general questions, things
no tool does): those are answered in words, because tuned small models lose irrelevance
first. Read tools get a second chat: the ``tool`` result comes back and the answer uses
it. Phrasings here are tuning phrasings, written apart from bench/agent_tasks.py.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

from pocketmind.sensing.termux import SubprocessTermux
from pocketmind.tools.agent import tools_prompt
from pocketmind.tools.contacts import Contacts
from pocketmind.tools.phone import PhoneTools

PEOPLE = ["Mum", "Maya", "Jonas", "my sister", "my brother", "Dad", "Lena", "Omar"]
TEXTS = [
    "I'll be 10 minutes late",
    "dinner is at 8",
    "can you pick up bread?",
    "running behind, start without me",
    "happy birthday!",
    "the keys are under the mat",
    "see you at the station",
]
LABELS = ["gym", "meds", "school run", "standup", ""]
Request = tuple[str, str, dict[str, Any]]  # what the user says, the tool, its arguments


def _requests(rng: random.Random) -> list[Request]:
    who, text = rng.choice(PEOPLE), rng.choice(TEXTS)
    hour, minute = rng.randint(5, 22), rng.choice([0, 15, 30, 45, 10, 40])
    label = rng.choice(LABELS)
    level = rng.randint(0, 15)
    on = rng.random() < 0.5
    day = rng.randint(3, 27)
    start = f"2025-10-{day:02d}T{hour:02d}:00:00+02:00"
    end = f"2025-10-{day:02d}T{min(hour + 1, 23):02d}:00:00+02:00"
    title = rng.choice(["Lunch with Maya", "Team review", "Vet for Rex", "Piano lesson"])
    url = rng.choice(["https://example.org/tickets", "https://news.example.com", "wikipedia.org"])
    alarm = f"{hour}:{minute:02d}"
    options: list[Request] = [
        (f"Send {who} a text saying {text}", "send_text", {"to": who, "text": text}),
        (f"SMS {who}: {text}", "send_text", {"to": who, "text": text}),
        (f"Text {who} that {text}", "send_text", {"to": who, "text": text}),
        (f"Ring {who}", "call", {"to": who}),
        (f"Give {who} a call please", "call", {"to": who}),
        (f"What's {who}'s number?", "contact_lookup", {"name": who}),
        ("Show me the texts I sent lately", "sent_messages", {"limit": 10}),
        ("Switch the torch " + ("on" if on else "off"), "torch", {"on": on}),
        ("Flashlight " + ("on" if on else "off") + " please", "torch", {"on": on}),
        (f"Put the music volume at {level}", "set_volume", {"stream": "music", "level": level}),
        (f"Ringer volume to {level}", "set_volume", {"stream": "ring", "level": level}),
        (f"Copy '{text}' to the clipboard", "copy", {"text": text}),
        (f"Open {url}", "open_url", {"url": url if "://" in url else f"https://{url}"}),
        (f"Share this: {text}", "share", {"text": text}),
        (f"Say out loud: {text}", "speak", {"text": text}),
        (f"Show a notification that says {text}", "notify", {"title": text}),
        (
            f"Wake me at {alarm}" + (f" for {label}" if label else ""),
            "set_alarm",
            {"hour": hour, "minute": minute, "label": label},
        ),
        (f"Alarm at {hour}:{minute:02d}", "set_alarm", {"hour": hour, "minute": minute}),
        (
            f"Put '{title}' in my calendar on {day} October from {hour}:00 to {hour + 1}:00",
            "add_calendar_event",
            {"title": title, "start": start, "end": end},
        ),
        ("How much battery have I got?", "battery", {}),
        ("battery level?", "battery", {}),
        ("Which wifi network am I on?", "wifi", {}),
        ("Where am I right now?", "location", {}),
    ]
    return options


# Read tools: what the tool gave back, and how the answer uses it.
RESULTS: dict[str, Callable[[random.Random], tuple[str, str]]] = {
    "battery": lambda r: (
        json.dumps({"percentage": (n := r.randint(5, 99)), "status": "DISCHARGING"}),
        f"Your battery is at {n}%.",
    ),
    "wifi": lambda r: (
        json.dumps({"ssid": (s := r.choice(["HomeNet", "Cafe-Guest", "eduroam"]))}),
        f"You're on the wifi network {s}.",
    ),
}
NO_TOOL = [
    (
        "Hello! What can you do?",
        "I remember what you tell me, answer from it, and can act "
        "on your phone: texts, calls, alarms, the torch and more, always asking first.",
    ),
    ("Thanks, that's all", "You're welcome."),
    ("How are you?", "I'm fine, thanks. What can I do for you?"),
    ("What is the capital of Portugal?", "Lisbon."),
    ("How many minutes are in three hours?", "180 minutes."),
    ("Book me a taxi to the airport", "I can't book a taxi from here."),
    ("Order a pizza", "I can't order food from here."),
    ("What does 'ephemeral' mean?", "Lasting a very short time."),
    ("Tell me a joke", "Why did the phone wear glasses? It lost its contacts."),
    ("Good morning!", "Good morning! What can I do for you?"),
]


def _call(name: str, arguments: dict[str, Any], n: int) -> dict[str, Any]:
    return {
        "id": f"call_{n}",
        "type": "function",
        "function": {"name": name, "arguments": json.dumps(arguments)},
    }


def tool_chats(count: int, seed: int = 0) -> list[list[dict[str, Any]]]:
    """``count`` chats: about three in four call a tool, the rest answer in words."""
    tools = PhoneTools(SubprocessTermux(), Contacts(SubprocessTermux())).tools()
    by_name = {t.name: t for t in tools}
    rng = random.Random(seed)
    chats: list[list[dict[str, Any]]] = []
    while len(chats) < count:
        need: str | None = None
        if rng.random() < 0.25:
            said, reply = rng.choice(NO_TOOL)
            turns: list[dict[str, Any]] = [
                {"role": "user", "content": said},
                {"role": "assistant", "content": reply},
            ]
        else:
            said, need, arguments = rng.choice(_requests(rng))
            call = _call(need, arguments, len(chats))
            turns = [
                {"role": "user", "content": said},
                {"role": "assistant", "content": "", "tool_calls": [call]},
            ]
            if need in RESULTS and rng.random() < 0.5:
                result, answer = RESULTS[need](rng)
                turns += [
                    {"role": "tool", "tool_call_id": call["id"], "content": result},
                    {"role": "assistant", "content": answer},
                ]
        others = [t for t in tools if t.name != need]
        shown = rng.sample(others, k=2) + ([by_name[need]] if need else [])
        rng.shuffle(shown)
        system = {"role": "system", "content": tools_prompt(shown, "native")}
        chats.append([system, *turns])
    return chats
