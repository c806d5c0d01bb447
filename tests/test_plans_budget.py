"""Budgets on a day of errands: "at most 40 minutes of travel", "I have 3 hours".

The reader on phrasings (and lengths that are no budget), the route solver under budgets
against every order and every departure minute (Hypothesis), the reason that names the
budget with numbers, the verifier on a hand-made over-budget plan, plans stored before
budgets existed, and the chat planning a budgeted Saturday over named places."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_plans_errands import errand_parts

from pocketmind.daemon.wiring import make_assistant
from pocketmind.engine.fake import FakeEngine
from pocketmind.memory import MemoryStore
from pocketmind.plans import errands
from pocketmind.plans.errands import ErrandRequest, Route, Stop, Visit
from pocketmind.plans.extract import read_budget
from pocketmind.plans.model import Constraints, ErrandStop, Plan, RouteStop, Slot
from pocketmind.plans.outing import checks, read_stops, route_of
from pocketmind.plans.spans import Span
from pocketmind.sensing.places import Places
from pocketmind.settings import Settings


@pytest.mark.parametrize(
    ("text", "travel", "total"),
    [
        ("plan Saturday: dentist at 16:00, Packstation, with at most 40 minutes of travel", 40,
         None),
        ("plan Saturday: Packstation and bakery, no more than an hour on the road", 60, None),
        ("plan Saturday: Packstation, bakery, under 30 min travelling", 30, None),
        ("plan Sunday: pharmacy, bakery, travel time under 45 minutes", 45, None),
        ("plan Sunday: pharmacy, a 50-minute travel budget", 50, None),
        ("plan Sunday: pharmacy, 40 minutes of travel max", 40, None),
        ("plan Saturday: dentist at 16:00, Packstation, I have 3 hours", None, 180),
        ("plan Saturday: Packstation, bakery; I've only got 90 minutes", None, 90),
        ("plan Saturday: Packstation, all done within an hour and a half", None, 90),
        ("plan Saturday: Packstation, out for at most 2.5 hours, travel under 40 min", 40, 150),
        ("plan Saturday: Packstation, I have 1 hour 20 minutes", None, 80),
        ("plan Saturday: Packstation, within 30 minutes of travel", 30, None),
    ],
)  # fmt: skip
def test_budgets_read_from_the_request(text: str, travel: int | None, total: int | None) -> None:
    assert read_budget(text) == (travel, total)
    _, stops = read_stops(text) or ("", [])
    names = [s.name for s in stops]
    assert names and all(n in ("dentist", "Packstation", "bakery", "pharmacy") for n in names)


@pytest.mark.parametrize(
    "text",
    [
        "plan Saturday: Packstation, climbing gym (2 hours), travel agent (30 min), least travel",
        "plan Saturday: climbing gym for an hour and a half, then the bakery",
        "find 3 hours on Thursday",
        "find an hour tomorrow, I have a dentist at 16:00",
        "plan Saturday: dentist at 16:00, Packstation, back home by 17:30",
    ],
)
def test_lengths_and_bounds_are_no_budget(text: str) -> None:
    assert read_budget(text) == (None, None)


def test_a_budget_is_no_stop_and_back_home_is_a_bound() -> None:
    _, stops = read_stops(
        "plan Saturday: Packstation, climbing gym for an hour and a half, back home by 17:30, "
        "with at most 40 minutes of travel"
    ) or ("", [])
    assert [(s.name, s.minutes) for s in stops] == [("Packstation", 30), ("climbing gym", 90)]


@st.composite
def budgeted(draw: st.DrawFn) -> ErrandRequest:
    stops, travel, busy = errand_parts(draw, 4, (10, 15), 16)
    return ErrandRequest(
        "home", 9 * 60, stops, travel, busy, 17 * 60,
        travel_budget=draw(st.one_of(st.none(), st.integers(10, 150))),
        time_budget=draw(st.one_of(st.none(), st.integers(30, 400))),
    )  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(budgeted())
def test_the_route_within_budget_has_the_least_travel(request: ErrandRequest) -> None:
    best = errands.brute_force(request)
    route = errands.solve(request)
    if best is None:
        assert route is None and errands.explain(request)
        quick = errands.quickest(replace(request, time_budget=None))
        shortest = _shortest_outing(request)  # every order, every departure minute
        assert (quick and errands.outing(request, quick)) == shortest  # the reason's number
        return
    assert route is not None and errands.rank(request, route) == errands.rank(request, best)
    assert errands.verify(request, route) == []
    if request.travel_budget is not None:
        assert route.travel <= request.travel_budget
    if request.time_budget is not None:
        assert errands.outing(request, route) <= request.time_budget


def _shortest_outing(request: ErrandRequest) -> int | None:
    free = replace(request, time_budget=None)
    outings = [
        errands.outing(free, route)
        for order in itertools.permutations(request.stops)
        for depart in range(request.start, request.end + 1)
        if (route := errands.walk(free, order, depart)[0]) is not None
        and not errands.over_budget(free, route.travel, route)
    ]
    return min(outings, default=None)


TRAVEL = {("home", "A"): 20, ("home", "B"): 25, ("A", "B"): 10}
TRAVEL = {**TRAVEL, **{(b, a): m for (a, b), m in TRAVEL.items()}}


def test_over_the_travel_budget_is_infeasible_and_says_by_how_much() -> None:
    request = ErrandRequest("home", 540, (Stop("A", 30), Stop("B", 30)), TRAVEL,
                            travel_budget=40)  # fmt: skip
    assert errands.solve(request) is None
    assert errands.explain(request) == [
        "the shortest route needs 55 minutes of travel, over your 40-minute travel budget"
    ]
    roomy = ErrandRequest("home", 540, request.stops, TRAVEL, travel_budget=55)
    route = errands.solve(roomy)
    assert route is not None and route.travel == 55


def test_a_time_budget_leaves_later_instead_of_waiting_all_day() -> None:
    stops = (Stop("A", 30), Stop("B", 60, at=16 * 60))
    request = ErrandRequest("home", 540, stops, TRAVEL, time_budget=180)
    route = errands.solve(request)
    assert route is not None
    assert route.describe() == ["A 15:20 - 15:50", "B 16:00 - 17:00"]
    assert errands.leave_at(request, route) == 15 * 60 and route.home_at == 17 * 60 + 25
    assert errands.outing(request, route) <= 180
    tight = ErrandRequest("home", 540, stops, TRAVEL, time_budget=120)
    assert errands.solve(tight) is None
    assert errands.explain(tight) == [
        "the quickest outing takes 2 h 25 min (leave 15:00, home 17:25), over your 2 hours "
        "time budget"
    ]


def test_the_verifier_names_a_broken_budget_in_a_hand_made_plan() -> None:
    zone = ZoneInfo("Europe/Berlin")
    request = ErrandRequest("home", 540, (Stop("A", 30), Stop("B", 30)), TRAVEL,
                            travel_budget=60, time_budget=90)  # fmt: skip

    def at(minute: int) -> datetime:
        return datetime(2026, 11, 28, minute // 60, minute % 60, tzinfo=zone)

    # A model's plan: B first, then A, then home: 25 + 10 + 20 = 55 minutes of travel is in
    # the travel budget, but it dawdles an hour at A: out 09:00 - 11:25, over 90 minutes.
    proposed = Plan(
        goal="plan Saturday: A, B, at most an hour of travel, I have 90 minutes",
        constraints=Constraints(stops=[ErrandStop(name="A"), ErrandStop(name="B")],
                                travel_budget=60, time_budget=90),
        slot=Slot(start=at(540), end=at(685)),
        route=[RouteStop(name="B", arrive=at(565), start=at(565), end=at(595)),
               RouteStop(name="A", arrive=at(605), start=at(635), end=at(665))],
        travel_minutes=55, created_at=at(480), updated_at=at(480),
    )  # fmt: skip
    found = checks(request, route_of(proposed, request))
    assert [(c.constraint, c.ok, c.message) for c in found] == [
        ("budget", False, "out 2 h 25 min (09:00 - 11:25), over your 1 h 30 min time budget")
    ]
    wasteful = Route((Visit(Stop("B", 30), 565, Span(565, 595)),
                      Visit(Stop("A", 30), 605, Span(605, 635)),), 55, 655)  # fmt: skip
    stingy = ErrandRequest("home", 540, request.stops, TRAVEL, travel_budget=45)
    assert [c.message for c in checks(stingy, wasteful) if not c.ok] == [
        "55 minutes of travel, over your 45-minute travel budget"
    ]
    assert errands.solve(request) is None  # 115 minutes out at the least
    roomy = ErrandRequest("home", 540, request.stops, TRAVEL, travel_budget=60, time_budget=120)
    good = errands.solve(roomy)
    assert good is not None
    assert [c.message for c in checks(roomy, good) if c.constraint == "budget"] == [
        "55 minutes of travel, within your 60-minute travel budget; out 1 h 55 min, within "
        "your 2 hours time budget"
    ]


def test_plans_stored_before_budgets_load_and_round_trip() -> None:
    at = datetime(2026, 11, 23, 8, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    plan = Plan(goal="g", constraints=Constraints(travel_budget=40, time_budget=180),
                created_at=at, updated_at=at)  # fmt: skip
    stored = plan.model_dump(mode="json")
    assert Plan.model_validate(stored) == plan
    del stored["constraints"]["travel_budget"], stored["constraints"]["time_budget"]
    old = Plan.model_validate(stored)
    assert old.constraints.travel_budget is None and old.constraints.time_budget is None


def test_chat_plans_a_budgeted_saturday(store: MemoryStore, settings: Settings) -> None:
    places = Places(store.db)
    named = [("home", 52.520, 13.400), ("Packstation", 52.530, 13.410),
             ("Climbing gym", 52.500, 13.450), ("Dentist", 52.510, 13.380)]  # fmt: skip
    for name, lat, lon in named:
        places.name(places.add(lat, lon, 100).id, name)
    now = datetime(2026, 11, 23, 8, 0, tzinfo=settings.tz())
    engine = FakeEngine(["the model should not answer this"])
    assistant = make_assistant(store, engine, settings, db=store.db)
    day = "plan Saturday: dentist at 16:00, Packstation, climbing gym (90 min)"
    roomy = assistant.ask(f"{day}, with at most 80 minutes of travel", now=now)
    assert roomy.text == (
        "Saturday: leave 09:00; Packstation 09:11 - 09:41; climbing gym 10:04 - 11:34; "
        "dentist 16:00 - 17:00; home by 17:13 (72 minutes of travel of your 80)."
    ), roomy.text
    assert roomy.plan is not None
    budget = [c for c in roomy.plan["checks"] if c["constraint"] == "budget"]
    assert [c["ok"] for c in budget] == [True]
    tight = assistant.ask(f"{day}, with at most 40 minutes of travel", now=now)
    assert tight.text == (
        "Nothing works: the shortest route needs 72 minutes of travel, over your 40-minute "
        "travel budget"
    ), tight.text
    short = assistant.ask(f"{day}, I have 3 hours", now=now)
    assert short.plan is not None and short.plan["constraints"]["time_budget"] == 180
    assert "Nothing works: the quickest outing takes" in short.text, short.text
    assert "over your 3 hours time budget" in short.text
    fits = assistant.ask(f"{day}, I have 4.5 hours", now=now)
    assert fits.text == (  # no morning at the Packstation and a wait until the dentist
        "Saturday: leave 13:01; Packstation 13:12 - 13:42; climbing gym 14:05 - 15:35; "
        "dentist 16:00 - 17:00; home by 17:13 (72 minutes of travel; out 4 h 12 min of your "
        "4 h 30 min)."
    ), fits.text
    assert engine.prompts == []
