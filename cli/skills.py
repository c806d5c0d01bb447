"""``pocketmind skills list | enable | disable``."""

from __future__ import annotations

import json

import click

from ..schema import open_database
from ..settings import Settings
from ..skills.base import SkillSwitches, describe_skills
from .base import Group, with_settings


@click.group(cls=Group)
def skills() -> None:
    """List the skills and switch them on or off."""


@skills.command("list")
@with_settings
@click.option("--json", "as_json", is_flag=True)
def list_skills(settings: Settings, as_json: bool) -> None:
    """Every skill, whether it is on, and what it does."""
    with open_database(settings.db_path) as db:
        rows = describe_skills(db)
    if as_json:
        click.echo(json.dumps(rows))
        return
    for row in rows:
        click.echo(f"{'on ' if row['enabled'] else 'off'} {row['name']:14s} {row['description']}")


def _switch(settings: Settings, name: str, enabled: bool) -> None:
    with open_database(settings.db_path) as db:
        SkillSwitches(db).set(name, enabled)
    click.echo(f"{name} {'enabled' if enabled else 'disabled'}")


@skills.command()
@with_settings
@click.argument("name")
def enable(settings: Settings, name: str) -> None:
    """Switch a skill on."""
    _switch(settings, name, True)


@skills.command()
@with_settings
@click.argument("name")
def disable(settings: Settings, name: str) -> None:
    """Switch a skill off."""
    _switch(settings, name, False)
