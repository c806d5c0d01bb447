"""``pocketmind remind`` and ``pocketmind reminders list | done | cancel | snooze``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import click

from ..schema import open_database
from ..sensing.places import Places
from ..settings import Settings
from ..skills.reminders import Reminder, ReminderBook
from ..skills.schedules import Schedule, parse_when
from ..validation import InputError
from .base import Group, with_settings


@contextmanager
def book(settings: Settings) -> Iterator[ReminderBook]:
    db = open_database(settings.db_path)
    try:
        yield ReminderBook(db, settings.tz())
    finally:
        db.close()


def _place(reminders: ReminderBook, name: str) -> int:
    places = Places(reminders.db).all()
    for place in places:
        if name == str(place.id) or (place.name or "").lower() == name.lower():
            return place.id
    known = ", ".join(p.label for p in places) or "none yet"
    raise InputError(
        f"unknown place {name!r} (known: {known}); name one with `pocketmind places name ID NAME`"
    )


def _describe(reminder: Reminder, settings: Settings) -> str:
    trigger = reminder.trigger
    tz = settings.tz()
    if reminder.next_fire_at is not None:
        when = reminder.next_fire_at.astimezone(tz).strftime("%a %d %b %H:%M")
        every = Schedule(cron=trigger["cron"]).describe(tz) if trigger["type"] == "cron" else ""
        return f"{when}" + (f" ({every})" if every else "")
    kind = trigger["type"]
    if kind in ("arrive", "leave"):
        verb = "arrive at" if kind == "arrive" else "leave"
        return f"when I {verb} place #{trigger['place_id']}"
    if kind == "battery_below":
        return f"when the battery drops below {trigger['percent']}%"
    return f"when I connect to {trigger.get('ssid')}"


@click.command()
@with_settings
@click.argument("text")
@click.option(
    "--at",
    "at",
    help='When: "tomorrow 18:00", "in 20 minutes", "next friday 3pm", "after lunch". '
    "Parts of the day: morning 09:00, lunchtime 12:30, after lunch 14:00, afternoon "
    "15:00, evening 19:00, tonight 20:00; a day alone is 09:00.",
)
@click.option("--every", help='Recurring: "day at 8", "weekday at 7:30", "monday at 9".')
@click.option("--arrive", help="When I arrive at this place (name or id).")
@click.option("--leave", help="When I leave this place (name or id).")
@click.option(
    "--battery-below",
    type=click.IntRange(1, 100),
    help="When the battery drops below this percentage (unplugged).",
)
@click.option("--wifi", help="When I connect to this wifi network.")
@click.option("--repeat", is_flag=True, help="A context reminder fires every time, not once.")
@click.option("--urgent", is_flag=True, help="Deliver even during quiet hours.")
@click.option("--json", "as_json", is_flag=True)
def remind(
    settings: Settings,
    text: str,
    at: str | None,
    every: str | None,
    arrive: str | None,
    leave: str | None,
    battery_below: int | None,
    wifi: str | None,
    repeat: bool,
    urgent: bool,
    as_json: bool,
) -> None:
    """Remind me of TEXT at a time, every so often, or when something happens."""
    chosen = [x for x in (at, every, arrive, leave, battery_below, wifi) if x is not None]
    if len(chosen) != 1:
        raise click.UsageError(
            "give exactly one of --at, --every, --arrive, --leave, --battery-below, --wifi"
        )
    now = datetime.now(UTC)
    cooldown = settings.skills.context_cooldown_min * 60
    with book(settings) as reminders:
        if at is not None or every is not None:
            when = at if at is not None else f"every {every}"
            reminder = reminders.add_time(
                text, parse_when(when, now, settings.tz(), "--at"), now, urgent
            )
        else:
            trigger: dict[str, Any] = {"repeat": repeat}
            if arrive or leave:
                trigger |= {
                    "type": "arrive" if arrive else "leave",
                    "place_id": _place(reminders, arrive or leave or ""),
                }
            elif battery_below is not None:
                trigger |= {"type": "battery_below", "percent": battery_below}
            else:
                trigger |= {"type": "wifi", "ssid": wifi}
            reminder = reminders.add_context(text, trigger, now, urgent, cooldown)
    if as_json:
        click.echo(json.dumps(reminder.to_json()))
    else:
        click.echo(f"#{reminder.id}: {reminder.text} — {_describe(reminder, settings)}")


@click.group(cls=Group)
def reminders() -> None:
    """List, finish, cancel and snooze reminders."""


@reminders.command("list")
@with_settings
@click.option(
    "--fired", is_flag=True, help="Reminders that fired, newest first; 'due' ones were not shown."
)
@click.option("--json", "as_json", is_flag=True)
def list_reminders(settings: Settings, fired: bool, as_json: bool) -> None:
    """The active reminders, soonest first (--fired: the ones that fired)."""
    if fired:
        _list_fired(settings, as_json)
        return
    with book(settings) as found:
        active = found.active()
    if as_json:
        click.echo(json.dumps([r.to_json() for r in active]))
        return
    if not active:
        click.echo("no active reminders")
    for reminder in active:
        click.echo(f"#{reminder.id:<4} {_describe(reminder, settings):32s} {reminder.text}")


def _list_fired(settings: Settings, as_json: bool) -> None:
    with book(settings) as found:
        firings = found.fired()
    if as_json:
        click.echo(json.dumps(firings))
        return
    if not firings:
        click.echo("no reminder has fired yet")
    tz = settings.tz()
    for firing in firings:
        when = datetime.fromisoformat(firing["fired_at"]).astimezone(tz).strftime("%a %d %b %H:%M")
        state = "due  " if firing["due"] else "shown"
        click.echo(f"#{firing['id']:<4} {when}  {state}  {firing['text']}")
    if any(f["due"] for f in firings):
        click.echo(
            "due: no notification reached you; `pocketmind reminders done ID` or "
            "`pocketmind reminders snooze ID` answers one"
        )


def _finish(settings: Settings, reminder_id: int, status: str) -> None:
    with book(settings) as found:
        if not found.set_status(reminder_id, status):
            raise click.ClickException(f"no active reminder #{reminder_id}")
    click.echo(f"#{reminder_id} {status}")


@reminders.command()
@with_settings
@click.argument("reminder_id", type=int)
def done(settings: Settings, reminder_id: int) -> None:
    """Mark a reminder done (the notification's Done button calls this)."""
    with book(settings) as found:
        if not found.done(reminder_id, datetime.now(UTC)):
            raise click.ClickException(f"no reminder #{reminder_id} active or due")
    click.echo(f"#{reminder_id} done")


@reminders.command()
@with_settings
@click.argument("reminder_id", type=int)
def cancel(settings: Settings, reminder_id: int) -> None:
    """Cancel a reminder."""
    _finish(settings, reminder_id, "cancelled")


@reminders.command()
@with_settings
@click.argument("reminder_id", type=int)
@click.option("--minutes", type=click.FloatRange(1, 7 * 24 * 60), default=10, show_default=True)
def snooze(settings: Settings, reminder_id: int, minutes: float) -> None:
    """Remind again in a few minutes (the notification's Snooze button calls this)."""
    with book(settings) as found:
        reminder = found.snooze(reminder_id, datetime.now(UTC), minutes)
    click.echo(f"#{reminder.id} snoozed until {_describe(reminder, settings)}")
