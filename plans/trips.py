"""Trip planning, NATURAL PLAN's third task: visit every city for the days asked, flying
direct between them, and be in a city on the days of its event.

Days count from 1, and the day of a flight counts in both cities (fly from Florence to
Amsterdam on day 5: day 5 is a Florence day and an Amsterdam day), so a trip of stays
``d1..dn`` lasts ``sum(d) - (n - 1)`` days. An event ("a wedding in Riga between day 10
and day 14") means the stay in that city covers those days.

The solver is an exact search over (cities visited, last city) with the dead ends
remembered: the day a stay starts follows from which cities came before, so the state
is small (2^n x n) and the search counts every plan, which is how the task generator
proves a task has exactly one answer. The verifier is separate and names each broken
constraint, whoever proposed the plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache


@dataclass(frozen=True)
class TripRequest:
    stays: dict[str, int]  # city -> days, in the order the request names them
    flights: frozenset[tuple[str, str]]  # (from, to): direct flights, both ways listed twice
    events: dict[str, tuple[int, int]] = field(default_factory=dict)  # city -> (first, last)
    total: int | None = None  # the days the request says, if it says

    @property
    def days(self) -> int:
        return sum(self.stays.values()) - (len(self.stays) - 1)


Itinerary = tuple[tuple[str, int], ...]  # (city, days) in the order visited


def _fits(request: TripRequest, city: str, first: int) -> bool:
    window = request.events.get(city)
    return window is None or (first <= window[0] and window[1] <= first + request.stays[city] - 1)


def count(request: TripRequest, limit: int = 2) -> int:
    """How many itineraries satisfy ``request`` (stopping at ``limit``)."""
    return len(_search(request, limit))


def solve(request: TripRequest) -> Itinerary | None:
    """The itinerary that satisfies every constraint (the first found), or None."""
    found = _search(request, 1)
    return found[0] if found else None


def _search(request: TripRequest, limit: int) -> list[Itinerary]:
    cities = list(request.stays)
    index = {c: i for i, c in enumerate(cities)}
    nexts = {c: [b for b in cities if (c, b) in request.flights] for c in cities}
    full = (1 << len(cities)) - 1

    def start_day(mask: int) -> int:
        return 1 + sum(request.stays[c] - 1 for c in cities if mask >> index[c] & 1)

    @cache
    def dead(mask: int, last: str) -> bool:
        return not _walk(mask, last, [], 1)

    def _walk(mask: int, last: str, path: list[str], want: int) -> list[list[str]]:
        if mask == full:
            return [path]
        first = start_day(mask)  # the flight day: the last day of the previous stay
        out: list[list[str]] = []
        for city in nexts[last]:
            bit = 1 << index[city]
            if mask & bit or not _fits(request, city, first):
                continue
            if dead(mask | bit, city):
                continue
            out += _walk(mask | bit, city, [*path, city], want - len(out))
            if len(out) >= want:
                break
        return out

    found: list[list[str]] = []
    for city in cities:
        if len(found) >= limit:
            break
        if _fits(request, city, 1) and not dead(1 << index[city], city):
            found += _walk(1 << index[city], city, [city], limit - len(found))
    return [tuple((c, request.stays[c]) for c in path) for path in found[:limit]]


def verify(request: TripRequest, plan: Itinerary) -> list[str]:
    """Every constraint ``plan`` breaks, each named; empty when it holds."""
    problems: list[str] = []
    seen = [c for c, _ in plan]
    for city in request.stays:
        if seen.count(city) != 1:
            problems.append(f"{city} is visited {seen.count(city)} times, not once")
    problems += [f"{c} is not a city of this trip" for c in seen if c not in request.stays]
    first = 1
    for i, (city, days) in enumerate(plan):
        if city in request.stays and days != request.stays[city]:
            problems.append(f"{city} gets {days} days, not {request.stays[city]}")
        if i and (plan[i - 1][0], city) not in request.flights:
            problems.append(f"no direct flight from {plan[i - 1][0]} to {city} (day {first})")
        window = request.events.get(city)
        if window and not (first <= window[0] and window[1] <= first + days - 1):
            problems.append(
                f"{city} is days {first}-{first + days - 1}, not covering days "
                f"{window[0]}-{window[1]}"
            )
        first += days - 1
    if request.total is not None and first != request.total:
        problems.append(f"the trip lasts {first} days, not {request.total}")
    return problems


def describe(plan: Itinerary) -> str:
    """NATURAL PLAN's answer format: a visit line per city, a flight line between."""
    total = sum(d for _, d in plan) - (len(plan) - 1)
    lines = [f"Here is the trip plan for visiting the {len(plan)} European cities for "
             f"{total} days:", ""]  # fmt: skip
    first = 1
    for i, (city, days) in enumerate(plan):
        last = first + days - 1
        if i == 0:
            lines.append(f"**Day {first}-{last}:** Arriving in {city} and visit {city} for "
                         f"{days} days.")  # fmt: skip
        else:
            lines.append(f"**Day {first}:** Fly from {plan[i - 1][0]} to {city}.")
            lines.append(f"**Day {first}-{last}:** Visit {city} for {days} days.")
        first = last
    return "\n".join(lines)
