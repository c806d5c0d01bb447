"""``pocketmind chat``: the Textual chat client of the daemon.

The app never touches the database or the model itself: everything goes through the
daemon's socket, so chatting works while the daemon senses and schedules. It polls the
daemon's state every two seconds and switches between "not running", "loading" and
chat as that changes. Readable on a phone-sized terminal (about 50×25).
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from textual import work
from textual.app import App
from textual.binding import Binding

from ..daemon.client import DaemonClient, DaemonError
from ..daemon.paths import RunFiles
from ..settings import Settings
from .plans import PlansScreen
from .screens import ChatScreen, LoadingScreen, MemoryScreen, NotRunningScreen, RemindersScreen
from .widgets import StatusLine


class PocketMindApp(App[None]):
    TITLE = "PocketMind"
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit"),
        Binding("ctrl+l", "push_screen('plans')", "Plans"),
    ]
    SCREENS = {"memories": MemoryScreen, "reminders": RemindersScreen, "plans": PlansScreen}

    def __init__(self, settings: Settings, poll_s: float = 2.0) -> None:
        super().__init__()
        self.settings = settings
        self.files = RunFiles(settings)
        self.poll_s = poll_s
        self.state = "unknown"
        self.last_status: dict[str, Any] | None = None
        self.fired_after: str | None = None  # the TUI is a notifier too: new firings toast

    def client(self) -> DaemonClient:
        return DaemonClient(self.settings)

    def on_mount(self) -> None:
        self.refresh_state()
        self.set_interval(self.poll_s, self.refresh_state)

    @work(thread=True, exclusive=True, group="poll")
    def refresh_state(self) -> None:
        status, state, phase = None, "not running", ""
        fired: list[dict[str, Any]] = []
        client = DaemonClient.connect(self.settings)
        if client is not None:
            try:
                with client:
                    status, state = client.status(), "running"
                    fired = self._new_firings(client)
            except DaemonError:
                state = "not answering"
        elif self.files.read_pid() is not None:
            state = "starting"
            phase = (self.files.read_phase() or {}).get("phase", "")
        self.call_from_thread(self.apply_state, state, status, phase)
        for firing in fired:
            self.call_from_thread(self.notify, firing["text"], title="Reminder", timeout=30)

    def _new_firings(self, client: DaemonClient) -> list[dict[str, Any]]:
        if self.fired_after is None:  # only what fires while the TUI is open
            from datetime import UTC, datetime

            self.fired_after = datetime.now(UTC).isoformat(timespec="microseconds")
            return []
        found: list[dict[str, Any]] = client.request(
            "GET", "/reminders/fired", params={"after": self.fired_after}
        )
        if found:
            self.fired_after = found[-1]["fired_at"]
        return found

    def apply_state(self, state: str, status: dict[str, Any] | None, phase: str) -> None:
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
        for line in self.screen.query(StatusLine):
            line.show(status, state)

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
