"""Sensing: phone context and app events into the memory, safely."""

from __future__ import annotations

from ..db import Database
from ..settings import Settings
from .base import Sensor, SensorState, SensorTimeout, SensorUnavailable, register, registry
from .files import FileWatcher
from .runner import SensorRunner


def make_sensors(settings: Settings, db: Database | None) -> list[Sensor]:
    """The enabled sensors, in settings order; ``db`` is the daemon's one Database (the
    location sensor learns places in it), None where there is none (a one-off poll)."""
    known = registry()
    return [known[name](settings, db) for name in settings.sensing.sensors]


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
