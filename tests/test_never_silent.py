"""A fired reminder is never silent, and doctor says when nothing can reach the user."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from fake_termux import FakeTermux

from pocketmind.cli import main
from pocketmind.doctor import diagnose
from pocketmind.memory import MemoryStore
from pocketmind.settings import Settings, load_settings
from pocketmind.skills import FakeClock, ReminderBook, ReminderScheduler, parse_when
from pocketmind.skills.notify import (
    DesktopNotifier,
    NoNotifier,
    TermuxNotifier,
    default_notifier,
)

BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2025, 6, 2, 10, 0, tzinfo=BERLIN)


@pytest.fixture
def bare_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A PATH with no notifier and no sensor command, and no battery in sysfs."""
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setattr("pocketmind.sensing.phone.POWER", tmp_path / "no-power-supply")
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS"):
        monkeypatch.delenv(name, raising=False)
    return empty


def _fire_one(store: MemoryStore, notifier: object) -> tuple[ReminderBook, ReminderScheduler]:
    clock = FakeClock(START)
    book = ReminderBook(store.db, BERLIN)
    book.add_time("call Mum", parse_when("today at 10:05", clock.now(), BERLIN), clock.now())
    scheduler = ReminderScheduler(book, notifier, clock)  # type: ignore[arg-type]
    clock.advance(minutes=6)
    assert scheduler.tick() == 1
    return book, scheduler


def test_with_no_notifier_a_fired_reminder_stays_due_and_is_logged_once(
    store: MemoryStore, bare_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    notifier = default_notifier(store.settings.home)
    assert isinstance(notifier, NoNotifier)
    with caplog.at_level(logging.WARNING, logger="pocketmind.skills.reminders.firing"):
        book, scheduler = _fire_one(store, notifier)
        for _ in range(3):
            scheduler.tick()  # retried each tick, logged once
    (due,) = book.fired(due_only=True)
    assert due["text"] == "call Mum" and due["due"] is True
    assert book.due_count() == 1
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1
    assert "reminder #1 is due but no notification went out" in lines[0]
    assert "call Mum" not in lines[0]  # the log never holds the reminder's text
    assert book.done(1, START) is True  # the user answered: no longer due
    assert book.fired(due_only=True) == [] and book.fired()[0]["due"] is False


def test_a_failing_desktop_notifier_leaves_it_due(
    store: MemoryStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = tmp_path / "desk"
    bin_dir.mkdir()
    (bin_dir / "notify-send").write_text("#!/bin/sh\necho 'cannot open display' >&2\nexit 1\n")
    (bin_dir / "notify-send").chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    notifier = default_notifier(store.settings.home)
    assert isinstance(notifier, DesktopNotifier)
    book, _ = _fire_one(store, notifier)
    assert book.due_count() == 1


def test_snooze_answers_a_due_firing(store: MemoryStore, bare_path: Path) -> None:
    book, _ = _fire_one(store, default_notifier(store.settings.home))
    book.snooze(1, START, 10)
    assert book.due_count() == 0
    assert book.get(1) is not None and book.get(1).status == "active"  # type: ignore[union-attr]


def test_reminders_list_fired_shows_due_ones(store: MemoryStore, bare_path: Path) -> None:
    _fire_one(store, default_notifier(store.settings.home))
    result = CliRunner().invoke(main, ["reminders", "list", "--fired"])
    assert result.exit_code == 0, result.output
    first, hint = result.output.splitlines()
    assert first.startswith("#1") and " due " in first and first.endswith("call Mum")
    assert "no notification reached you" in hint
    as_json = json.loads(
        CliRunner().invoke(main, ["reminders", "list", "--fired", "--json"]).output
    )
    assert as_json[0]["due"] is True
    done = CliRunner().invoke(main, ["reminders", "done", "1"])  # a one-off already fired
    assert done.exit_code == 0, done.output
    again = CliRunner().invoke(main, ["reminders", "list", "--fired"]).output
    assert " shown " in again and "no notification reached you" not in again


def test_doctor_warns_when_nothing_can_reach_the_user(settings: Settings, bare_path: Path) -> None:
    findings = {f.check: f for f in diagnose(settings)}
    notifications = findings["notifications"]
    assert notifications.status == "warn"
    assert "neither termux-notification nor notify-send" in notifications.detail
    assert "reminders list --fired" in notifications.detail
    sensors = findings["sensors"]
    assert sensors.status == "warn" and "every enabled sensor is unavailable" in sensors.detail
    assert "battery needs termux-battery-status" in sensors.detail


def test_doctor_is_content_on_a_phone_with_termux_api(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pocketmind_home: Path
) -> None:
    fake = FakeTermux(tmp_path / "termux").install("termux-battery-status")
    (fake.bin / "termux-notification").write_text("#!/bin/sh\nexit 0\n")
    (fake.bin / "termux-notification").chmod(0o755)
    monkeypatch.setenv("PATH", fake.path)
    assert isinstance(default_notifier(pocketmind_home), TermuxNotifier)
    findings = {f.check: f for f in diagnose(load_settings())}
    assert findings["notifications"].status == "ok"
    assert findings["sensors"].status == "info"  # some unavailable, not all
    assert "location needs termux-location" in findings["sensors"].detail


def test_sensors_have_a_header_and_say_what_is_missing(bare_path: Path) -> None:
    result = CliRunner().invoke(main, ["sensors"])
    assert result.exit_code == 0, result.output
    header, *rows = result.output.splitlines()
    assert header.split() == ["SENSOR", "ON", "HERE", "STATE", "DETAIL"]
    battery = next(row for row in rows if row.startswith("battery"))
    assert battery.split()[1:4] == ["on", "no", "unavailable"]
    assert "needs termux-battery-status" in battery
    sms = next(row for row in rows if row.startswith("sms"))
    assert sms.split()[1:4] == ["off", "no", "disabled"]
    assert rows[-1].startswith("Termux:API: `pkg install termux-api`")
    as_json = json.loads(CliRunner().invoke(main, ["sensors", "--json"]).output)
    assert {row["name"]: row["needs"] for row in as_json}["wifi"].endswith("or nmcli")
