"""Notifications and location, the two termux sensors that need state beyond one value."""

from __future__ import annotations

import hashlib

from ..clock import SYSTEM_CLOCK, Clock
from ..db import Database
from ..memory import NewEvent
from ..redact import redact
from ..settings import Settings
from . import termux
from .base import SensorUnavailable, register
from .places import Places, PlaceTracker

APP_NAMES = {
    "com.whatsapp": "WhatsApp",
    "com.google.android.gm": "Gmail",
    "org.telegram.messenger": "Telegram",
    "org.thoughtcrime.securesms": "Signal",
    "com.slack": "Slack",
    "com.google.android.calendar": "Calendar",
    "com.android.mms": "Messages",
    "com.google.android.apps.messaging": "Messages",
}


def app_name(package: str) -> str:
    return APP_NAMES.get(package) or package.rsplit(".", 1)[-1].capitalize() or "an app"


class NotificationSensor:
    """Successive ``termux-notification-list`` snapshots, diffed into new notifications.

    A notification is new when its (key, time, title, text) was not in an earlier
    snapshot; the same identity is the event's idempotency key, so a daemon restart
    does not log the notifications already on screen a second time.
    """

    name = "notifications"
    needs = "termux-notification-list (Termux:API, notification access)"

    def __init__(self, settings: Settings, api: termux.TermuxApi | None = None) -> None:
        self.termux = api or termux.SubprocessTermux()
        config = settings.sensing
        self.interval_s = config.notifications_interval_s
        self.timeout = config.termux_timeout_s
        self.allow = set(config.notification_apps_allow)
        self.deny = set(config.notification_apps_deny)
        self.seen: set[str] = set()

    def available(self) -> bool:
        return self.termux.has("termux-notification-list")

    def wanted(self, package: str) -> bool:
        return package not in self.deny and (not self.allow or package in self.allow)

    def poll(self) -> list[NewEvent]:
        snapshot = self.termux.run_json("termux-notification-list", timeout=self.timeout)
        if not isinstance(snapshot, list):
            raise termux.TermuxError("termux-notification-list did not print a list")
        events = []
        current = set()
        for note in snapshot:
            if not isinstance(note, dict):
                continue
            package = str(note.get("packageName", ""))
            title = str(note.get("title") or "").strip()
            content = str(note.get("content") or "").strip()
            identity = hashlib.sha256(
                "\x1f".join([str(note.get("key")), str(note.get("when")), title, content]).encode()
            ).hexdigest()[:32]
            current.add(identity)
            if identity in self.seen or not self.wanted(package) or not (title or content):
                continue
            text = redact(f"New notification from {app_name(package)}: {title} — {content}")
            events.append(
                NewEvent(
                    "notifications",
                    "notification",
                    {
                        "text": text,
                        "app": package,
                        "title": redact(title),
                        "when": note.get("when"),
                    },
                    key=identity,
                )
            )
        self.seen = current | (self.seen if len(self.seen) < 5000 else set())
        return events


class LocationSensor:
    """The last known network fix (``-r last``: ``-r once`` can hang indoors forever)."""

    name = "location"
    needs = "termux-location (Termux:API, location access)"

    def __init__(
        self,
        settings: Settings,
        db: Database | None,
        api: termux.TermuxApi | None = None,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.termux = api or termux.SubprocessTermux()
        self.clock = clock
        config = settings.sensing
        self.interval_s = config.location_interval_s
        self.timeout = config.termux_timeout_s
        self.tracker = (
            PlaceTracker(Places(db), config.place_radius_m, config.place_min_dwell_s)
            if db is not None
            else None
        )

    def available(self) -> bool:
        return self.termux.has("termux-location")

    def reading(self) -> str | None:
        current = self.tracker.current if self.tracker is not None else None
        return current.label if current is not None else None

    def poll(self) -> list[NewEvent]:
        if self.tracker is None:
            raise SensorUnavailable("location needs the database (run it in the daemon)")
        fix = self.termux.run_json(
            "termux-location", "-p", "network", "-r", "last", timeout=self.timeout
        )
        if not isinstance(fix, dict) or not all(
            isinstance(fix.get(k), int | float) for k in ("latitude", "longitude")
        ):
            raise termux.TermuxError(f"termux-location printed no fix: {str(fix)[:80]}")
        assert self.tracker is not None
        found = self.tracker.update(
            float(fix["latitude"]),
            float(fix["longitude"]),
            float(fix.get("accuracy") or 0),
            self.clock.time(),
        )
        return [NewEvent("location", "place", payload) for payload in found]


def _location(settings: Settings, db: Database | None = None) -> LocationSensor:
    return LocationSensor(settings, db)


register("notifications")(lambda settings, db=None: NotificationSensor(settings))
register("location")(_location)
