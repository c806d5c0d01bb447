"""NATURAL PLAN-format rows for bench/plan.py: calendar scheduling, meeting planning and
trip planning, each answered by the model directly (the paper's few-shot setup, the
baseline) and by PocketMind's planner (extract, solve by code, verify), scored by the
public scripts' rules (plans/scoring.py re-implements them).

The tasks are generated in the paper's prompt and answer formats (plans/synth.py,
plans/synth_trips.py), not taken from its data, which could not be had here. The few-shot
preambles follow the paper's description of its prompts; the shots come from the tuning
family, the reported rows from the held-out one.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pocketmind.engine import ChatOptions, Engine, Message
from pocketmind.plans import calendar, meetings, read, scoring, synth, synth_trips, trips

PREAMBLE = {
    "calendar": "You are an expert at scheduling meetings. You are given a few constraints on "
    "the existing schedule of each participant, the meeting duration, and possibly some "
    "preferences on the meeting time. Note there exists a solution that works with existing "
    "schedule of every participant. Here are a few example tasks and solutions:",
    "meeting": "You are an expert at planning your day. You are given travel times between "
    "places and when and where your friends are available. Here are a few example tasks and "
    "solutions:",
    "trip": "You are an expert at planning trips. You are given a few constraints regarding "
    "the cities to visit and the durations of staying at each city. You are also given the "
    "flight information between the cities. Here are a few example tasks and solutions:",
}
ANSWER_TOKENS = {"calendar": 32, "meeting": 320, "trip": 420}
# The paper's anchors (arXiv 2406.04520, its data, 5-shot): trip planning solve rates.
ANCHORS = {"trip": "GPT-4 0.311, Gemini 1.5 Pro 0.348", "calendar": "best model < 0.5",
           "meeting": "best model < 0.5"}  # fmt: skip


def few_shot(kind: str, shots: Sequence[tuple[str, str]], task: str) -> str:
    """The paper's prompt shape: a preamble, ``TASK:``/``SOLUTION:`` pairs, the task."""
    examples = "".join(f"TASK: {t}\nSOLUTION: {s}\n\n" for t, s in shots)
    return f"{PREAMBLE[kind]}\n\n{examples}TASK: {task}\nSOLUTION: "


def ask(engine: Engine, prompt: str, max_tokens: int) -> str:
    stream = engine.chat(
        [Message("user", prompt)], ChatOptions(max_tokens=max_tokens, temperature=0)
    )
    print(".", end="", file=sys.stderr, flush=True)  # progress: the model is slow here
    return stream.text()


def esv_calendar(task: synth.CalendarTask) -> str:
    request = read.read_calendar(task.prompt).request
    slot = calendar.solve(request)
    if slot is None:
        return "No time works: " + "; ".join(calendar.explain(request))
    assert calendar.verify(request, slot) == []
    return f"Here is the proposed time: {slot.describe(request.days)}"


def esv_day(task: synth.DayTask) -> str:
    request = read.read_day(task.prompt)
    plan = meetings.solve(request)
    steps = plan.steps(request)
    met, problems = meetings.verify(request, scoring.plan_steps(". ".join(steps)))
    assert met == plan.count and not problems
    return "SOLUTION: " + ". ".join(steps) + "."


def esv_trip(task: synth_trips.TripTask) -> str:
    request = read.read_trip(task.prompt)
    plan = trips.solve(request)
    if plan is None:
        return "No itinerary works."
    assert trips.verify(request, plan) == []
    return trips.describe(plan)


def rate(
    tasks: Sequence[Any], answer: Callable[[Any], str], solved: Callable[[Any, str], bool]
) -> tuple[float, float]:
    hits, started = 0, time.perf_counter()
    for task in tasks:
        try:
            text = answer(task)
        except read.ReadError:
            text = ""
        hits += solved(task, text)
    return hits / len(tasks), (time.perf_counter() - started) / len(tasks)


@dataclass(frozen=True)
class Kind:
    """One task kind: its suites, its gold in the paper's answer format, how it is solved
    by code and how the public rules score it."""

    name: str
    suite: Callable[[int, str], list[Any]]
    gold: Callable[[Any], str]
    esv: Callable[[Any], str]
    solved: Callable[[Any, str], bool]
    shots: Callable[[random.Random], list[Any]]


def kinds(per_cell: int, per_size: int) -> list[Kind]:
    return [
        Kind("calendar", lambda s, f: synth.calendar_suite(s, f, per_cell),
             lambda t: f"Here is the proposed time: {t.gold}", esv_calendar,
             lambda t, a: scoring.calendar_solved(a, t.gold),
             lambda r: [synth.calendar_task(r, 2, 1, "tune") for _ in range(5)]),
        Kind("meeting", lambda s, f: synth.day_suite(s, f, per_size),
             lambda t: ". ".join(t.gold_plan) + ".", esv_day,
             lambda t, a: scoring.day_solved(a, t.request, t.gold_count),
             lambda r: [synth.day_task(r, n, "tune") for n in (1, 1, 2, 2, 2)]),
        Kind("trip", lambda s, f: synth_trips.trip_suite(s, f, per_size),
             lambda t: t.gold_text, esv_trip,
             lambda t, a: scoring.trip_solved(a, t.cities, t.durations),
             lambda r: [synth_trips.trip_task(r, n, "tune") for n in (3, 3, 4, 4, 5)]),
    ]  # fmt: skip


def rows(engine: Engine | None, per_cell: int, per_size: int, limit: int | None,
         seeds: dict[str, int]) -> None:  # fmt: skip
    """Print the side-by-side table: direct (few-shot) vs extract-solve-verify."""
    print("\n| phrasing | task | n | model directly (5-shot) | extract-solve-verify "
          "| s/task direct | ms/task ESV | the paper's anchors (its data) |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for family in ("held_out", "tune"):
        for kind in kinds(per_cell, per_size):
            tasks = kind.suite(seeds[family], family)
            esv, esv_s = rate(tasks, kind.esv, kind.solved)
            direct = "n/a"
            direct_s = "n/a"
            if engine is not None and family == "held_out":  # the reported set only
                shots = [(s.prompt, kind.gold(s)) for s in kind.shots(random.Random(1))]
                asked = _spread(tasks, limit)
                answer = lambda t, k=kind, sh=shots: ask(  # noqa: E731
                    engine, few_shot(k.name, sh, t.prompt), ANSWER_TOKENS[k.name]
                )
                hit, took = rate(asked, answer, kind.solved)
                direct, direct_s = f"{hit:.3f} (n={len(asked)})", f"{took:.1f}"
            cells = [family, kind.name, len(tasks), direct, f"{esv:.3f}", direct_s,
                     f"{esv_s * 1000:.1f}", ANCHORS[kind.name]]  # fmt: skip
            print("| " + " | ".join(map(str, cells)) + " |", flush=True)


def _spread(tasks: list[Any], limit: int | None) -> list[Any]:
    """``limit`` tasks spread over the sizes (the suites run from small to large)."""
    if limit is None or limit >= len(tasks):
        return tasks
    step = len(tasks) / limit
    return [tasks[int(i * step)] for i in range(limit)]
