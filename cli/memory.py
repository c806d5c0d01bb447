"""``pocketmind memory …``: add, import, search, forget, stats, reindex."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import click
from tqdm import tqdm

from ..daemon.paths import RunFiles
from ..memory import MemoryStore, SearchResult
from ..memory.importer import import_jsonl
from ..memory.instants import parse_instant
from ..retrieval import Retriever
from ..settings import Settings
from ..validation import InputError
from .base import Group, with_settings
from .memory_access import DaemonImport, import_target, memory_backend


@contextmanager
def open_store(settings: Settings, *, check_space: bool = True) -> Iterator[MemoryStore]:
    store = MemoryStore.open(settings, check_space=check_space)
    try:
        yield store
    finally:
        store.close()


def _parse_now(settings: Settings, now: str | None) -> datetime | None:
    return parse_instant(now, settings.tz(), "--now") if now else None


def _print_results(results: list[dict[str, Any]], settings: Settings, score: str = "score") -> None:
    if not results:
        click.echo("no memories found")
    tz = settings.tz()
    for r in results:
        when = datetime.fromisoformat(r["occurred_at"]).astimezone(tz).strftime("%Y-%m-%d %H:%M")
        text = r["text"] if len(r["text"]) <= 200 else r["text"][:199] + "…"
        click.echo(f"#{r['id']:<6} {r[score]:6.3f}  {when}  {r['kind']}/{r['source']}  {text}")


@click.group(cls=Group)
def memory() -> None:
    """Add, import, search and forget memories."""


@memory.command()
@with_settings
@click.argument("text")
@click.option("--kind", default="note", show_default=True, help="What sort of memory.")
@click.option("--source", default="user", show_default=True, help="Where it came from.")
@click.option("--at", "at", help="When it happened (ISO 8601; default: now).")
@click.option("--importance", type=click.FloatRange(0, 1), default=0.5, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def add(
    settings: Settings,
    text: str,
    kind: str,
    source: str,
    at: str | None,
    importance: float,
    as_json: bool,
) -> None:
    """Remember TEXT. A duplicate updates the memory it repeats."""
    body = {"text": text, "kind": kind, "source": source, "at": at, "importance": importance}
    with memory_backend(settings) as backend:
        result = backend.add(body)
    if as_json:
        click.echo(json.dumps(result))
    elif result["created"]:
        click.echo(f"remembered #{result['id']}")
    else:
        click.echo(f"already known as #{result['id']} ({result['duplicate_of']} duplicate)")


@memory.command("import")
@with_settings
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--batch-size", type=click.IntRange(1), help="Lines per transaction.")
def import_(settings: Settings, file: Path, batch_size: int | None) -> None:
    """Import memories from FILE.jsonl: one object a line with "text" and optional
    "at", "kind", "source"; other fields are kept as meta.

    Bad lines are reported with their line numbers and skipped; the rest are imported.
    Exits 1 if any line was skipped.
    """
    size = file.stat().st_size
    with (
        import_target(settings) as store,
        tqdm(
            total=size,
            unit="B",
            unit_scale=True,
            desc="import",
            file=sys.stderr,
            disable=None if size > 256 * 1024 else True,
            leave=False,
        ) as bar,
    ):
        report = import_jsonl(
            store,
            file,
            batch_size=batch_size,
            on_error=lambda message: tqdm.write(f"skipped {message}", file=sys.stderr),
            on_progress=bar.update,
        )
    via = "through the daemon" if isinstance(store, DaemonImport) else "in this process"
    click.echo(
        f"imported {report.imported} memories, {report.duplicates} duplicates merged, "
        f"{report.skipped} lines skipped ({via})"
    )
    if report.skipped:
        sys.exit(1)


def _search_one(
    store: MemoryStore,
    query: str,
    k: int,
    kind: str | None,
    source: str | None,
    now: datetime | None,
) -> list[SearchResult]:
    return Retriever(store).search(query, k=k, kind=kind, source=source, now=now)


@memory.command()
@with_settings
@click.argument("query", required=False)
@click.option("-k", "k", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.option("--kind", help="Only memories of this kind.")
@click.option("--source", help="Only memories from this source.")
@click.option("--now", help="Read time phrases relative to this instant (ISO 8601).")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.option(
    "--queries",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help='Batch: a JSONL file of {"q": ..., "now": ...}; prints one JSON list per line.',
)
def search(
    settings: Settings,
    query: str | None,
    k: int,
    kind: str | None,
    source: str | None,
    now: str | None,
    as_json: bool,
    queries: Path | None,
) -> None:
    """Find the memories that best answer QUERY."""
    if (query is None) == (queries is None):
        raise click.UsageError("give either QUERY or --queries FILE")
    if queries is not None:  # one process for the whole file: no per-query round trips
        with open_store(settings) as store:
            _batch_search(store, settings, queries, k, kind, source)
        return
    _parse_now(settings, now)  # a bad --now is reported the same way either side
    params = {"q": query, "k": k, "kind": kind, "source": source, "now": now}
    with memory_backend(settings) as backend:
        results = backend.search(params)
    if as_json:
        click.echo(json.dumps(results, ensure_ascii=False))
    else:
        _print_results(results, settings)


def _batch_search(
    store: MemoryStore,
    settings: Settings,
    path: Path,
    k: int,
    kind: str | None,
    source: str | None,
) -> None:
    failed = 0
    with path.open("rb") as lines:
        for number, raw in enumerate(lines, start=1):
            where = f"{path}:{number}"
            try:
                obj: Any = json.loads(raw.decode("utf-8"))
                if not isinstance(obj, dict) or not isinstance(obj.get("q"), str):
                    raise InputError(f'{where}: expected an object with a string "q"')
                now = (
                    parse_instant(obj["now"], settings.tz(), f"{where}: now")
                    if obj.get("now")
                    else None
                )
                results = _search_one(store, obj["q"], int(obj.get("k", k)), kind, source, now)
                click.echo(json.dumps([r.to_json() for r in results], ensure_ascii=False))
            except (InputError, ValueError) as exc:  # JSON and UTF-8 errors too
                message = str(exc) if str(exc).startswith(str(path)) else f"{where}: {exc}"
                click.echo(f"error: {message}", err=True)
                click.echo("[]")
                failed += 1
    if failed:
        sys.exit(1)


@memory.command()
@with_settings
@click.argument("ids", nargs=-1, type=int)
@click.option("--query", help="Forget the memories that match this query closely enough.")
@click.option("-k", "k", type=click.IntRange(1, 100), default=5, show_default=True)
@click.option(
    "--min-similarity",
    type=click.FloatRange(-1, 1),
    help="How similar to the query a memory must be (default: memory.forget_min_similarity).",
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def forget(
    settings: Settings,
    ids: tuple[int, ...],
    query: str | None,
    k: int,
    min_similarity: float | None,
    yes: bool,
) -> None:
    """Forget memories by ID, or those matching --query (shown first, then asked): gone
    from every index and export, and the events they came from are blanked. A query
    that matches nothing closely enough forgets nothing."""
    if bool(ids) == bool(query):
        raise click.UsageError("give memory IDs or --query, not both")
    with memory_backend(settings) as backend:
        targets = list(ids)
        if query:
            body = {"query": query, "k": k, "min_similarity": min_similarity}
            matches = backend.forget_preview(body)
            if not matches:
                click.echo("no memories match closely enough: nothing forgotten")
                return
            _print_results(matches, settings, "similarity")
            if not yes and not click.confirm(f"forget these {len(matches)}?", default=False):
                click.echo("nothing forgotten")
                return
            targets = [m["id"] for m in matches]
        forgotten = backend.forget(targets)
    missing = sorted(set(targets) - set(forgotten))
    click.echo(f"forgot {len(forgotten)} memories" + (f"; not found: {missing}" if missing else ""))
    if missing:
        sys.exit(1)


@memory.command()
@with_settings
@click.option("--json", "as_json", is_flag=True)
def stats(settings: Settings, as_json: bool) -> None:
    """Counts, the embedding model, and the database in use."""
    with memory_backend(settings, check_space=False) as backend:
        figures = backend.stats()
    if as_json:
        click.echo(json.dumps(figures))
        return
    for key, value in figures.items():
        click.echo(f"{key:>17}: {value}")


@memory.command()
@with_settings
def reindex(settings: Settings) -> None:
    """Re-embed every memory with the configured embedding model (daemon stopped)."""
    if RunFiles(settings).read_pid() is not None:
        raise click.ClickException("stop the daemon first (pocketmind stop): it embeds too")
    with (
        open_store(settings, check_space=False) as store,
        tqdm(
            total=store.count(),
            unit="mem",
            desc="reindex",
            file=sys.stderr,
            leave=False,
        ) as bar,
    ):
        done = store.reindex(progress=lambda n, _total: bar.update(n - bar.n))
    click.echo(f"re-embedded {done} memories with {store.embedder.model_id}")


@memory.command()
@with_settings
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The new file (default: pocketmind.recovered-TIME.db beside the database).",
)
@click.option(
    "--install",
    is_flag=True,
    help="Then use it: the damaged file (and its -wal) is kept as pocketmind.db.damaged-TIME.",
)
@click.option("--no-cli", is_flag=True, help="Do not try the sqlite3 command's .recover.")
def recover(settings: Settings, out: Path | None, install: bool, no_cli: bool) -> None:
    """Copy what can still be read of a damaged database into a new file, and say what
    was recovered. The damaged file is never changed (the daemon must be stopped)."""
    from ..memory.recover import recover as recover_into

    if RunFiles(settings).read_pid() is not None:
        raise click.ClickException("stop the daemon first (pocketmind stop)")
    db = settings.db_path
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = out or db.with_name(f"pocketmind.recovered-{stamp}.db")
    report = recover_into(db, target, use_cli=not no_cli)
    for line in report.lines():
        click.echo(line)
    if not install:
        click.echo(f"to use it: run again with --install, or stop everything and move it to {db}")
        return
    kept = db.with_name(f"{db.name}.damaged-{stamp}")
    for suffix in ("-wal", "-shm"):  # the old WAL must never be applied to the new file
        side = db.with_name(db.name + suffix)
        if side.exists():
            side.replace(kept.with_name(kept.name + suffix))
    db.replace(kept)
    target.replace(db)
    click.echo(f"installed; the damaged database is kept as {kept}")


__all__ = ["memory"]
