"""A real daemon process for tests: `python -m pocketmind.cli.main up`, fake models."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from patience import patience

from pocketmind.daemon.client import DaemonClient
from pocketmind.settings import Settings, load_settings

FAKE = {
    "POCKETMIND_ENGINE__BACKEND": "fake",
    "POCKETMIND_EMBEDDER__BACKEND": "fake",
    "POCKETMIND_TIMEZONE": "UTC",
}


class DaemonProcess:
    def __init__(
        self, home: Path, env: dict[str, str] | None = None, python: str = sys.executable
    ) -> None:
        self.home = home
        self.python = python
        self.env = {**os.environ, "POCKETMIND_HOME": str(home), **FAKE, **(env or {})}
        self.process: subprocess.Popen[bytes] | None = None
        self.log = home / "daemon-test.log"

    @property
    def settings(self) -> Settings:
        return load_settings(
            self.home,
            **(
                {"daemon": {"tcp_port": int(self.env["POCKETMIND_DAEMON__TCP_PORT"])}}
                if "POCKETMIND_DAEMON__TCP_PORT" in self.env
                else {}
            ),
        )

    def start(self, timeout: float = 60) -> DaemonProcess:
        self.home.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [self.python, "-m", "pocketmind.cli", "up"],
                env=self.env,
                stdout=log,
                stderr=log,
            )
        deadline = time.monotonic() + patience(timeout)
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"daemon exited: {self.log.read_text()[-3000:]}")
            if client := DaemonClient.connect(self.settings):
                client.close()
                return self
            time.sleep(0.05)
        raise RuntimeError(f"daemon did not start: {self.log.read_text()[-3000:]}")

    def client(self, timeout: float = 30) -> DaemonClient:
        """A client whose every request may take ``timeout`` idle seconds (scaled)."""
        return DaemonClient(self.settings, timeout=patience(timeout))

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout=patience(timeout))


def connect_wifi(client: DaemonClient, ssid: str) -> None:
    """What the wifi sensor sends when the phone joins ``ssid``."""
    event = {
        "source": "wifi",
        "kind": "wifi",
        "untrusted": False,
        "payload": {"text": f"Connected to wifi {ssid}", "ssid": ssid, "connected": True},
    }
    client.request("POST", "/events", json={"events": [event]})
