"""Firing reminders: by time, exactly once per due time, and by context.

``ReminderScheduler.tick()`` fires every time reminder that is due: in one transaction
it records the firing (unique per reminder and due time) and moves the reminder on (a
recurring one to its next time after now, so occurrences missed while the phone slept
collapse into one; a one-off one to done). A firing later than ``grace`` is recorded
as missed and not shown. Notifications are delivered after the commit; while quiet
hours last, non-urgent ones wait in the firings table and go out when they end. A
notification that fails (no notifier here) leaves the firing due, logged once.
Context reminders fire from the sensing events of trusted sensors only (battery,
wifi, location), once per occurrence and not again within their cool-down; no
notification or file text can trigger one.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, time, timedelta
from typing import Any

from ...clock import Clock
from ...memory.instants import from_db, to_db
from ..notify import Notification, Notifier, NotifierUnavailable
from ..schedules import Schedule
from .book import Reminder, ReminderBook

log = logging.getLogger(__name__)
TRUSTED_SOURCES = {"battery", "wifi", "location"}


class ReminderScheduler:
    def __init__(
        self,
        book: ReminderBook,
        notifier: Notifier,
        clock: Clock,
        *,
        grace: timedelta = timedelta(hours=6),
        quiet_hours: tuple[time, time] | None = None,
    ) -> None:
        self.book = book
        self.notifier = notifier
        self.clock = clock
        self.grace = grace
        self.quiet_hours = quiet_hours
        self._warned: set[tuple[int, str]] = set()

    # -- time reminders ----------------------------------------------------------------

    def tick(self) -> int:
        """Fire what is due, deliver what may be delivered; return how many fired."""
        now = self.clock.now()
        rows = self.book.db.execute(
            "SELECT * FROM reminders WHERE status = 'active' AND next_fire_at IS NOT NULL "
            "AND next_fire_at <= ? ORDER BY next_fire_at",
            (to_db(now),),
        ).fetchall()
        fired = sum(self._fire_due(Reminder.from_row(row), now) for row in rows)
        self.deliver()
        return fired

    def _fire_due(self, reminder: Reminder, now: datetime) -> bool:
        assert reminder.next_fire_at is not None
        due = reminder.next_fire_at
        late = now - due
        following = self._next_after(reminder, now)
        with self.book.db.transaction():
            recorded = self.book.db.execute(
                "INSERT OR IGNORE INTO reminder_firings (reminder_id, due_at, fired_at, late_s, "
                "delivered_at) VALUES (?, ?, ?, ?, ?)",
                (
                    reminder.id,
                    to_db(due),
                    to_db(now),
                    late.total_seconds(),
                    to_db(now) if late > self.grace else None,
                ),  # too late: recorded, not shown
            ).rowcount
            self.book.db.execute(
                "UPDATE reminders SET next_fire_at = ?, status = ?, last_fired_at = ? WHERE id = ?",
                (
                    to_db(following) if following else None,
                    "active" if following else "done",
                    to_db(now),
                    reminder.id,
                ),
            )
        if late > self.grace:
            log.info("reminder #%d missed by %s (beyond the grace period)", reminder.id, late)
            return False
        return bool(recorded)

    def _next_after(self, reminder: Reminder, now: datetime) -> datetime | None:
        if reminder.trigger.get("type") != "cron":
            return None
        schedule = Schedule(cron=reminder.trigger["cron"])
        following: datetime | None = schedule.trigger(self.book.tz).get_next_fire_time(None, now)
        return following

    # -- delivery ----------------------------------------------------------------------

    def quiet(self, now: datetime) -> bool:
        if self.quiet_hours is None:
            return False
        start, end = self.quiet_hours
        local = now.astimezone(self.book.tz).time()
        return start <= local < end if start < end else local >= start or local < end

    def deliver(self) -> int:
        now = self.clock.now()
        rows = self.book.db.execute(
            "SELECT f.reminder_id, f.due_at, f.late_s, r.text, r.urgent FROM reminder_firings f "
            "JOIN reminders r ON r.id = f.reminder_id WHERE f.delivered_at IS NULL "
            "ORDER BY f.due_at"
        ).fetchall()
        sent = 0
        for row in rows:
            if self.quiet(now) and not row["urgent"]:
                continue
            late = row["late_s"] >= 120
            due = from_db(row["due_at"]).astimezone(self.book.tz).strftime("%H:%M")
            title = f"Reminder (late, was due {due})" if late else "Reminder"
            try:
                self.notifier.send(
                    Notification(
                        row["reminder_id"],
                        title,
                        row["text"],
                        bool(row["urgent"]),
                        row["reminder_id"],
                    )
                )
            except Exception as exc:  # delivery is retried on the next tick
                self._warn_once(row["reminder_id"], row["due_at"], exc)
                continue
            with self.book.db.transaction():
                self.book.db.execute(
                    "UPDATE reminder_firings SET delivered_at = ? WHERE reminder_id = ? AND "
                    "due_at = ?",
                    (to_db(now), row["reminder_id"], row["due_at"]),
                )
            sent += 1
        return sent

    def _warn_once(self, reminder_id: int, due_at: str, exc: Exception) -> None:
        """One log line per firing that could not be shown (not one per tick)."""
        if (reminder_id, due_at) in self._warned:
            return
        self._warned.add((reminder_id, due_at))
        # a failed command's message holds its arguments, the reminder's text: not logged
        reason = str(exc) if isinstance(exc, NotifierUnavailable) else type(exc).__name__
        log.warning(
            "reminder #%d is due but no notification went out (%s): it waits in the TUI, "
            "`pocketmind reminders list --fired` and `pocketmind status`",
            reminder_id,
            reason,
        )

    # -- context reminders -------------------------------------------------------------

    def on_events(self, events: list[Any]) -> int:
        """Fire the context reminders these ingested events satisfy."""
        trusted = [e for e in events if e["source"] in TRUSTED_SOURCES]  # sensed text never
        if not trusted:  # triggers anything; most batches (notifications) stop here
            return 0
        waiting = [r for r in self.book.active() if r.next_fire_at is None]
        fired = 0
        for event in trusted:
            payload = json.loads(event["payload"])
            for reminder in list(waiting):
                if _matches(reminder.trigger, payload):
                    fired += self._fire_context(reminder, event)
                    if not reminder.trigger.get("repeat"):
                        waiting.remove(reminder)  # done: not again in this batch
        if fired:
            self.deliver()
        return fired

    def _fire_context(self, reminder: Reminder, event: Any) -> int:
        now = self.clock.now()
        row = self.book.db.execute(
            "SELECT last_fired_at, cooldown_s FROM reminders WHERE id = ?", (reminder.id,)
        ).fetchone()
        if row["last_fired_at"] and now - from_db(row["last_fired_at"]) < timedelta(
            seconds=row["cooldown_s"]
        ):
            return 0
        repeat = bool(reminder.trigger.get("repeat"))
        with self.book.db.transaction():
            recorded = self.book.db.execute(
                "INSERT OR IGNORE INTO reminder_firings (reminder_id, due_at, fired_at, late_s) "
                "VALUES (?, ?, ?, 0)",
                (reminder.id, event["occurred_at"], to_db(now)),
            ).rowcount
            self.book.db.execute(
                "UPDATE reminders SET last_fired_at = ?, status = ? WHERE id = ?",
                (to_db(now), "active" if repeat else "done", reminder.id),
            )
        return int(recorded)


def _matches(trigger: dict[str, Any], payload: dict[str, Any]) -> bool:
    kind = trigger.get("type")
    if kind in ("arrive", "leave"):
        return payload.get("place_id") == trigger.get("place_id") and payload.get("arrived") is (
            kind == "arrive"
        )
    if kind == "battery_below":
        level = payload.get("percentage")
        return (
            isinstance(level, int)
            and level < int(trigger["percent"])
            and payload.get("plugged") == "UNPLUGGED"
        )
    if kind == "wifi":
        return payload.get("connected") is True and payload.get("ssid") == trigger.get("ssid")
    return False
