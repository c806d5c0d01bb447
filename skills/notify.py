"""The notifier seam: how a reminder reaches the user.

``TermuxNotifier`` posts an Android notification with Done and Snooze buttons whose
actions call back into ``pocketmind`` by absolute path (Termux runs them through
``dash -c`` with no profile or PATH). ``DesktopNotifier`` uses notify-send.
``RecordingNotifier`` keeps them in a list (tests). ``NoNotifier`` is what a machine
with neither gets: it refuses every notification, so a fired reminder stays due (shown
by the TUI, ``reminders list --fired`` and ``status``) instead of vanishing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..host import pocketmind_command
from ..sensing import termux


@dataclass(frozen=True)
class Notification:
    id: int
    title: str
    text: str
    urgent: bool = False
    reminder_id: int | None = None


class Notifier(Protocol):
    def send(self, notification: Notification) -> None:
        """Show ``notification``, or raise: a notification that raises stays due."""
        ...


class NotifierUnavailable(RuntimeError):
    """No way to reach the user here; the reminder waits for the TUI or the CLI."""


class NoNotifier:
    def __init__(self, reason: str) -> None:
        self.reason = reason

    def send(self, notification: Notification) -> None:
        raise NotifierUnavailable(self.reason)


class RecordingNotifier:
    def __init__(self) -> None:
        self.sent: list[Notification] = []

    def send(self, notification: Notification) -> None:
        self.sent.append(notification)


class TermuxNotifier:
    def __init__(
        self, home: Path, timeout: float = 10.0, api: termux.TermuxApi | None = None
    ) -> None:
        self.command = pocketmind_command(home)
        self.timeout = timeout
        self.termux = api or termux.SubprocessTermux()

    def send(self, notification: Notification) -> None:
        args = [
            "--id",
            f"pocketmind-{notification.id}",
            "-t",
            notification.title,
            "-c",
            notification.text,
            "--group",
            "pocketmind",
        ]
        if notification.urgent:
            args += ["--priority", "high"]
        if notification.reminder_id is not None:
            rid = notification.reminder_id
            args += [
                "--button1",
                "Done",
                "--button1-action",
                f"{self.command} reminders done {rid}",
                "--button2",
                "Snooze 10 min",
                "--button2-action",
                f"{self.command} reminders snooze {rid}",
            ]
        self.termux.run("termux-notification", *args, timeout=self.timeout)


class DesktopNotifier:
    def send(self, notification: Notification) -> None:
        urgency = "critical" if notification.urgent else "normal"
        subprocess.run(
            ["notify-send", "-u", urgency, notification.title, notification.text],
            check=True,
            timeout=10,
            capture_output=True,
        )


def notifier_problem(api: termux.TermuxApi | None = None) -> str | None:
    """Why no system notification would reach the user here (None: one should)."""
    if (api or termux.SubprocessTermux()).has("termux-notification"):
        return None
    if not shutil.which("notify-send"):
        return "neither termux-notification nor notify-send is installed"
    if not any(
        os.environ.get(k) for k in ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS")
    ):
        return "notify-send is installed but there is no desktop session (no DISPLAY or D-Bus)"
    return None


def default_notifier(home: Path, api: termux.TermuxApi | None = None) -> Notifier:
    phone = api or termux.SubprocessTermux()
    if phone.has("termux-notification"):
        return TermuxNotifier(home, api=phone)
    if shutil.which("notify-send"):
        return DesktopNotifier()
    return NoNotifier("neither termux-notification nor notify-send is installed")
