"""The plans pane: ask for a plan, see it as a checklist that ticks as steps finish, and
say yes (y) or no (n) to the step under the cursor; r solves it again from the calendar
as it is now. Everything goes through the daemon's /plans API."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Input, ListItem, ListView, Static

from ..daemon.client import DaemonError
from ..plans.checklist import step_line
from ..plans.model import Plan
from .widgets import StatusLine

if TYPE_CHECKING:
    from .host import Host


class PlansScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("y", "answer('confirm')", "Yes"),
        Binding("n", "answer('reject')", "No"),
        Binding("r", "replan", "Replan"),
    ]

    def __init__(self, poll_s: float = 2.0) -> None:
        super().__init__()
        self.plan: Plan | None = None
        self.poll_s = poll_s

    @property
    def pm(self) -> Host:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        yield Input(placeholder="find a free hour with Maya tomorrow", id="ask")
        yield Static("", id="answer", markup=False)
        yield ListView(id="checklist")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self.call("GET", "/plans?limit=1")
        self.set_interval(self.poll_s, self.poll)

    def poll(self) -> None:
        if self.plan is not None and self.plan.status in ("waiting", "proposed"):
            self.call("GET", f"/plans/{self.plan.id}")

    @on(Input.Submitted, "#ask")
    def ask(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.call("POST", "/plans", {"text": event.value.strip()})
            event.input.value = ""
            self.query_one(ListView).focus()

    def action_answer(self, verdict: str) -> None:
        step = self._selected()
        if self.plan is not None and step is not None:
            self.call("POST", f"/plans/{self.plan.id}/steps/{step}/{verdict}")

    def action_replan(self) -> None:
        if self.plan is not None:
            self.call("POST", f"/plans/{self.plan.id}/replan", {"reason": "asked to replan"})

    def _selected(self) -> int | None:
        index = self.query_one(ListView).index
        if self.plan is None or index is None or index >= len(self.plan.steps):
            return None
        return self.plan.steps[index].number

    @work(thread=True, exclusive=True, group="plans")
    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> None:
        try:
            with self.pm.client() as client:
                found = client.request(method, path, **({"json": body} if body else {}))
        except DaemonError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        if isinstance(found, list):
            found = found[0] if found else None
        if found is not None:
            self.app.call_from_thread(self.show, Plan.model_validate(found))

    def show(self, plan: Plan) -> None:
        kept = self.query_one(ListView).index
        self.plan = plan
        self.query_one("#answer", Static).update(f"Plan {plan.id}: {plan.answer()}")
        view = self.query_one(ListView)
        view.clear()
        for step in plan.steps:
            view.append(ListItem(Static(step_line(plan, step), markup=False)))
        waiting = [i for i, s in enumerate(plan.steps) if s.status == "waiting"]
        view.index = kept if kept is not None and kept < len(plan.steps) else None
        if view.index is None or plan.steps[view.index].status != "waiting":
            view.index = waiting[0] if waiting else 0
