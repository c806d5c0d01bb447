"""The memory layer's value types."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from .instants import from_db


@dataclass(frozen=True)
class Memory:
    id: int
    text: str
    kind: str
    source: str
    occurred_at: datetime
    created_at: datetime
    last_seen_at: datetime
    seen_count: int
    importance: float
    meta: dict[str, Any]
    event_id: int | None
    superseded_by: int | None
    untrusted: bool = False

    @classmethod
    def from_row(cls, row: Any) -> Memory:
        return cls(
            id=row["id"],
            text=row["text"],
            kind=row["kind"],
            source=row["source"],
            occurred_at=from_db(row["occurred_at"]),
            created_at=from_db(row["created_at"]),
            last_seen_at=from_db(row["last_seen_at"]),
            seen_count=row["seen_count"],
            importance=row["importance"],
            meta=json.loads(row["meta"]),
            event_id=row["event_id"],
            superseded_by=row["superseded_by"],
            untrusted=bool(row["untrusted"]),
        )

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("occurred_at", "created_at", "last_seen_at"):
            out[key] = out[key].isoformat()
        return out


@dataclass(frozen=True)
class SearchResult:
    memory: Memory
    score: float

    def to_json(self) -> dict[str, Any]:
        m = self.memory
        return {
            "id": m.id,
            "text": m.text,
            "kind": m.kind,
            "source": m.source,
            "occurred_at": m.occurred_at.isoformat(),
            "meta": m.meta,
            "untrusted": m.untrusted,
            "score": round(self.score, 6),
        }


@dataclass(frozen=True)
class NewMemory:
    """A memory to write. ``at`` defaults to now; ``payload`` is logged as the raw event."""

    text: str
    kind: str = "note"
    source: str = "user"
    at: datetime | str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    importance: float = 0.5
    payload: dict[str, Any] | None = None
    untrusted: bool = False
    event_id: int | None = None  # already logged (the daemon's ingest path): link, don't log


@dataclass(frozen=True)
class NewEvent:
    """A raw reading or app event for the log: what was sensed, as it was sensed."""

    source: str
    kind: str
    payload: dict[str, Any]
    at: datetime | str | None = None
    untrusted: bool = True
    key: str | None = None  # idempotency key: (source, key) is logged once


@dataclass(frozen=True)
class Remembered:
    """What ``remember`` did: a new row, or which existing memory absorbed a duplicate."""

    id: int
    created: bool
    duplicate_of: str | None = None  # "exact" or "near"
