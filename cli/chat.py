"""``pocketmind ask`` and ``pocketmind models``."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from ..daemon.client import DaemonClient
from ..engine import EngineError, make_engine
from ..engine.models import discover, resolve
from ..memory import MemoryStore
from ..memory.when import parse_instant
from ..settings import Settings
from .main import with_settings


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
    from ..chat import Assistant

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
    store = MemoryStore.open(settings)
    engine = make_engine(settings)
    try:
        stream = Assistant(store, engine, settings).stream(
            question, conversation_id=conversation, now=when
        )
        for piece in stream:
            if not as_json:
                click.echo(piece, nl=False)
                sys.stdout.flush()
        answer = stream.finish()
    finally:
        engine.close()
        store.close()
    if as_json:
        click.echo(json.dumps(answer.to_json(), ensure_ascii=False))
    else:
        click.echo()


@click.command()
@with_settings
@click.option("--json", "as_json", is_flag=True)
def models(settings: Settings, as_json: bool) -> None:
    """List the chat models found, and which one is in use (*)."""
    try:
        in_use = resolve(settings).path if settings.engine.backend == "llama" else None
        problem = None
    except EngineError as exc:
        in_use, problem = None, str(exc)
    found = discover(settings)
    rows: list[dict[str, Any]] = [
        {
            "path": str(m.path),
            "origin": m.origin,
            "bytes": m.path.stat().st_size if m.path.is_file() else None,
            "in_use": m.path == in_use,
        }
        for m in found
    ]
    if as_json:
        click.echo(
            json.dumps({"backend": settings.engine.backend, "models": rows, "problem": problem})
        )
        return
    click.echo(
        f"backend: {settings.engine.backend}"
        + (f" ({settings.engine.url})" if settings.engine.backend == "http" else "")
    )
    for row in rows:
        size = f"{row['bytes'] / 2**20:7.1f} MiB" if row["bytes"] is not None else "missing"
        mark = "*" if row["in_use"] else " "
        click.echo(f"{mark} {row['origin']:10s} {size}  {row['path']}")
    if not rows:
        click.echo(f"no models: put a GGUF in {settings.models_dir}")
    if problem:
        click.echo(f"problem: {problem}", err=True)
        sys.exit(1)


@click.command()
@with_settings
def chat(settings: Settings) -> None:
    """Open the chat TUI (it talks to the daemon, and offers to start it)."""
    from ..tui import PocketMindApp

    PocketMindApp(settings).run()
