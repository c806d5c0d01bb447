"""The TUI's pieces: a chat turn with the memories it used, and the status line."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.markup import escape
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static


def memory_line(memory: dict[str, Any]) -> str:
    when = datetime.fromisoformat(memory["occurred_at"]).astimezone().strftime("%m-%d %H:%M")
    return f"{when} · {memory['source']} · {memory['text']}"


class Turn(Vertical):
    """One question and its answer; the answer grows as tokens stream in."""

    DEFAULT_CSS = """
    Turn { height: auto; margin: 0 0 1 0; }
    Turn .question { color: $accent; text-style: bold; }
    Turn .answer { padding: 0 0 0 2; }
    Turn .sources { height: auto; padding: 0 0 0 2; color: $text-muted; }
    """

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question
        self.text = ""
        self.answer = Static("…", classes="answer", markup=False)
        self.sources = Vertical(classes="sources")
        self.sources_title = Static("", classes="sources-title", markup=False)

    def compose(self) -> ComposeResult:
        yield Static(f"› {escape(self.question)}", classes="question")
        yield self.answer
        with self.sources:
            yield self.sources_title

    def add_token(self, piece: str) -> None:
        self.text += piece
        self.answer.update(self.text)

    def finish(self, done: dict[str, Any]) -> None:
        self.text = done.get("answer", self.text)
        self.answer.update(self.text or "(no answer)")
        memories = done.get("memories") or []
        count = len(memories)
        if count:
            self.sources_title.update(f"{count} {'memory' if count == 1 else 'memories'} used:")
        else:
            self.sources_title.display = False
        for memory in memories:
            self.sources.mount(Static(memory_line(memory), classes="memory", markup=False))
        timing = done.get("timing") or {}
        if timing.get("ttft_ms") is not None:
            figures = (
                f"first token {timing['ttft_ms']:.0f} ms · "
                f"{timing.get('completion_tokens', 0)} tokens"
            )
            self.sources.mount(Static(figures, classes="timing", markup=False))

    def fail(self, message: str) -> None:
        self.answer.update(f"[error] {message}")


class StatusLine(Static):
    """Daemon state, what waits (events queued to remember, reminders due), memories,
    model: one line, in words."""

    DEFAULT_CSS = """
    StatusLine { dock: top; height: 1; background: $boost; color: $text-muted; }
    """

    def show(self, status: dict[str, Any] | None, state: str) -> None:
        if status is None:
            self.update(f"daemon: {state}")
            return
        model = str(status.get("model", "?")).removesuffix(".gguf")
        adapter = f" +{status['adapter']}" if status.get("adapter") else ""
        memories = status.get("memories", 0)
        parts = [state]
        if status.get("reminders_due"):
            parts.append(f"{status['reminders_due']} reminder{_s(status['reminders_due'])} due")
        if status.get("queue_depth"):
            parts.append(f"{status['queue_depth']} queued")
        parts += [f"{memories} memor{'y' if memories == 1 else 'ies'}", f"{model}{adapter}"]
        self.update(escape(" · ".join(parts)))


def _s(count: int) -> str:
    return "" if count == 1 else "s"
