"""JSONL import: one object a line, bad lines reported and skipped, good ones committed.

Each line is ``{"text": ..., "at"?: ISO 8601, "kind"?: ..., "source"?: ...,
"importance"?: 0..1}``; every other field is kept in the memory's ``meta``. Lines are
validated one by one, so a bad line never spoils the batch around it (should a batch
still fail on one, its lines are written one at a time and only that one is reported),
and each batch is one transaction, so a crash loses at most the batch in flight, never
one already reported as imported.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

from ..settings import Settings
from ..validation import InputError, json_problem
from .model import NewMemory, Remembered

KNOWN_FIELDS = ("text", "at", "kind", "source", "importance")


@dataclass
class ImportReport:
    imported: int = 0
    duplicates: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        return len(self.errors)


def parse_line(raw: bytes, where: str) -> NewMemory | None:
    """A ``NewMemory`` from one JSONL line; None for a blank line."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{where}: invalid UTF-8 at byte {exc.start}") from None
    if not line.strip():
        return None
    try:
        obj: Any = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}: invalid JSON: {exc.msg} (column {exc.colno})") from None
    if not isinstance(obj, dict):
        raise InputError(f"{where}: expected a JSON object, got {type(obj).__name__}")
    if "text" not in obj:
        raise InputError(f"{where}: field 'text' is required")
    if problem := json_problem(obj):  # NaN, Infinity, a lone surrogate: named by field
        raise InputError(f"{where}: {problem}")
    meta = {key: value for key, value in obj.items() if key not in KNOWN_FIELDS}
    return NewMemory(
        text=obj["text"],
        kind=obj.get("kind", "note"),
        source=obj.get("source", "import"),
        at=obj.get("at"),
        meta=meta,
        importance=obj.get("importance", 0.5),
        payload=obj,
    )


class ImportTarget(Protocol):
    """Where imported memories go: a ``MemoryStore``, or the daemon (``cli.memory_access``)."""

    settings: Settings

    def validate(self, item: NewMemory, where: str = "item") -> None: ...

    def remember_many(
        self, items: list[NewMemory], *, where: list[str] | None = None
    ) -> list[Remembered]: ...


def _lines(stream: IO[bytes]) -> Iterator[tuple[int, bytes]]:
    for number, raw in enumerate(stream, start=1):
        yield number, raw.rstrip(b"\r\n")


def import_jsonl(
    store: ImportTarget,
    path: Path,
    *,
    batch_size: int | None = None,
    on_error: Callable[[str], object] | None = None,
    on_progress: Callable[[int], object] | None = None,
) -> ImportReport:
    """Import ``path`` into ``store``; ``on_progress`` gets bytes read since last call."""
    report = ImportReport()
    size = batch_size or store.settings.memory.batch_size
    batch: list[NewMemory] = []
    labels: list[str] = []

    def count(results: list[Remembered]) -> None:
        for result in results:
            report.imported += result.created
            report.duplicates += not result.created

    def error(message: str) -> None:
        report.errors.append(message)
        if on_error:
            on_error(message)

    def flush() -> None:
        if not batch:
            return
        try:
            count(store.remember_many(batch, where=labels))
        except InputError:  # validated, yet refused: keep every line but that one
            for item, label in zip(batch, labels, strict=True):
                try:
                    count(store.remember_many([item], where=[label]))
                except InputError as exc:
                    error(str(exc))
        batch.clear()
        labels.clear()

    with path.open("rb") as stream:
        for number, raw in _lines(stream):
            where = f"{path}:{number}"
            try:
                item = parse_line(raw, where)
                if item is not None:
                    store.validate(item, where)
                    batch.append(item)
                    labels.append(where)
            except InputError as exc:
                error(str(exc))
            if on_progress:
                on_progress(len(raw) + 1)
            if len(batch) >= size:
                flush()
        flush()
    return report
