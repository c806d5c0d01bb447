"""``pocketmind sensors`` and ``pocketmind places``."""

from __future__ import annotations

import json
from typing import Any

import click

from ..daemon.client import DaemonClient
from ..schema import open_database
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
    rows = sensor_rows(settings, live)
    if as_json:
        click.echo(json.dumps(rows))
        return
    click.echo(f"{'SENSOR':13s} {'ON':3s} {'HERE':4s}  {'STATE':18s} DETAIL")
    for row in rows:
        flags = ("on " if row["enabled"] else "off") + (" yes" if row["available"] else " no ")
        detail = row["error"] or (f"last: {row['last_reading']}" if row["last_reading"] else "")
        if not row["available"]:
            detail = f"needs {row['needs']}"
        click.echo(f"{row['name']:13s} {flags}  {row['state']:18s} {detail}".rstrip())
    if any(not row["available"] and "Termux:API" in row["needs"] for row in rows):
        click.echo("Termux:API: `pkg install termux-api` and the Termux:API app from F-Droid")


def sensor_rows(settings: Settings, live: dict[str, Any]) -> list[dict[str, Any]]:
    """Every registered sensor: enabled, available here (and if not, what it needs), and
    the daemon's view of it when the daemon runs."""
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
        if name not in enabled:
            state = state | {"state": "disabled"}
        elif not available:
            state = state | {"state": "unavailable"}
        rows.append(
            {
                "name": name,
                "enabled": name in enabled,
                "available": available,
                "needs": getattr(sensor, "needs", "what it reads, missing on this machine"),
                "state": state.get("state", "daemon not running"),
                "error": state.get("error"),
                "last_reading": state.get("last_reading"),
                "events": state.get("events", 0),
            }
        )
    return rows


@click.group(cls=Group)
def places() -> None:
    """Places learned from location, and their names."""


@places.command("list")
@with_settings
def list_places(settings: Settings) -> None:
    """Every place, with its id, name, position and visits."""
    with open_database(settings.db_path) as db:
        rows = Places(db).all()
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
    with open_database(settings.db_path) as db:
        try:
            place = Places(db).name(place_id, name)
        except (LookupError, ValueError) as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"place #{place.id} is now {place.label!r}")


@places.command("add")
@with_settings
@click.argument("name")
@click.argument("latitude", type=click.FloatRange(-90, 90))
@click.argument("longitude", type=click.FloatRange(-180, 180))
def add_place(settings: Settings, name: str, latitude: float, longitude: float) -> None:
    """A place you have not been to with location on ("Packstation"), by its position:
    the planner orders errands by the distance between named places."""
    with open_database(settings.db_path) as db:
        places = Places(db)
        try:
            place = places.name(places.add(latitude, longitude, settings.sensing.place_radius_m).id,
                                name)  # fmt: skip
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"place #{place.id} is {place.label!r} at {latitude:.5f},{longitude:.5f}")


__all__ = ["make_sensors", "places", "sensors"]
