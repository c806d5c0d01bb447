"""A day of errands across town, ordered for the least travel: "plan Saturday: dentist at
16:00, Packstation, climbing gym, shortest travel".

Each stop is a place the user named, with the time spent there; an appointment has a
fixed start. The route leaves the start place (home) no earlier than ``start``, visits
every stop once, waits where it must, keeps errands out of busy times, and comes back
before ``end``. The solver is a branch-and-bound search over orders (least travel, then
home earliest); :func:`brute_force` tries every order and is the tests' oracle; the
verifier replays a route and names each broken constraint, whoever proposed it.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .spans import DAY, Span, clock


@dataclass(frozen=True)
class Stop:
    name: str
    minutes: int
    at: int | None = None  # a fixed start (an appointment), minutes from midnight


@dataclass(frozen=True)
class ErrandRequest:
    home: str
    start: int  # the earliest minute to leave home
    stops: tuple[Stop, ...]
    travel: Mapping[tuple[str, str], int]  # minutes between any two places, both ways
    busy: tuple[Span, ...] = ()  # when errands cannot be done (appointments are fixed)
    end: int = 22 * 60  # home by then

    def minutes(self, a: str, b: str) -> int:
        return 0 if a == b else self.travel[(a, b)]


@dataclass(frozen=True)
class Visit:
    stop: Stop
    arrive: int
    span: Span


@dataclass(frozen=True)
class Route:
    visits: tuple[Visit, ...]
    travel: int  # minutes on the way, the way home included
    home_at: int

    @property
    def key(self) -> tuple[int, int]:
        return self.travel, self.home_at

    def describe(self) -> list[str]:
        return [f"{v.stop.name} {clock(v.span.start)} - {clock(v.span.end)}" for v in self.visits]


def _free_from(at: int, minutes: int, busy: Sequence[Span]) -> int:
    """The first start at or after ``at`` whose ``minutes`` miss every busy span."""
    for span in sorted(busy):
        if Span(at, at + minutes).overlaps(span):
            at = span.end
    return at


def walk(request: ErrandRequest, order: Sequence[Stop]) -> tuple[Route | None, str | None]:
    """The route that visits ``order`` as early as it can, or the first reason it can't."""
    place, now, travel, visits = request.home, request.start, 0, []
    for stop in order:
        leg = request.minutes(place, stop.name)
        travel, arrive = travel + leg, now + leg
        if stop.at is not None:
            if arrive > stop.at:
                return None, f"{stop.name} at {clock(stop.at)}: you arrive {clock(arrive)}"
            start = stop.at
        else:
            start = _free_from(arrive, stop.minutes, request.busy)
        visits.append(Visit(stop, arrive, Span(start, start + stop.minutes)))
        place, now = stop.name, start + stop.minutes
    leg = request.minutes(place, request.home)
    if now + leg > request.end:
        return None, f"home at {clock(now + leg)}, after {clock(request.end)}"
    return Route(tuple(visits), travel + leg, now + leg), None


def solve(request: ErrandRequest) -> Route | None:
    """The route with the least travel (then home earliest), or None when none fits."""
    best: Route | None = None
    stops = list(request.stops)

    def extend(order: list[int], place: str, travel: int) -> None:
        nonlocal best
        if best is not None and travel > best.travel:
            return  # legs only add travel: this branch cannot win
        chosen = [stops[i] for i in order]
        if len(order) == len(stops):
            route, _ = walk(request, chosen)
            if route is not None and (best is None or route.key < best.key):
                best = route
            return
        if walk_prefix(request, chosen) is None:
            return
        for i, stop in enumerate(stops):
            if i not in order:
                extend([*order, i], stop.name, travel + request.minutes(place, stop.name))

    extend([], request.home, 0)
    return best


def walk_prefix(request: ErrandRequest, order: Sequence[Stop]) -> int | None:
    """When the first stops of ``order`` end (None: they already break a fixed time)."""
    place, now = request.home, request.start
    for stop in order:
        arrive = now + request.minutes(place, stop.name)
        if stop.at is not None and arrive > stop.at:
            return None
        start = stop.at if stop.at is not None else _free_from(arrive, stop.minutes, request.busy)
        place, now = stop.name, start + stop.minutes
    return now


def brute_force(request: ErrandRequest) -> Route | None:
    """Every order tried: the oracle the solver is tested against."""
    routes = [walk(request, order)[0] for order in itertools.permutations(request.stops)]
    found = [r for r in routes if r is not None]
    return min(found, key=lambda r: r.key) if found else None


def verify(request: ErrandRequest, route: Route) -> list[str]:
    """Every constraint ``route`` breaks, each named; empty when it holds."""
    problems = []
    names = [v.stop.name for v in route.visits]
    for stop in request.stops:
        if names.count(stop.name) != 1:
            problems.append(f"{stop.name} is visited {names.count(stop.name)} times, not once")
    place, now, travel = request.home, request.start, 0
    for v in route.visits:
        leg = request.minutes(place, v.stop.name)
        travel += leg
        if v.span.start < now + leg:
            problems.append(f"{v.stop.name} starts {clock(v.span.start)}, before you can be "
                            f"there ({clock(now + leg)})")  # fmt: skip
        if v.stop.at is not None and v.span.start != v.stop.at:
            problems.append(f"{v.stop.name} is at {clock(v.stop.at)}, not {clock(v.span.start)}")
        if v.span.minutes != v.stop.minutes:
            problems.append(f"{v.stop.name} takes {v.stop.minutes} minutes, not {v.span.minutes}")
        clash = [b for b in request.busy if v.stop.at is None and b.overlaps(v.span)]
        problems += [f"{v.stop.name} {clock(v.span.start)} - {clock(v.span.end)} is during a "
                     f"busy time {clock(b.start)} - {clock(b.end)}" for b in clash]  # fmt: skip
        place, now = v.stop.name, v.span.end
    travel += request.minutes(place, request.home)
    home = now + request.minutes(place, request.home)
    if home > request.end:
        problems.append(f"home at {clock(home)}, after {clock(request.end)}")
    if travel != route.travel:
        problems.append(f"the travel adds up to {travel}, not {route.travel} minutes")
    return problems


def explain(request: ErrandRequest) -> list[str]:
    """Why no route fits: the appointments that collide, else the reason the order that
    gets furthest fails."""
    fixed = sorted((s for s in request.stops if s.at is not None), key=lambda s: s.at or 0)
    said = [
        f"{a.name} at {clock(a.at or 0)} runs into {b.name} at {clock(b.at or 0)}"
        for a, b in itertools.pairwise(fixed)
        if (a.at or 0) + a.minutes + request.minutes(a.name, b.name) > (b.at or 0)
    ]
    if said:
        return said
    orders = list(itertools.islice(itertools.permutations(request.stops), 5000))
    relaxed = ErrandRequest(request.home, request.start, request.stops, request.travel,
                            request.busy, end=10 * DAY)  # fmt: skip
    homes = [r.home_at for r in (walk(relaxed, order)[0] for order in orders) if r is not None]
    if homes:
        return [f"the earliest you can be back home is {clock(min(homes))} (with the travel "
                f"and busy times), after {clock(request.end)}"]  # fmt: skip
    reasons = [walk(request, order)[1] for order in orders]
    return sorted({r for r in reasons if r})[:2] or ["no order of the stops fits the day"]
