"""The termux-api commands each enabled sensor needs, each called once, harmlessly,
under the sensors' timeout, through a ``TermuxApi``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from .. import host
from ..settings import Settings
from .finding import Finding

if TYPE_CHECKING:
    from ..sensing.termux import TermuxApi


# Each termux-api command a feature needs, its arguments for a harmless call, and what
# to grant when it hangs or errs (../shared/termux-api/README.md).
TERMUX_COMMANDS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "termux-battery-status": ("battery", (), "install the Termux:API app (F-Droid)"),
    "termux-wifi-connectioninfo": (
        "wifi",
        (),
        "turn location on and grant Termux:API the location permission",
    ),
    "termux-location": (
        "location",
        ("-p", "network", "-r", "last"),
        "grant Termux:API location, 'Allow all the time'",
    ),
    "termux-notification-list": (
        "notifications",
        (),
        "Android Settings › Notification access › allow Termux:API",
    ),
    "termux-sms-list": ("sms", ("-l", "1"), "grant Termux:API the SMS permission"),
    "termux-call-log": ("calls", ("-l", "1"), "grant Termux:API the call log permission"),
    "termux-clipboard-get": ("clipboard", (), "bring Termux to the foreground once"),
}


def check_termux(settings: Settings, api: TermuxApi | None = None) -> Iterator[Finding]:
    from ..sensing.termux import SubprocessTermux

    termux = api or SubprocessTermux()

    if not host.is_android():
        yield Finding("info", "termux-api", "not on Android; sensing uses sysfs and nmcli")
        return
    for command in ("termux-notification", "termux-wake-lock"):
        if not termux.has(command):
            yield Finding(
                "fix", command, "not found", "pkg install termux-api (and the Termux:API app)"
            )
    timeout = min(settings.sensing.termux_timeout_s, 5.0)
    for command, (sensor, args, grant) in TERMUX_COMMANDS.items():
        if sensor not in settings.sensing.sensors:
            continue
        if not termux.has(command):
            yield Finding("fix", command, "not found", "pkg install termux-api")
            continue
        try:
            if command == "termux-clipboard-get":
                termux.run(command, *args, timeout=timeout)
            else:
                termux.run_json(command, *args, timeout=timeout)
        except Exception as exc:
            yield Finding("fix", command, str(exc).splitlines()[0][:160], grant)
        else:
            yield Finding("ok", command, f"answers ({sensor})")
