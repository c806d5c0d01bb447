"""Reminders: at a time, every so often, or on arriving, leaving, battery or wifi."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from fastapi import Path as PathParam

from ...sensing.places import Places
from ...skills.reminders import ReminderBook
from ...skills.schedules import parse_when
from ...validation import InputError
from .. import schemas
from ..runtime import Runtime
from .deps import OWNER, RuntimeDep

router = APIRouter(tags=["reminders"], dependencies=OWNER)

ReminderId = Annotated[int, PathParam(ge=1, le=2**63 - 1)]


def book(runtime: Runtime) -> ReminderBook:
    return ReminderBook(runtime.db, runtime.settings.tz())


@router.get("/reminders")
def list_reminders(runtime: RuntimeDep) -> list[dict[str, Any]]:
    return [r.to_json() for r in book(runtime).active()]


@router.post("/reminders", status_code=201)
def add_reminder(runtime: RuntimeDep, body: schemas.ReminderIn) -> dict[str, Any]:
    chosen = [
        k
        for k in ("at", "every", "arrive", "leave", "battery_below", "wifi")
        if getattr(body, k) is not None
    ]
    if len(chosen) != 1:
        raise InputError(
            "reminder: give exactly one of at, every, arrive, leave, battery_below, wifi"
        )
    now = datetime.now(UTC)
    tz = runtime.settings.tz()
    reminders = book(runtime)
    if body.at is not None or body.every is not None:
        when = body.at if body.at is not None else f"every {body.every}"
        return reminders.add_time(
            body.text, parse_when(when, now, tz, chosen[0]), now, body.urgent
        ).to_json()
    trigger: dict[str, Any] = {"repeat": body.repeat}
    if body.arrive or body.leave:
        name = body.arrive or body.leave or ""
        places = Places(runtime.db).all()
        place = next((p for p in places if name in (str(p.id), p.name)), None)
        if place is None:
            raise InputError(f"{chosen[0]}: unknown place {name!r}")
        trigger |= {"type": "arrive" if body.arrive else "leave", "place_id": place.id}
    elif body.battery_below is not None:
        trigger |= {"type": "battery_below", "percent": body.battery_below}
    else:
        trigger |= {"type": "wifi", "ssid": body.wifi}
    cooldown = runtime.settings.skills.context_cooldown_min * 60
    return reminders.add_context(body.text, trigger, now, body.urgent, cooldown).to_json()


@router.get("/reminders/fired")
def fired(
    runtime: RuntimeDep, after: Annotated[str, Query(max_length=64)] = ""
) -> list[dict[str, Any]]:
    """Firings after ``after`` (an ISO instant): how the TUI shows reminders too."""
    return book(runtime).fired_after(after)


@router.get("/reminders/due")
def due(runtime: RuntimeDep) -> list[dict[str, Any]]:
    """Firings no notifier delivered and the user has not answered, newest first."""
    return book(runtime).fired(due_only=True)


@router.post("/reminders/{reminder_id}/done")
def done(runtime: RuntimeDep, reminder_id: ReminderId) -> dict[str, Any]:
    if not book(runtime).done(reminder_id, datetime.now(UTC)):
        raise HTTPException(404, f"no reminder #{reminder_id} active or due")
    return {"id": reminder_id, "status": "done"}


@router.post("/reminders/{reminder_id}/cancel")
def cancel(runtime: RuntimeDep, reminder_id: ReminderId) -> dict[str, Any]:
    return finish(book(runtime), reminder_id, "cancelled")


@router.post("/reminders/{reminder_id}/restore")
def restore(runtime: RuntimeDep, reminder_id: ReminderId) -> dict[str, Any]:
    """Undo a cancel (the TUI's undo)."""
    if not book(runtime).restore(reminder_id):
        raise HTTPException(404, f"no cancelled reminder #{reminder_id}")
    return {"id": reminder_id, "status": "active"}


@router.post("/reminders/{reminder_id}/snooze")
def snooze(runtime: RuntimeDep, reminder_id: ReminderId, body: schemas.SnoozeIn) -> dict[str, Any]:
    return book(runtime).snooze(reminder_id, datetime.now(UTC), body.minutes).to_json()


def finish(book: ReminderBook, reminder_id: int, status: str) -> dict[str, Any]:
    if not book.set_status(reminder_id, status):
        raise HTTPException(404, f"no active reminder #{reminder_id}")
    return {"id": reminder_id, "status": status}
