"""The chat screen: ask, watch the answer stream in with the memories it used, rate it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from ..daemon.client import DaemonError
from .widgets import StatusLine, Turn

if TYPE_CHECKING:
    from .host import Host

PLACEHOLDER = "Ask about your life…"


class ChatScreen(Screen[None]):
    # Ctrl+E would be the input's "end of line": Ctrl+T (try again) reaches the screen.
    # The footer shows what fits 50 columns; F1 lists every key.
    BINDINGS = [
        Binding("ctrl+f", "app.push_screen('memories')", "Memories"),
        Binding("ctrl+r", "app.push_screen('reminders')", "Reminders"),
        Binding("ctrl+n", "new_conversation", "New chat", show=False),
        Binding("ctrl+g", "rate('good')", "Good answer", show=False),
        Binding("ctrl+b", "rate('bad')", "Bad answer, then type the right one", show=False),
        Binding("ctrl+t", "regenerate", "Try the last question again", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.conversation_id: str | None = None
        self.busy = False
        self.last_exchange: int | None = None
        self.correcting: int | None = None  # the next Enter sends the right answer

    @property
    def pm(self) -> Host:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        yield VerticalScroll(id="log")
        yield Input(placeholder=PLACEHOLDER, id="question")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def show_notice(self, text: str) -> None:
        """A line at the top of the conversation (the tiny-model notice)."""
        log = self.query_one("#log", VerticalScroll)
        log.mount(Static(text, classes="notice", markup=False), before=0 if log.children else None)

    @on(Input.Submitted, "#question")
    def ask(self, event: Input.Submitted) -> None:
        question = event.value.strip()
        if self.correcting is not None:
            exchange, self.correcting = self.correcting, None
            event.input.value = ""
            event.input.placeholder = PLACEHOLDER
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
            self.app.call_from_thread(turn.fail, exc.in_words())
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
            self.app.call_from_thread(self.notify, exc.in_words(), severity="error")
            return
        self.app.call_from_thread(self.notify, f"marked {rating}, thank you")

    def action_regenerate(self) -> None:
        """Ctrl+T: ask the last question again; the new answer replaces the old one."""
        if self.busy:
            return
        if self.last_exchange is None:
            self.notify("no answer to try again yet", severity="warning")
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
            self.app.call_from_thread(turn.fail, exc.in_words())
        finally:
            self.busy = False

    def action_new_conversation(self) -> None:
        self.conversation_id = None
        self.query_one("#log", VerticalScroll).remove_children("Turn")
