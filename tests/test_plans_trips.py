"""Trip planning (NATURAL PLAN's third task): the solver against a brute-force oracle, the
verifier on every constraint kind, the reader on both phrasing families, and the public
scorer's rules re-implemented."""

from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pocketmind.plans import read, scoring, synth_trips, trips
from pocketmind.plans.trips import Itinerary, TripRequest


def brute_force(request: TripRequest) -> list[Itinerary]:
    """Every order of the cities that the verifier accepts: the oracle."""
    found = []
    for order in itertools.permutations(request.stays):
        plan = tuple((c, request.stays[c]) for c in order)
        if not trips.verify(request, plan):
            found.append(plan)
    return found


@st.composite
def trip_requests(draw: st.DrawFn) -> TripRequest:
    cities = [f"C{i}" for i in range(draw(st.integers(1, 6)))]
    stays = {c: draw(st.integers(1, 5)) for c in cities}
    pairs = st.tuples(st.sampled_from(cities), st.sampled_from(cities))
    flights = frozenset(p for p in draw(st.lists(pairs, max_size=14)) if p[0] != p[1])
    days = sum(stays.values()) - (len(cities) - 1)
    events = {}
    for city in draw(st.lists(st.sampled_from(cities), max_size=2, unique=True)):
        first = draw(st.integers(1, days))
        events[city] = (first, draw(st.integers(first, min(days, first + 3))))
    return TripRequest(stays, flights, events, days)


@settings(max_examples=200, deadline=None)
@given(trip_requests())
def test_the_solver_finds_a_plan_exactly_when_the_brute_force_does(request: TripRequest) -> None:
    every = brute_force(request)
    plan = trips.solve(request)
    assert (plan is None) == (not every)
    if plan is not None:
        assert plan in every and trips.verify(request, plan) == []
    assert trips.count(request, limit=3) == min(3, len(every))


def test_the_verifier_names_each_broken_constraint() -> None:
    request = TripRequest(
        {"Riga": 3, "Oslo": 2, "Rome": 4},
        frozenset({("Riga", "Oslo"), ("Oslo", "Riga"), ("Oslo", "Rome")}),
        {"Rome": (5, 7)},
        7,
    )
    good: Itinerary = (("Riga", 3), ("Oslo", 2), ("Rome", 4))
    assert trips.verify(request, good) == []
    assert trips.verify(request, (("Riga", 3), ("Rome", 4), ("Oslo", 2))) == [
        "no direct flight from Riga to Rome (day 3)",
        "Rome is days 3-6, not covering days 5-7",
        "no direct flight from Rome to Oslo (day 6)",
    ]
    assert trips.verify(request, (("Riga", 2), ("Oslo", 2), ("Rome", 4))) == [
        "Riga gets 2 days, not 3",
        "Rome is days 3-6, not covering days 5-7",
        "the trip lasts 6 days, not 7",
    ]
    assert trips.verify(request, (("Riga", 3), ("Oslo", 2), ("Paris", 4))) == [
        "Rome is visited 0 times, not once",
        "Paris is not a city of this trip",
        "no direct flight from Oslo to Paris (day 4)",
    ]


@pytest.mark.parametrize("family", ["tune", "held_out"])
def test_generated_tasks_read_back_and_have_one_answer(family: str) -> None:
    for task in synth_trips.trip_suite(5, family, per_size=2):
        request = read.read_trip(task.prompt)
        assert request == task.request
        assert trips.count(request) == 1 and trips.solve(request) == task.gold
        assert scoring.trip_solved(task.gold_text, task.cities, task.durations)


def test_the_reader_names_what_it_cannot_place() -> None:
    with pytest.raises(read.ReadError, match="no list of direct flights"):
        read.read_trip("You plan to spend 3 days in Riga.")
    with pytest.raises(read.ReadError, match="flights name cities with no stay: Oslo"):
        read.read_trip("Spend 3 days in Riga.\nHere are the direct flights:\nRiga and Oslo.")


def test_trip_answers_are_scored_by_the_public_rules() -> None:
    task = synth_trips.trip_task(random.Random(3), 4, "tune")
    gold = task.gold_text
    assert scoring.trip_solved(gold, task.cities, task.durations)
    (first, days), (second, _) = task.gold[:2]
    late = gold.replace(f"**Day {days}:** Fly from {first} to {second}",
                        f"**Day {days + 1}:** Fly from {first} to {second}")  # fmt: skip
    assert not scoring.trip_solved(late, task.cities, task.durations)  # a stay one day long
    # an alternative written after the plan's last day is not read
    assert scoring.trip_solved(gold + "\n\nOr: **Day 1-2:** Fly from X to Y.", task.cities,
                               task.durations)  # fmt: skip
    assert not scoring.trip_solved("I would go to Paris.", task.cities, task.durations)


def test_calendar_answers_are_scored_by_the_public_rules() -> None:
    gold = "Here is the proposed time: Monday, 14:30 - 15:00"
    assert scoring.calendar_solved("Monday, 14:30 - 15:00 works", gold)
    assert not scoring.calendar_solved("Monday, 14:00 - 15:00", gold)
    assert not scoring.calendar_solved("Tuesday, 14:30 - 15:00", gold)
    # the public script counts a time as its hour plus a half for ":30" only
    assert scoring.calendar_solved("Monday, 9:15 - 10:00", "Monday, 09:00 - 10:00")
