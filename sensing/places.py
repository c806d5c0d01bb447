"""Location fixes into places, and places into "arrived at / left" events.

A fix within a known place's radius (plus the fix's accuracy, up to 100 m) is at that
place. A run of fixes that stays within one radius for ``min_dwell_s`` becomes a new
place. Moving between places produces no events at all: the memory gets arrivals and
departures with the time spent, never pings. A place is shown by the name the user
gave it (``pocketmind places name ID home``), else as "place #ID".
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..db import Connection, Database
from ..memory.instants import to_db
from ..schema import migration

EARTH_M = 6_371_000.0


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_M * math.asin(math.sqrt(a))


@dataclass
class Place:
    id: int
    name: str | None
    latitude: float
    longitude: float
    radius_m: float
    visits: int = 0

    @property
    def label(self) -> str:
        return self.name or f"place #{self.id}"


def duration(seconds: float) -> str:
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


class Places:
    """The places table's owner: the one module that reads or writes it."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def all(self) -> list[Place]:
        rows = self.db.execute(
            "SELECT id, name, latitude, longitude, radius_m, visits FROM places ORDER BY id"
        ).fetchall()
        return [Place(*row) for row in rows]

    def get(self, place_id: int) -> Place | None:
        return next((p for p in self.all() if p.id == place_id), None)

    def nearest(self, lat: float, lon: float, slack_m: float) -> Place | None:
        best, best_d = None, math.inf
        for place in self.all():
            d = distance_m(lat, lon, place.latitude, place.longitude)
            if d <= place.radius_m + slack_m and d < best_d:
                best, best_d = place, d
        return best

    def add(self, lat: float, lon: float, radius_m: float) -> Place:
        with self.db.transaction():
            place_id = self.db.execute(
                "INSERT INTO places (latitude, longitude, radius_m, created_at) "
                "VALUES (?, ?, ?, ?)",
                (lat, lon, radius_m, to_db(datetime.now(UTC))),
            ).lastrowid
        return Place(int(place_id), None, lat, lon, radius_m)

    def name(self, place_id: int, name: str) -> Place:
        name = name.strip()
        if not name or len(name) > 80:
            raise ValueError("a place name must be 1 to 80 characters")
        with self.db.transaction():
            changed = self.db.execute(
                "UPDATE places SET name = ? WHERE id = ?", (name, place_id)
            ).rowcount
        if not changed:
            raise LookupError(f"no place #{place_id}")
        place = self.get(place_id)
        assert place is not None
        return place

    def visited(self, place_id: int) -> None:
        with self.db.transaction():
            self.db.execute("UPDATE places SET visits = visits + 1 WHERE id = ?", (place_id,))


@dataclass
class _Candidate:
    latitude: float
    longitude: float
    since: float
    fixes: int = 1


class PlaceTracker:
    """Feed fixes in time order; get back arrival and departure texts."""

    def __init__(self, places: Places, radius_m: float = 150.0, min_dwell_s: float = 600.0):
        self.places = places
        self.radius_m = radius_m
        self.min_dwell_s = min_dwell_s
        self.current: Place | None = None
        self.arrived_at: float | None = None
        self.candidate: _Candidate | None = None
        self.started = False

    def update(self, lat: float, lon: float, accuracy: float, at: float) -> list[dict[str, Any]]:
        place = self.places.nearest(lat, lon, slack_m=min(max(accuracy, 0.0), 100.0))
        if not self.started:  # where we are at start-up is not an arrival
            self.started = True
            self.current, self.arrived_at = place, at
            return []
        if place is not None and self.current is not None and place.id == self.current.id:
            self.candidate = None
            return []
        events = self._leave(at)
        if place is not None:
            self.candidate = None
            return events + self._arrive(place, at)
        if (
            self.candidate
            and distance_m(lat, lon, self.candidate.latitude, self.candidate.longitude)
            <= self.radius_m
        ):
            c = self.candidate
            c.latitude = (c.latitude * c.fixes + lat) / (c.fixes + 1)
            c.longitude = (c.longitude * c.fixes + lon) / (c.fixes + 1)
            c.fixes += 1
            if at - c.since >= self.min_dwell_s:
                new = self.places.add(c.latitude, c.longitude, self.radius_m)
                self.candidate = None
                return events + self._arrive(new, c.since, new_place=True)
            return events
        self.candidate = _Candidate(lat, lon, at)
        return events

    def _arrive(self, place: Place, at: float, new_place: bool = False) -> list[dict[str, Any]]:
        self.current, self.arrived_at = place, at
        self.places.visited(place.id)
        text = f"Arrived at {place.label}" + (" (a new place)" if new_place else "")
        return [{"text": text, "place_id": place.id, "place": place.label, "arrived": True}]

    def _leave(self, at: float) -> list[dict[str, Any]]:
        if self.current is None or self.arrived_at is None:
            return []
        left, stayed = self.current, at - self.arrived_at
        self.current = self.arrived_at = None
        label = self.places.get(left.id) or left  # a name given since arrival counts
        return [
            {
                "text": f"Left {label.label} after {duration(stayed)}",
                "place_id": left.id,
                "place": label.label,
                "dwell_s": round(stayed),
                "arrived": False,
            }
        ]


@migration(7, "m007_sensing")
def m007_places(db: Connection) -> None:
    """m007's part in sensing: places learned from location fixes."""
    db.execute(
        """
        CREATE TABLE places (
            id INTEGER PRIMARY KEY,
            name TEXT,
            latitude REAL NOT NULL,
            longitude REAL NOT NULL,
            radius_m REAL NOT NULL,
            created_at TEXT NOT NULL,
            visits INTEGER NOT NULL DEFAULT 0
        )
        """
    )
