"""The TUI's small modal screens: confirm, help, and a reminder that fired.

Each answers with keys as well as buttons, so it works on a phone keyboard without a
mouse, and fits 50 columns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Static

from ..daemon.client import DaemonError

if TYPE_CHECKING:
    from .host import Host

DIALOG_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{ width: 90%; max-width: 70; height: auto; max-height: 90%;
    border: round $accent; padding: 0 1; }}
{name} Horizontal {{ height: auto; }}
{name} Button {{ margin: 0 1 0 0; min-width: 8; }}
"""


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question before something that cannot be taken back silently."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]
    DEFAULT_CSS = DIALOG_CSS.format(name="ConfirmScreen")

    def __init__(self, question: str, yes: str) -> None:
        super().__init__()
        self.question = question
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.question, id="question", markup=False)
            with Horizontal():
                yield Button(f"{self.yes} (y)", id="yes", variant="error")
                yield Button("Keep (n)", id="no")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


def key_label(key: str) -> str:
    """'ctrl+f' -> 'Ctrl+F', 'f1' -> 'F1', 'escape' -> 'Esc'."""
    names = {"escape": "Esc", "enter": "Enter", "down": "Down", "up": "Up"}
    parts = [names.get(p, p.upper() if len(p) <= 2 else p.capitalize()) for p in key.split("+")]
    return "+".join(parts)


class HelpScreen(ModalScreen[None]):
    """Every key of the screen below, the ones the footer has no room for included."""

    BINDINGS = [Binding("escape,f1,q", "dismiss", "Close")]
    DEFAULT_CSS = DIALOG_CSS.format(name="HelpScreen")

    def __init__(self, below: Screen[Any]) -> None:
        super().__init__()
        self.lines = help_lines(below)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Keys", classes="title")
            with VerticalScroll():
                yield Static("\n".join(self.lines), id="keys", markup=False)
            yield Static("Esc closes this", classes="hint")


def help_lines(screen: Screen[Any]) -> list[str]:
    """The screen's and the app's keys (not the text box's own editing keys)."""
    seen: dict[str, str] = {}
    for key, active in screen.active_bindings.items():
        binding = active.binding
        ours = isinstance(active.node, Screen | App)
        if ours and binding.description and not binding.system and binding.action not in seen:
            seen[binding.action] = (
                f"{key_label(binding.key_display or key):8s} {binding.description}"
            )
    return list(seen.values())


class ReminderAlert(ModalScreen[None]):
    """A reminder that fired: Done, Snooze, or Later (it stays due and comes back)."""

    BINDINGS = [
        Binding("d", "done", "Done"),
        Binding("z", "snooze", "Snooze 10 min"),
        Binding("escape", "later", "Later"),
    ]
    DEFAULT_CSS = DIALOG_CSS.format(name="ReminderAlert")

    def __init__(self, firing: dict[str, Any]) -> None:
        super().__init__()
        self.firing = firing

    @property
    def pm(self) -> Host:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        late = self.firing.get("late_s") or 0
        title = "Reminder (late)" if late >= 120 else "Reminder"
        with Vertical():
            yield Static(title, classes="title")
            yield Static(self.firing["text"], id="text", markup=False)
            with Horizontal():
                yield Button("Done (d)", id="done", variant="primary")
                yield Button("Snooze (z)", id="snooze")
                yield Button("Later (esc)", id="later")

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        {"done": self.action_done, "snooze": self.action_snooze}.get(
            event.button.id or "", self.action_later
        )()

    def action_done(self) -> None:
        self.answer("done", {})

    def action_snooze(self) -> None:
        self.answer("snooze", {"minutes": 10})

    def action_later(self) -> None:
        self.notify("it stays due: Ctrl+R lists it", timeout=5)
        self.dismiss(None)

    @work(thread=True, group="alert")
    def answer(self, verb: str, body: dict[str, Any]) -> None:
        reminder_id = self.firing["id"]
        try:
            with self.pm.client() as client:
                client.request("POST", f"/reminders/{reminder_id}/{verb}", json=body)
        except DaemonError as exc:
            self.app.call_from_thread(
                self.notify, f"could not answer the reminder: {exc.in_words()}", severity="error"
            )
            return
        said = "done" if verb == "done" else "snoozed for 10 minutes"
        self.app.call_from_thread(self.notify, f"{self.firing['text']}: {said}")
        self.app.call_from_thread(self.dismiss, None)
