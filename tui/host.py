"""What a screen asks of the app it runs in: a Protocol, so the screens need not import
``app.py`` (which imports them). ``PocketMindApp`` is the one implementation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from ..daemon.client import DaemonClient


class Host(Protocol):
    poll_s: float  # seconds between status polls

    def client(self) -> DaemonClient: ...

    def offer_undo(self, what: str, undo: Callable[[], None]) -> None: ...

    def refresh_panes(self) -> None: ...

    def start_daemon(self) -> None: ...

    # Textual's own, called from the screens' worker threads.
    def call_from_thread(self, callback: Callable[..., Any], *args: Any, **kwargs: Any) -> Any: ...

    def notify(self, message: str, **kwargs: Any) -> None: ...
