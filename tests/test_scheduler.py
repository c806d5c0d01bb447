"""Every skill, reminders included, through the registry: ticked by a Scheduler, told of
ingested events by the SkillRunner, on a FakeClock that moves only when told."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime

from pocketmind.clock import FakeClock
from pocketmind.memory import MemoryStore
from pocketmind.settings import Settings
from pocketmind.skills import RecordingNotifier, ReminderBook, parse_when
from pocketmind.skills.base import SkillContext, SkillRunner
from pocketmind.skills.scheduler import ManualScheduler, ThreadScheduler

START = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)


def _runner(store: MemoryStore, settings: Settings) -> tuple[SkillRunner, FakeClock]:
    clock = FakeClock(START)
    return SkillRunner(
        SkillContext(store, settings, RecordingNotifier(), clock, db=store.db)
    ), clock


def _sent(runner: SkillRunner) -> list[str]:
    notifier = runner.context.notifier
    assert isinstance(notifier, RecordingNotifier)
    return [n.text for n in notifier.sent]


def test_time_reminders_fire_when_the_scheduler_ticks_past_them(
    store: MemoryStore, settings: Settings
) -> None:
    runner, clock = _runner(store, settings)
    scheduler = ManualScheduler()
    scheduler.start(runner.tick)
    book = ReminderBook(store.db, settings.tz())
    book.add_time("call Mum", parse_when("in 5 minutes", clock.now(), settings.tz()), clock.now())
    scheduler.run()
    assert _sent(runner) == []
    clock.advance(minutes=6)
    scheduler.run(times=3)
    assert _sent(runner) == ["call Mum"]  # once, however often it ticks
    assert runner.status()["reminders"]["state"] == "ok"


def test_context_reminders_hear_events_through_the_skill_runner(
    store: MemoryStore, settings: Settings
) -> None:
    runner, clock = _runner(store, settings)
    book = ReminderBook(store.db, settings.tz())
    book.add_context("sync photos", {"type": "wifi", "ssid": "HomeNet"}, clock.now())
    event = {
        "id": 1,
        "source": "wifi",
        "payload": json.dumps({"text": "Connected", "ssid": "HomeNet", "connected": True}),
        "occurred_at": clock.now().isoformat(),
    }
    runner.on_events([{**event, "source": "notifications"}])  # sensed text triggers nothing
    assert _sent(runner) == []
    runner.on_events([event])
    assert _sent(runner) == ["sync photos"]
    runner.switches.set("reminders", False)
    book.add_context("again", {"type": "wifi", "ssid": "HomeNet"}, clock.now())
    runner.on_events([event])
    assert _sent(runner) == ["sync photos"]  # a disabled skill hears nothing


def test_the_thread_scheduler_ticks_until_stopped() -> None:
    ticked = threading.Event()
    scheduler = ThreadScheduler(interval_s=0.01)
    scheduler.start(ticked.set)
    assert ticked.wait(10)
    scheduler.stop()
    ticked.clear()
    assert not ticked.wait(0.05)
