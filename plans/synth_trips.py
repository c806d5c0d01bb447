"""Trip-planning tasks built the way NATURAL PLAN builds them (arXiv 2406.04520): 3-10
European cities, a stay length for each, the direct flights between them, and events
that pin some stays to days; exactly one itinerary works (the exact search counts them,
and events are added until one is left). Gold answers are written in the paper's answer
format (``**Day 1-5:** Arriving in Florence…``), so its scorer's rules read them.

``family="tune"`` words tasks as the paper does; ``family="held_out"`` words the same
facts differently, so a reader tuned on one is measured on the other.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass

from . import trips
from .trips import Itinerary, TripRequest

CITIES = (
    "Florence Amsterdam Riga Vienna Oslo Prague Lisbon Porto Seville Madrid Barcelona Munich "
    "Berlin Hamburg Krakow Warsaw Budapest Dubrovnik Split Athens Santorini Reykjavik Dublin "
    "Edinburgh London Paris Nice Lyon Geneva Zurich Milan Venice Naples Stockholm Helsinki "
    "Copenhagen Tallinn Vilnius Bucharest Sofia Brussels Valencia Salzburg Frankfurt Stuttgart"
).split()
EVENTS = (
    "attend a wedding in {c}",
    "meet a friend in {c}",
    "attend a conference in {c}",
    "visit relatives in {c}",
    "see an annual show in {c}",
    "attend a workshop in {c}",
)


@dataclass(frozen=True)
class TripTask:
    prompt: str
    request: TripRequest
    gold: Itinerary
    gold_text: str

    @property
    def cities(self) -> str:
        """The gold cities as the paper's data keeps them: ``Florence**Amsterdam**Riga``."""
        return "**".join(c for c, _ in self.gold)

    @property
    def durations(self) -> str:
        return "**".join(str(d) for _, d in self.gold)


def trip_task(rng: random.Random, n: int, family: str) -> TripTask:
    """One task over ``n`` cities whose only valid itinerary is the gold one."""
    order = rng.sample(CITIES, n)
    stays = {c: rng.randint(2, 7) for c in order}
    flights: set[tuple[str, str]] = set()
    one_way: set[tuple[str, str]] = set()
    for a, b in itertools.pairwise(order):
        if rng.random() < 0.2:
            one_way.add((a, b))
        else:
            flights |= {(a, b), (b, a)}
    for _ in range(rng.randint(n // 2, n)):
        a, b = rng.sample(order, 2)
        flights |= {(a, b), (b, a)}
    starts, day = {}, 1
    for city in order:
        starts[city] = day
        day += stays[city] - 1
    events: dict[str, tuple[int, int]] = {}
    for city in rng.sample(order, rng.randint(1, max(1, n // 3))):
        events[city] = _window(rng, starts[city], stays[city])
    mentioned = rng.sample(order, n)  # the request names cities in no telling order
    while True:
        request = TripRequest({c: stays[c] for c in mentioned}, frozenset(flights | one_way),
                              dict(events), sum(stays.values()) - (n - 1))  # fmt: skip
        if trips.count(request) == 1:
            break
        free = [c for c in order if c not in events]
        city = rng.choice(free)
        events[city] = (starts[city], starts[city] + stays[city] - 1)
    gold = trips.solve(request)
    assert gold is not None and [c for c, _ in gold] == order
    prompt = _prompt(request, one_way, rng, family)
    return TripTask(prompt, request, gold, trips.describe(gold))


def _window(rng: random.Random, start: int, days: int) -> tuple[int, int]:
    first = rng.randint(start, start + days - 1)
    return first, rng.randint(first, start + days - 1)


def _prompt(
    request: TripRequest, one_way: set[tuple[str, str]], rng: random.Random, family: str
) -> str:
    n, total = len(request.stays), request.days
    said: list[str] = []
    pairs = sorted({tuple(sorted(p)) for p in request.flights if p not in one_way})
    if family == "tune":
        said.append(f"You plan to visit {n} European cities for {total} days in total. You "
                    "only take direct flights to commute between cities.")  # fmt: skip
        stay = ("You want to spend {d} days in {c}.", "You would like to visit {c} for {d} days.",
                "You plan to stay in {c} for {d} days.")  # fmt: skip
        for city, days in request.stays.items():
            said.append(rng.choice(stay).format(c=city, d=days))
            if city in request.events:
                a, b = request.events[city]
                what = rng.choice(EVENTS).format(c=city)
                said.append(f"You are going to {what} between day {a} and day {b}.")
        links = [f"{a} and {b}" for a, b in pairs] + [f"from {a} to {b}" for a, b in one_way]
        return (" ".join(said) + "\n\nHere are the cities that have direct flights:\n"
                + ", ".join(sorted(links)) + ".\n\nFind a trip plan of visiting the cities for "
                f"{total} days by taking direct flights to commute between them.")  # fmt: skip
    said.append(f"I'm putting together a {total}-day trip through {n} cities in Europe, "
                "flying direct every time.")  # fmt: skip
    for city, days in request.stays.items():
        if city in request.events:
            a, b = request.events[city]
            what = rng.choice(EVENTS).format(c="town").replace(" in town", "")
            said.append(f"I'll need {days} days in {city}, where I {what} on days {a} to {b}.")
        else:
            said.append(rng.choice(("{c} deserves {d} days.", "I'd give {c} {d} days.",
                                    "Plan {d} days for {c}.")).format(c=city, d=days))  # fmt: skip
    links = [f"{a} <-> {b}" for a, b in pairs] + [f"one-way from {a} to {b}" for a, b in one_way]
    return (" ".join(said) + "\nNonstop flights run on these routes:\n" + "\n".join(sorted(links))
            + "\n\nGive me the itinerary day by day.")  # fmt: skip


def trip_suite(seed: int, family: str, per_size: int = 3) -> list[TripTask]:
    """3-10 cities, ``per_size`` tasks each (the paper's range)."""
    rng = random.Random(seed)
    return [trip_task(rng, n, family) for n in range(3, 11) for _ in range(per_size)]
