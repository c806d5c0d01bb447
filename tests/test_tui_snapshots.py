"""What the TUI looks like on a phone (50×25) and a laptop terminal (100×30).

Snapshots are SVG files under tests/__snapshots__/; after a deliberate change to the
layout, look at the new ones and accept them with ``pytest --snapshot-update``.
Everything shown is fixed: memory times in UTC, no timings, no toasts.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from daemon_helpers import DaemonProcess, connect_wifi
from patience import patience
from textual.pilot import Pilot
from textual.widgets import Input

from pocketmind.tui import PocketMindApp
from pocketmind.tui.screens import (
    ChatScreen,
    ConfirmScreen,
    HelpScreen,
    MemoryScreen,
    ReminderAlert,
    RemindersScreen,
)
from pocketmind.tui.widgets import StatusLine

pytestmark = pytest.mark.slow
SIZES = {"phone": (50, 25), "wide": (100, 30)}


@pytest.fixture
def daemon(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[DaemonProcess]:
    monkeypatch.setenv("TZ", "UTC")  # memory times are shown in the local zone
    time.tzset()
    process = DaemonProcess(tmp_path / "home", {"PATH": str(tmp_path)}).start()
    with process.client() as client:
        client.request(
            "POST",
            "/memories",
            json={
                "text": "Dentist moved to Friday 3pm",
                "source": "gmail",
                "kind": "notification",
                "at": "2025-10-03T09:00:00+00:00",
            },
        )
        client.request("POST", "/reminders", json={"text": "sync photos", "wifi": "Home"})
    yield process
    process.stop()
    monkeypatch.delenv("TZ")
    time.tzset()


async def _until(pilot: Pilot[Any], condition: Callable[[], object]) -> None:
    deadline = time.monotonic() + patience(15)
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the TUI")
        await pilot.pause(0.05)
        await asyncio.sleep(0)


async def _settled(pilot: Pilot[Any], screen: type) -> None:
    app = pilot.app
    await _until(pilot, lambda: isinstance(app.screen, screen))
    await _until(
        pilot, lambda: all(s.query(StatusLine) for s in [app.screen] if s.query("#status"))
    )
    app.clear_notifications()
    for stacked in app.screen_stack:  # a blinking cursor would make the picture random
        for field in stacked.query(Input):
            field.cursor_blink = False
    await pilot.pause(0.3)


async def chat(pilot: Pilot[Any]) -> None:
    await _until(pilot, lambda: isinstance(pilot.app.screen, ChatScreen))
    line = pilot.app.screen.query_one(StatusLine)
    await _until(pilot, lambda: str(line.render()).startswith("running"))
    await _settled(pilot, ChatScreen)


async def keys(pilot: Pilot[Any]) -> None:
    await chat(pilot)
    await pilot.press("f1")
    await _settled(pilot, HelpScreen)


async def memories(pilot: Pilot[Any]) -> None:
    await chat(pilot)
    await pilot.press("ctrl+f")
    await _until(pilot, lambda: getattr(pilot.app.screen, "results", None))
    await _settled(pilot, MemoryScreen)


async def forget(pilot: Pilot[Any]) -> None:
    await memories(pilot)
    await pilot.press("down", "enter", "f")
    await _settled(pilot, ConfirmScreen)


async def reminders(pilot: Pilot[Any]) -> None:
    await chat(pilot)
    await pilot.press("ctrl+r")
    await _until(pilot, lambda: getattr(pilot.app.screen, "reminders", None))
    await _settled(pilot, RemindersScreen)


SCENES = {"chat": chat, "keys": keys, "memories": memories, "forget": forget}
SCENES["reminders"] = reminders


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("scene", SCENES)
def test_screens(daemon: DaemonProcess, snap_compare: Any, scene: str, size: str) -> None:
    app = PocketMindApp(daemon.settings, poll_s=0.3)
    assert snap_compare(app, terminal_size=SIZES[size], run_before=SCENES[scene])


@pytest.mark.parametrize("size", SIZES)
def test_a_due_reminder(daemon: DaemonProcess, snap_compare: Any, size: str) -> None:
    with daemon.client() as client:
        connect_wifi(client, "Home")
        deadline = time.monotonic() + patience(15)
        while not client.status()["reminders_due"] and time.monotonic() < deadline:
            time.sleep(0.05)

    async def alert(pilot: Pilot[Any]) -> None:
        await _until(pilot, lambda: isinstance(pilot.app.screen, ReminderAlert))
        await _settled(pilot, ReminderAlert)

    app = PocketMindApp(daemon.settings, poll_s=0.3)
    assert snap_compare(app, terminal_size=SIZES[size], run_before=alert)
