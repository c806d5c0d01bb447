"""The API's resources, one ``APIRouter`` each, in the order they are matched."""

from __future__ import annotations

from fastapi import APIRouter

from . import (
    actions,
    chat,
    events,
    exchanges,
    export,
    memories,
    openai,
    plans,
    reminders,
    skills,
    status,
)

ROUTERS: list[APIRouter] = [
    status.router,
    memories.router,
    events.router,
    chat.router,
    openai.router,
    reminders.router,
    exchanges.router,
    export.router,
    skills.router,
    actions.router,
    plans.router,
]

__all__ = ["ROUTERS"]
