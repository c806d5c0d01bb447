"""Planning figures, side by side in one run: NATURAL PLAN-format calendar scheduling,
meeting planning and trip planning (bench/plan_natural.py), answered by the model directly
(the paper's few-shot setup, the baseline) and by extract-solve-verify (plans/: the reader
extracts, code solves and verifies), scored by the public scripts' rules.

Tasks come from plans/synth.py and plans/synth_trips.py (the paper's construction and
formats, gold by the exact solvers): generated tasks in its format, not its data.
Reported on the held-out phrasing family; the tuning family is shown beside it.

Personal tasks (bench/plan_personal.py): 32 requests over a persona's .ics calendar,
reminders and friends' messages, 6 Saturdays of meeting friends across town, and 17 days of
errands across named places (9 with a travel or time budget, 4 of them infeasible), answered
by the planner (read, solve, verify) and by the model directly with the calendar in its
prompt; both scored against gold from the brute-force oracle and by the verifier.

    python bench/plan.py [--per-cell 1] [--per-size 3] [--engine-url URL] [--no-model]
                         [--only natural|personal] [--limit N]
                         (N tasks per row for the model's direct rows, spread over sizes)
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import plan_errands as errands
import plan_natural as natural
import plan_personal as personal
from agent import make_engine
from plan_natural import ask, esv_calendar, esv_day, esv_trip

from memory import machine
from pocketmind.engine import Engine
from pocketmind.plans import calendar, meetings, read, scoring, synth, synth_trips
from pocketmind.plans.planner import to_request
from pocketmind.plans.spans import DAY, Span

SEED = {"tune": 100, "held_out": 200}


def cost() -> dict[str, float]:
    rng = random.Random(7)
    big = synth.calendar_task(rng, 7, 5, "held_out")
    day = synth.day_task(rng, 10, "held_out")
    trip = synth_trips.trip_task(rng, 10, "held_out")
    runs: dict[str, Callable[[], str]] = {
        "calendar 7x5": lambda: esv_calendar(big),
        "day of 10": lambda: esv_day(day),
        "trip of 10 cities": lambda: esv_trip(trip),
    }
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(5):
        for name, run in runs.items():
            started = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - started)
    return {k: statistics.median(v) * 1000 for k, v in times.items()}


def personal_rows(engine: Engine | None, limit: int | None, day_limit: int | None) -> None:
    """The persona's tasks: the planner beside the model answering directly."""
    planner = personal.persona(Path(tempfile.mkdtemp(prefix="pocketmind-persona-")))
    tasks = [personal.with_gold(t, planner) for t in personal.TASKS]
    days = personal.day_tasks(6)
    shot = personal.day_tasks(1, seed=99)[0]
    print("\n| personal task | n | model directly | its slots the verifier accepts "
          "| planner | planner's slots the verifier accepts |")  # fmt: skip
    print("|---|---|---|---|---|---|")
    _row("slots, reminders, infeasible", len(tasks), _slots(planner, tasks, engine, limit))
    _row("meeting friends across places", len(days), _days(days, shot, engine, day_limit))
    for name, budgeted in (
        ("a day of errands (least travel)", False),
        ("a day of errands within a budget", True),
    ):
        right, n, valid, routes = errands.row(planner, budgeted)
        _row(name, n, ("n/a", "n/a", _ratio(right, n), _ratio(valid, routes)))  # fmt: skip
    print("(the verifier columns count slots proposed: infeasible answers propose none)")


def _row(name: str, n: int, cells: tuple[str, str, str, str]) -> None:
    print(f"| {name} | {n} | {' | '.join(cells)} |", flush=True)


def _ratio(hits: int, n: int) -> str:
    return f"{hits / n:.3f} ({hits}/{n})" if n else "n/a"


def _slots(
    planner: Any, tasks: list[personal.SlotTask], engine: Engine | None, limit: int | None
) -> tuple[str, str, str, str]:
    esv = esv_valid = esv_slots = 0
    for task in tasks:
        plan = planner.plan(task.text, personal.NOW)
        got = plan.slot.describe() if plan.slot else None
        alarms = [f"{s.arguments['hour']:02d}:{s.arguments['minute']:02d}"
                  for s in plan.steps if s.tool == "set_alarm"]  # fmt: skip
        esv += _right(task, got, " ".join(plan.reasons), alarms)
        esv_slots += got is not None
        esv_valid += got is not None and _valid(planner, task, got)
    if engine is None:
        return "n/a", "n/a", _ratio(esv, len(tasks)), _ratio(esv_valid, esv_slots)
    asked = tasks[:limit]
    hits = valid = slots = 0
    for task in asked:
        answer = ask(engine, _direct_prompt(task), 40)
        got = scoring.first_slot(answer)
        alarms = (
            re.findall(r"\b\d{2}:\d{2}\b", answer.split("alarm", 1)[-1])
            if "alarm" in answer
            else []
        )
        hits += _right(task, got, answer, alarms)
        slots += got is not None
        valid += got is not None and _valid(planner, task, got)
    return (_ratio(hits, len(asked)), _ratio(valid, slots), _ratio(esv, len(tasks)),
            _ratio(esv_valid, esv_slots))  # fmt: skip


def _right(task: personal.SlotTask, got: str | None, said: str, alarms: list[str]) -> bool:
    if task.gold is None:  # infeasible: no slot, and the reason names who blocks it
        return got is None and all(name in said for name in task.blockers)
    return got == task.gold and (task.gold_alarm is None or task.gold_alarm in alarms)


def _valid(planner: Any, task: personal.SlotTask, said: str) -> bool:
    """Does the verifier accept ``said`` under the task's gold constraints (earliest or not)?"""
    c = personal.gold_constraints(task, planner)
    request = to_request(c, personal.NOW)
    day, hours = said.split(", ", 1)
    start, end = (int(h) * 60 + int(m) for h, m in (x.split(":") for x in hours.split(" - ")))
    dates = sorted(c.days)
    index = next((i for i, d in enumerate(dates) if f"{d:%A}" == day), None)
    if index is None:
        return False
    slot = calendar.Slot(index, Span(index * DAY + start, index * DAY + end))
    return calendar.verify(request, slot, earliest=False) == []


def _direct_prompt(task: personal.SlotTask) -> str:
    return (
        "You plan the user's time. It is Monday 23 November 2026, 08:00. The user's calendar "
        f"and messages:\n{personal.calendar_text()}\n\nWork hours are 09:00-18:00 unless the "
        "request says otherwise. Answer with the earliest slot as 'DAY, HH:MM - HH:MM' (and "
        "'alarm HH:MM' if a reminder is asked for), or 'NONE: reason' if nothing works.\n\n"
        f"Request: {task.text}\nAnswer:"
    )


def _days(
    tasks: list[personal.DayTask], shot: personal.DayTask, engine: Engine | None,
    limit: int | None,
) -> tuple[str, str, str, str]:  # fmt: skip
    esv = sum(scoring.day_solved(_esv_day_text(t.text), t.request, t.gold_count) for t in tasks)
    if engine is None:
        return "n/a", "n/a", _ratio(esv, len(tasks)), _ratio(esv, len(tasks))
    example = ". ".join(meetings.solve(shot.request).steps(shot.request))
    asked = tasks[:limit]
    hits = 0
    for task in asked:
        prompt = (f"Plan the day. Answer in the same step format as the example.\n\nTASK: "
                  f"{shot.text}\nSOLUTION: {example}.\n\nTASK: {task.text}\nSOLUTION:")  # fmt: skip
        hits += scoring.day_solved(ask(engine, prompt, 320), task.request, task.gold_count)
    return _ratio(hits, len(asked)), "(replayed)", _ratio(esv, len(tasks)), "(replayed)"


def _esv_day_text(text: str) -> str:
    request = read.read_day(text)
    return ". ".join(meetings.solve(request).steps(request)) + "."


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-cell", type=int, default=1, help="calendar tasks per (people, days)")
    parser.add_argument("--per-size", type=int, default=3, help="meeting tasks per friend count")
    parser.add_argument("--engine-url", help="an OpenAI-compatible server for the direct rows")
    parser.add_argument("--no-model", action="store_true", help="skip the direct (model) rows")
    parser.add_argument(
        "--only", choices=("natural", "personal"), help="one part (the model is slow on 2 cores)"
    )
    parser.add_argument("--day-limit", type=int, help="personal day tasks for the model")
    parser.add_argument("--limit", type=int, help="tasks per direct (model) row, to fit in minutes")
    args = parser.parse_args()
    print(machine())
    engine = None if args.no_model else make_engine(args.engine_url, context_size=8192)
    if args.only != "personal":
        natural.rows(engine, args.per_cell, args.per_size, args.limit, SEED)
    if args.only != "natural":
        personal_rows(engine, args.limit, args.day_limit)
    print("\n| cost: time to a verified plan (median of 5) | ms |")
    print("|---|---|")
    for name, ms in cost().items():
        print(f"| {name} | {ms:.1f} |")


if __name__ == "__main__":
    main()
