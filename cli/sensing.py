"""``pocketmind sensors`` and ``pocketmind places``."""

from __future__ import annotations

import json
from typing import Any

import click

from ..daemon.client import DaemonClient
from ..memory import MemoryStore
from ..sensing import make_sensors
from ..sensing.places import Places
from ..settings import Settings
from .base import Group, with_settings


@click.command()
@with_settings
@click.option("--json", "as_json", is_flag=True)
def sensors(settings: Settings, as_json: bool) -> None:
    """Each sensor: enabled, available here, its state and last reading."""
    live: dict[str, Any] = {}
    if client := DaemonClient.connect(settings):
        with client:
            live = client.status().get("sensors", {})
    from ..sensing import registry

    rows = []
    enabled = set(settings.sensing.sensors)
    for name, factory in registry().items():
        sensor = factory(settings, None)
        state = live.get(name, {})
        try:
            here = bool(sensor.available())  # through its TermuxApi, like the daemon's
            available = here if name != "location" else state.get("available", here)
        except Exception:
            available = False
        rows.append(
            {
                "name": name,
                "enabled": name in enabled,
                "available": available,
                "state": state.get("state", "daemon not running" if not live else "disabled"),
                "error": state.get("error"),
                "last_reading": state.get("last_reading"),
                "events": state.get("events", 0),
            }
        )
    if as_json:
        click.echo(json.dumps(rows))
        return
    for row in rows:
        flags = ("on " if row["enabled"] else "off") + (" here" if row["available"] else " n/a ")
        detail = row["error"] or (f"last: {row['last_reading']}" if row["last_reading"] else "")
        click.echo(f"{row['name']:13s} {flags}  {row['state']:18s} {detail}")


@click.group(cls=Group)
def places() -> None:
    """Places learned from location, and their names."""


@places.command("list")
@with_settings
def list_places(settings: Settings) -> None:
    """Every place, with its id, name, position and visits."""
    with MemoryStore.open(settings, check_space=False) as store:
        rows = Places(store.db).all()
    if not rows:
        click.echo("no places yet: they are learned from location fixes")
    for row in rows:
        click.echo(
            f"#{row.id:<4} {row.name or '(unnamed)':20s} {row.latitude:.5f},{row.longitude:.5f}  "
            f"{row.visits} visits"
        )


@places.command("name")
@with_settings
@click.argument("place_id", type=int)
@click.argument("name")
def name_place(settings: Settings, place_id: int, name: str) -> None:
    """Call place PLACE_ID by NAME ("home", "work"): later memories use the name."""
    with MemoryStore.open(settings, check_space=False) as store:
        try:
            place = Places(store.db).name(place_id, name)
        except (LookupError, ValueError) as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"place #{place.id} is now {place.label!r}")


__all__ = ["make_sensors", "places", "sensors"]
