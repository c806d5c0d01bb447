"""The exact DP agrees with OR-Tools CP-SAT on meeting planning, where ortools is
installed (it is not in the lock: this is skipped with the reason elsewhere)."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

from pocketmind.plans import meetings, synth

cp_model = pytest.importorskip(
    "ortools.sat.python.cp_model", reason="ortools is not installed (not in the lock)"
)


def test_the_dp_and_cp_sat_find_the_same_optimum() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from plan_cpsat import cpsat

    rng = random.Random(11)
    for size in (1, 3, 5, 7):
        request = synth.day_task(rng, size, "tune").request
        plan = meetings.solve(request)
        assert cpsat(request, cp_model) == (plan.count, plan.ends)
