"""``doctor``'s checks that PocketMind can reach the user and sense anything at all.

Both failures are quiet by nature: a reminder that no notifier shows, and a daemon
whose every sensor is unavailable, look like a healthy daemon with nothing to say.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..settings import Settings
from .finding import Finding


def check_notifier(settings: Settings) -> Iterator[Finding]:
    from ..skills.notify import notifier_problem

    problem = notifier_problem()
    if problem is None:
        yield Finding("ok", "notifications", "a fired reminder is shown as a notification")
        return
    yield Finding(
        "warn",
        "notifications",
        f"{problem}: fired reminders wait as due in the TUI, "
        "`pocketmind reminders list --fired` and `pocketmind status`",
        "on a phone: pkg install termux-api; on a desktop: notify-send (libnotify) "
        "in a graphical session",
    )


def check_sensors(settings: Settings) -> Iterator[Finding]:
    from ..sensing import registry

    enabled = [name for name in settings.sensing.sensors if name in registry()]
    missing = []
    for name in enabled:
        sensor = registry()[name](settings, None)
        try:
            if sensor.available():
                continue
        except Exception:
            pass
        missing.append(f"{name} needs {getattr(sensor, 'needs', 'what it reads')}")
    if not enabled:
        yield Finding("info", "sensors", "none enabled (sensing.sensors)")
    elif len(missing) == len(enabled):
        yield Finding(
            "warn",
            "sensors",
            "every enabled sensor is unavailable here, so nothing is sensed: " + "; ".join(missing),
            "pocketmind sensors",
        )
    elif missing:
        yield Finding("info", "sensors", "unavailable here: " + "; ".join(missing))
    else:
        yield Finding("ok", "sensors", f"{len(enabled)} enabled, all available")
