"""Whether ``am start`` can open an app from the background: "Display over other apps".

Since Android 10 an app in the background may start an activity only if it holds
SYSTEM_ALERT_WINDOW ("Display over other apps"). The alarm and calendar tools run
``am start`` from the daemon, which is in the background, so without it Android refuses
quietly (``am`` still exits 0; the tools read its "Warning: Activity not started").

What Termux can see for itself: the Android version (``getprop ro.build.version.sdk``)
and its own app-op (``cmd appops get PACKAGE SYSTEM_ALERT_WINDOW``; an app may ask
about its own package, though some vendors refuse ``cmd`` to apps). It cannot open the
settings toggle for the user: the fix is a tap, and ``am start`` can open that page.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

from .. import host
from ..settings import Settings
from .finding import Finding

if TYPE_CHECKING:
    from ..sensing.termux import TermuxApi

ANDROID_10 = 29
CHECK = "display over other apps"


def package() -> str:
    return os.environ.get("TERMUX_APP__PACKAGE_NAME") or "com.termux"


def grant_hint() -> str:
    return (
        "Settings > Apps > Termux > Display over other apps: allow (or run "
        f"`am start -a android.settings.action.MANAGE_OVERLAY_PERMISSION -d package:{package()}`)"
    )


def sdk(termux: TermuxApi) -> int | None:
    try:
        out = termux.run("getprop", "ro.build.version.sdk", timeout=5).strip()
    except Exception:  # no getprop, or it failed: the version stays unknown
        return None
    return int(out) if out.isdigit() else None


def overlay_mode(termux: TermuxApi) -> tuple[str | None, str]:
    """("allow" | "deny" | "ignore" | "default" | None, what ``cmd appops`` said)."""
    try:
        out = termux.run("cmd", "appops", "get", package(), "SYSTEM_ALERT_WINDOW", timeout=5)
    except Exception as exc:  # refused to apps on some phones, or no cmd at all
        return None, str(exc)[:200]
    if "exception" in out.lower():
        return None, out.strip().splitlines()[-1][:200]
    if "no operations" in out.lower():
        return "default", out.strip()
    for line in out.splitlines():
        name, _, rest = line.partition(":")
        if name.strip() == "SYSTEM_ALERT_WINDOW":
            return rest.split(";")[0].strip() or None, line.strip()
    return None, out.strip()[:200]


def check_overlay(_settings: Settings, api: TermuxApi | None = None) -> Iterator[Finding]:
    """Can the alarm and calendar tools open their apps from the daemon?"""
    from ..sensing.termux import SubprocessTermux

    termux = api or SubprocessTermux()
    if not host.is_android():
        return
    if not termux.has("am"):
        yield Finding(
            "fix", "am", "not found: alarms and calendar events need it", "pkg install termux-am"
        )
        return
    version = sdk(termux)
    if version is not None and version < ANDROID_10:
        yield Finding("ok", CHECK, f"not needed before Android 10 (SDK {version})")
        return
    mode, said = overlay_mode(termux)
    if mode == "allow":
        yield Finding("ok", CHECK, "granted: alarms and calendar events open from the background")
    elif mode is not None:
        yield Finding(
            "fix",
            CHECK,
            f"not granted ({mode}): alarms and calendar events cannot open from the background",
            grant_hint(),
        )
    else:
        yield Finding(
            "warn",
            CHECK,
            f"cannot tell from Termux ({said}); without it alarms and calendar events "
            "do not open from the background",
            f"check it is allowed: {grant_hint()}",
        )
