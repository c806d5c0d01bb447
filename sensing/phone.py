"""Battery, wifi and the opt-in sensors: termux-api on the phone, sysfs/nmcli elsewhere.

Each reports transitions, not readings: plugged/unplugged, full, crossing a low
threshold; connecting to or leaving a network.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path
from typing import Any

from ..memory import NewEvent
from ..redact import redact
from ..settings import Settings
from . import termux
from .base import SensorUnavailable, register

POWER = Path("/sys/class/power_supply")


def _sysfs_battery() -> dict[str, Any] | None:
    for bat in sorted(POWER.glob("BAT*")):
        try:
            level = int((bat / "capacity").read_text().strip())
            status = (bat / "status").read_text().strip().upper()
        except (OSError, ValueError):
            continue
        plugged = "UNPLUGGED" if status == "DISCHARGING" else "PLUGGED"
        return {"percentage": level, "status": status, "plugged": plugged}
    return None


class BatterySensor:
    """Events when the charger is plugged or unplugged, when charging completes, and when
    the level crosses a low threshold downwards."""

    name = "battery"
    needs = "termux-battery-status (Termux:API) or a battery in /sys/class/power_supply"

    def __init__(self, settings: Settings, api: termux.TermuxApi | None = None) -> None:
        self.termux = api or termux.SubprocessTermux()
        self.interval_s = settings.sensing.battery_interval_s
        self.thresholds = sorted(settings.sensing.battery_thresholds, reverse=True)
        self.timeout = settings.sensing.termux_timeout_s
        self.last: dict[str, Any] | None = None

    def available(self) -> bool:
        return self.termux.has("termux-battery-status") or _sysfs_battery() is not None

    def read(self) -> dict[str, Any]:
        if self.termux.has("termux-battery-status"):
            data = self.termux.run_json("termux-battery-status", timeout=self.timeout)
        else:
            data = _sysfs_battery()
        if not isinstance(data, dict) or not isinstance(data.get("percentage"), int | float):
            raise termux.TermuxError(f"battery reading without a percentage: {str(data)[:80]}")
        return {
            "percentage": int(data["percentage"]),
            "plugged": str(data.get("plugged", "UNKNOWN")).upper(),
            "status": str(data.get("status", "UNKNOWN")).upper(),
        }

    def reading(self) -> dict[str, Any] | None:
        return self.last

    def poll(self) -> list[NewEvent]:
        now, before = self.read(), self.last
        self.last = now
        if before is None:
            return []
        texts = []
        was_plugged = before["plugged"] != "UNPLUGGED"
        is_plugged = now["plugged"] != "UNPLUGGED"
        if is_plugged != was_plugged:
            texts.append(
                f"Phone {'plugged in' if is_plugged else 'unplugged'} at "
                f"{now['percentage']}% battery"
            )
        if now["status"] == "FULL" and before["status"] != "FULL":
            texts.append("Battery fully charged")
        for threshold in self.thresholds:
            if now["percentage"] <= threshold < before["percentage"] and not is_plugged:
                texts.append(f"Battery dropped below {threshold}% ({now['percentage']}%)")
                break
        return [NewEvent("battery", "battery", {"text": t, **now}) for t in texts]


def _nmcli_ssid() -> str | None:
    done = subprocess.run(
        ["nmcli", "-t", "-f", "active,ssid", "dev", "wifi"],
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    for line in done.stdout.splitlines():
        active, _, ssid = line.partition(":")
        if active == "yes" and ssid:
            return ssid
    return None


class WifiSensor:
    name = "wifi"
    needs = "termux-wifi-connectioninfo (Termux:API) or nmcli"

    def __init__(self, settings: Settings, api: termux.TermuxApi | None = None) -> None:
        self.termux = api or termux.SubprocessTermux()
        self.interval_s = settings.sensing.wifi_interval_s
        self.timeout = settings.sensing.termux_timeout_s
        self.ssid: str | None = None
        self.started = False

    def available(self) -> bool:
        return self.termux.has("termux-wifi-connectioninfo") or shutil.which("nmcli") is not None

    def read(self) -> str | None:
        if not self.termux.has("termux-wifi-connectioninfo"):
            return _nmcli_ssid()
        data = self.termux.run_json("termux-wifi-connectioninfo", timeout=self.timeout)
        ssid = data.get("ssid") if isinstance(data, dict) else None
        if ssid == "<unknown ssid>":
            raise SensorUnavailable(
                "wifi name hidden: turn location on and grant Termux:API location access"
            )
        connected = isinstance(data, dict) and data.get("supplicant_state") == "COMPLETED"
        return str(ssid) if connected and ssid else None

    def reading(self) -> str | None:
        return self.ssid

    def poll(self) -> list[NewEvent]:
        ssid, before = self.read(), self.ssid
        self.ssid = ssid
        if not self.started:
            self.started = True
            return []
        if ssid == before:
            return []
        events = []
        if before:
            events.append(
                NewEvent(
                    "wifi",
                    "wifi",
                    {
                        "text": f"Disconnected from wifi {before}",
                        "ssid": before,
                        "connected": False,
                    },
                )
            )
        if ssid:
            events.append(
                NewEvent(
                    "wifi",
                    "wifi",
                    {"text": f"Connected to wifi {ssid}", "ssid": ssid, "connected": True},
                )
            )
        return events


class _TermuxListSensor:
    """Opt-in lists (SMS, call log): each new entry once, keyed by its content."""

    name = ""
    command = ""

    def __init__(self, settings: Settings, api: termux.TermuxApi | None = None) -> None:
        self.termux = api or termux.SubprocessTermux()
        self.interval_s = settings.sensing.optin_interval_s
        self.timeout = settings.sensing.termux_timeout_s
        self.seen: set[str] = set()
        self.started = False

    @property
    def needs(self) -> str:
        return f"{self.command} (Termux:API)"

    def available(self) -> bool:
        return self.termux.has(self.command)

    def describe(self, entry: dict[str, Any]) -> str:
        raise NotImplementedError

    def poll(self) -> list[NewEvent]:
        data = self.termux.run_json(self.command, timeout=self.timeout)
        if not isinstance(data, list):
            raise termux.TermuxError(f"{self.command} did not print a list")
        events = []
        for entry in data:
            if not isinstance(entry, dict):
                continue
            key = hashlib.sha256(repr(sorted(entry.items())).encode()).hexdigest()[:24]
            if key in self.seen:
                continue
            self.seen.add(key)
            if self.started:
                events.append(
                    NewEvent(self.name, self.name, {"text": redact(self.describe(entry))}, key=key)
                )
        self.started = True
        return events


class SmsSensor(_TermuxListSensor):
    name, command = "sms", "termux-sms-list"

    def describe(self, entry: dict[str, Any]) -> str:
        who = entry.get("sender") or entry.get("number") or "someone"
        return f"SMS {entry.get('type', 'inbox')} from {who}: {entry.get('body', '')}"


class CallLogSensor(_TermuxListSensor):
    name, command = "calls", "termux-call-log"

    def describe(self, entry: dict[str, Any]) -> str:
        who = entry.get("name") or entry.get("phone_number") or "unknown"
        return f"{str(entry.get('type', 'call')).lower()} call with {who} ({entry.get('duration')})"


class ClipboardSensor:
    name = "clipboard"
    needs = "termux-clipboard-get (Termux:API)"

    def __init__(self, settings: Settings, api: termux.TermuxApi | None = None) -> None:
        self.termux = api or termux.SubprocessTermux()
        self.interval_s = settings.sensing.optin_interval_s
        self.timeout = settings.sensing.termux_timeout_s
        self.last = ""

    def available(self) -> bool:
        return self.termux.has("termux-clipboard-get")

    def reading(self) -> str:
        return self.last

    def poll(self) -> list[NewEvent]:
        text = self.termux.run("termux-clipboard-get", timeout=self.timeout).strip()
        if not text or text == self.last:  # empty while Termux is in the background
            return []
        self.last = text
        return [NewEvent("clipboard", "clipboard", {"text": f"Copied: {redact(text)[:2000]}"})]


for _name, _cls in (
    ("battery", BatterySensor),
    ("wifi", WifiSensor),
    ("sms", SmsSensor),
    ("calls", CallLogSensor),
    ("clipboard", ClipboardSensor),
):
    register(_name)(lambda settings, db=None, cls=_cls: cls(settings))
