"""The plans pane against a real daemon with a fake am: a request becomes a checklist,
the external step waits, y confirms it and the line ticks."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from daemon_helpers import DaemonProcess
from fake_termux import FakeTermux
from patience import patience
from textual.widgets import ListView, Static

from pocketmind.tui import PocketMindApp
from pocketmind.tui.plans import PlansScreen
from pocketmind.tui.screens import ChatScreen

pytestmark = pytest.mark.slow


@pytest.fixture
def daemon(tmp_path: Path) -> Iterator[DaemonProcess]:
    fake = FakeTermux(tmp_path / "termux").install("am")
    fake.set("am", "Starting: Intent { act=android.intent.action.INSERT }\n")
    process = DaemonProcess(tmp_path / "home", {"PATH": fake.path}).start()
    process.fake = fake  # type: ignore[attr-defined]
    yield process
    process.stop()


async def _wait(pilot: object, condition: object, timeout: float = 15) -> None:
    deadline = time.monotonic() + patience(timeout)
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the TUI")
        await pilot.pause(0.05)  # type: ignore[attr-defined]
        await asyncio.sleep(0)


def _lines(app: PocketMindApp) -> list[str]:
    return [str(s.render()) for s in app.screen.query_one(ListView).query(Static)]


async def test_the_checklist_ticks_when_a_step_is_confirmed(daemon: DaemonProcess) -> None:
    app = PocketMindApp(daemon.settings, poll_s=0.5)
    async with app.run_test(size=(50, 25)) as pilot:
        await _wait(pilot, lambda: isinstance(app.screen, ChatScreen))
        await pilot.press("ctrl+l")
        assert isinstance(app.screen, PlansScreen)
        await pilot.press(*"find an hour tomorrow and add it to my calendar", "enter")
        await _wait(pilot, lambda: len(_lines(app)) == 3)
        assert _lines(app)[2].startswith("[?] 3. Add 'Free time' to the calendar: waiting")
        fake: FakeTermux = daemon.fake  # type: ignore[attr-defined]
        assert fake.argv("am") == []
        await pilot.press("y")
        await _wait(pilot, lambda: _lines(app)[2].startswith("[x] 3."))
        assert len(fake.argv("am")) == 1
