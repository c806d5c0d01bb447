"""A day of errands as a plan: "plan Saturday: dentist at 16:00, Packstation, climbing
gym, shortest travel" read into stops, matched to the places the user named
(``pocketmind places name ID Packstation``), solved for the least travel with
:mod:`.errands`, checked by its verifier, answered as a route.

Travel between two places is their distance at ``speed_kmh`` plus a few minutes to get
going; busy times from every source keep errands out (an appointment keeps its time).
A stop at a place the phone does not know is named, never guessed. Budgets the request
sets ("with at most 40 minutes of travel", "I have 3 hours") cut the phrase out of the
stops and go to the solver; the verifier's ``budget`` check holds the route to them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta, tzinfo

from ..sensing.places import Place, distance_m
from . import errands
from .extract import WEEKDAYS, _minutes, clock_time, without_budget
from .model import Busy, Check, Constraints, ErrandStop, Plan, RouteStop, Slot
from .spans import DAY, Span

ASKS = re.compile(
    r"\bplan\s+(?:my\s+)?(today|tomorrow|" + "|".join(WEEKDAYS) + r")\s*:\s*(.+)", re.I | re.S
)
NOT_STOPS = re.compile(
    r"\b(?:shortest|least|less|minimal|minimum)\b|\bas little\b|\b(?:calendar|diary)\b"
    r"|^\s*(?:(?:be\s+)?(?:back\s+)?(?:home|back)\s+)?(?:not\s+)?(?:by|before|after|until|from)\s+\d",
    re.I,
)
AT = re.compile(r"\bat\s+(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?\b", re.I)
LENGTH = re.compile(r"\(?\s*(?:for\s+)?(\d{1,3})\s*(?:minutes|mins?)\s*\)?|\(?\s*for\s+[^,)]*"
                    r"hours?(?:\s+and\s+a\s+half)?\s*\)?|\(\s*\d+(?:\.\d)?\s*(?:h|hrs?|hours?)\s*\)",
                    re.I)  # fmt: skip
LEAD = re.compile(r"^(?:then\s+|go\s+to\s+|drop\s+by\s+|visit\s+|the\s+|a\s+|my\s+)+", re.I)
SETTLE_MINUTES = 5  # to get going: out of the door, parking, the bike lock
ERRAND, APPOINTMENT = 30, 60  # minutes, when the request does not say


def read_stops(text: str) -> tuple[str, list[ErrandStop]] | None:
    """The day word and the stops of "plan Saturday: …", or None for other requests."""
    found = ASKS.search(text)
    if found is None:
        return None
    stops = []
    body = without_budget(found.group(2))  # "…, at most 40 minutes of travel" is no stop
    for item in re.split(r",\s*|;\s*|\s+and\s+(?!a\s+half\b)|\s+then\s+", body.strip(" .!")):
        if not item.strip() or NOT_STOPS.search(item):
            continue
        at = AT.search(item)
        when = clock_time(at.group(1), at.group(2), at.group(3), None) if at else None
        minutes = _minutes(item)
        name = LEAD.sub("", LENGTH.sub("", AT.sub("", item))).strip(" .()")
        if name:
            length = minutes or (APPOINTMENT if when else ERRAND)
            stops.append(ErrandStop(name=name, minutes=length, at=when))
    return found.group(1).lower(), stops


def place_for(name: str, places: Sequence[Place]) -> Place | None:
    """The named place a stop means: the same name, else one name inside the other."""
    key = name.lower()
    named = [p for p in places if p.name]
    exact = [p for p in named if (p.name or "").lower() == key]
    near = [p for p in named if (p.name or "").lower() in key or key in (p.name or "").lower()]
    found = exact or near
    return found[0] if found else None


def plan_outing(
    plan: Plan,
    now: datetime,
    zone: tzinfo,
    busy: Sequence[Busy],
    places: Callable[[], Sequence[Place]],
    speed_kmh: float,
) -> Plan:
    """``plan`` solved as a route: stops, route, checks, or the reasons nothing works."""
    c = plan.constraints
    day = c.days[0]
    known = list(places())
    where = {s.name: place_for(s.name, known) for s in c.stops}
    home = place_for("home", known)
    missing = [n for n, p in where.items() if p is None] + (["home"] if home is None else [])
    out = plan.model_copy(deep=True)
    out.updated_at, out.route, out.travel_minutes = now, [], None
    out.slot, out.options, out.checks, out.reasons = None, [], [], []
    if missing:
        out.reasons = [f"I don't know where {n!r} is (name it: pocketmind places name ID {n})"
                       for n in missing]  # fmt: skip
        return out
    found = {n: p for n, p in where.items() if p is not None}
    assert home is not None and len(found) == len(where)
    request = to_request(c, day, now, zone, busy, {**found, "home": home}, speed_kmh)
    route = errands.solve(request)
    if route is None:
        out.reasons = errands.explain(request)
        return out
    begin = datetime.combine(day, time(0), tzinfo=zone)

    def at(minute: int) -> datetime:
        return begin + timedelta(minutes=minute)

    out.route = [RouteStop(name=v.stop.name, arrive=at(v.arrive), start=at(v.span.start),
                           end=at(v.span.end)) for v in route.visits]  # fmt: skip
    out.travel_minutes = route.travel
    first = route.visits[0]
    leave = first.span.start - request.minutes("home", first.stop.name)  # just in time
    out.slot = Slot(start=at(leave), end=at(route.home_at))
    out.checks = checks(request, route_of(out, request))  # the plan as stored, checked
    return out


def to_request(
    c: Constraints,
    day: date,
    now: datetime,
    zone: tzinfo,
    busy: Sequence[Busy],
    where: dict[str, Place],
    speed_kmh: float,
) -> errands.ErrandRequest:
    start = c.not_before.hour * 60 + c.not_before.minute
    if day == now.astimezone(zone).date():
        start = max(start, now.hour * 60 + now.minute + 1)
    begin = datetime.combine(day, time(0), tzinfo=zone)
    spans = []
    for b in busy:
        lo = (b.start.astimezone(zone) - begin).total_seconds() // 60
        hi = (b.end.astimezone(zone) - begin).total_seconds() // 60
        if hi > 0 and lo < DAY:
            spans.append(Span(int(max(lo, 0)), int(min(hi, DAY))))
    per_minute = speed_kmh * 1000 / 60
    travel = {
        (a, b): math.ceil(distance_m(pa.latitude, pa.longitude, pb.latitude, pb.longitude)
                          / per_minute) + SETTLE_MINUTES
        for (a, pa), (b, pb) in ((x, y) for x in where.items() for y in where.items())
        if a != b
    }  # fmt: skip
    stops = tuple(
        errands.Stop(s.name, s.minutes, s.at.hour * 60 + s.at.minute if s.at else None)
        for s in c.stops
    )
    end = c.not_after.hour * 60 + c.not_after.minute
    return errands.ErrandRequest("home", start, stops, travel, tuple(spans), end,
                                 c.travel_budget, c.time_budget)  # fmt: skip


def route_of(plan: Plan, request: errands.ErrandRequest) -> errands.Route:
    """A plan's route (the solver's, a model's, one edited by hand) as the verifier's
    data: each stop matched to the request's by name, times as minutes of its day."""
    if not plan.route or plan.slot is None:
        raise ValueError(f"plan {plan.id} has no route to check")
    begin = datetime.combine(plan.route[0].start.date(), time(0), tzinfo=plan.route[0].start.tzinfo)
    stops = {s.name: s for s in request.stops}

    def minute(at: datetime) -> int:
        return int((at - begin).total_seconds() // 60)

    visits = tuple(
        errands.Visit(stops.get(r.name) or errands.Stop(r.name, minute(r.end) - minute(r.start)),
                      minute(r.arrive), Span(minute(r.start), minute(r.end)))
        for r in plan.route
    )  # fmt: skip
    return errands.Route(visits, plan.travel_minutes or 0, minute(plan.slot.end))


def checks(request: errands.ErrandRequest, route: errands.Route) -> list[Check]:
    """The verifier's findings, each constraint kind ok or named where it breaks (a
    broken budget as ``budget``, with its numbers)."""
    broken = [Check(constraint="budget" if m.endswith("budget") else "route", ok=False,
                    message=m) for m in errands.verify(request, route)]  # fmt: skip
    if broken:
        return broken
    fine = {
        "stops": f"every stop once ({len(request.stops)})",
        "appointments": "appointments at their times",
        "busy": "errands outside busy times",
        "window": f"home by {route.home_at // 60:02d}:{route.home_at % 60:02d}",
        "travel": f"{route.travel} minutes of travel, the least of every order",
    }
    if request.travel_budget is not None:
        fine["budget"] = (
            f"{route.travel} minutes of travel, within your {request.travel_budget}-minute "
            "travel budget"
        )
    if request.time_budget is not None:
        took = errands.words(errands.outing(request, route))
        within = f"out {took}, within your {errands.words(request.time_budget)} time budget"
        fine["budget"] = "; ".join([*filter(None, [fine.get("budget")]), within])
    return [Check(constraint=k, ok=True, message=m) for k, m in fine.items()]
