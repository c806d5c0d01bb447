"""A day of errands across town, ordered for the least travel: "plan Saturday: dentist at
16:00, Packstation, climbing gym, shortest travel".

Each stop is a place the user named, with the time spent there; an appointment has a
fixed start. The route leaves the start place (home) no earlier than ``start``, visits
every stop once, waits where it must, keeps errands out of busy times, and comes back
before ``end``. The solver is a branch-and-bound search over orders (least travel, then
home earliest); :func:`brute_force` tries every order and is the tests' oracle; the
verifier replays a route and names each broken constraint, whoever proposed it.

Budgets: "at most 40 minutes of travel" caps the route's travel; "I have 3 hours" caps the
outing, out of the door to home again. Under a time budget the route may leave later
than ``start`` (the dentist at 16:00 and the Packstation just before it, not at 9:00 and
a wait all day): for each order the solver tries the departures where the outing's
length can change (a stop reached exactly at an appointment or the end of a busy time)
and the first one whose outing fits; the oracle tries every minute.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

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
    travel_budget: int | None = None  # at most this many minutes on the way, all legs
    time_budget: int | None = None  # out of the door to home again, at most this long

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


def leave_at(request: ErrandRequest, route: Route) -> int:
    """When the route leaves home: just in time for its first stop."""
    if not route.visits:
        return route.home_at
    first = route.visits[0]
    return first.span.start - request.minutes(request.home, first.stop.name)


def outing(request: ErrandRequest, route: Route) -> int:
    """Minutes out of the door, from leaving home to home again (waits included)."""
    return route.home_at - leave_at(request, route)


def walk(
    request: ErrandRequest, order: Sequence[Stop], depart: int | None = None
) -> tuple[Route | None, str | None]:
    """The route that visits ``order`` as early as it can, leaving no earlier than
    ``depart`` (``request.start`` when None), or the first reason it can't."""
    place, travel, visits = request.home, 0, []
    now = request.start if depart is None else depart
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

    cap = request.travel_budget
    out = None if request.time_budget is None else request.time_budget - errand_minutes(request)

    def extend(order: list[int], place: str, travel: int) -> None:
        nonlocal best
        if best is not None and travel > best.travel:
            return  # legs only add travel: this branch cannot win
        if (cap is not None and travel > cap) or (out is not None and travel > out):
            return  # over the travel budget, or out longer than the time budget already
        chosen = [stops[i] for i in order]
        if len(order) == len(stops):
            route, _ = fit(request, chosen)
            if route is not None and (best is None or rank(request, route) < rank(request, best)):
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


def fit(request: ErrandRequest, order: Sequence[Stop]) -> tuple[Route | None, str | None]:
    """The route over ``order`` within the budgets that is home earliest (and out the
    least: leaving as late as that allows), or why there is none."""
    route, why = walk(request, order)
    if route is None:
        return None, why
    if request.travel_budget is not None and route.travel > request.travel_budget:
        return None, f"{route.travel} minutes of travel"
    budget = request.time_budget
    if budget is None:
        return route, None
    tried: dict[int, Route | None] = {request.start: route}
    for depart in departures(request, order):
        tried[depart] = walk(request, order, depart)[0]
    for depart, found in list(tried.items()):  # inside a stretch where a wait shrinks
        if found is not None and outing(request, found) > budget:
            later = depart + outing(request, found) - budget
            if later <= request.end and later not in tried:
                tried[later] = walk(request, order, later)[0]
    fits = [r for r in tried.values() if r is not None and outing(request, r) <= budget]
    if not fits:
        return None, f"out longer than {words(budget)}"
    return min(fits, key=lambda r: rank(request, r)), None


def rank(request: ErrandRequest, route: Route) -> tuple[int, int, int]:
    """Least travel, then home earliest, then (leaving later) the least time out."""
    return route.travel, route.home_at, outing(request, route)


def departures(request: ErrandRequest, order: Sequence[Stop]) -> list[int]:
    """Departures after ``start`` where the outing's length can change: a stop reached,
    with no wait before it, exactly at its appointment, at the end of a busy time, or at
    the last minute before its errand would run into one (and the first after)."""
    found: set[int] = set()
    place, ahead = request.home, 0  # minutes from leaving to arriving, with no waits
    for stop in order:
        ahead += request.minutes(place, stop.name)
        if stop.at is not None:
            marks = [stop.at]
        else:
            m = stop.minutes
            marks = [x for b in request.busy for x in (b.end, b.start - m, b.start - m + 1)]
        found |= {m - ahead for m in marks if request.start < m - ahead <= request.end}
        place, ahead = stop.name, ahead + stop.minutes
    return sorted(found)


def brute_force(request: ErrandRequest) -> Route | None:
    """Every order tried (and under a time budget every departure minute): the oracle the
    solver is tested against."""
    timed = request.time_budget is not None
    starts = range(request.start, request.end + 1) if timed else [request.start]
    found: list[Route] = []
    for order in itertools.permutations(request.stops):
        home: int | None = None
        for depart in starts:
            route = walk(request, order, depart)[0]
            if route is None or (home is not None and route.home_at > home):
                break  # later departures only bring home later
            if not over_budget(request, route.travel, route):
                found.append(route)
                home = route.home_at
    return min(found, key=lambda r: rank(request, r)) if found else None


def over_budget(request: ErrandRequest, travel: int, route: Route) -> list[str]:
    """Each budget ``route`` breaks (``travel``: its travel as replayed), with numbers."""
    problems = []
    if request.travel_budget is not None and travel > request.travel_budget:
        problems.append(f"{travel} minutes of travel, over your "
                        f"{request.travel_budget}-minute travel budget")  # fmt: skip
    took = outing(request, route)
    if request.time_budget is not None and took > request.time_budget:
        problems.append(f"out {words(took)} ({clock(leave_at(request, route))} - "
                        f"{clock(route.home_at)}), over your {words(request.time_budget)} "
                        "time budget")  # fmt: skip
    return problems


def words(minutes: int) -> str:
    """``40 minutes``, ``1 hour``, ``3 hours``, ``2 h 30 min``."""
    hours, rest = divmod(minutes, 60)
    if not hours or minutes < 60:
        return f"{minutes} minutes"
    if not rest:
        return f"{hours} hour" + ("s" if hours > 1 else "")
    return f"{hours} h {rest} min"


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
    return problems + over_budget(request, travel, route)


def explain(request: ErrandRequest) -> list[str]:
    """Why no route fits: the day itself (below), else the budget that rules out every
    route, with the least travel or the quickest outing the day allows."""
    free = replace(request, travel_budget=None, time_budget=None)
    best = solve(free) if free != request else None
    if best is None:
        return _explain_day(free)
    cap = request.travel_budget
    if cap is not None and best.travel > cap:
        return [f"the shortest route needs {best.travel} minutes of travel, over your "
                f"{cap}-minute travel budget"]  # fmt: skip
    quick = quickest(replace(request, time_budget=None))
    budget = request.time_budget or 0
    if quick is None:
        return ["no route keeps both budgets"]
    within = f" with at most {cap} minutes of travel" if cap is not None else ""
    return [f"the quickest outing{within} takes {words(outing(request, quick))} (leave "
            f"{clock(leave_at(request, quick))}, home {clock(quick.home_at)}), over your "
            f"{words(budget)} time budget"]  # fmt: skip


def errand_minutes(request: ErrandRequest) -> int:
    """The time at the stops: with the travel, a floor under any outing's length."""
    return sum(s.minutes for s in request.stops)


def quickest(request: ErrandRequest) -> Route | None:
    """The route with the shortest outing (then home earliest) within the travel budget."""
    best: Route | None = None
    floor = errand_minutes(request)
    for order in itertools.islice(itertools.permutations(request.stops), 5000):
        places = [request.home, *(s.name for s in order), request.home]
        travel = sum(request.minutes(a, b) for a, b in itertools.pairwise(places))
        if best is not None and travel + floor > outing(request, best):
            continue  # no departure makes this order quicker
        for depart in (request.start, *departures(request, order)):
            route = walk(request, order, depart)[0]
            if route is None or over_budget(request, route.travel, route):
                continue
            if best is None or (outing(request, route), route.home_at) < (
                outing(request, best),
                best.home_at,
            ):
                best = route
    return best


def _explain_day(request: ErrandRequest) -> list[str]:
    """Why no route fits the day: the appointments that collide, else the reason the
    order that gets furthest fails."""
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
