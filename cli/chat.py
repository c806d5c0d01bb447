"""``pocketmind ask`` and ``pocketmind chat``."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from ..daemon.client import DaemonClient
from ..db import Database
from ..embedders import make_embedder
from ..engine import make_engine
from ..memory import MemoryStore
from ..memory.instants import parse_instant
from ..settings import Settings
from .base import with_settings
from .progress import Spinner


@click.command()
@with_settings
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print the answer, memories and timing.")
@click.option("--now", help="Read time phrases relative to this instant (ISO 8601).")
@click.option("--conversation", help="Continue this conversation id.")
def ask(
    settings: Settings, question: str, as_json: bool, now: str | None, conversation: str | None
) -> None:
    """Answer QUESTION from your memories: through the daemon when it runs, else in
    this process."""
    from ..daemon.wiring import make_assistant

    when = parse_instant(now, settings.tz(), "--now") if now else None
    if client := DaemonClient.connect(settings):
        with client:
            done: dict[str, Any] = {}
            for event, data in client.chat(question, conversation, now):
                if event == "token" and not as_json:
                    click.echo(data["text"], nl=False)
                    sys.stdout.flush()
                elif event == "done":
                    done = data
        click.echo(json.dumps(done, ensure_ascii=False) if as_json else "")
        return
    # No daemon: this process loads the models itself (seconds); say so while it waits.
    spinner = Spinner("loading the models (`pocketmind start` keeps them loaded)").__enter__()
    try:
        db = Database.open(settings.db_path)
        store = MemoryStore(db, make_embedder(settings), settings)
        engine = make_engine(settings)
    except BaseException:
        spinner.stop()
        raise
    try:
        stream = make_assistant(store, engine, settings, db=db).stream(
            question, conversation_id=conversation, now=when
        )
        spinner.update("thinking")
        for piece in stream:
            spinner.stop()
            if not as_json:
                click.echo(piece, nl=False)
                sys.stdout.flush()
        answer = stream.finish()
    finally:
        spinner.stop()
        engine.close()
        store.close()
    if as_json:
        click.echo(json.dumps(answer.to_json(), ensure_ascii=False))
    else:
        click.echo()


@click.command()
@with_settings
def chat(settings: Settings) -> None:
    """Open the chat TUI (it talks to the daemon, and offers to start it)."""
    from ..tui import PocketMindApp

    PocketMindApp(settings).run()
