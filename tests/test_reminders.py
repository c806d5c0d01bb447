"""Reminders on a fake clock: the right minute, across restarts, sleep and DST, once."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from pocketmind.memory import MemoryStore
from pocketmind.sensing.places import Places
from pocketmind.skills import (
    FakeClock,
    RecordingNotifier,
    ReminderBook,
    ReminderScheduler,
    parse_when,
)
from pocketmind.skills.notify import Notification, TermuxNotifier
from pocketmind.validation import InputError

BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2025, 3, 28, 12, 0, tzinfo=BERLIN)  # Friday; DST starts Sunday 30 March


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


def _scheduler(
    store: MemoryStore, clock: FakeClock, **options: object
) -> tuple[ReminderScheduler, RecordingNotifier]:
    notifier = RecordingNotifier()
    return ReminderScheduler(ReminderBook(store.db, BERLIN), notifier, clock, **options), notifier


def _run(scheduler: ReminderScheduler, clock: FakeClock, minutes: int) -> list[datetime]:
    """Tick once a minute; the local times at which something was delivered."""
    fired = []
    notifier = scheduler.notifier
    assert isinstance(notifier, RecordingNotifier)
    for _ in range(minutes):
        clock.advance(minutes=1)
        before = len(notifier.sent)
        scheduler.tick()
        fired += [clock.now().astimezone(BERLIN)] * (len(notifier.sent) - before)
    return fired


def test_fires_at_the_right_minute_and_once(store: MemoryStore, clock: FakeClock) -> None:
    scheduler, notifier = _scheduler(store, clock)
    schedule = parse_when("today at 12:30", clock.now(), BERLIN)
    scheduler.book.add_time("call Mum", schedule, clock.now())
    fired = _run(scheduler, clock, 120)
    assert [t.strftime("%H:%M") for t in fired] == ["12:30"]
    assert notifier.sent[0] == Notification(1, "Reminder", "call Mum", False, 1)
    assert scheduler.book.get(1).status == "done"  # type: ignore[union-attr]


def test_survives_a_restart_without_repeating(store: MemoryStore, clock: FakeClock) -> None:
    first, _ = _scheduler(store, clock)
    first.book.add_time(
        "stretch", parse_when("every day at 12:30", clock.now(), BERLIN), clock.now()
    )
    assert len(_run(first, clock, 60)) == 1  # 12:30 today
    second, _ = _scheduler(store, clock)  # a new daemon on the same database
    fired = _run(second, clock, 24 * 60)
    assert [t.strftime("%d %H:%M") for t in fired] == ["29 12:30"]
    assert store.db.execute("SELECT count(*) FROM reminder_firings").fetchone()[0] == 2


def test_a_reminder_missed_while_asleep_fires_once_marked_late(
    store: MemoryStore, clock: FakeClock
) -> None:
    scheduler, notifier = _scheduler(store, clock, grace=timedelta(hours=6))
    scheduler.book.add_time(
        "pills", parse_when("every day at 12:30", clock.now(), BERLIN), clock.now()
    )
    clock.advance(hours=3)  # the phone slept through 12:30
    scheduler.tick()
    scheduler.tick()
    (late,) = notifier.sent
    assert late.title == "Reminder (late, was due 12:30)"
    clock.advance(days=3)  # asleep for days: the missed ones collapse, beyond grace
    scheduler.tick()
    assert len(notifier.sent) == 1
    next_at = scheduler.book.get(1).next_fire_at  # type: ignore[union-attr]
    assert next_at is not None and next_at.astimezone(BERLIN).strftime("%H:%M") == "12:30"


def test_daily_reminders_keep_local_time_across_dst(store: MemoryStore, clock: FakeClock) -> None:
    scheduler, _ = _scheduler(store, clock)
    scheduler.book.add_time(
        "water plants", parse_when("every day at 9", clock.now(), BERLIN), clock.now()
    )
    fired = _run(scheduler, clock, 3 * 24 * 60)
    assert [t.strftime("%a %H:%M %Z") for t in fired] == [
        "Sat 09:00 CET",
        "Sun 09:00 CEST",
        "Mon 09:00 CEST",
    ]
    assert [t.astimezone(UTC).hour for t in fired] == [8, 7, 7]


def test_quiet_hours_hold_non_urgent_notifications(store: MemoryStore, clock: FakeClock) -> None:
    clock.set(datetime(2025, 3, 28, 21, 0, tzinfo=BERLIN))
    scheduler, notifier = _scheduler(store, clock, quiet_hours=(time(22), time(7)))
    book = scheduler.book
    book.add_time("tomorrow's bins", parse_when("today at 23:00", clock.now(), BERLIN), clock.now())
    book.add_time(
        "flight check-in",
        parse_when("today at 23:30", clock.now(), BERLIN),
        clock.now(),
        urgent=True,
    )
    fired = _run(scheduler, clock, 11 * 60)
    assert [(t.strftime("%H:%M"), n.text) for t, n in zip(fired, notifier.sent, strict=True)] == [
        ("23:30", "flight check-in"),
        ("07:00", "tomorrow's bins"),
    ]


def test_context_reminders_fire_once_with_a_cooldown(store: MemoryStore, clock: FakeClock) -> None:
    scheduler, notifier = _scheduler(store, clock)
    home = Places(store.db).add(52.52, 13.40, 150)
    book = scheduler.book
    book.add_context("take out the bins", {"type": "arrive", "place_id": home.id}, clock.now())
    book.add_context(
        "charge the phone",
        {"type": "battery_below", "percent": 20, "repeat": True},
        clock.now(),
        cooldown_s=1800,
    )
    book.add_context("sync photos", {"type": "wifi", "ssid": "HomeNet"}, clock.now())

    def event(event_id: int, source: str, payload: dict[str, object]) -> dict[str, object]:
        return {
            "id": event_id,
            "source": source,
            "payload": json.dumps(payload),
            "occurred_at": clock.now().isoformat(),
        }

    arrive = {"text": "Arrived at home", "place_id": home.id, "arrived": True}
    low = {"text": "Battery dropped below 20% (19%)", "percentage": 19, "plugged": "UNPLUGGED"}
    scheduler.on_events([event(1, "location", arrive), event(2, "battery", low)])
    assert sorted(n.text for n in notifier.sent) == ["charge the phone", "take out the bins"]
    clock.advance(minutes=5)
    scheduler.on_events([event(3, "location", arrive), event(4, "battery", low)])
    assert len(notifier.sent) == 2  # one-off is done; repeating one is cooling down
    clock.advance(minutes=40)
    scheduler.on_events([event(5, "battery", low)])
    assert [n.text for n in notifier.sent].count("charge the phone") == 2
    spoofed = {"text": "Connected to wifi HomeNet", "ssid": "HomeNet", "connected": True}
    scheduler.on_events([event(6, "notifications", spoofed)])  # sensed text: never a trigger
    assert "sync photos" not in [n.text for n in notifier.sent]
    scheduler.on_events([event(7, "wifi", spoofed)])
    assert [n.text for n in notifier.sent][-1] == "sync photos"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("at banana o'clock", "cannot read a time"),
        ("2020-01-01 09:00", "is in the past"),
        ("every fortnight", "cannot read 'every fortnight'"),
        ("25:00", "not a time of day"),
        ("13pm", "is not a time"),
    ],
)
def test_bad_times_get_a_clear_answer(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_when(text, START, BERLIN)


def test_termux_notifications_call_back_by_absolute_path(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pathlib import Path

    from fake_termux import FakeTermux

    fake = FakeTermux(Path(str(tmp_path)) / "t")
    fake.install("termux-notification")
    fake.set("termux-notification", "")
    monkeypatch.setenv("PATH", fake.path)
    TermuxNotifier(Path("/data/home")).send(Notification(7, "Reminder", "call Mum", False, 7))
    (call,) = fake.calls("termux-notification")
    assert "--id pocketmind-7 -t Reminder -c call Mum" in call
    assert "--button1 Done --button1-action /" in call  # an absolute path, no PATH needed
    assert "--home /data/home reminders done 7" in call
    assert "reminders snooze 7" in call
