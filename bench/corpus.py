"""A synthetic year of phone life: memory texts and questions, for scale benchmarks.

Deterministic (seeded) so every run embeds the same texts and the cache hits.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

PEOPLE = """Alice Bob Maya Omar Lena Jonas Priya Chen Sofia Luca Amara Tom Ines Yusuf Hana
Mateo Freya Ravi Zoe Kofi Elena Noah Aisha Max Lea Samir Ivy Felix Nora Diego""".split()
APPS = """WhatsApp Signal Gmail Calendar Slack Telegram Revolut Uber Spotify Strava Duolingo
Deliveroo Maps Outlook Teams Instagram Bank Pharmacy Airline Weather""".split()
PLACES = """home|work|the gym|the office|Riverside Dental|the supermarket|the station|Café Nero|
the park|the library|Mum's place|the airport|the pharmacy|the cinema|the bakery|
the climbing hall|the school|the pool|the market|the hospital""".replace("\n", "").split("|")
TOPICS = """dinner on Friday the rent the flight to Lisbon the dentist appointment the parcel
delivery the team meeting the birthday party the car service the invoice the concert
tickets the school trip the weekend hike the book club the plumber visit the tax return
the new job offer the gym membership the train delay the doctor's results the visa
application the wedding plans the phone bill the holiday photos the marathon training
the piano lesson the vet appointment""".split("\n")
TOPICS = [t.strip() for line in TOPICS for t in line.split(" the ") if t.strip()]
ACTIONS = """is running late | moved the meeting to 3pm | sent the document | asked about
the plan | confirmed the booking | cancelled | wants to call you back | shared a photo |
paid you back | left a voice message | needs an answer today | says thanks""".split("|")
ACTIONS = [a.strip().replace("\n", " ") for a in ACTIONS]

TEMPLATES = [
    ("notification", "{app}", "New notification from {app}: {person} {action} about {topic}"),
    ("place", "location", "Arrived at {place} and stayed {minutes} minutes"),
    ("place", "location", "Left {place} after {minutes} minutes"),
    ("chat", "{app}", "{person}: can we talk about {topic} at {hour}?"),
    ("note", "user", "Remember to ask {person} about {topic} before {weekday}"),
    ("event", "Calendar", "Calendar: {topic} with {person} at {place} on {weekday} at {hour}"),
    ("battery", "termux-battery", "Battery dropped to {pct}% at {place}"),
    ("fact", "user", "{person} {fact}"),
]
FACTS = """lives near {place} | prefers tea over coffee | is allergic to peanuts |
has a birthday in {month} | works at {app} | plays the piano | moved to Lisbon |
is learning Japanese | has two kids | runs marathons""".split("|")
MONTHS = "January February March April May June July August September October November".split()
WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()

QUESTIONS = [
    "when did {person} last message me about {topic}?",
    "what did {person} say about {topic}",
    "how long was I at {place}",
    "what is going on with {topic}",
    "where does {person} live",
    "did {app} send anything about {topic}",
    "what do I need to ask {person}",
]


def _fill(template: str, rng: random.Random) -> str:
    values = {
        "person": rng.choice(PEOPLE),
        "app": rng.choice(APPS),
        "place": rng.choice(PLACES),
        "topic": rng.choice(TOPICS),
        "action": rng.choice(ACTIONS),
        "minutes": rng.randint(3, 600),
        "hour": f"{rng.randint(7, 21)}:{rng.choice(['00', '30'])}",
        "weekday": rng.choice(WEEKDAYS),
        "pct": rng.randint(1, 99),
        "month": rng.choice(MONTHS),
    }
    values["fact"] = rng.choice(FACTS).strip().format(**values)
    return template.format(**values)


def memories(n: int, seed: int = 7) -> list[tuple[str, str, str, datetime]]:
    """``n`` distinct (text, kind, source, at) over the year before 2025-10-01."""
    rng = random.Random(seed)
    start = datetime(2024, 10, 1, tzinfo=UTC)
    seen: set[str] = set()
    out = []
    while len(out) < n:
        kind, source, template = rng.choice(TEMPLATES)
        text = _fill(template, rng)
        if text in seen:
            continue
        seen.add(text)
        at = start + timedelta(seconds=rng.randint(0, 365 * 86400))
        out.append((text, kind, _fill(source, rng) if "{" in source else source, at))
    return out


def questions(n: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    return [_fill(rng.choice(QUESTIONS), rng) for _ in range(n)]
