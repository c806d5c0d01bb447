"""The TUI's yes/no dialog for a pending action, against a real daemon whose phone is
fake termux-api executables that record each argv."""

from __future__ import annotations

from pathlib import Path

import pytest
from daemon_helpers import DaemonProcess
from fake_termux import SHAPES, FakeTermux
from test_tui import PHONE, _wait
from textual.widgets import Input, Static

from pocketmind.tui import PocketMindApp
from pocketmind.tui.actions import ActionPrompt, ActionsScreen
from pocketmind.tui.screens import ChatScreen

pytestmark = pytest.mark.slow


async def test_a_proposed_text_opens_a_dialog_and_y_sends_it(tmp_path: Path) -> None:
    phone = FakeTermux(tmp_path / "termux").install("termux-contact-list", "termux-sms-send")
    phone.set("termux-contact-list", (SHAPES / "contact-list.json").read_text())
    phone.set("termux-sms-send", "")
    daemon = DaemonProcess(tmp_path / "home", {"PATH": phone.path}).start()
    try:
        app = PocketMindApp(daemon.settings, poll_s=0.3)
        async with app.run_test(size=PHONE) as pilot:
            await _wait(pilot, lambda: isinstance(app.screen, ChatScreen))
            # every key must reach the question: wait for it to have the focus
            await _wait(
                pilot, lambda: isinstance(app.focused, Input) and app.focused.id == "question"
            )
            await pilot.press(*"text Maya that I am late", "enter")
            await _wait(pilot, lambda: isinstance(app.screen, ActionPrompt))
            proposal = str(app.screen.query_one("#proposal", Static).render())
            assert proposal == "Text Maya Kowalski (+49 151 23456789): 'I am late'"
            assert phone.argv("termux-sms-send") == []  # shown, not sent
            await pilot.press("y")
            await _wait(pilot, lambda: phone.argv("termux-sms-send") != [])
            assert phone.argv("termux-sms-send") == [["-n", "+49 151 23456789", "I am late"]]
            await _wait(pilot, lambda: isinstance(app.screen, ChatScreen))
            await _wait(pilot, lambda: isinstance(app.focused, Input))
            await pilot.press(*"text Jonas see you soon", "enter")
            await _wait(pilot, lambda: isinstance(app.screen, ActionPrompt))
            await pilot.press("n")
            await _wait(pilot, lambda: isinstance(app.screen, ChatScreen))

            await pilot.press("ctrl+y")  # the audit
            await _wait(pilot, lambda: isinstance(app.screen, ActionsScreen))
            await _wait(pilot, lambda: len(app.screen.actions) == 2)  # type: ignore[attr-defined]
            lines = [str(s.render()) for s in app.screen.query("ListItem Static").results(Static)]
            assert (
                "rejected · Text Jonas Weber (015112345678): 'See you soon' → you said no"
                in lines[0]
            )
            assert lines[1].endswith(
                "done · Text Maya Kowalski (+49 151 23456789): 'I am late' → "
                "Sent to Maya Kowalski (+49 151 23456789): 'I am late'"
            )
        with daemon.client() as client:
            statuses = [a["status"] for a in client.request("GET", "/actions")]
        assert statuses == ["rejected", "done"]
        assert len(phone.argv("termux-sms-send")) == 1
    finally:
        daemon.stop()
