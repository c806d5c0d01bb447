"""The reminders pane: what is due, what is coming; add one, cancel one (with undo).

It follows changes: it reloads whenever it is shown and every poll while it is open,
so a reminder made in the chat shows up without reopening anything.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Input, ListItem, ListView, Static

from ..daemon.client import DaemonError
from .dialogs import ConfirmScreen, ReminderAlert
from .widgets import StatusLine

if TYPE_CHECKING:
    from .host import Host


class RemindersScreen(Screen[None]):
    """Due reminders first, then upcoming ones; "call Mum @ tomorrow 18:00" adds one."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("c", "cancel", "Cancel"),
        Binding("down", "into_list", "Into the list", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.reminders: list[dict[str, Any]] = []
        self.due: list[dict[str, Any]] = []

    @property
    def pm(self) -> Host:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        yield Input(placeholder="call Mum @ tomorrow 18:00", id="new")
        yield ListView(id="upcoming")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self.set_interval(self.pm.poll_s, self.poll)

    def on_screen_resume(self) -> None:
        self.reload()

    def poll(self) -> None:
        if self.is_current:
            self.reload()

    def action_into_list(self) -> None:
        if self.reminders or self.due:
            self.query_one(ListView).focus()

    def reload(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="reminders-load")
    def load(self) -> None:
        try:
            with self.pm.client() as client:
                found = client.request("GET", "/reminders")
                due = client.request("GET", "/reminders/due")
        except DaemonError as exc:
            self.app.call_from_thread(self.notify, exc.in_words(), severity="error")
            return
        self.app.call_from_thread(self.show, found, due)

    def show(
        self, reminders: list[dict[str, Any]], due: list[dict[str, Any]] | None = None
    ) -> None:
        due = due or []
        if reminders == self.reminders and due == self.due and self.query_one(ListView).children:
            return  # unchanged: keep the cursor where it is
        self.reminders, self.due = reminders, due
        view = self.query_one(ListView)
        index = view.index
        view.clear()
        for firing in due:
            view.append(ListItem(Static(f"#{firing['id']} DUE · {firing['text']}", markup=False)))
        for reminder in reminders:
            view.append(ListItem(Static(_reminder_line(reminder), markup=False)))
        if not reminders and not due:
            view.append(ListItem(Static("no upcoming reminders")))
        view.index = min(index or 0, max(len(due) + len(reminders) - 1, 0))

    def _selected(self) -> tuple[str, dict[str, Any]] | None:
        index = self.query_one(ListView).index
        if index is None:
            return None
        if index < len(self.due):
            return "due", self.due[index]
        index -= len(self.due)
        return ("upcoming", self.reminders[index]) if index < len(self.reminders) else None

    @on(ListView.Selected, "#upcoming")
    def open(self) -> None:
        selected = self._selected()
        if selected is not None and selected[0] == "due":
            self.app.push_screen(ReminderAlert(selected[1]), lambda _: self.reload())

    @on(Input.Submitted, "#new")
    def add(self, event: Input.Submitted) -> None:
        text, _, when = event.value.partition("@")
        if not text.strip() or not when.strip():
            self.notify("write: what @ when, e.g. call Mum @ tomorrow 18:00", severity="warning")
            return
        self.create(text.strip(), when.strip())

    @work(thread=True, group="reminders")
    def create(self, text: str, when: str) -> None:
        """The typed text stays in the input until the daemon has taken the reminder."""
        body = {"text": text, "at": when}
        if when.lower().startswith("every "):
            body = {"text": text, "every": when[6:]}
        try:
            with self.pm.client() as client:
                made = client.request("POST", "/reminders", json=body)
        except DaemonError as exc:
            self.app.call_from_thread(
                self.notify,
                f"No reminder set: {exc.in_words()}",
                title="Could not set it",
                severity="error",
                timeout=10,
            )
            return
        self.app.call_from_thread(self.created, made)

    def created(self, reminder: dict[str, Any]) -> None:
        self.query_one("#new", Input).value = ""
        self.notify(f"set: {_reminder_line(reminder)}")
        self.reload()

    def action_cancel(self) -> None:
        selected = self._selected()
        if selected is None or selected[0] != "upcoming":
            self.notify("pick an upcoming reminder first (Down, then c)", severity="warning")
            return
        reminder = selected[1]

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.cancel_one(reminder)

        self.app.push_screen(ConfirmScreen(f"Cancel “{reminder['text']}”?", "Cancel it"), confirmed)

    @work(thread=True, group="reminders")
    def cancel_one(self, reminder: dict[str, Any]) -> None:
        rid = reminder["id"]
        try:
            with self.pm.client() as client:
                client.request("POST", f"/reminders/{rid}/cancel")
        except DaemonError as exc:
            self.app.call_from_thread(self.notify, exc.in_words(), severity="error")
            return
        app = self.pm
        app.call_from_thread(app.offer_undo, f"cancelled #{rid}", lambda: restore(app, rid))
        self.app.call_from_thread(self.reload)


def restore(app: Host, reminder_id: int) -> None:
    """Undo a cancel: the same reminder, active again."""
    try:
        with app.client() as client:
            client.request("POST", f"/reminders/{reminder_id}/restore")
    except DaemonError as exc:
        app.call_from_thread(app.notify, f"could not undo: {exc.in_words()}", severity="error")
        return
    app.call_from_thread(app.notify, f"reminder #{reminder_id} is back")
    app.call_from_thread(app.refresh_panes)


def _reminder_line(reminder: dict[str, Any]) -> str:
    when = reminder.get("next_fire_at")
    if when:
        label = datetime.fromisoformat(when).astimezone().strftime("%a %d %b %H:%M")
    else:
        trigger = reminder["trigger"]
        label = {
            "arrive": "on arrival",
            "leave": "on leaving",
            "wifi": "on wifi",
            "battery_below": f"battery < {trigger.get('percent')}%",
        }.get(trigger["type"], trigger["type"])
    return f"#{reminder['id']} {label} · {reminder['text']}"
