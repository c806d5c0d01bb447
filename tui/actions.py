"""The TUI's confirmation: an action waiting for the user's yes opens a small dialog.

The app asks the daemon for pending actions on each poll, so an action proposed in
the chat (or by any other client) is offered once, with its resolved arguments and any
number that only sensed text held. ``y`` does it, ``n`` drops it, ``esc`` leaves it
pending (it still expires, and "yes" in the chat still works). Ctrl+Y opens the audit:
every call, newest first; Enter on a pending one offers it again.
"""

from __future__ import annotations

from typing import Any

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, ListItem, ListView, Static

from ..daemon.client import DaemonClient, DaemonError


class ActionPrompt(ModalScreen[bool | None]):
    """Yes (True), no (False) or later (None) for one pending action."""

    DEFAULT_CSS = """
    ActionPrompt { align: center middle; }
    ActionPrompt > Vertical {
        width: 90%; max-width: 70; height: auto; border: thick $warning; padding: 1 2;
        background: $surface;
    }
    ActionPrompt .flag { color: $warning; }
    ActionPrompt .keys { color: $text-muted; margin-top: 1; }
    """
    BINDINGS = [
        Binding("y", "decide(True)", "Yes"),
        Binding("n", "decide(False)", "No"),
        Binding("escape", "decide(None)", "Later"),
    ]

    def __init__(self, action: dict[str, Any]) -> None:
        super().__init__()
        self.action_record = action

    def compose(self) -> ComposeResult:
        record = self.action_record
        with Vertical():
            yield Static("Shall I do this?", classes="title")
            yield Static(record["proposal"], id="proposal", markup=False)
            for flag in record.get("flags", []):
                yield Static(f"Note: {flag}", classes="flag", markup=False)
            yield Static("y yes · n no · esc later", classes="keys")

    def action_decide(self, choice: bool | None) -> None:
        self.dismiss(choice)


class ActionOffers:
    """Which pending actions the TUI has offered; decides them through the API."""

    def __init__(self) -> None:
        self.offered: set[str] = set()

    def new(self, client: DaemonClient) -> list[dict[str, Any]]:
        """Pending actions not offered yet (called from the app's polling thread)."""
        pending: list[dict[str, Any]] = client.request("GET", "/actions/pending")
        fresh = [a for a in pending if a["id"] not in self.offered]
        self.offered.update(a["id"] for a in fresh)
        return fresh

    def offer(self, app: App[Any], client: Any, action: dict[str, Any]) -> None:
        """Open the dialog; ``client`` makes the daemon client the decision goes through."""

        def decided(choice: bool | None) -> None:
            if choice is not None:
                app.run_worker(
                    lambda: self._decide(app, client, action["id"], choice),
                    thread=True,
                    group="actions",
                )

        app.push_screen(ActionPrompt(action), decided)

    def _decide(self, app: App[Any], client: Any, action_id: str, yes: bool) -> None:
        verb = "confirm" if yes else "reject"
        try:
            with client() as daemon:
                reply = daemon.request("POST", f"/actions/{action_id}/{verb}")
            app.call_from_thread(app.notify, reply["answer"], title="Action", timeout=10)
        except DaemonError as exc:
            app.call_from_thread(app.notify, str(exc), severity="error", timeout=10)


def action_line(action: dict[str, Any]) -> str:
    when = action["created_at"][5:16].replace("T", " ")
    line = f"{when} {action['status']} · {action['proposal']}"
    if action.get("result") and action["status"] != "pending":
        line += f" → {action['result']}"
    return line


class ActionsScreen(Screen[None]):
    """The audit of tool calls, newest first; Enter on a pending one asks again."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back"), Binding("r", "reload", "Reload")]

    def __init__(self) -> None:
        super().__init__()
        self.actions: list[dict[str, Any]] = []

    def compose(self) -> ComposeResult:
        yield Static("Actions, newest first", classes="title")
        yield ListView(id="actions")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(ListView).focus()
        self.action_reload()

    @work(thread=True, exclusive=True, group="actions-list")
    def action_reload(self) -> None:
        try:
            with self.app.client() as client:  # type: ignore[attr-defined]
                found = client.request("GET", "/actions", params={"limit": 200})
        except DaemonError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self.show, found)

    def show(self, actions: list[dict[str, Any]]) -> None:
        self.actions = actions
        view = self.query_one(ListView)
        view.clear()
        for action in actions:
            view.append(ListItem(Static(action_line(action), markup=False)))
        if not actions:
            view.append(ListItem(Static("no actions yet")))

    @on(ListView.Selected, "#actions")
    def ask_again(self, event: ListView.Selected) -> None:
        index = event.list_view.index
        if index is None or index >= len(self.actions):
            return
        action = self.actions[index]
        if action["status"] == "pending":
            offers: ActionOffers = self.app.actions  # type: ignore[attr-defined]
            offers.offer(self.app, self.app.client, action)  # type: ignore[attr-defined]
