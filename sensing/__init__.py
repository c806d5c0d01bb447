"""Sensing: phone context and app events into the memory, safely."""

from __future__ import annotations

from ..memory import MemoryStore
from ..settings import Settings
from .base import Sensor, SensorState, SensorTimeout, SensorUnavailable, register, registry
from .files import FileWatcher
from .runner import SensorRunner


def make_sensors(settings: Settings, store: MemoryStore | None) -> list[Sensor]:
    """The enabled sensors, in settings order."""
    known = registry()
    return [known[name](settings, store) for name in settings.sensing.sensors]


__all__ = [
    "FileWatcher",
    "Sensor",
    "SensorRunner",
    "SensorState",
    "SensorTimeout",
    "SensorUnavailable",
    "make_sensors",
    "register",
    "registry",
]
