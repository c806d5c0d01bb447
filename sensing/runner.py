"""Polling the sensors: each on its interval, one at a time, none able to stop the rest.

A sensor that raises or hangs (its termux call times out) is marked failed and backed
off exponentially, up to ``max_backoff_s``; the others keep their schedule. Intervals
stretch by ``low_battery_factor`` while the battery is low and unplugged. Events go to
``submit`` (the daemon's ingest queue); if it refuses (backpressure), they wait here
and are offered again, so a reading is not lost to a full queue.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any

from ..clock import SYSTEM_CLOCK, Clock
from ..memory import NewEvent
from ..settings import SensingSettings
from .base import ReportsReading, Sensor, SensorState, SensorTimeout, SensorUnavailable

log = logging.getLogger(__name__)
Submit = Callable[[Sequence[NewEvent]], Any]


class SensorRunner:
    def __init__(
        self,
        sensors: Sequence[Sensor],
        submit: Submit,
        config: SensingSettings,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.sensors = list(sensors)
        self.submit = submit
        self.config = config
        self.clock = clock
        self.states = {
            s.name: SensorState(
                s.name, enabled=True, available=_available(s), next_poll=clock.monotonic()
            )
            for s in sensors
        }
        for state in self.states.values():
            if not state.available:
                state.state = "unavailable"
        self.pending: list[NewEvent] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="sensors", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.config.termux_timeout_s + 5)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            wait = self.tick()
            self._stop.wait(max(0.05, min(wait, 1.0)))

    def factor(self) -> float:
        """How much to stretch intervals now: more when the battery is low and unplugged."""
        battery = self.states.get("battery")
        reading = battery.last_reading if battery else None
        if (
            isinstance(reading, dict)
            and reading.get("plugged") == "UNPLUGGED"
            and (reading.get("percentage", 100) <= self.config.low_battery_percent)
        ):
            return self.config.low_battery_factor
        return 1.0

    def tick(self) -> float:
        """Poll every sensor that is due; return seconds until the next one is."""
        self._flush()
        now = self.clock.monotonic()
        for sensor in self.sensors:
            state = self.states[sensor.name]
            if state.available and now >= state.next_poll:
                self._poll(sensor, state)
        upcoming = [s.next_poll for s in self.states.values() if s.available]
        return max(0.0, min(upcoming) - self.clock.monotonic()) if upcoming else 1.0

    def _poll(self, sensor: Sensor, state: SensorState) -> None:
        state.state = "running"
        try:
            events = sensor.poll()
        except SensorUnavailable as exc:
            self._failed(sensor, state, f"unavailable: {exc}")
            return
        except SensorTimeout as exc:
            self._failed(sensor, state, f"hung: {exc}")
            return
        except Exception as exc:  # a broken sensor must not stop the others
            self._failed(sensor, state, f"{type(exc).__name__}: {exc}")
            return
        state.state, state.error, state.failures = "ok", None, 0
        state.polls += 1
        state.events += len(events)
        state.last_poll = self.clock.time()
        state.last_reading = _reading(sensor)
        state.next_poll = self.clock.monotonic() + sensor.interval_s * self.factor()
        if events:
            self.pending.extend(events)
            self._flush()

    def _failed(self, sensor: Sensor, state: SensorState, error: str) -> None:
        state.failures += 1
        state.state, state.error = "failed", error
        state.last_poll = self.clock.time()
        backoff = min(sensor.interval_s * 2**state.failures, self.config.max_backoff_s)
        state.next_poll = self.clock.monotonic() + max(backoff, sensor.interval_s)
        # The error may quote what the sensor printed (a location, a notification): the
        # log gets its kind, `pocketmind status` and DEBUG the whole of it.
        log.warning(
            "sensor %s failed (%d in a row), next try in %.0f s: %s (see status)",
            sensor.name,
            state.failures,
            state.next_poll - self.clock.monotonic(),
            error.split(":", 1)[0],
        )
        log.debug("sensor %s failed: %s", sensor.name, error)

    def _flush(self) -> None:
        if not self.pending:
            return
        try:
            self.submit(self.pending)
        except Exception as exc:  # backpressure or shutdown: keep them for the next tick
            log.info("holding %d sensed events: %s", len(self.pending), exc)
            return
        self.pending = []

    def status(self) -> dict[str, Any]:
        return {name: state.to_json() for name, state in self.states.items()}


def _available(sensor: Sensor) -> bool:
    try:
        return bool(sensor.available())
    except Exception:
        return False


def _reading(sensor: Sensor) -> Any:
    """What ``status`` shows as a sensor's last reading: its remembered state."""
    return sensor.reading() if isinstance(sensor, ReportsReading) else None
