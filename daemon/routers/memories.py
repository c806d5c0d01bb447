"""Memories: search, remember, read, forget (one, or what a query matches)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Response
from fastapi import Path as PathParam

from ...memory import NewMemory
from ...retrieval import Retriever
from ...retrieval.forgetting import forget_matches
from .. import schemas
from .deps import OWNER, RuntimeDep, parse_now

router = APIRouter(tags=["memories"], dependencies=OWNER)

MemoryId = Annotated[int, PathParam(ge=1, le=2**63 - 1, description="A memory's id")]


@router.get("/memories")
def search(
    runtime: RuntimeDep,
    q: str = Query(min_length=1, max_length=2000),
    k: int = Query(default=10, ge=1, le=100),
    kind: str | None = Query(default=None, max_length=200),
    source: str | None = Query(default=None, max_length=200),
    now: str | None = Query(default=None, max_length=64),
) -> list[dict[str, Any]]:
    results = Retriever(runtime.store).search(
        q, k=k, kind=kind, source=source, now=parse_now(runtime, now)
    )
    return [r.to_json() for r in results]


@router.post("/memories", response_model=schemas.Remembered, status_code=201)
def add(runtime: RuntimeDep, body: schemas.MemoryIn) -> schemas.Remembered:
    result = runtime.store.remember(
        body.text, body.kind, body.source, body.at, body.meta, body.importance
    )
    return schemas.Remembered(**result.__dict__)


@router.post("/memories/batch", response_model=list[schemas.Remembered], status_code=201)
def add_many(runtime: RuntimeDep, body: schemas.MemoriesIn) -> list[schemas.Remembered]:
    """Many memories in one transaction (``memory import``): a bad one refuses the
    batch, named by its ``where`` label, and nothing of it is written."""
    items = [
        NewMemory(m.text, m.kind, m.source, m.at, dict(m.meta), m.importance) for m in body.memories
    ]
    where = body.where if body.where and len(body.where) == len(items) else None
    remembered = runtime.store.remember_many(items, where=where)
    return [schemas.Remembered(**r.__dict__) for r in remembered]


@router.get("/memories/recent")
def recent(runtime: RuntimeDep, k: int = Query(default=20, ge=1, le=100)) -> list[dict[str, Any]]:
    """The latest memories, newest first: what the TUI's browser shows before a search."""
    return [m.to_json() for m in runtime.store.recent(k)]


@router.get("/memories/stats")
def stats(runtime: RuntimeDep) -> dict[str, Any]:
    return runtime.store.stats()


@router.get("/memories/{memory_id}")
def get(runtime: RuntimeDep, memory_id: MemoryId) -> dict[str, Any]:
    memory = runtime.store.get(memory_id)
    if memory is None:
        raise HTTPException(404, f"no memory {memory_id}")
    return memory.to_json()


@router.delete("/memories/{memory_id}", status_code=204)
def forget(runtime: RuntimeDep, memory_id: MemoryId) -> Response:
    if not runtime.store.forget(memory_id):
        raise HTTPException(404, f"no memory {memory_id}")
    return Response(status_code=204)


@router.post("/memories/forget", response_model=schemas.Forgotten)
def forget_matching(runtime: RuntimeDep, body: schemas.ForgetIn) -> schemas.Forgotten:
    """Without ``confirm``: what the query would forget. With it: forget those."""
    store = runtime.store
    threshold = body.min_similarity
    if threshold is None:
        threshold = runtime.settings.memory.forget_min_similarity
    matches = forget_matches(store, body.query, body.k, threshold)
    return schemas.Forgotten(
        forgotten=store.forget_many(m.id for m in matches) if body.confirm else [],
        matches=[m.to_json() for m in matches],
        min_similarity=threshold,
        confirmed=body.confirm,
    )
