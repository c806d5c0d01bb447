"""The chat TUI, driven by Textual's Pilot against a daemon the test starts."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from daemon_helpers import DaemonProcess, connect_wifi
from patience import patience
from textual.widgets import Button, Input, ListItem, ListView, Static
from textual.widgets._footer import FooterKey

from pocketmind.daemon.client import DaemonClient
from pocketmind.daemon.paths import RunFiles
from pocketmind.tui import PocketMindApp
from pocketmind.tui.screens import (
    ChatScreen,
    ConfirmScreen,
    HelpScreen,
    MemoryDetail,
    MemoryScreen,
    NotRunningScreen,
    ReminderAlert,
    RemindersScreen,
)
from pocketmind.tui.widgets import StatusLine, Turn

pytestmark = pytest.mark.slow
PHONE = (50, 25)


@pytest.fixture
def daemon(tmp_path: Path) -> Iterator[DaemonProcess]:
    process = DaemonProcess(tmp_path / "home").start()
    with process.client() as client:
        client.request(
            "POST",
            "/memories",
            json={"text": "Dentist moved to Friday 3pm", "source": "gmail", "kind": "notification"},
        )
    yield process
    process.stop()


async def _wait(pilot: object, condition: object, timeout: float = 15) -> None:
    import asyncio
    import time

    deadline = time.monotonic() + patience(timeout)
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the TUI")
        await pilot.pause(0.05)  # type: ignore[attr-defined]
        await asyncio.sleep(0)


async def test_chat_streams_an_answer_with_its_memories(daemon: DaemonProcess) -> None:
    app = PocketMindApp(daemon.settings, poll_s=0.5)
    async with app.run_test(size=PHONE) as pilot:
        await _wait(pilot, lambda: isinstance(app.screen, ChatScreen))
        await pilot.press(*"when is the dentist", "enter")
        await _wait(
            pilot,
            lambda: app.screen.query(Turn) and app.screen.query(".memory") and not app.screen.busy,
        )  # type: ignore[attr-defined]
        turn = app.screen.query_one(Turn)
        assert turn.text == "I don't know."
        assert str(turn.sources_title.render()) == "1 memory used:"
        line = str(turn.sources.query_one(".memory", Static).render())
        assert "gmail · Dentist moved to Friday 3pm" in line
        status = str(app.screen.query_one(StatusLine).render())
        assert status == "running · 1 memory · fake-model"  # no "q0": a queue shows in words


async def test_memory_browser_searches_opens_and_forgets(daemon: DaemonProcess) -> None:
    with daemon.client() as client:
        client.request("POST", "/memories", json={"text": "Maya lives in Lisbon"})
    app = PocketMindApp(daemon.settings, poll_s=0.5)
    async with app.run_test(size=PHONE) as pilot:
        await _wait(pilot, lambda: isinstance(app.screen, ChatScreen))
        await pilot.press("ctrl+f")
        screen = app.screen
        assert isinstance(screen, MemoryScreen)
        await _wait(pilot, lambda: len(screen.results) == 2)  # the latest, before any search
        assert str(screen.query_one("#heading", Static).render()) == "Latest memories:"
        await pilot.press(*"dentist", "enter")
        heading = screen.query_one("#heading", Static)
        await _wait(pilot, lambda: str(heading.render()) == "Matching 'dentist':")
        assert screen.results[0]["text"] == "Dentist moved to Friday 3pm"
        await pilot.press("down", "enter")  # Down moves from the search into the list
        await _wait(pilot, lambda: isinstance(app.screen, MemoryDetail))
        await pilot.press("f")
        await _wait(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")  # kept: nothing happens without a yes
        await _wait(pilot, lambda: isinstance(app.screen, MemoryDetail))
        with daemon.client() as client:
            assert len(client.request("GET", "/memories/recent")) == 2
        await pilot.press("f", "y")
        await _wait(pilot, lambda: isinstance(app.screen, MemoryScreen))
        await _wait(pilot, lambda: any("Ctrl+Z to undo" in n.message for n in app._notifications))
        with daemon.client() as client:
            assert [m["text"] for m in client.request("GET", "/memories/recent")] == [
                "Maya lives in Lisbon"
            ]
        await pilot.press("ctrl+z")  # undo: the same text remembered again
        await _wait(pilot, lambda: any("remembered again" in n.message for n in app._notifications))
    with daemon.client() as client:
        back = client.request("GET", "/memories/recent")
        assert {(m["text"], m["source"]) for m in back} == {
            ("Dentist moved to Friday 3pm", "gmail"),
            ("Maya lives in Lisbon", "user"),
        }


async def test_not_running_screen_offers_to_start_the_daemon(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    process = DaemonProcess(tmp_path / "home")  # not started: the TUI starts it
    for key, value in process.env.items():
        if key.startswith("POCKETMIND_"):
            monkeypatch.setenv(key, value)
    app = PocketMindApp(process.settings, poll_s=0.3)
    async with app.run_test(size=PHONE) as pilot:
        await _wait(
            pilot, lambda: isinstance(app.screen, NotRunningScreen) and app.screen.query("#message")
        )
        assert "not running" in str(app.screen.query_one("#message", Static).render())
        await pilot.press("s")
        await _wait(pilot, lambda: isinstance(app.screen, ChatScreen), timeout=60)
        await pilot.press("ctrl+q")
    pid = RunFiles(process.settings).read_pid()  # the daemon outlives the TUI
    assert pid is not None
    os.kill(pid, signal.SIGTERM)


async def test_with_the_real_small_model(tmp_path: Path) -> None:
    process = DaemonProcess(
        tmp_path / "home",
        {"POCKETMIND_ENGINE__BACKEND": "llama", "POCKETMIND_ENGINE__ANSWER_TOKENS": "32"},
    )
    process.start()
    try:
        app = PocketMindApp(process.settings, poll_s=0.5)
        async with app.run_test(size=PHONE) as pilot:
            await _wait(pilot, lambda: isinstance(app.screen, ChatScreen))
            await pilot.press(*"Name a colour.", "enter")
            await _wait(pilot, lambda: app.screen.query(Turn) and not app.screen.busy, timeout=60)  # type: ignore[attr-defined]
            turn = app.screen.query_one(Turn)
            assert turn.text.strip() and turn.text != "…"
            assert "SmolLM2" in str(app.screen.query_one(StatusLine).render())
            (notice,) = app.screen.query(".notice").results(Static)
            assert "pocketmind models pull qwen3-0.6b" in str(notice.render())
            assert app.screen.query_one(Input).value == ""
    finally:
        process.stop()


async def test_reminders_pane_adds_lists_and_cancels(daemon: DaemonProcess) -> None:
    app = PocketMindApp(daemon.settings, poll_s=0.5)
    async with app.run_test(size=PHONE) as pilot:
        await _wait(pilot, lambda: isinstance(app.screen, ChatScreen))
        await pilot.press("ctrl+r")
        screen = app.screen
        assert isinstance(screen, RemindersScreen)
        await pilot.press(*"call Mum @ tomorrow 18:00", "enter")
        await _wait(pilot, lambda: screen.reminders)
        line = str(screen.query_one(ListView).query(Static).first().render())
        assert line.startswith("#1 ") and line.endswith("18:00 · call Mum")
        assert screen.query_one(Input).value == ""  # taken: the input is cleared
        await pilot.press(*"nonsense @ banana o'clock", "enter")
        await _wait(pilot, lambda: any(n.title == "Could not set it" for n in app._notifications))
        (failed,) = [n for n in app._notifications if n.title == "Could not set it"]
        assert failed.message.startswith("No reminder set: at: cannot read a time")
        assert "422" not in failed.message  # in words, no HTTP code
        assert screen.query_one(Input).value == "nonsense @ banana o'clock"  # kept to fix
        await pilot.press("down", "c")
        await _wait(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await _wait(pilot, lambda: not screen.reminders)
        with daemon.client() as client:
            assert client.request("GET", "/reminders") == []
        await pilot.press("ctrl+z")  # undo the cancel
        await _wait(pilot, lambda: len(screen.reminders) == 1)
    with daemon.client() as client:
        assert [r["text"] for r in client.request("GET", "/reminders")] == ["call Mum"]


async def test_a_reminder_that_fires_shows_in_the_tui(daemon: DaemonProcess) -> None:
    app = PocketMindApp(daemon.settings, poll_s=0.3)
    async with app.run_test(size=PHONE) as pilot:
        await _wait(pilot, lambda: isinstance(app.screen, ChatScreen))
        await pilot.pause(0.5)
        with DaemonClient(daemon.settings) as client:
            client.request("POST", "/reminders", json={"text": "sync photos", "wifi": "Home"})
            connect_wifi(client, "Home")
        await _wait(
            pilot, lambda: isinstance(app.screen, ReminderAlert) and app.screen.query("#text")
        )
        assert str(app.screen.query_one("#text", Static).render()) == "sync photos"
        labels = [str(b.label) for b in app.screen.query(Button)]
        assert labels == ["Done (d)", "Snooze (z)", "Later (esc)"]
        await pilot.press("z")  # snoozed: active again, ten minutes from now
        await _wait(pilot, lambda: isinstance(app.screen, ChatScreen))
    with DaemonClient(daemon.settings) as client:
        (snoozed,) = client.request("GET", "/reminders")
        assert snoozed["text"] == "sync photos" and snoozed["next_fire_at"]
        assert client.request("GET", "/reminders/due") == []


async def test_rating_an_answer_and_correcting_it(daemon: DaemonProcess) -> None:
    app = PocketMindApp(daemon.settings, poll_s=0.5)
    async with app.run_test(size=PHONE) as pilot:
        await _wait(pilot, lambda: isinstance(app.screen, ChatScreen))
        await pilot.press(*"when is the dentist", "enter")
        await _wait(
            pilot,
            lambda: (
                app.screen.last_exchange is not None  # type: ignore[attr-defined]
                and not app.screen.busy
            ),
        )  # type: ignore[attr-defined]
        await pilot.press("ctrl+b")
        await pilot.press(*"Friday at 3pm", "enter")
        from pocketmind.db import connect

        db = connect(daemon.settings.db_path)

        def rated() -> object:
            return db.execute("SELECT rating, correction FROM feedback").fetchone()

        await _wait(pilot, rated)
        assert tuple(rated()) == ("bad", "Friday at 3pm")  # type: ignore[arg-type]
        db.close()


async def test_keys_work_with_the_input_focused_and_f1_lists_them_all(
    daemon: DaemonProcess,
) -> None:
    app = PocketMindApp(daemon.settings, poll_s=0.5)
    async with app.run_test(size=PHONE) as pilot:
        await _wait(pilot, lambda: isinstance(app.screen, ChatScreen))
        chat = app.screen
        assert isinstance(chat, ChatScreen)
        await pilot.press(*"when is the dentist", "enter")
        await _wait(pilot, lambda: chat.last_exchange is not None and not chat.busy)
        first = chat.last_exchange
        assert isinstance(app.focused, Input)
        await pilot.press("ctrl+t")  # try again, while the input has the focus
        await _wait(pilot, lambda: chat.last_exchange != first and not chat.busy)
        assert len(chat.query(Turn)) == 2
        await pilot.press("f1")
        await _wait(pilot, lambda: isinstance(app.screen, HelpScreen))
        keys = str(app.screen.query_one("#keys", Static).render())
        for line in (
            "Ctrl+F   Memories",
            "Ctrl+R   Reminders",
            "Ctrl+N   New chat",
            "Ctrl+G   Good answer",
            "Ctrl+B   Bad answer",
            "Ctrl+T   Try the last question again",
            "Ctrl+Q   Quit",
            "Ctrl+Z   Undo",
            "F1       Keys",
        ):
            assert line in keys, keys
        await pilot.press("escape")
        await _wait(pilot, lambda: isinstance(app.screen, ChatScreen))


async def test_the_footer_fits_a_phone(daemon: DaemonProcess) -> None:
    app = PocketMindApp(daemon.settings, poll_s=0.5)
    async with app.run_test(size=PHONE) as pilot:
        await _wait(pilot, lambda: isinstance(app.screen, ChatScreen))
        await pilot.pause(0.3)

        def laid_out() -> bool:
            keys = app.screen.query(FooterKey)
            return len(keys) >= 4 and all(key.region.width for key in keys)

        await _wait(pilot, laid_out)
        shown = {key.description: key.region for key in app.screen.query(FooterKey)}
        assert set(shown) == {"Memories", "Reminders", "Quit", "Keys"}
        assert all(region.right <= PHONE[0] for region in shown.values()), shown


async def test_the_reminders_pane_follows_reminders_made_in_chat(daemon: DaemonProcess) -> None:
    app = PocketMindApp(daemon.settings, poll_s=0.3)
    async with app.run_test(size=PHONE) as pilot:
        await _wait(pilot, lambda: isinstance(app.screen, ChatScreen))
        chat = app.screen
        await pilot.press("ctrl+r")
        pane = app.screen
        assert isinstance(pane, RemindersScreen)
        await _wait(pilot, lambda: pane.query(ListItem))
        await pilot.press("escape")
        await _wait(pilot, lambda: app.screen is chat)
        await pilot.press(*"remind me to call Mum tomorrow at 6pm", "enter")
        await _wait(pilot, lambda: not chat.busy and chat.query(Turn))  # type: ignore[attr-defined]
        await pilot.press(*"yes", "enter")
        await _wait(pilot, lambda: len(chat.query(Turn)) == 2 and not chat.busy)  # type: ignore[attr-defined]
        await pilot.press("ctrl+r")  # the same pane, opened a second time
        await _wait(pilot, lambda: [r["text"] for r in pane.reminders] == ["call Mum"])
        with daemon.client() as client:  # and while it is open
            client.request("POST", "/reminders", json={"text": "water plants", "at": "in 2 hours"})
        await _wait(pilot, lambda: len(pane.reminders) == 2)


async def test_a_reminder_that_fired_unseen_is_shown_when_the_tui_opens(
    tmp_path: Path,
) -> None:
    process = DaemonProcess(tmp_path / "home", {"PATH": str(tmp_path)})  # no notifier at all
    process.start()
    try:
        with process.client() as client:
            client.request("POST", "/reminders", json={"text": "take the pills", "wifi": "Home"})
            connect_wifi(client, "Home")
            for _ in range(200):
                if client.status()["reminders_due"] == 1:
                    break
                import time

                time.sleep(patience(0.05))
            assert client.status()["reminders_due"] == 1  # fired, shown to nobody: due
            assert client.status()["notifier_problem"]
        from click.testing import CliRunner

        from pocketmind.cli import main

        home = ["--home", str(process.home)]
        status = CliRunner().invoke(main, [*home, "status"]).stdout
        assert "reminders due: 1 fired and not shown" in status
        assert "notifications: none (neither termux-notification nor notify-send" in status
        fired = CliRunner().invoke(main, [*home, "reminders", "list", "--fired"]).stdout
        assert fired.splitlines()[0].endswith("due    take the pills")
        app = PocketMindApp(process.settings, poll_s=0.3)
        async with app.run_test(size=PHONE) as pilot:
            await _wait(
                pilot, lambda: isinstance(app.screen, ReminderAlert) and app.screen.query("#text")
            )
            assert str(app.screen.query_one("#text", Static).render()) == "take the pills"
            await pilot.press("escape")  # later: it stays due, and the pane lists it
            await pilot.press("ctrl+r")
            pane = app.screen
            assert isinstance(pane, RemindersScreen)
            await _wait(pilot, lambda: len(pane.due) == 1)
            first = str(pane.query_one(ListView).query(Static).first().render())
            assert first == "#1 DUE · take the pills"
            await pilot.press("down", "enter")
            await _wait(pilot, lambda: isinstance(app.screen, ReminderAlert))
            await pilot.press("d")
            await _wait(pilot, lambda: app.screen is pane and not pane.due)
        with process.client() as client:
            assert client.status()["reminders_due"] == 0
    finally:
        process.stop()


async def test_quitting_says_the_daemon_keeps_running(daemon: DaemonProcess) -> None:
    app = PocketMindApp(daemon.settings, poll_s=0.5)
    async with app.run_test(size=PHONE) as pilot:
        await _wait(pilot, lambda: isinstance(app.screen, ChatScreen))
        await pilot.press("ctrl+q")
    assert "keeps running" in app.exit_message
    assert "pocketmind stop" in app.exit_message


def test_the_tiny_model_is_named_from_the_status() -> None:
    from pocketmind.tui.app import is_tiny

    assert is_tiny({"model": "SmolLM2-135M-Instruct-Q8_0.gguf"})
    assert not is_tiny({"model": "Qwen3-0.6B-Q8_0.gguf"})
    assert not is_tiny({"model": "SmolLM2-135M-Instruct-Q8_0.gguf", "model_hint": None})
    assert is_tiny({"model": "x.gguf", "model_hint": "pocketmind models pull qwen3-0.6b"})
