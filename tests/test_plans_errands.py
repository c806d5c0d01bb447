"""A day of errands across town: the route solver against every order (Hypothesis), the
verifier on each constraint kind, and the chat planning "plan Saturday: dentist at
16:00, Packstation, climbing gym, shortest travel" over places named in the database."""

from __future__ import annotations

from datetime import datetime

import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st

from pocketmind.chat.planning import wants_a_plan
from pocketmind.cli.main import main
from pocketmind.daemon.wiring import make_assistant
from pocketmind.engine.fake import FakeEngine
from pocketmind.memory import MemoryStore
from pocketmind.plans import errands
from pocketmind.plans.errands import ErrandRequest, Route, Stop, Visit
from pocketmind.plans.outing import read_stops
from pocketmind.plans.spans import Span
from pocketmind.sensing.places import Places
from pocketmind.settings import Settings


def errand_parts(
    draw: st.DrawFn, most_stops: int, fixed: tuple[int, int], busy_until: int
) -> tuple[tuple[Stop, ...], dict[tuple[str, str], int], tuple[Span, ...]]:
    """Stops (some at a fixed quarter hour between ``fixed`` hours), symmetric travel times
    from home and between them, and up to two busy spans starting by ``busy_until``."""
    names = [f"P{i}" for i in range(draw(st.integers(1, most_stops)))]
    first, last = fixed
    stops = tuple(
        Stop(n, draw(st.sampled_from([15, 30, 60])),
             draw(st.one_of(st.none(), st.integers(first * 4, last * 4).map(lambda q: q * 15))))
        for n in names
    )  # fmt: skip
    places = ["home", *names]
    travel = {}
    for i, a in enumerate(places):
        for b in places[i + 1 :]:
            travel[(a, b)] = travel[(b, a)] = draw(st.integers(3, 40))
    busy = tuple(
        Span(s, s + draw(st.sampled_from([30, 60, 120])))
        for s in draw(st.lists(st.integers(9 * 60, busy_until * 60), max_size=2))
    )
    return stops, travel, busy


@st.composite
def errand_requests(draw: st.DrawFn) -> ErrandRequest:
    stops, travel, busy = errand_parts(draw, 5, (9, 17), 18)
    return ErrandRequest("home", 9 * 60, stops, travel, busy, draw(st.sampled_from([18, 22])) * 60)


@settings(max_examples=200, deadline=None)
@given(errand_requests())
def test_the_route_has_the_least_travel_of_every_order(request: ErrandRequest) -> None:
    best = errands.brute_force(request)
    route = errands.solve(request)
    if best is None:
        assert route is None and errands.explain(request)  # impossible, and it says why
        return
    assert route is not None and route.key == best.key
    assert errands.verify(request, route) == []


def test_the_verifier_names_each_broken_constraint() -> None:
    travel = {("home", "A"): 10, ("A", "home"): 10, ("home", "B"): 20, ("B", "home"): 20,
              ("A", "B"): 5, ("B", "A"): 5}  # fmt: skip
    request = ErrandRequest("home", 540, (Stop("A", 30), Stop("B", 60, at=660)), travel,
                            (Span(600, 630),), end=750)  # fmt: skip
    good = errands.solve(request)
    assert good is not None and errands.verify(request, good) == []
    assert good.describe() == ["A 09:10 - 09:40", "B 11:00 - 12:00"]
    bad = Route((Visit(Stop("A", 30), 545, Span(545, 585)),
                 Visit(Stop("B", 60, at=660), 600, Span(605, 665))), 30, 700)  # fmt: skip
    assert errands.verify(request, bad) == [
        "A starts 09:05, before you can be there (09:10)",
        "A takes 30 minutes, not 40",
        "B is at 11:00, not 10:05",
        "the travel adds up to 35, not 30 minutes",
    ]
    busy = Route((Visit(Stop("A", 30), 550, Span(590, 620)),
                  Visit(Stop("B", 60, at=660), 625, Span(660, 720))), 35, 740)  # fmt: skip
    assert errands.verify(request, busy) == ["A 09:50 - 10:20 is during a busy time 10:00 - 10:30"]
    early = ErrandRequest("home", 540, request.stops, travel, request.busy, end=720)
    assert errands.verify(early, good) == ["home at 12:20, after 12:00"]
    assert errands.solve(early) is None and errands.explain(early) == [
        "the earliest you can be back home is 12:20 (with the travel and busy times), after 12:00"
    ]
    twice = Route((Visit(Stop("A", 30), 550, Span(550, 580)),) * 2, 30, 600)
    assert errands.verify(request, twice)[:2] == [
        "A is visited 2 times, not once",
        "B is visited 0 times, not once",
    ]


def test_reading_a_day_of_errands() -> None:
    day, stops = read_stops(
        "plan Saturday: dentist at 16:00, Packstation, climbing gym (90 min), shortest travel, "
        "and add the errands to my calendar"
    ) or ("", [])
    assert day == "saturday"
    read = [(s.name, s.minutes, s.at and f"{s.at:%H:%M}") for s in stops]
    assert read == [("dentist", 60, "16:00"), ("Packstation", 30, None), ("climbing gym", 90, None)]
    assert read_stops("find an hour on Saturday") is None
    assert wants_a_plan("plan Saturday: dentist at 16:00, Packstation")


def test_chat_plans_the_day_over_the_places_the_user_named(
    store: MemoryStore, settings: Settings
) -> None:
    places = Places(store.db)
    named = [("home", 52.520, 13.400), ("Packstation", 52.530, 13.410),
             ("Climbing gym", 52.500, 13.450), ("Dentist", 52.510, 13.380)]  # fmt: skip
    for name, lat, lon in named:
        places.name(places.add(lat, lon, 100).id, name)
    now = datetime(2026, 11, 23, 8, 0, tzinfo=settings.tz())
    engine = FakeEngine(["the model should not answer this"])
    assistant = make_assistant(store, engine, settings, db=store.db)
    answer = assistant.ask(
        "plan Saturday: dentist at 16:00, Packstation, climbing gym (90 min), shortest travel, "
        "and add the errands to my calendar",
        now=now,
    )
    assert answer.text.startswith(
        "Saturday: leave 09:00; Packstation 09:11 - 09:41; climbing gym 10:04 - 11:34; "
        "dentist 16:00 - 17:00; home by 17:13 (72 minutes of travel)."
    ), answer.text
    assert engine.prompts == []  # read by the grammar, solved by code
    plan = answer.plan
    assert plan is not None and [c["ok"] for c in plan["checks"]] == [True] * 5
    waiting = [a["arguments"]["title"] for a in plan["pending_actions"]]
    assert waiting == ["Packstation", "climbing gym"]  # the appointment is already booked
    unknown = assistant.ask("plan Saturday: dentist at 16:00, the bakery", now=now)
    assert "I don't know where 'bakery' is" in unknown.text


def test_places_added_by_position_plan_a_day_from_the_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in (("TIMEZONE", "Europe/Berlin"), ("ENGINE__BACKEND", "fake"),
                       ("EMBEDDER__BACKEND", "fake")):  # fmt: skip
        monkeypatch.setenv(f"POCKETMIND_{key}", value)
    runner = CliRunner()

    def cli(*args: str) -> Result:
        return runner.invoke(main, list(args))

    assert cli("places", "add", "home", "52.52", "13.40").exit_code == 0
    assert cli("places", "add", "Packstation", "52.53", "13.41").exit_code == 0
    assert "95.0 is not in the range" in cli("places", "add", "Moon", "95", "0").output
    shown = cli("plan", "--now", "2026-11-23T08:00", "plan Saturday: Packstation").output
    assert "Saturday: leave 09:00; Packstation 09:11 - 09:41; home by 09:52" in shown
