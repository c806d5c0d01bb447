"""Skills: which there are, their state, and switching them on or off."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from fastapi import Path as PathParam

from ...skills.base import SkillSwitches, describe_skills
from .deps import OWNER, RuntimeDep

router = APIRouter(tags=["skills"], dependencies=OWNER)

SkillName = Annotated[str, PathParam(max_length=100)]


@router.get("/skills")
def list_skills(runtime: RuntimeDep) -> list[dict[str, Any]]:
    live = runtime.skills.status() if hasattr(runtime, "skills") else {}
    out = describe_skills(runtime.db)
    for row in out:
        row |= {key: live.get(row["name"], {}).get(key) for key in ("state", "error")}
    return out


@router.post("/skills/{name}/enable")
def enable(runtime: RuntimeDep, name: SkillName) -> dict[str, Any]:
    SkillSwitches(runtime.db).set(name, True)
    return {"name": name, "enabled": True}


@router.post("/skills/{name}/disable")
def disable(runtime: RuntimeDep, name: SkillName) -> dict[str, Any]:
    SkillSwitches(runtime.db).set(name, False)
    return {"name": name, "enabled": False}
