"""The daemon's files under $POCKETMIND_HOME/run: pid, lock, start-up phase, API token.

One instance per home: ``up`` holds an exclusive ``flock`` on ``pocketmind.lock`` for
its whole life, so a second one fails at once, and a crashed one leaves no stale lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
from typing import IO, Any

from ..privacy import private_dir as private_dir  # where the daemon took it from
from ..privacy import write_private
from ..settings import Settings


class AlreadyRunning(RuntimeError):
    """Another daemon holds this home's lock."""


class RunFiles:
    def __init__(self, settings: Settings) -> None:
        self.dir = settings.run_dir
        self.pid = self.dir / "pocketmind.pid"
        self.lock = self.dir / "pocketmind.lock"
        self.phase = self.dir / "phase.json"
        self.token = self.dir / "api-token"
        self.socket = settings.socket_path
        self._lock_file: IO[str] | None = None

    def acquire(self) -> None:
        private_dir(self.dir)
        handle = self.lock.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise AlreadyRunning(
                f"a PocketMind daemon is already running for {self.dir.parent} "
                f"(pid {self.read_pid() or 'unknown'})"
            ) from None
        self._lock_file = handle
        write_private(self.pid, f"{os.getpid()}\n".encode())

    def release(self) -> None:
        for path in (self.pid, self.phase, self.socket):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        if self._lock_file is not None:
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)
            self._lock_file.close()
            self._lock_file = None

    def read_pid(self) -> int | None:
        try:
            pid = int(self.pid.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass
        return pid

    def write_phase(self, phase: str, **extra: Any) -> None:
        private_dir(self.dir)
        tmp = self.phase.with_suffix(".tmp")
        write_private(tmp, json.dumps({"phase": phase, "pid": os.getpid(), **extra}).encode())
        tmp.replace(self.phase)

    def read_phase(self) -> dict[str, Any] | None:
        try:
            data: dict[str, Any] = json.loads(self.phase.read_text())
            return data
        except (FileNotFoundError, ValueError):
            return None

    def api_token(self) -> str:
        """The TCP bearer token, created (mode 0600) on first use."""
        private_dir(self.dir)
        if not self.token.exists():
            fd = os.open(self.token, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(32))
        if self.token.stat().st_mode & 0o077:
            raise PermissionError(f"{self.token} must be readable by its owner only (chmod 600)")
        return self.token.read_text().strip()
