"""The sensor seam: a ``Sensor`` is polled on its interval and returns events.

Sensors are registered by name in a registry (built-in ones through the same
``register`` a third-party one would use). A sensor keeps its own state between polls
(the last battery level, the notification snapshot) so it can report transitions, not
readings. ``SensorState`` is what ``status`` and ``pocketmind sensors`` show.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from ..memory import NewEvent
from ..plugins import Registry


class SensorUnavailable(RuntimeError):
    """This sensor cannot work here (no termux-api, no battery, permission missing)."""


class SensorTimeout(RuntimeError):
    """A sensor call hung past its timeout."""


@runtime_checkable
class Sensor(Protocol):
    name: str
    interval_s: float

    def available(self) -> bool:
        """Whether this machine has what the sensor needs (cheap; no hanging calls).
        A sensor MAY say what that is in a ``needs`` attribute: ``pocketmind sensors``
        and ``doctor`` show it as the reason when the sensor is unavailable."""
        ...

    def poll(self) -> list[NewEvent]:
        """Read once; return the events worth remembering (often none)."""
        ...


@runtime_checkable
class ReportsReading(Protocol):
    """A sensor that MAY also say what it last read (the battery level, the Wi-Fi network,
    the place), shown by ``status`` and ``pocketmind sensors``."""

    def reading(self) -> Any:
        """The remembered state from the last poll, or None before the first."""
        ...


@dataclass
class SensorState:
    name: str
    enabled: bool
    available: bool
    state: str = "idle"  # idle, running, ok, failed, unavailable, disabled
    error: str | None = None
    failures: int = 0
    polls: int = 0
    events: int = 0
    last_poll: float | None = None
    last_reading: Any = None
    next_poll: float = field(default_factory=time.monotonic)

    def to_json(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out.pop("next_poll")
        return out


SensorFactory = Callable[..., Sensor]  # (settings, the Database or None) -> Sensor
SENSORS: Registry[SensorFactory] = Registry(
    "pocketmind.sensing.notifications", "pocketmind.sensing.phone"
)
register = SENSORS.register
registry = SENSORS.all
