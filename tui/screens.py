"""The TUI's screens: chat, memory browser, and the daemon-not-ready screens."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Footer, Input, ListItem, ListView, Static

from ..daemon.client import DaemonError
from .widgets import StatusLine, Turn, memory_line

if TYPE_CHECKING:
    from .app import PocketMindApp


class ChatScreen(Screen[None]):
    BINDINGS = [
        Binding("ctrl+f", "app.push_screen('memories')", "Memories"),
        Binding("ctrl+r", "app.push_screen('reminders')", "Reminders"),
        Binding("ctrl+n", "new_conversation", "New chat"),
        Binding("ctrl+g", "rate('good')", "Good"),
        Binding("ctrl+b", "rate('bad')", "Bad"),
        Binding("ctrl+e", "regenerate", "Again"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.conversation_id: str | None = None
        self.busy = False
        self.last_exchange: int | None = None
        self.correcting: int | None = None  # the next Enter sends the right answer

    @property
    def pm(self) -> PocketMindApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        yield VerticalScroll(id="log")
        yield Input(placeholder="Ask about your life…", id="question")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted, "#question")
    def ask(self, event: Input.Submitted) -> None:
        question = event.value.strip()
        if self.correcting is not None:
            exchange, self.correcting = self.correcting, None
            event.input.value = ""
            event.input.placeholder = "Ask about your life…"
            self.send_feedback(exchange, "bad", question or None)
            return
        if not question or self.busy:
            return
        event.input.value = ""
        turn = Turn(question)
        log = self.query_one("#log", VerticalScroll)
        log.mount(turn)
        log.scroll_end(animate=False)
        self.busy = True
        self.stream_answer(turn, question)

    @work(thread=True, exclusive=True, group="chat")
    def stream_answer(self, turn: Turn, question: str) -> None:
        try:
            with self.pm.client() as client:
                for event, data in client.chat(question, self.conversation_id):
                    if event == "token":
                        self.app.call_from_thread(turn.add_token, data["text"])
                    elif event == "done":
                        self.conversation_id = data.get("conversation_id")
                        self.last_exchange = data.get("exchange_id")
                        self.app.call_from_thread(turn.finish, data)
        except DaemonError as exc:
            self.app.call_from_thread(turn.fail, str(exc))
        finally:
            self.busy = False
            self.app.call_from_thread(self.query_one("#log", VerticalScroll).scroll_end)

    def action_rate(self, rating: str) -> None:
        """Ctrl+G / Ctrl+B on the last answer; after Ctrl+B, Enter sends the right answer
        (or nothing, to just mark it bad): that is what preference pairs come from."""
        if self.last_exchange is None:
            self.notify("no answer to rate yet", severity="warning")
            return
        if rating == "good":
            self.send_feedback(self.last_exchange, "good", None)
            return
        self.correcting = self.last_exchange
        field = self.query_one("#question", Input)
        field.placeholder = "The right answer (Enter; empty: just bad)"
        field.focus()

    @work(thread=True, group="feedback")
    def send_feedback(self, exchange: int, rating: str, correction: str | None) -> None:
        body: dict[str, Any] = {"rating": rating}
        if correction:
            body["correction"] = correction
        try:
            with self.pm.client() as client:
                client.request("POST", f"/exchanges/{exchange}/feedback", json=body)
        except DaemonError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self.notify, f"marked {rating}, thank you")

    def action_regenerate(self) -> None:
        """Ctrl+E: ask the last question again; the new answer replaces the old one."""
        if self.last_exchange is None or self.busy:
            return
        turn = Turn("(again)")
        log = self.query_one("#log", VerticalScroll)
        log.mount(turn)
        self.busy = True
        self.regenerate_answer(turn, self.last_exchange)

    @work(thread=True, exclusive=True, group="chat")
    def regenerate_answer(self, turn: Turn, exchange: int) -> None:
        try:
            with self.pm.client() as client:
                done = client.request("POST", f"/exchanges/{exchange}/regenerate")
            self.last_exchange = done.get("exchange_id")
            self.app.call_from_thread(turn.finish, done)
        except DaemonError as exc:
            self.app.call_from_thread(turn.fail, str(exc))
        finally:
            self.busy = False

    def action_new_conversation(self) -> None:
        self.conversation_id = None
        self.query_one("#log", VerticalScroll).remove_children()


class MemoryScreen(Screen[None]):
    """Search memories, open one, forget it."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self) -> None:
        super().__init__()
        self.results: list[dict[str, Any]] = []

    @property
    def pm(self) -> PocketMindApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        yield Input(placeholder="Search memories…", id="search")
        yield ListView(id="results")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted, "#search")
    def search(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.run_search(event.value.strip())

    @work(thread=True, exclusive=True, group="search")
    def run_search(self, query: str) -> None:
        try:
            with self.pm.client() as client:
                results = client.request("GET", "/memories", params={"q": query, "k": 20})
        except DaemonError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self.show, results)

    def show(self, results: list[dict[str, Any]]) -> None:
        self.results = results
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
        search = self.query_one("#search", Input)
        if forgotten and search.value.strip():
            self.run_search(search.value.strip())


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
        app: PocketMindApp = self.app  # type: ignore[assignment]
        try:
            with app.client() as client:
                client.request("DELETE", f"/memories/{self.memory['id']}")
        except DaemonError as exc:
            self.notify(str(exc), severity="error")
            return
        self.notify(f"forgot #{self.memory['id']}")
        self.dismiss(True)


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
        yield Footer()

    @on(Button.Pressed, "#start")
    def action_start(self) -> None:
        app: PocketMindApp = self.app  # type: ignore[assignment]
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


class RemindersScreen(Screen[None]):
    """Upcoming reminders; add one ("call Mum @ tomorrow 18:00"); cancel one (c)."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back"), Binding("c", "cancel", "Cancel")]

    def __init__(self) -> None:
        super().__init__()
        self.reminders: list[dict[str, Any]] = []

    @property
    def pm(self) -> PocketMindApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        yield Input(placeholder="call Mum @ tomorrow 18:00", id="new")
        yield ListView(id="upcoming")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self.load()

    @work(thread=True, exclusive=True, group="reminders")
    def load(self) -> None:
        try:
            with self.pm.client() as client:
                found = client.request("GET", "/reminders")
        except DaemonError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self.show, found)

    def show(self, reminders: list[dict[str, Any]]) -> None:
        self.reminders = reminders
        view = self.query_one(ListView)
        view.clear()
        for reminder in reminders:
            view.append(ListItem(Static(_reminder_line(reminder), markup=False)))
        if not reminders:
            view.append(ListItem(Static("no upcoming reminders")))
        view.index = 0

    @on(Input.Submitted, "#new")
    def add(self, event: Input.Submitted) -> None:
        text, _, when = event.value.partition("@")
        if not text.strip() or not when.strip():
            self.notify("write: what @ when, e.g. call Mum @ tomorrow 18:00", severity="warning")
            return
        event.input.value = ""
        self.create(text.strip(), when.strip())

    @work(thread=True, group="reminders")
    def create(self, text: str, when: str) -> None:
        body = {"text": text, "at": when}
        if when.lower().startswith("every "):
            body = {"text": text, "every": when[6:]}
        try:
            with self.pm.client() as client:
                client.request("POST", "/reminders", json=body)
        except DaemonError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.load()

    def action_cancel(self) -> None:
        index = self.query_one(ListView).index
        if index is not None and index < len(self.reminders):
            self.cancel_one(self.reminders[index]["id"])

    @work(thread=True, group="reminders")
    def cancel_one(self, reminder_id: int) -> None:
        try:
            with self.pm.client() as client:
                client.request("POST", f"/reminders/{reminder_id}/cancel")
        except DaemonError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.load()


def _reminder_line(reminder: dict[str, Any]) -> str:
    from datetime import datetime

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
