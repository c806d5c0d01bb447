"""The memory browser: the latest memories, search, open one, forget it (with undo).

Undo re-remembers the text (same text, kind, source and time, under a new id): the
forget itself happens at once and completely, so a forgotten memory is gone from every
index the moment the user says yes, and stays gone unless they press Ctrl+Z in time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Footer, Input, ListItem, ListView, Static

from ..daemon.client import DaemonError
from .dialogs import ConfirmScreen
from .widgets import StatusLine, memory_line

if TYPE_CHECKING:
    from .host import Host

RECENT = 20


class MemoryScreen(Screen[None]):
    """The latest memories until you search; Down moves into the list, Enter opens one."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("down", "into_list", "Into the list", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.results: list[dict[str, Any]] = []

    @property
    def pm(self) -> Host:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        yield Input(placeholder="Search memories (empty: latest)…", id="search")
        yield Static("", id="heading")
        yield ListView(id="results")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self) -> None:
        query = self.query_one("#search", Input).value.strip()
        self.run_search(query)

    def action_into_list(self) -> None:
        view = self.query_one(ListView)
        if self.results:
            view.focus()

    @on(Input.Submitted, "#search")
    def search(self, event: Input.Submitted) -> None:
        self.run_search(event.value.strip())

    @work(thread=True, exclusive=True, group="search")
    def run_search(self, query: str) -> None:
        try:
            with self.pm.client() as client:
                if query:
                    found = client.request("GET", "/memories", params={"q": query, "k": 20})
                else:
                    found = client.request("GET", "/memories/recent", params={"k": RECENT})
        except DaemonError as exc:
            self.app.call_from_thread(self.notify, exc.in_words(), severity="error")
            return
        heading = f"Matching {query!r}:" if query else "Latest memories:"
        self.app.call_from_thread(self.show, found, heading)

    def show(self, results: list[dict[str, Any]], heading: str = "") -> None:
        self.results = results
        self.query_one("#heading", Static).update(escape(heading))
        view = self.query_one(ListView)
        view.clear()
        for memory in results:
            view.append(ListItem(Static(f"#{memory['id']} {memory_line(memory)}", markup=False)))
        if not results:
            view.append(ListItem(Static("no memories found")))
        view.index = 0

    @on(ListView.Selected, "#results")
    def open(self, event: ListView.Selected) -> None:
        index = event.list_view.index
        if index is not None and index < len(self.results):
            self.app.push_screen(MemoryDetail(self.results[index]), self.after_detail)

    def after_detail(self, forgotten: bool | None) -> None:
        if forgotten:
            self.reload()


class MemoryDetail(ModalScreen[bool]):
    BINDINGS = [
        Binding("escape", "dismiss(False)", "Back"),
        Binding("f", "forget", "Forget"),
    ]
    DEFAULT_CSS = """
    MemoryDetail { align: center middle; }
    MemoryDetail > Vertical { width: 90%; height: auto; border: round $accent; padding: 1; }
    MemoryDetail Horizontal { height: auto; }
    """

    def __init__(self, memory: dict[str, Any]) -> None:
        super().__init__()
        self.memory = memory

    @property
    def pm(self) -> Host:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        m = self.memory
        with Vertical():
            yield Static(f"#{m['id']} · {escape(m['kind'])} · {escape(m['source'])}")
            yield Static(m["occurred_at"], markup=False)
            yield Static(m["text"], markup=False)
            with Horizontal():
                yield Button("Forget (f)", id="forget", variant="error")
                yield Button("Back (esc)", id="back")

    @on(Button.Pressed, "#back")
    def back(self) -> None:
        self.dismiss(False)

    @on(Button.Pressed, "#forget")
    def action_forget(self) -> None:
        text = self.memory["text"]
        shown = text if len(text) <= 60 else text[:57] + "…"
        question = f"Forget #{self.memory['id']} “{shown}”?\nIt leaves every index and export."
        self.app.push_screen(ConfirmScreen(question, "Forget"), self.confirmed)

    def confirmed(self, yes: bool | None) -> None:
        if yes:
            self.forget()

    @work(thread=True, group="forget")
    def forget(self) -> None:
        memory, app = self.memory, self.pm  # the undo outlives this screen
        try:
            with app.client() as client:
                client.request("DELETE", f"/memories/{memory['id']}")
        except DaemonError as exc:
            app.call_from_thread(self.notify, exc.in_words(), severity="error")
            return
        app.call_from_thread(
            app.offer_undo, f"forgot #{memory['id']}", lambda: remember_again(app, memory)
        )
        self.app.call_from_thread(self.dismiss, True)


def remember_again(app: Host, memory: dict[str, Any]) -> None:
    """Undo a forget: the same text, kind, source and time, as a new memory."""
    body = {k: memory[k] for k in ("text", "kind", "source")} | {"at": memory["occurred_at"]}
    try:
        with app.client() as client:
            result = client.request("POST", "/memories", json=body)
    except DaemonError as exc:
        app.call_from_thread(app.notify, f"could not undo: {exc.in_words()}", severity="error")
        return
    app.call_from_thread(app.notify, f"remembered again as #{result['id']}")
    app.call_from_thread(app.refresh_panes)
