"""Events from sensors and other apps: logged (the commit is the acknowledgement), then
turned into memories by the ingest worker."""

from __future__ import annotations

from fastapi import APIRouter

from ...memory import NewEvent
from .. import schemas
from .deps import OWNER, RuntimeDep

router = APIRouter(tags=["events"], dependencies=OWNER)


@router.post("/events", response_model=schemas.EventsOut, status_code=202)
def ingest(runtime: RuntimeDep, body: schemas.EventsIn) -> schemas.EventsOut:
    events = [NewEvent(e.source, e.kind, e.payload, e.at, e.untrusted, e.key) for e in body.events]
    ids = runtime.ingestor.submit(events)
    return schemas.EventsOut(ids=ids, queue_depth=runtime.ingestor.depth)
