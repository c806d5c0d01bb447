"""Planning figures, side by side in one run: NATURAL PLAN-style calendar scheduling and
meeting planning, answered by the model directly (the paper's setup, the baseline) and by
extract-solve-verify (plans/: the reader extracts, code solves and verifies).

Tasks come from plans/synth.py (the paper's construction, gold by the exact solvers).
Reported on the held-out phrasing family; the tuning family is shown beside it.

    python bench/plan.py [--per-cell 1] [--per-size 3] [--engine-url URL] [--no-model]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from agent import make_engine

from memory import machine
from pocketmind.engine import ChatOptions, Engine, Message
from pocketmind.plans import calendar, meetings, read, scoring, synth

SEED = {"tune": 100, "held_out": 200}


def ask(engine: Engine, prompt: str, max_tokens: int) -> str:
    stream = engine.chat(
        [Message("user", prompt)], ChatOptions(max_tokens=max_tokens, temperature=0)
    )
    return stream.text()


def direct_calendar(
    engine: Engine, shot: synth.CalendarTask
) -> Callable[[synth.CalendarTask], str]:
    def answer(task: synth.CalendarTask) -> str:
        prompt = (
            "Solve the scheduling task. Answer with 'Here is the proposed time: DAY, HH:MM - "
            f"HH:MM'.\n\nTASK: {shot.prompt}\nSOLUTION: Here is the proposed time: {shot.gold}"
            f"\n\nTASK: {task.prompt}\nSOLUTION:"
        )
        return ask(engine, prompt, 24)

    return answer


def esv_calendar(task: synth.CalendarTask) -> str:
    request = read.read_calendar(task.prompt).request
    slot = calendar.solve(request)
    if slot is None:
        return "No time works: " + "; ".join(calendar.explain(request))
    assert calendar.verify(request, slot) == []
    return f"Here is the proposed time: {slot.describe(request.days)}"


def direct_day(engine: Engine, shot: synth.DayTask) -> Callable[[synth.DayTask], str]:
    def answer(task: synth.DayTask) -> str:
        prompt = (
            "Plan the day. Answer in the same step format as the example.\n\n"
            f"TASK: {shot.prompt}\nSOLUTION: {'. '.join(shot.gold_plan)}.\n\n"
            f"TASK: {task.prompt}\nSOLUTION:"
        )
        return ask(engine, prompt, 320)

    return answer


def esv_day(task: synth.DayTask) -> str:
    request = read.read_day(task.prompt)
    plan = meetings.solve(request)
    steps = plan.steps(request)
    met, problems = meetings.verify(request, scoring.plan_steps(". ".join(steps)))
    assert met == plan.count and not problems
    return "SOLUTION: " + ". ".join(steps) + "."


def rate(
    tasks: list[Any], answer: Callable[[Any], str], solved: Callable[[Any, str], bool]
) -> tuple[float, float]:
    hits, started = 0, time.perf_counter()
    for task in tasks:
        try:
            text = answer(task)
        except read.ReadError:
            text = ""
        hits += solved(task, text)
    return hits / len(tasks), (time.perf_counter() - started) / len(tasks)


def cost() -> dict[str, float]:
    rng = random.Random(7)
    big = synth.calendar_task(rng, 7, 5, "held_out")
    day = synth.day_task(rng, 10, "held_out")
    times: dict[str, list[float]] = {"calendar 7x5": [], "day of 10": []}
    for _ in range(5):
        started = time.perf_counter()
        esv_calendar(big)
        times["calendar 7x5"].append(time.perf_counter() - started)
        started = time.perf_counter()
        esv_day(day)
        times["day of 10"].append(time.perf_counter() - started)
    return {k: statistics.median(v) * 1000 for k, v in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-cell", type=int, default=1, help="calendar tasks per (people, days)")
    parser.add_argument("--per-size", type=int, default=3, help="meeting tasks per friend count")
    parser.add_argument("--engine-url", help="an OpenAI-compatible server for the direct rows")
    parser.add_argument("--no-model", action="store_true", help="skip the direct (model) rows")
    args = parser.parse_args()
    print(machine())
    engine = None if args.no_model else make_engine(args.engine_url, context_size=8192)
    rows = []
    for family in ("held_out", "tune"):
        cal = synth.calendar_suite(SEED[family], family, args.per_cell)
        day = synth.day_suite(SEED[family], family, args.per_size)
        cal_ok = lambda t, a: scoring.calendar_solved(a, t.gold)  # noqa: E731
        day_ok = lambda t, a: scoring.day_solved(a, t.request, t.gold_count)  # noqa: E731
        esv_c, esv_c_s = rate(cal, esv_calendar, cal_ok)
        esv_d, esv_d_s = rate(day, esv_day, day_ok)
        if engine is not None:
            shot_rng = random.Random(1)
            cal_shot = synth.calendar_task(shot_rng, 2, 1, "tune")
            day_shot = synth.day_task(shot_rng, 2, "tune")
            dir_c, dir_c_s = rate(cal, direct_calendar(engine, cal_shot), cal_ok)
            dir_d, dir_d_s = rate(day, direct_day(engine, day_shot), day_ok)
        else:
            dir_c = dir_c_s = dir_d = dir_d_s = float("nan")
        rows.append((family, "calendar", len(cal), dir_c, esv_c, dir_c_s, esv_c_s))
        rows.append((family, "meeting planning", len(day), dir_d, esv_d, dir_d_s, esv_d_s))
    print(
        "\n| phrasing | task | n | model directly | extract-solve-verify "
        "| s/task direct | s/task ESV |"
    )
    print("|---|---|---|---|---|---|---|")
    for family, task, n, d, e, ds, es in rows:
        print(f"| {family} | {task} | {n} | {d:.3f} | {e:.3f} | {ds:.2f} | {es * 1000:.1f} ms |")
    print("\n| cost: time to a verified plan (median of 5) | ms |")
    print("|---|---|")
    for name, ms in cost().items():
        print(f"| {name} | {ms:.1f} |")


if __name__ == "__main__":
    main()
