"""The TUI's screens: where each lives, and the daemon-not-ready screens.

Chat is in ``chat.py``, the memory browser in ``memories.py``, reminders in
``reminders.py``, the small modal ones in ``dialogs.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Static

from .chat import ChatScreen
from .dialogs import ConfirmScreen, HelpScreen, ReminderAlert
from .memories import MemoryDetail, MemoryScreen
from .reminders import RemindersScreen

if TYPE_CHECKING:
    from .host import Host


class NotRunningScreen(Screen[None]):
    """Shown when no daemon answers: offer to start one."""

    BINDINGS = [Binding("s", "start", "Start daemon"), Binding("ctrl+q", "app.quit", "Quit")]
    DEFAULT_CSS = """
    NotRunningScreen { align: center middle; }
    NotRunningScreen > Vertical { width: 90%; height: auto; border: round $warning; padding: 1; }
    """

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("The PocketMind daemon is not running.", id="message")
            yield Button("Start it (s)", id="start", variant="primary")
        yield Footer(compact=True, show_command_palette=False)

    @on(Button.Pressed, "#start")
    def action_start(self) -> None:
        app: Host = self.app  # type: ignore[assignment]
        self.query_one("#message", Static).update("Starting the daemon…")
        app.start_daemon()


class LoadingScreen(Screen[None]):
    """The daemon process is up but not answering yet: usually loading the model."""

    DEFAULT_CSS = """
    LoadingScreen { align: center middle; }
    LoadingScreen > Static { width: 90%; border: round $accent; padding: 1; }
    """

    def compose(self) -> ComposeResult:
        yield Static("Starting… loading the model", id="phase")

    def show_phase(self, phase: str) -> None:
        for widget in self.query("#phase").results(Static):  # none before compose
            widget.update(f"Starting… {phase}")


__all__ = [
    "ChatScreen",
    "ConfirmScreen",
    "HelpScreen",
    "LoadingScreen",
    "MemoryDetail",
    "MemoryScreen",
    "NotRunningScreen",
    "ReminderAlert",
    "RemindersScreen",
]
