"""The daemon's log never holds memory or chat text unless DEBUG is switched on.

A real daemon on its Unix socket talks to a scripted OpenAI-compatible model server,
which answers with the user's secret, proposes a fact about it that the user never
said (it is dropped, and used to be logged word for word) and sends a malformed event
quoting it. After the secret is remembered, chatted about and forgotten, the log at
the default level does not contain it; with ``--debug`` it does.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from daemon_helpers import DaemonProcess
from patience import patience

from pocketmind.daemon.client import DaemonClient
from pocketmind.daemon.main import configure_logging
from pocketmind.settings import SettingsError, load_settings

SECRET = "7391-ZEBRA"
# a statement the fact grammar cannot read, so the model extracts (and one fact is dropped)
SAID = f"By the way, the code I use is {SECRET}."
FACTS = {
    "facts": [
        {"subject": "user", "statement": f"The user has the code {SECRET}"},  # grounded
        {  # not grounded in what the user said: dropped
            "subject": "user",
            "statement": f"The user keeps the code {SECRET} for a Cremona violin vault",
        },
    ]
}


def _events(text: str) -> Iterator[bytes]:
    yield f"data: {{broken {SECRET}\n\n".encode()  # a malformed event quoting the secret
    for word in text.split(" "):
        chunk = {"choices": [{"delta": {"content": word + " "}, "finish_reason": None}]}
        yield f"data: {json.dumps(chunk)}\n\n".encode()
    yield b'data: {"choices": [{"delta": {}, "finish_reason": "stop"}]}\n\n'
    yield b"data: [DONE]\n\n"


class ScriptedModel(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _json(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path == "/v1/models":
            self._json(200, {"data": [{"id": "scripted"}]})
        else:
            self._json(404, {"error": "no such path"})

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
        if self.path != "/v1/chat/completions":
            self._json(404, {"error": "no such path"})  # no tokenizer: the engine estimates
            return
        reply = json.dumps(FACTS) if "response_format" in body else f"Your code is {SECRET}."
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for event in _events(reply):
            self.wfile.write(event)


@contextmanager
def scripted_model() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), ScriptedModel)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


def _remember_chat_and_forget(client: DaemonClient) -> None:
    client.request("POST", "/memories", json={"text": f"My locker code is {SECRET}"})
    answer = client.request("POST", "/chat", json={"question": SAID, "stream": False})
    assert SECRET in answer["answer"]
    assert len(answer["facts_learned"]) == 1  # the grounded one; the other was dropped
    for _ in range(3):
        found = client.request("GET", "/memories", params={"q": SECRET, "k": 20})
        for memory in found:
            if SECRET in memory["text"]:
                client.request("DELETE", f"/memories/{memory['id']}")
    left = client.request("GET", "/memories", params={"q": SECRET, "k": 20})
    assert not [m for m in left if SECRET in m["text"]]


@pytest.mark.slow
def test_a_forgotten_secret_is_not_in_the_log(tmp_path: Path) -> None:
    with scripted_model() as url:
        env = {"POCKETMIND_ENGINE__BACKEND": "http", "POCKETMIND_ENGINE__URL": url}
        process = DaemonProcess(tmp_path / "home", env).start()
        try:
            with process.client() as client:
                _remember_chat_and_forget(client)
        finally:
            assert process.stop() == 0
        log = process.log.read_text()
        assert SECRET not in log
        assert "ZEBRA" not in log
        # the paths that used to quote the user ran, and logged only sizes
        assert "dropped a fact not grounded in the user's words (" in log
        assert "skipping a malformed event from the model server (" in log

        # --debug (pocketmind start --debug passes it on to `up`) logs the text
        exe = str(Path(sys.executable).with_name("pocketmind"))
        started = subprocess.run(
            [exe, "start", "--debug", "--wait", str(patience(60))],
            env=process.env,
            capture_output=True,
            text=True,
            timeout=patience(90),
        )
        assert started.returncode == 0, started.stderr
        try:
            with process.client() as client:
                client.request("POST", "/chat", json={"question": SAID, "stream": False})
        finally:
            subprocess.run([exe, "stop"], env=process.env, timeout=patience(60), check=True)
        debug_log = process.settings.log_path.read_text()
        assert "debug logging is on" in debug_log
        assert f"the fact not grounded: The user keeps the code {SECRET}" in debug_log


def test_the_log_level_is_a_setting(tmp_path: Path) -> None:
    import logging

    assert load_settings(tmp_path).daemon.log_level == "info"
    (tmp_path / "config.toml").write_text('[daemon]\nlog_level = "debug"\n')
    assert load_settings(tmp_path).daemon.log_level == "debug"
    (tmp_path / "config.toml").write_text('[daemon]\nlog_level = "verbose"\n')
    with pytest.raises(SettingsError, match=r"config\.toml: .*log_level"):
        load_settings(tmp_path)
    root = logging.getLogger()
    saved = root.level, list(root.handlers), logging.getLogger("pocketmind").level
    try:
        root.handlers.clear()
        configure_logging("debug")
        assert logging.getLogger("pocketmind.chat.facts").isEnabledFor(logging.DEBUG)
        assert not logging.getLogger("httpx").isEnabledFor(logging.DEBUG)  # theirs: noise
    finally:
        root.handlers[:] = saved[1]
        root.setLevel(saved[0])
        logging.getLogger("pocketmind").setLevel(saved[2])
