"""Talking to a running daemon over its Unix socket (what the CLI and the TUI use)."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

import httpx

from ..settings import Settings


class DaemonError(RuntimeError):
    """The daemon answered with an error (``status``, its ``detail`` in words), or did not
    answer at all (``status`` None). ``str()`` keeps the status code in front for logs and
    scripts; people get ``in_words()``."""

    def __init__(self, message: str, status: int | None = None, detail: str | None = None):
        super().__init__(message)
        self.status = status
        self.detail = detail if detail is not None else message

    def in_words(self) -> str:
        """What went wrong, for a person: no HTTP codes."""
        lead = {
            404: "not found",
            503: "the daemon is busy, try again in a moment",
            507: "the phone's storage is full",
        }.get(self.status or 0)
        return f"{lead}: {self.detail}" if lead else self.detail


class DaemonClient:
    def __init__(self, settings: Settings, timeout: float = 300.0) -> None:
        self.settings = settings
        self._timeout = timeout
        self._http = self._open()

    def _open(self) -> httpx.Client:
        return httpx.Client(
            transport=httpx.HTTPTransport(uds=str(self.settings.socket_path)),
            base_url="http://pocketmind",
            timeout=self._timeout,
        )

    def _broken(self, exc: httpx.HTTPError) -> DaemonError:
        """The daemon went away mid-request: close every pooled socket (a half-read one
        would otherwise linger until garbage collection) and start a fresh pool, so the
        next request reaches a restarted daemon."""
        if isinstance(exc, httpx.TransportError):
            self._http.close()
            self._http = self._open()
        return DaemonError(f"the daemon did not answer: {exc}")

    @classmethod
    def connect(cls, settings: Settings) -> DaemonClient | None:
        """A client if a daemon answers on this home's socket, else None."""
        if not settings.socket_path.exists():
            return None
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            probe.settimeout(2)
            try:
                probe.connect(str(settings.socket_path))
            except OSError:  # a stale socket file: a daemon died without cleaning up
                return None
        client = cls(settings)
        try:
            client._http.get("/health", timeout=2).raise_for_status()
        except httpx.HTTPError:
            client.close()
            return None
        return client

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> DaemonClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise self._broken(exc) from exc
        if response.status_code >= 400:
            raise _error(response)
        return response.json() if response.content else None

    def status(self) -> dict[str, Any]:
        result: dict[str, Any] = self.request("GET", "/status")
        return result

    def chat(
        self, question: str, conversation_id: str | None = None, now: str | None = None
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """Server-sent events of one answer: ("token", {"text"}), then ("done", answer)."""
        body = {"question": question, "conversation_id": conversation_id, "now": now}
        body = {k: v for k, v in body.items() if v is not None}
        try:
            with self._http.stream("POST", "/chat", json=body) as response:
                if response.status_code >= 400:
                    response.read()
                    raise _error(response)
                event = "message"
                for line in response.iter_lines():
                    if line.startswith("event:"):
                        event = line[6:].strip()
                    elif line.startswith("data:"):
                        data = json.loads(line[5:])
                        if event == "error":
                            raise DaemonError(data.get("detail", "chat failed"))
                        yield event, data
        except httpx.HTTPError as exc:
            raise self._broken(exc) from exc


def _error(response: httpx.Response) -> DaemonError:
    message = _detail(response)
    detail = message.partition(": ")[2]
    return DaemonError(message, response.status_code, detail)


def _detail(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail")
    except ValueError:
        detail = response.text
    if isinstance(detail, list):  # FastAPI validation errors
        detail = "; ".join(
            f"{'.'.join(str(p) for p in d.get('loc', []))}: {d.get('msg')}" for d in detail
        )
    return f"{response.status_code}: {detail}"
