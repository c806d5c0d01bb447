"""``pocketmind actions list | history | confirm ID | reject ID | forget ID``.

Through the daemon when it answers (its conversation's follow-up steps go on after a
yes); otherwise in process, on the same actions table and the same gate.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from ..daemon.client import DaemonClient, DaemonError
from ..db import Database
from ..embedders import make_embedder
from ..memory import MemoryStore
from ..settings import Settings
from ..tools.gate import GateError
from .base import Group, with_settings

STATUSES = ("pending", "confirmed", "rejected", "expired", "done", "failed")


class LocalActions:
    """The same answers as the API's ``/actions``, from the database in process."""

    def __init__(self, store: MemoryStore, db: Database, settings: Settings) -> None:
        from ..chat.acting import phone_gate

        self.gate, tools, self.book = phone_gate(store, db, settings)
        self.tools = {t.name: t for t in tools}

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        parts = path.strip("/").split("/")
        if method == "GET" and parts == ["actions", "pending"]:
            return [r.to_json() for r in self.gate.pending()]
        if method == "GET":
            params = kwargs.get("params", {})
            self.gate.pending()
            return [r.to_json() for r in self.book.history(params["limit"], params.get("status"))]
        action_id, verb = parts[1], parts[-1]
        if method == "DELETE":
            if not self.book.forget(action_id):
                raise DaemonError(f"404 no action {action_id}")
            return None
        try:
            if verb == "confirm":
                record, result = self.gate.confirm(action_id, self.tools)
                return {"answer": result.text, "action": record.to_json()}
            record = self.gate.reject(action_id)
            return {"answer": "OK, I won't.", "action": record.to_json()}
        except GateError as exc:
            raise DaemonError(str(exc)) from exc


@contextmanager
def _actions(settings: Settings) -> Iterator[Any]:
    client = DaemonClient.connect(settings)
    if client is not None:
        with client:
            yield client
        return
    db = Database.open(settings.db_path)
    try:
        store = MemoryStore(db, make_embedder(settings), settings, check_space=False)
    except BaseException:
        db.close()
        raise
    try:
        yield LocalActions(store, db, settings)
    finally:
        store.close()


def _line(record: dict[str, Any]) -> str:
    when = record["created_at"][:16].replace("T", " ")
    text: str = f"{record['id']}  {when}  {record['status']:9s} {record['origin']:5s} "
    text += record["proposal"]
    if record.get("result") and record["status"] != "pending":
        text += f"  → {record['result']}"
    for flag in record.get("flags", []):
        text += f"\n    note: {flag}"
    return text


def _show(records: list[dict[str, Any]], as_json: bool, empty: str) -> None:
    if as_json:
        click.echo(json.dumps(records, ensure_ascii=False))
        return
    if not records:
        click.echo(empty)
    for record in records:
        click.echo(_line(record))


@click.group(cls=Group)
def actions() -> None:
    """What PocketMind proposed or did on the phone; say yes or no to what waits."""


@actions.command("list")
@with_settings
@click.option("--json", "as_json", is_flag=True)
def list_actions(settings: Settings, as_json: bool) -> None:
    """Actions waiting for your yes."""
    with _actions(settings) as api:
        records = api.request("GET", "/actions/pending")
    _show(records, as_json, "nothing waits for your yes")


@actions.command()
@with_settings
@click.option("--status", type=click.Choice(STATUSES), help="Only actions in this state.")
@click.option("--limit", type=click.IntRange(1, 1000), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True)
def history(settings: Settings, status: str | None, limit: int, as_json: bool) -> None:
    """Every tool call, newest first: who asked, what ran, what came back."""
    params: dict[str, Any] = {"limit": limit} | ({"status": status} if status else {})
    with _actions(settings) as api:
        records = api.request("GET", "/actions", params=params)
    _show(records, as_json, "no actions yet")


def _decide(settings: Settings, action_id: str, verb: str) -> None:
    with _actions(settings) as api:
        reply = api.request("POST", f"/actions/{action_id}/{verb}")
    click.echo(reply["answer"])
    if reply.get("next"):
        click.echo(f"next, waiting: {reply['next']['id']}  {reply['next']['proposal']}")


@actions.command()
@with_settings
@click.argument("action_id")
def confirm(settings: Settings, action_id: str) -> None:
    """Yes: do the action ACTION_ID."""
    _decide(settings, action_id, "confirm")


@actions.command()
@with_settings
@click.argument("action_id")
def reject(settings: Settings, action_id: str) -> None:
    """No: drop the action ACTION_ID; it never runs."""
    _decide(settings, action_id, "reject")


@actions.command()
@with_settings
@click.argument("action_id")
def forget(settings: Settings, action_id: str) -> None:
    """Delete ACTION_ID from the audit."""
    with _actions(settings) as api:
        api.request("DELETE", f"/actions/{action_id}")
    click.echo(f"forgot {action_id}")
