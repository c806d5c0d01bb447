"""The exact DP (plans/meetings.py) beside OR-Tools CP-SAT on meeting planning: the same
optimum (meetings met, then the earliest finish) and the time each takes, in one run.

CP-SAT is not a dependency (not in the lock, no wheel on Termux); the DP is what ships.
Run it with a Python that has ``ortools``; without one the script says so and exits 0:

    /work/wt/ortools-venv/bin/python bench/plan_cpsat.py [--per-size 3] [--max-people 10]

The model: a circuit over the start place and the people (a person left out takes a
self-loop), each arc i->j forcing j to start after i ends plus the travel between them,
each meeting inside its person's window; maximize meetings x BIG - the finish.
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pocketmind.plans import meetings, synth
from pocketmind.plans.meetings import DayRequest

BIG = 100_000


def cpsat(request: DayRequest, cp_model: object) -> tuple[int, int]:
    """(meetings met, finish minute) of CP-SAT's optimum."""
    model = cp_model.CpModel()  # type: ignore[attr-defined]
    people = request.people
    n = len(people)
    horizon = 24 * 60
    start = [model.NewIntVar(0, horizon, f"s{i}") for i in range(n)]
    met = [model.NewBoolVar(f"m{i}") for i in range(n)]
    arcs = [(0, 0, model.NewBoolVar("nobody"))]  # meeting no one is a plan too
    for i, p in enumerate(people):
        model.Add(start[i] >= p.window.start).OnlyEnforceIf(met[i])
        model.Add(start[i] + p.minutes <= p.window.end).OnlyEnforceIf(met[i])
        arcs.append((i + 1, i + 1, met[i].Not()))
        first = model.NewBoolVar(f"f{i}")
        arcs.append((0, i + 1, first))
        gap = request.minutes_between(request.start_place, p.place)
        model.Add(start[i] >= request.start + gap).OnlyEnforceIf(first)
        arcs.append((i + 1, 0, model.NewBoolVar(f"l{i}")))
        for j, q in enumerate(people):
            if i != j:
                arc = model.NewBoolVar(f"a{i}_{j}")
                arcs.append((i + 1, j + 1, arc))
                travel = request.minutes_between(p.place, q.place)
                model.Add(start[j] >= start[i] + p.minutes + travel).OnlyEnforceIf(arc)
    model.AddCircuit(arcs)
    finish = model.NewIntVar(0, horizon, "finish")
    for i, p in enumerate(people):
        model.Add(finish >= start[i] + p.minutes).OnlyEnforceIf(met[i])
    model.Maximize(sum(met) * BIG - finish)
    solver = cp_model.CpSolver()  # type: ignore[attr-defined]
    solver.parameters.num_workers = 1
    status = solver.Solve(model)
    assert status == cp_model.OPTIMAL, solver.StatusName(status)  # type: ignore[attr-defined]
    count = sum(int(solver.Value(m)) for m in met)
    return count, (int(solver.Value(finish)) if count else 0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-size", type=int, default=3, help="tasks per friend count")
    parser.add_argument("--max-people", type=int, default=10)
    args = parser.parse_args()
    try:
        from ortools.sat.python import cp_model
    except ImportError:
        print("skipped: ortools is not installed here (not in the lock; see the docstring)")
        return
    import ortools

    print(f"{platform.processor() or platform.machine()}, Python {platform.python_version()}, "
          f"OR-Tools {ortools.__version__} (1 worker)")  # fmt: skip
    print("\n| friends | n | same optimum | DP median ms | CP-SAT median ms |")
    print("|---|---|---|---|---|")
    rng = random.Random(300)
    for size in range(1, args.max_people + 1):
        same, dp_ms, sat_ms = 0, [], []
        for _ in range(args.per_size):
            request = synth.day_task(rng, size, "held_out").request
            started = time.perf_counter()
            plan = meetings.solve(request)
            dp_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            count, finish = cpsat(request, cp_model)
            sat_ms.append((time.perf_counter() - started) * 1000)
            same += (plan.count, plan.ends) == (count, finish)
        print(f"| {size} | {args.per_size} | {same}/{args.per_size} | "
              f"{statistics.median(dp_ms):.1f} | {statistics.median(sat_ms):.1f} |")  # fmt: skip


if __name__ == "__main__":
    main()
