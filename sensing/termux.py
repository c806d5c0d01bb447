"""Calling the termux-api commands safely.

The Termux:API app serves one call at a time, and a call hangs forever when the app is
missing, was killed, or waits for a permission (termux-notification-list opens the
settings screen and prints nothing). So every call goes through one lock, under a
timeout that kills the whole process group, and its output is checked for the known
failure shapes (see ../shared/termux-api/README.md) before a sensor sees it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import threading
from typing import Any, Protocol

from ..host import is_android as is_android
from .base import SensorTimeout, SensorUnavailable

_LOCK = threading.Lock()  # the Termux:API app serves calls on one thread


class TermuxError(RuntimeError):
    """A termux-api command failed or printed something unusable."""


def has(command: str) -> bool:
    return shutil.which(command) is not None


def run(command: str, *args: str, timeout: float = 10.0, stdin: str | None = None) -> str:
    """Run ``command`` (one at a time); its stdout, or an exception saying what failed.

    ``stdin`` is fed to the command (termux-sms-send and termux-share read their content
    there), so message text never passes through a shell or an argument list."""
    path = shutil.which(command)
    if path is None:
        raise SensorUnavailable(f"{command} not found (pkg install termux-api)")
    with _LOCK:
        process = subprocess.Popen(
            [path, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL if stdin is None else subprocess.PIPE,
            start_new_session=True,
            text=True,
        )
        try:
            out, err = process.communicate(stdin, timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # the command and anything it started
            process.communicate()
            raise SensorTimeout(
                f"{command} did not answer within {timeout:.0f} s (is the Termux:API app "
                "installed and its permission granted?)"
            ) from None
    if process.returncode != 0:
        detail = (err or out).strip().splitlines()[-1:] or [""]
        raise TermuxError(f"{command} exited with {process.returncode}: {detail[0][:200]}")
    return out


def run_json(command: str, *args: str, timeout: float = 10.0) -> Any:
    out = run(command, *args, timeout=timeout)
    if not out.strip():
        raise TermuxError(f"{command} printed nothing (permission not granted?)")
    try:
        data = json.loads(out)
    except json.JSONDecodeError as exc:
        raise TermuxError(f"{command} printed something that is not JSON: {out[:80]!r}") from exc
    if isinstance(data, dict) and "API_ERROR" in data:
        raise TermuxError(f"{command}: {data['API_ERROR']} (permission or service off?)")
    return data


class TermuxApi(Protocol):
    """The seam to the phone: every termux-api (and ``am``) command goes through one.

    :class:`SubprocessTermux` runs the real commands (or fakes on PATH that print the
    real shapes); :class:`FakeTermuxApi` answers from a table and records each argv."""

    def has(self, command: str) -> bool: ...

    def run(
        self, command: str, *args: str, timeout: float = 10.0, stdin: str | None = None
    ) -> str: ...

    def run_json(self, command: str, *args: str, timeout: float = 10.0) -> Any: ...


class SubprocessTermux:
    """The phone's own commands, one at a time, each under a timeout."""

    def has(self, command: str) -> bool:
        return has(command)

    def run(self, command: str, *args: str, timeout: float = 10.0, stdin: str | None = None) -> str:
        return run(command, *args, timeout=timeout, stdin=stdin)

    def run_json(self, command: str, *args: str, timeout: float = 10.0) -> Any:
        return run_json(command, *args, timeout=timeout)


class FakeTermuxApi:
    """Answers from ``outputs`` (command → stdout); records every call as an argv list,
    with what was fed on stdin after a ``<<<`` marker."""

    def __init__(self, outputs: dict[str, str] | None = None) -> None:
        self.outputs = dict(outputs or {})
        self.calls: list[list[str]] = []

    def has(self, command: str) -> bool:
        return command in self.outputs

    def run(self, command: str, *args: str, timeout: float = 10.0, stdin: str | None = None) -> str:
        self.calls.append([command, *args, *(["<<<", stdin] if stdin is not None else [])])
        if command not in self.outputs:
            raise SensorUnavailable(f"{command} not found (pkg install termux-api)")
        return self.outputs[command]

    def run_json(self, command: str, *args: str, timeout: float = 10.0) -> Any:
        out = self.run(command, *args, timeout=timeout)
        if not out.strip():
            raise TermuxError(f"{command} printed nothing (permission not granted?)")
        return json.loads(out)
