"""Days of errands for bench/plan.py's personal rows: the persona's Saturday, Friday and
Sunday with places named on the phone, stops written by hand as gold constraints, and
the gold route from the brute-force oracle (every order tried, and under a time budget
every departure minute). Infeasible days must be answered as such, with the reason
naming what blocks them (a budget with its numbers). Budgets: a cap on travel, a cap
on the whole outing, and both."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta

from plan_personal import MONDAY, NOW, ZONE

from pocketmind.plans import errands
from pocketmind.plans.model import Constraints, ErrandStop
from pocketmind.plans.outing import place_for, to_request
from pocketmind.plans.planner import Planner
from pocketmind.sensing.places import Place

PLACES = [Place(i, name, lat, lon, 100) for i, (name, lat, lon) in enumerate([
    ("home", 52.5200, 13.4050), ("Packstation", 52.5290, 13.4120), ("Dentist", 52.5110, 13.3880),
    ("Climbing gym", 52.5010, 13.4490), ("Bakery", 52.5215, 13.4110),
    ("Pharmacy", 52.5160, 13.3990), ("Physio", 52.5350, 13.3900), ("Brunch place", 52.4980,
    13.4200), ("Hairdresser", 52.5230, 13.4300)], 1)]  # fmt: skip


@dataclass(frozen=True)
class ErrandTask:
    text: str
    day: int  # days after Monday 23 November
    stops: tuple[tuple[str, int, str | None], ...]  # (name, minutes, fixed "HH:MM")
    window: tuple[time, time] = (time(9), time(22))
    blockers: tuple[str, ...] = ()  # infeasible: words the reason must carry
    budgets: tuple[int | None, int | None] = (None, None)  # (travel, time out), minutes


TASKS = [
    ErrandTask("plan Saturday: dentist at 16:00, Packstation, climbing gym, shortest travel", 5,
               (("dentist", 60, "16:00"), ("Packstation", 30, None), ("climbing gym", 30, None))),
    ErrandTask("plan Saturday: Packstation, bakery (15 min), pharmacy", 5,
               (("Packstation", 30, None), ("bakery", 15, None), ("pharmacy", 30, None))),
    ErrandTask("plan Friday: physio at 13:00, Packstation, bakery", 4,
               (("physio", 60, "13:00"), ("Packstation", 30, None), ("bakery", 30, None))),
    ErrandTask("plan Sunday: brunch place at 11:00 (90 min), pharmacy and Packstation, not "
               "before 10", 6, (("brunch place", 90, "11:00"), ("pharmacy", 30, None),
                               ("Packstation", 30, None)), (time(10), time(22))),
    ErrandTask("plan Thursday: pharmacy, bakery, Packstation, home by 12", 3,
               (("pharmacy", 30, None), ("bakery", 30, None), ("Packstation", 30, None)),
               (time(9), time(12))),
    ErrandTask("plan Saturday: hairdresser at 9:15, bakery at 9:20", 5,
               (("hairdresser", 60, "09:15"), ("bakery", 60, "09:20")),
               blockers=("hairdresser", "bakery")),
    ErrandTask("plan Saturday: Packstation, the flower shop", 5,
               (("Packstation", 30, None), ("flower shop", 30, None)), blockers=("flower shop",)),
    ErrandTask("plan Thursday: dentist, pharmacy, bakery, Packstation, home by 11", 3,
               (("dentist", 30, None), ("pharmacy", 30, None), ("bakery", 30, None),
                ("Packstation", 30, None)), (time(9), time(11)), blockers=("home",)),
    # budgets: travel ("at most 40 minutes of travel") and the whole outing ("I have 3 hours")
    ErrandTask("plan Saturday: Packstation, bakery (15 min), pharmacy, with at most 40 minutes "
               "of travel", 5, (("Packstation", 30, None), ("bakery", 15, None),
                                ("pharmacy", 30, None)), budgets=(40, None)),
    ErrandTask("plan Saturday: Packstation, bakery (15 min), pharmacy, under 30 min travelling",
               5, (("Packstation", 30, None), ("bakery", 15, None), ("pharmacy", 30, None)),
               budgets=(30, None), blockers=("36 minutes of travel", "30-minute travel budget")),
    ErrandTask("plan Friday: physio at 13:00, Packstation, bakery, no more than 45 minutes on "
               "the road", 4, (("physio", 60, "13:00"), ("Packstation", 30, None),
                               ("bakery", 30, None)), budgets=(45, None)),
    ErrandTask("plan Friday: physio at 13:00, Packstation, bakery, no more than 20 minutes on "
               "the road", 4, (("physio", 60, "13:00"), ("Packstation", 30, None),
                               ("bakery", 30, None)), budgets=(20, None),
               blockers=("41 minutes of travel", "20-minute travel budget")),
    ErrandTask("plan Saturday: dentist at 16:00, Packstation, climbing gym, I have 3.5 hours", 5,
               (("dentist", 60, "16:00"), ("Packstation", 30, None), ("climbing gym", 30, None)),
               budgets=(None, 210)),
    ErrandTask("plan Saturday: dentist at 16:00, Packstation, climbing gym, I have 2 hours", 5,
               (("dentist", 60, "16:00"), ("Packstation", 30, None), ("climbing gym", 30, None)),
               budgets=(None, 120), blockers=("3 h 6 min", "2 hours time budget")),
    ErrandTask("plan Sunday: brunch place at 11:00 (90 min), pharmacy and Packstation, not "
               "before 10, all done within 4 hours", 6, (("brunch place", 90, "11:00"),
               ("pharmacy", 30, None), ("Packstation", 30, None)), (time(10), time(22)),
               budgets=(None, 240)),
    ErrandTask("plan Thursday: hairdresser at 17:00, Packstation, bakery, with at most an hour "
               "of travel, out for at most 5 hours", 3, (("hairdresser", 60, "17:00"),
               ("Packstation", 30, None), ("bakery", 30, None)), budgets=(60, 300)),
    ErrandTask("plan Thursday: hairdresser at 17:00, Packstation, bakery, back home by 18:30, "
               "with at most an hour of travel, out for at most 3 hours", 3,
               (("hairdresser", 60, "17:00"), ("Packstation", 30, None), ("bakery", 30, None)),
               (time(9), time(18, 30)), budgets=(60, 180),
               blockers=("4 h 28 min", "3 hours time budget")),
]  # fmt: skip


def gold(task: ErrandTask, planner: Planner) -> list[str] | None:
    """The oracle's route for the hand-written stops (None: nothing fits)."""
    stops = [ErrandStop(name=n, minutes=m, at=time.fromisoformat(a) if a else None)
             for n, m, a in task.stops]  # fmt: skip
    day = MONDAY + timedelta(days=task.day)
    c = Constraints(days=[day], stops=stops, not_before=task.window[0],
                    not_after=task.window[1], travel_budget=task.budgets[0],
                    time_budget=task.budgets[1])  # fmt: skip
    where = {s.name: place_for(s.name, PLACES) for s in stops}
    if any(p is None for p in where.values()):
        return None
    home = place_for("home", PLACES)
    assert home is not None
    found = {n: p for n, p in where.items() if p is not None}
    request = to_request(c, day, NOW, ZONE, planner.gather(c), {**found, "home": home}, 15.0)
    route = errands.brute_force(request)
    return route.describe() if route else None


def solved(task: ErrandTask, planner: Planner) -> tuple[bool, bool]:
    """(right, a proposed route the verifier accepts) for the planner's answer."""
    plan = planner.plan(task.text, NOW)
    want = gold(task, planner)
    if want is None:
        said = " ".join(plan.reasons)
        return plan.slot is None and all(w in said for w in task.blockers), False
    got = [f"{s.name} {s.start:%H:%M} - {s.end:%H:%M}" for s in plan.route]
    return got == want, bool(plan.route) and all(c.ok for c in plan.checks)


def row(planner: Planner, budgeted: bool = False) -> tuple[int, int, int, int]:
    """(right, n, routes the verifier accepts, routes proposed) over the days without a
    budget, or (``budgeted``) those with one."""
    planner.places = lambda: PLACES
    tasks = [t for t in TASKS if (t.budgets != (None, None)) == budgeted]
    results = [solved(t, planner) for t in tasks]
    feasible = [t for t in tasks if gold(t, planner) is not None]
    return sum(r for r, _ in results), len(tasks), sum(v for _, v in results), len(feasible)
