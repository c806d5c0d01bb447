"""``pocketmind export`` and ``pocketmind feedback``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from tqdm import tqdm

from ..embedders import make_embedder
from ..exchanges import ExchangeLog
from ..memory import MemoryStore
from ..schema import open_database
from ..settings import Settings
from ..training.export import Watermark, export, record_feedback
from .base import with_settings


@click.command("export")
@with_settings
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to write sft.jsonl, dpo.jsonl, memories.jsonl, manifest.json.",
)
@click.option("--since", help="Export what is newer than this watermark (from a manifest).")
@click.option("--all", "everything", is_flag=True, help="Export everything, from the start.")
@click.option("--json", "as_json", is_flag=True)
def export_command(
    settings: Settings, out: Path, since: str | None, everything: bool, as_json: bool
) -> None:
    """Export traces, feedback and memories for an offline adapter refresh (redacted;
    by default only what is new since the last export)."""
    if since and everything:
        raise click.UsageError("give --since or --all, not both")
    start = Watermark() if everything else Watermark.parse(since) if since else None
    with open_database(settings.db_path) as db:
        store = MemoryStore(db, make_embedder(settings), settings, check_space=False)
        total = ExchangeLog(db).count()
        with tqdm(
            total=total,
            unit="ex",
            desc="export",
            file=sys.stderr,
            disable=None if total > 1000 else True,
            leave=False,
        ) as bar:
            report = export(store, db, settings, out, start, progress=bar.update)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "watermark": str(report.watermark),
                    "counts": report.counts,
                    "skipped": report.skipped,
                    "files": report.files,
                }
            )
        )
    elif report.empty:
        click.echo(f"nothing new since {report.since}")
    else:
        counts = ", ".join(f"{v} {k}" for k, v in report.counts.items())
        click.echo(f"exported {counts} to {out} (next: --since {report.watermark})")


@click.command()
@with_settings
@click.argument("exchange_id", type=int)
@click.argument("rating", type=click.Choice(["good", "bad"]))
@click.option("--correction", help="The right answer (makes a preference pair).")
def feedback(settings: Settings, exchange_id: int, rating: str, correction: str | None) -> None:
    """Mark answer EXCHANGE_ID good or bad, optionally with the right answer."""
    with open_database(settings.db_path) as db:
        record_feedback(db, exchange_id, rating, correction)
    click.echo(f"answer {exchange_id} marked {rating}")
