"""``pocketmind chat``: the Textual chat client of the daemon.

The app never touches the database or the model itself: everything goes through the
daemon's socket, so chatting works while the daemon senses and schedules. It polls the
daemon's state every two seconds and switches between "not running", "loading" and
chat as that changes. Readable on a phone-sized terminal (about 50×25): the footer
holds what fits, F1 lists every key.

A reminder that fired and that no notifier showed is "due": the TUI shows each one it
has not shown yet (Done, Snooze, Later) as soon as it reaches the daemon, and new
firings while it is open. Forgetting and cancelling ask first and can be undone with
Ctrl+Z for ``UNDO_S`` seconds. Quitting leaves the daemon running, and says so.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen

from ..daemon.client import DaemonClient, DaemonError
from ..daemon.paths import RunFiles
from ..settings import Settings
from .actions import ActionOffers, ActionsScreen
from .plans import PlansScreen
from .screens import (
    ChatScreen,
    HelpScreen,
    LoadingScreen,
    MemoryScreen,
    NotRunningScreen,
    ReminderAlert,
    RemindersScreen,
)
from .widgets import StatusLine

UNDO_S = 15.0
TINY_MODELS = ("smollm2-135m",)  # the packaged model: fine for tests, rough for answers
TINY_NOTICE = (
    "You are chatting with the tiny packaged model ({model}): its answers are rough. "
    "For better ones: pocketmind models pull qwen3-0.6b"
)


def is_tiny(status: dict[str, Any]) -> bool:
    if "model_hint" in status:  # the daemon says so: a hint while the model is the tiny one
        return bool(status["model_hint"])
    return any(name in str(status.get("model", "")).lower() for name in TINY_MODELS)


class PocketMindApp(App[None]):
    TITLE = "PocketMind"
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit"),
        Binding("f1", "help", "Keys"),
        Binding("ctrl+z", "undo", "Undo the last forget or cancel", show=False),
        # not in the footer (it fits 50 columns); F1 lists them
        Binding("ctrl+y", "push_screen('actions')", "Actions", show=False),
        Binding("ctrl+l", "push_screen('plans')", "Plans", show=False),
    ]
    SCREENS = {
        "memories": MemoryScreen,
        "reminders": RemindersScreen,
        "actions": ActionsScreen,
        "plans": PlansScreen,
    }

    def __init__(self, settings: Settings, poll_s: float = 2.0) -> None:
        super().__init__()
        self.settings = settings
        self.files = RunFiles(settings)
        self.poll_s = poll_s
        self.state = "unknown"
        self.last_status: dict[str, Any] | None = None
        self.fired_after: str | None = None  # the TUI is a notifier too: new firings show
        self.shown: set[tuple[int, str]] = set()  # (reminder, due time) already shown
        self.undo: tuple[float, str, Callable[[], None]] | None = None
        self.noticed_tiny = False
        self.exit_message = ""
        self.actions = ActionOffers()  # a pending action opens a yes/no dialog

    def client(self) -> DaemonClient:
        return DaemonClient(self.settings)

    def on_mount(self) -> None:
        self.refresh_state()
        self.set_interval(self.poll_s, self.refresh_state)

    @work(thread=True, exclusive=True, group="poll")
    def refresh_state(self) -> None:
        status, state, phase = None, "not running", ""
        fired: list[dict[str, Any]] = []
        offers: list[dict[str, Any]] = []
        client = DaemonClient.connect(self.settings)
        if client is not None:
            try:
                with client:
                    status, state = client.status(), "running"
                    fired = self._new_firings(client)
                    # the plans checklist asks for its own steps; anything still
                    # pending is offered once the user leaves it
                    if not isinstance(self._top(), PlansScreen):
                        offers = self.actions.new(client)
            except DaemonError:
                state = "not answering"
        elif self.files.read_pid() is not None:
            state = "starting"
            phase = (self.files.read_phase() or {}).get("phase", "")
        self.call_from_thread(self.apply_state, state, status, phase)
        for firing in fired:
            self.call_from_thread(self.alert, firing)
        for action in offers:
            self.call_from_thread(self._offer, action)

    def _new_firings(self, client: DaemonClient) -> list[dict[str, Any]]:
        """On the first poll, every firing still due (no notifier showed it); after that,
        what fired since the last poll, shown or not."""
        if self.fired_after is None:
            from datetime import UTC, datetime

            self.fired_after = datetime.now(UTC).isoformat(timespec="microseconds")
            found: list[dict[str, Any]] = client.request("GET", "/reminders/due")
            return list(reversed(found))  # oldest first
        found = client.request("GET", "/reminders/fired", params={"after": self.fired_after})
        if found:
            self.fired_after = found[-1]["fired_at"]
        return found

    def _top(self) -> Screen[Any] | None:
        """The screen on top, or None while the app is quitting and its screens are gone
        (a poll that was under way when the user quit still reports back)."""
        stack = self.screen_stack
        return stack[-1] if stack else None

    def _offer(self, action: dict[str, Any]) -> None:
        if self._top() is not None:
            self.actions.offer(self, self.client, action)

    def alert(self, firing: dict[str, Any]) -> None:
        key = (firing["id"], firing["due_at"])
        if self._top() is not None and key not in self.shown:
            self.shown.add(key)
            self.push_screen(ReminderAlert(firing))

    def apply_state(self, state: str, status: dict[str, Any] | None, phase: str) -> None:
        if self._top() is None:
            return  # quitting
        self.last_status = status
        changed, self.state = state != self.state, state
        if changed:
            if state == "running":
                self._show(ChatScreen())
            elif state == "starting":
                self._show(LoadingScreen())
            elif state == "not running":
                self._show(NotRunningScreen())
        if isinstance(self.screen, LoadingScreen):
            self.screen.show_phase(phase or "loading the model")
        for screen in self.screen_stack:
            for line in screen.query(StatusLine):
                line.show(status, state)
        if status is not None and not self.noticed_tiny and is_tiny(status):
            chat = next((s for s in self.screen_stack if isinstance(s, ChatScreen)), None)
            if chat is not None and chat.is_mounted:
                self.noticed_tiny = True  # once per session, at the top of the chat
                model = str(status.get("model", "")).removesuffix(".gguf")
                chat.show_notice(status.get("model_hint") or TINY_NOTICE.format(model=model))

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def offer_undo(self, what: str, undo: Callable[[], None]) -> None:
        """Keep ``undo`` for ``UNDO_S`` seconds; Ctrl+Z runs it (in a thread)."""
        self.undo = (time.monotonic() + UNDO_S, what, undo)
        self.notify(f"{what} · Ctrl+Z to undo", timeout=UNDO_S)

    def action_undo(self) -> None:
        offer, self.undo = self.undo, None
        if offer is None or time.monotonic() > offer[0]:
            self.notify("nothing to undo", severity="warning")
            return
        self.run_worker(offer[2], thread=True, group="undo")

    def refresh_panes(self) -> None:
        """Reload the memory and reminder panes that are open (after an undo)."""
        for screen in self.screen_stack:
            if isinstance(screen, MemoryScreen | RemindersScreen):
                screen.reload()

    async def action_quit(self) -> None:
        if self.state in ("running", "starting"):
            self.exit_message = (
                "PocketMind's daemon keeps running (reminders, sensing). "
                "Stop it with: pocketmind stop"
            )
        self.exit(message=self.exit_message or None)

    def _show(self, screen: Any) -> None:
        if len(self.screen_stack) > 1:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    @work(thread=True, exclusive=True, group="start")
    def start_daemon(self) -> None:
        """``pocketmind start``: it returns once the API answers (or fails, with a log)."""
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "pocketmind.cli",
                "start",
                "--home",
                str(self.settings.home),
            ],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            start_new_session=True,
            check=False,
        )
        if done.returncode != 0:
            message = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["failed"]
            self.call_from_thread(
                self.notify, f"could not start: {message[0]}", severity="error", timeout=10
            )
        self.call_from_thread(self.refresh_state)
