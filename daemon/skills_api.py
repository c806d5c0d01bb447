"""The API's reminders and skills endpoints."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import FastAPI, HTTPException, Query, Response
from fastapi import Path as PathParam

from ..sensing.places import Places
from ..skills.base import SkillSwitches, describe_skills
from ..skills.reminders import ReminderBook
from ..skills.schedules import parse_when
from ..training.export import Watermark, default_export_dir, export, record_feedback
from ..validation import InputError
from . import schemas
from .runtime import Runtime

ReminderId = Annotated[int, PathParam(ge=1, le=2**63 - 1)]


def add_routes(app: FastAPI, runtime: Runtime) -> None:
    def book() -> ReminderBook:
        return ReminderBook(runtime.store, runtime.settings.tz())

    @app.get("/reminders")
    def list_reminders() -> list[dict[str, Any]]:
        return [r.to_json() for r in book().active()]

    @app.post("/reminders", status_code=201)
    def add_reminder(body: schemas.ReminderIn) -> dict[str, Any]:
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
        reminders = book()
        if body.at is not None or body.every is not None:
            when = body.at if body.at is not None else f"every {body.every}"
            return reminders.add_time(
                body.text, parse_when(when, now, tz, chosen[0]), now, body.urgent
            ).to_json()
        trigger: dict[str, Any] = {"repeat": body.repeat}
        if body.arrive or body.leave:
            name = body.arrive or body.leave or ""
            place = next(
                (p for p in Places(runtime.store.db).all() if name in (str(p.id), p.name)), None
            )
            if place is None:
                raise InputError(f"{chosen[0]}: unknown place {name!r}")
            trigger |= {"type": "arrive" if body.arrive else "leave", "place_id": place.id}
        elif body.battery_below is not None:
            trigger |= {"type": "battery_below", "percent": body.battery_below}
        else:
            trigger |= {"type": "wifi", "ssid": body.wifi}
        cooldown = runtime.settings.skills.context_cooldown_min * 60
        return reminders.add_context(body.text, trigger, now, body.urgent, cooldown).to_json()

    @app.get("/reminders/due")
    def due() -> list[dict[str, Any]]:
        """Firings no notifier delivered and the user has not answered, newest first."""
        return book().fired(due_only=True)

    @app.get("/reminders/fired")
    def fired(after: Annotated[str, Query(max_length=64)] = "") -> list[dict[str, Any]]:
        """Firings after ``after`` (an ISO instant): how the TUI shows reminders too."""
        return book().fired_after(after)

    @app.post("/reminders/{reminder_id}/done")
    def done(reminder_id: ReminderId) -> dict[str, Any]:
        if not book().done(reminder_id, datetime.now(UTC)):
            raise HTTPException(404, f"no reminder #{reminder_id} active or due")
        return {"id": reminder_id, "status": "done"}

    @app.post("/reminders/{reminder_id}/cancel")
    def cancel(reminder_id: ReminderId) -> dict[str, Any]:
        return _finish(book(), reminder_id, "cancelled")

    @app.post("/reminders/{reminder_id}/restore")
    def restore(reminder_id: ReminderId) -> dict[str, Any]:
        """Undo a cancel (the TUI's undo)."""
        if not book().restore(reminder_id):
            raise HTTPException(404, f"no cancelled reminder #{reminder_id}")
        return {"id": reminder_id, "status": "active"}

    @app.post("/reminders/{reminder_id}/snooze")
    def snooze(reminder_id: ReminderId, body: schemas.SnoozeIn) -> dict[str, Any]:
        return book().snooze(reminder_id, datetime.now(UTC), body.minutes).to_json()

    @app.post("/exchanges/{exchange_id}/feedback", status_code=204)
    def give_feedback(exchange_id: ReminderId, body: schemas.FeedbackIn) -> Response:
        record_feedback(runtime.store, exchange_id, body.rating, body.correction)
        return Response(status_code=204)

    @app.post("/exchanges/{exchange_id}/regenerate")
    def regenerate(exchange_id: ReminderId) -> dict[str, Any]:
        """Answer the same prompt again; keeping it (not rating it bad) makes the pair."""
        return runtime.assistant().regenerate(exchange_id).finish().to_json()

    @app.post("/export")
    def run_export(body: schemas.ExportIn) -> dict[str, Any]:
        out = (
            runtime.settings.home / "exports" / body.name
            if body.name
            else default_export_dir(runtime.settings)
        )
        report = export(runtime.store, runtime.settings, out, Watermark() if body.all else None)
        return {
            "out": str(out),
            "watermark": str(report.watermark),
            "counts": report.counts,
            "skipped": report.skipped,
        }

    @app.get("/skills")
    def list_skills() -> list[dict[str, Any]]:
        live = runtime.skills.status() if hasattr(runtime, "skills") else {}
        out = describe_skills(runtime.store)
        for row in out:
            row |= {key: live.get(row["name"], {}).get(key) for key in ("state", "error")}
        return out

    @app.post("/skills/{name}/enable")
    def enable(name: Annotated[str, PathParam(max_length=100)]) -> dict[str, Any]:
        SkillSwitches(runtime.store).set(name, True)
        return {"name": name, "enabled": True}

    @app.post("/skills/{name}/disable")
    def disable(name: Annotated[str, PathParam(max_length=100)]) -> dict[str, Any]:
        SkillSwitches(runtime.store).set(name, False)
        return {"name": name, "enabled": False}


def _finish(book: ReminderBook, reminder_id: int, status: str) -> dict[str, Any]:
    if not book.set_status(reminder_id, status):
        raise HTTPException(404, f"no active reminder #{reminder_id}")
    return {"id": reminder_id, "status": status}
