"""``pocketmind doctor``."""

from __future__ import annotations

import sys

import click

from ..doctor import diagnose, to_json
from ..settings import Settings
from .base import with_settings


@click.command()
@with_settings
@click.option("--json", "as_json", is_flag=True)
def doctor(settings: Settings, as_json: bool) -> None:
    """Check what this machine can do (SQLite extensions, sqlite-vec, models, memory,
    storage, termux-api and its permissions, the engine, the calendar files) and print
    what to fix, one line each. Exit 1 when something needs fixing."""
    findings = diagnose(settings)
    if as_json:
        click.echo(to_json(findings))
    else:
        for finding in findings:
            click.echo(finding.line())
    if any(f.status == "fix" for f in findings):
        sys.exit(1)
