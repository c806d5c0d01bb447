"""``pocketmind plan "find a free hour with Maya tomorrow"`` and ``pocketmind plans
list | show | confirm | reject | replan``: through the daemon when it runs (its model
fills what the grammar leaves open), else in this process with the grammar alone."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from ..daemon.client import DaemonClient
from ..db import Database
from ..embedders import make_embedder
from ..memory import MemoryStore
from ..memory.instants import parse_instant
from ..plans.checklist import checklist
from ..plans.executor import StepError
from ..plans.model import Busy, Plan
from ..plans.orchestrator import Orchestrator, PlanNotFound
from ..settings import Settings
from ..validation import InputError
from .base import Group, with_settings


@contextmanager
def _local(settings: Settings) -> Iterator[Orchestrator]:
    from ..plans.wiring import build

    db = Database.open(settings.db_path)
    try:
        store = MemoryStore(db, make_embedder(settings), settings, check_space=False)
    except BaseException:
        db.close()
        raise
    try:
        yield build(store, db, settings, None)
    finally:
        store.close()


def _run(settings: Settings, local: Callable[[Orchestrator], Any], method: str, path: str,
         body: dict[str, Any] | None = None) -> Any:  # fmt: skip
    """One call through the daemon, or in process; JSON shapes alike either way."""
    if client := DaemonClient.connect(settings):
        with client:
            return client.request(method, path, **({"json": body} if body is not None else {}))
    with _local(settings) as plans:
        try:
            found = local(plans)
        except (PlanNotFound, StepError) as exc:
            raise InputError(str(exc)) from exc
        if isinstance(found, list):
            return [p.to_json() for p in found]
        return found.to_json()


def _print(data: Any, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    for item in data if isinstance(data, list) else [data]:
        click.echo("\n".join(checklist(Plan.model_validate(item))))


@click.command()
@with_settings
@click.argument("text")
@click.option("--now", help="Plan as if it were this instant (ISO 8601).")
@click.option("--json", "as_json", is_flag=True, help="The plan, its checks and steps as JSON.")
def plan(settings: Settings, text: str, now: str | None, as_json: bool) -> None:
    """Plan TEXT: read it, solve it, check it; steps that act wait for your yes."""
    when = parse_instant(now, settings.tz(), "--now") if now else None
    try:
        data = _run(settings, lambda p: p.make(text, when), "POST", "/plans",
                    {"text": text, "now": now})  # fmt: skip
    except ValueError as exc:
        raise InputError(f"cannot read the request: {exc}") from exc
    _print(data, as_json)


@click.group(cls=Group)
def plans() -> None:
    """Plans you made: list them, show one, say yes or no to a step, replan."""


@plans.command("list")
@with_settings
@click.option("--limit", type=click.IntRange(1, 200), default=10)
@click.option("--json", "as_json", is_flag=True)
def list_plans(settings: Settings, limit: int, as_json: bool) -> None:
    """The latest plans, newest first."""
    data = _run(settings, lambda p: p.recent(limit), "GET", f"/plans?limit={limit}")
    if as_json:
        _print(data, True)
        return
    for item in data:
        click.echo(f"{item['id']:>4}  {item['status']:<10} {item['goal']}  ->  {item['answer']}")


@plans.command("show")
@with_settings
@click.argument("plan_id", type=click.IntRange(1))
@click.option("--json", "as_json", is_flag=True)
def show(settings: Settings, plan_id: int, as_json: bool) -> None:
    """A plan as a checklist, with its checks and what replans changed."""
    _print(_run(settings, lambda p: p.get(plan_id), "GET", f"/plans/{plan_id}"), as_json)


def _decide(verb: str, method: Callable[[Orchestrator, int, int], Plan], help: str) -> None:
    """``plans confirm`` and ``plans reject``: one answer to one step, alike but the verb."""

    @plans.command(verb, help=help)
    @with_settings
    @click.argument("plan_id", type=click.IntRange(1))
    @click.argument("step", type=click.IntRange(1))
    @click.option("--json", "as_json", is_flag=True)
    def decide(settings: Settings, plan_id: int, step: int, as_json: bool) -> None:
        path = f"/plans/{plan_id}/steps/{step}/{verb}"
        _print(_run(settings, lambda p: method(p, plan_id, step), "POST", path), as_json)


_decide("confirm", Orchestrator.confirm, "Yes to STEP of PLAN_ID: it runs now (a failure replans).")
_decide("reject", Orchestrator.reject, "No to STEP of PLAN_ID: it does not run.")


@plans.command("replan")
@with_settings
@click.argument("plan_id", type=click.IntRange(1))
@click.option("--busy", "busy", multiple=True, metavar="START/END",
              help="A new busy time, ISO 8601 START/END (repeatable).")  # fmt: skip
@click.option("--json", "as_json", is_flag=True)
def replan(settings: Settings, plan_id: int, busy: tuple[str, ...], as_json: bool) -> None:
    """Solve PLAN_ID again from your calendar now (plus any --busy) and show what changed."""
    tz = settings.tz()
    spans = []
    for item in busy:
        start, sep, end = item.partition("/")
        if not sep:
            raise InputError(f"--busy {item!r}: expected START/END in ISO 8601")
        spans.append(Busy(start=parse_instant(start, tz, "--busy"),
                          end=parse_instant(end, tz, "--busy"), title="busy"))  # fmt: skip
    body = {"busy": [b.model_dump(mode="json", include={"start", "end", "title"}) for b in spans]}
    data = _run(settings, lambda p: p.replan(plan_id, busy=spans), "POST",
                f"/plans/{plan_id}/replan", body)  # fmt: skip
    _print(data, as_json)
