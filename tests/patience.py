"""How long a test may wait: generous, and scaled by how fast this machine is right now.

A user's laptop or phone is rarely idle, and neither is a CI machine: the suite must pass
on 2 cores with another CPU-bound process running. Every wait in the tests goes through
:func:`patience`, which multiplies a figure chosen on an idle 2-core machine by a safety
margin and by the measured slowness of this one (a fixed amount of pure-Python work
timed when the tests start, against how long it took there). Set
``POCKETMIND_TEST_PATIENCE`` to a factor to override the measurement.

Waits only bound how long a broken test hangs; no test asserts on how long anything took.
"""

from __future__ import annotations

import os
import time

# What the calibration loop took on the idle 2-core build machine (AMD EPYC, Python 3.11).
REFERENCE_S = 0.03
# Room for a second CPU-bound process, a cold page cache and a slow first model load.
MARGIN = 3.0


def _calibrate() -> float:
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for i in range(500_000):
            total += i * i
        best = min(best, time.perf_counter() - started)
    return best


def _factor() -> float:
    override = os.environ.get("POCKETMIND_TEST_PATIENCE")
    if override:
        return float(override)
    return MARGIN * max(1.0, _calibrate() / REFERENCE_S)


FACTOR = _factor()


def patience(seconds: float) -> float:
    """``seconds`` on an idle machine, scaled for this one."""
    return seconds * FACTOR
