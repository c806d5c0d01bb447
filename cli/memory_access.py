"""Where memory commands run: through the daemon when it answers, else in process.

Both sides speak the API's JSON shapes, so a command prints the same either way. The
daemon already has the embedding model loaded, which saves a CLI call seconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Protocol

from ..daemon.client import DaemonClient, DaemonError
from ..memory import MemoryStore, NewMemory, Remembered
from ..memory.importer import ImportTarget
from ..memory.instants import parse_instant
from ..retrieval import Retriever
from ..settings import Settings
from ..validation import InputError


class MemoryBackend(Protocol):
    via: str

    def add(self, body: dict[str, Any]) -> dict[str, Any]: ...

    def search(self, params: dict[str, Any]) -> list[dict[str, Any]]: ...

    def forget(self, ids: list[int]) -> list[int]: ...

    def forget_preview(self, body: dict[str, Any]) -> list[dict[str, Any]]: ...

    def stats(self) -> dict[str, Any]: ...


class LocalMemory:
    via = "in process"

    def __init__(self, store: MemoryStore) -> None:
        self.store = store

    def add(self, body: dict[str, Any]) -> dict[str, Any]:
        result = self.store.remember(
            body["text"],
            body["kind"],
            body["source"],
            body.get("at"),
            importance=body["importance"],
        )
        return {"id": result.id, "created": result.created, "duplicate_of": result.duplicate_of}

    def search(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        now = params.get("now")
        results = Retriever(self.store).search(
            params["q"],
            k=params["k"],
            kind=params.get("kind"),
            source=params.get("source"),
            now=parse_instant(now, self.store.settings.tz(), "--now") if now else None,
        )
        return [r.to_json() for r in results]

    def forget(self, ids: list[int]) -> list[int]:
        return self.store.forget_many(ids)

    def forget_preview(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        from ..retrieval.forgetting import forget_matches

        matches = forget_matches(self.store, body["query"], body["k"], body.get("min_similarity"))
        return [m.to_json() for m in matches]

    def stats(self) -> dict[str, Any]:
        return self.store.stats()


class RemoteMemory:
    via = "daemon"

    def __init__(self, client: DaemonClient) -> None:
        self.client = client

    def add(self, body: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = self.client.request(
            "POST", "/memories", json={k: v for k, v in body.items() if v is not None}
        )
        return result

    def search(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        query = {k: v for k, v in params.items() if v is not None}
        result: list[dict[str, Any]] = self.client.request("GET", "/memories", params=query)
        return result

    def forget(self, ids: list[int]) -> list[int]:
        from ..daemon.client import DaemonError

        gone = []
        for memory_id in ids:
            try:
                self.client.request("DELETE", f"/memories/{memory_id}")
                gone.append(memory_id)
            except DaemonError as exc:
                if not str(exc).startswith("404"):
                    raise
        return gone

    def forget_preview(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        query = {k: v for k, v in body.items() if v is not None}
        result: dict[str, Any] = self.client.request("POST", "/memories/forget", json=query)
        matches: list[dict[str, Any]] = result["matches"]
        return matches

    def stats(self) -> dict[str, Any]:
        result: dict[str, Any] = self.client.request("GET", "/memories/stats")
        return result


class DaemonImport:
    """``memory import`` through the running daemon, which has the embedder loaded: a
    batch is one request and one transaction there (``POST /memories/batch``)."""

    def __init__(self, client: DaemonClient, settings: Settings) -> None:
        self.client = client
        self.settings = settings

    def validate(self, item: NewMemory, where: str = "item") -> None:
        """The daemon validates each batch; a refused batch is retried line by line."""

    def remember_many(
        self, items: list[NewMemory], *, where: list[str] | None = None
    ) -> list[Remembered]:
        body = {"memories": [_memory_body(item) for item in items], "where": where}
        try:
            rows = self.client.request("POST", "/memories/batch", json=body)
        except DaemonError as exc:
            if exc.status != 422:
                raise
            detail = exc.detail
            if where and len(where) == 1 and not detail.startswith(where[0]):
                detail = f"{where[0]}: {detail.removeprefix('body.memories.0.')}"
            raise InputError(detail) from None
        return [Remembered(r["id"], r["created"], r["duplicate_of"]) for r in rows]


def _memory_body(item: NewMemory) -> dict[str, Any]:
    at = item.at.isoformat() if isinstance(item.at, datetime) else item.at
    body = {
        "text": item.text,
        "kind": item.kind,
        "source": item.source,
        "at": at,
        "meta": item.meta,
        "importance": item.importance,
    }
    return {key: value for key, value in body.items() if value is not None}


@contextmanager
def import_target(settings: Settings) -> Iterator[ImportTarget]:
    """The daemon when it answers, else this process's store with its embedder loaded
    first, under a spinner (the load is most of a small import's time)."""
    from .progress import Spinner

    client = DaemonClient.connect(settings)
    if client is not None:
        with client:
            yield DaemonImport(client, settings)
        return
    with Spinner("loading the embedding model (`pocketmind start` keeps it loaded)"):
        store = MemoryStore.open(settings)
        try:
            store.embedder.embed(["warm up"])
        except BaseException:
            store.close()
            raise
    try:
        yield store
    finally:
        store.close()


@contextmanager
def memory_backend(settings: Settings, *, check_space: bool = True) -> Iterator[MemoryBackend]:
    client = DaemonClient.connect(settings)
    if client is not None:
        with client:
            yield RemoteMemory(client)
        return
    store = MemoryStore.open(settings, check_space=check_space)
    try:
        yield LocalMemory(store)
    finally:
        store.close()
