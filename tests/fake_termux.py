"""Fake `termux-*` executables on PATH: they print the real shapes (tests/termux_api,
as a phone prints them), or hang, exit non-zero, print garbage or nothing, on demand."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

SHAPES = Path(__file__).resolve().parent / "termux_api"
SAMPLES = {
    "termux-battery-status": "battery-status.json",
    "termux-location": "location.json",
    "termux-notification-list": "notification-list.json",
    "termux-wifi-connectioninfo": "wifi-connectioninfo.json",
    "termux-sms-list": "sms-list.json",
    "termux-call-log": "call-log.json",
    "termux-clipboard-get": "clipboard-get.txt",
    "termux-telephony-deviceinfo": "telephony-deviceinfo.json",
}
SCRIPT = """#!/bin/sh
d='{state}'
mode=$(cat "$d/{name}.mode" 2>/dev/null || echo ok)
echo "$*" >> "$d/{name}.calls"
(IFS=$(printf '\037'); printf '%s\n' "$*") >> "$d/{name}.argv"
if [ -p /dev/stdin ]; then cat >> "$d/{name}.stdin"; fi
case "$mode" in
  hang) exec sleep 1000 ;;
  fail) echo "termux-api: Termux:API app not installed" >&2; exit 1 ;;
  garbage) printf '%s\\n' '{{"percentage": 5, oops' ;;
  empty) ;;
  *) cat "$d/{name}.out" ;;
esac
"""


def sample(name: str) -> Any:
    text = (SHAPES / SAMPLES[name]).read_text()
    return json.loads(text) if SAMPLES[name].endswith(".json") else text


class FakeTermux:
    def __init__(self, root: Path) -> None:
        self.bin = root / "bin"
        self.state = root / "state"
        self.bin.mkdir(parents=True, exist_ok=True)
        self.state.mkdir(parents=True, exist_ok=True)

    def install(self, *names: str) -> FakeTermux:
        for name in names or tuple(SAMPLES):
            script = self.bin / name
            script.write_text(SCRIPT.format(state=self.state, name=name))
            script.chmod(0o755)
            if name in SAMPLES:
                self.set(name, (SHAPES / SAMPLES[name]).read_text())
        return self

    def set(self, name: str, output: Any) -> None:
        text = output if isinstance(output, str) else json.dumps(output)
        (self.state / f"{name}.out").write_text(text)
        self.mode(name, "ok")

    def mode(self, name: str, mode: str) -> None:
        (self.state / f"{name}.mode").write_text(mode)

    def calls(self, name: str) -> list[str]:
        path = self.state / f"{name}.calls"
        return path.read_text().splitlines() if path.exists() else []

    def argv(self, name: str) -> list[list[str]]:
        """Each call's arguments exactly, spaces inside an argument kept."""
        path = self.state / f"{name}.argv"
        lines = path.read_text().splitlines() if path.exists() else []
        return [line.split("\x1f") if line else [] for line in lines]

    def stdin(self, name: str) -> str:
        path = self.state / f"{name}.stdin"
        return path.read_text() if path.exists() else ""

    @property
    def path(self) -> str:
        return f"{self.bin}{os.pathsep}{os.environ.get('PATH', '')}"
