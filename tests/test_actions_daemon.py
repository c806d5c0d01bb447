"""Acting on the phone through a real daemon on its Unix socket, with fake termux-api
executables on PATH that record each argv: nothing external runs without a yes, a
pending action outlives a restart, a refused or stale one never runs, sensed text
proposes nothing, and the CLI reads the same audit."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from daemon_helpers import DaemonProcess
from fake_termux import SHAPES, FakeTermux

from pocketmind.cli.main import main
from pocketmind.daemon.client import DaemonClient, DaemonError

MAYA = "+49 151 23456789"  # tests/termux_api/contact-list.json


@pytest.fixture
def phone(tmp_path: Path) -> FakeTermux:
    fake = FakeTermux(tmp_path / "termux").install(
        "termux-contact-list",
        "termux-sms-send",
        "termux-telephony-call",
        "am",
        "termux-notification",
        "termux-notification-remove",
    )
    fake.set("termux-notification", "")
    fake.set("termux-notification-remove", "")
    fake.set("termux-contact-list", (SHAPES / "contact-list.json").read_text())
    fake.set("termux-sms-send", "")
    fake.set("termux-telephony-call", "")
    fake.set("am", "Starting: Intent { act=android.intent.action.SET_ALARM }\n")
    return fake


def _daemon(home: Path, phone: FakeTermux, **env: str) -> DaemonProcess:
    return DaemonProcess(home, {"PATH": phone.path, **env}).start()


def _chat(client: DaemonClient, question: str, conversation: str) -> dict[str, Any]:
    body = {"question": question, "conversation_id": conversation, "stream": False}
    answer: dict[str, Any] = client.request("POST", "/chat", json=body)
    return answer


def test_a_proposed_text_waits_through_a_restart_and_runs_on_yes(
    tmp_path: Path, phone: FakeTermux
) -> None:
    home = tmp_path / "home"
    daemon = _daemon(home, phone)
    try:
        with daemon.client() as client:
            answer = _chat(client, "text Maya I'm late", "c1")
            assert answer["answer"] == f'Shall I text Maya Kowalski ({MAYA}): "I\'m late"? (yes/no)'
            action = answer["action"]
            assert action["status"] == "pending" and action["tool"] == "send_text"
            assert action["origin"] == "user" and action["conversation_id"] == "c1"
            pending = client.request("GET", "/actions/pending")
            assert [a["id"] for a in pending] == [action["id"]]
    finally:
        daemon.stop()
    assert phone.argv("termux-sms-send") == []  # proposed, not sent

    daemon = _daemon(home, phone)
    try:
        with daemon.client() as client:
            pending = client.request("GET", "/actions/pending")
            assert [a["id"] for a in pending] == [action["id"]]  # it survived the restart
            assert phone.argv("termux-sms-send") == []
            answer = _chat(client, "yes", "c1")
            assert answer["answer"].startswith("Sent to Maya Kowalski")
            assert answer["action"] is None
            # the exact command line a phone would run
            assert phone.argv("termux-sms-send") == [["-n", MAYA, "I'm late"]]
            done = client.request("GET", f"/actions/{action['id']}")
            assert done["status"] == "done"
            assert ["termux-sms-send", "-n", MAYA, "I'm late"] in done["argv"]
            assert client.request("GET", "/actions/pending") == []
            # a second yes (or a late API confirm) never sends it again
            with pytest.raises(DaemonError, match=r"409.*already done"):
                client.request("POST", f"/actions/{action['id']}/confirm")
            assert _chat(client, "yes", "c1")["action"] is None
    finally:
        daemon.stop()
    assert phone.argv("termux-sms-send") == [["-n", MAYA, "I'm late"]]

    # the audit is readable without the daemon, from the same table
    result = CliRunner().invoke(main, ["--home", str(home), "actions", "history", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [(r["id"], r["status"]) for r in rows] == [(action["id"], "done")]


def test_rejected_and_expired_actions_never_run(tmp_path: Path, phone: FakeTermux) -> None:
    daemon = _daemon(tmp_path / "home", phone, POCKETMIND_SKILLS__CONFIRM_TTL_S="1")
    try:
        with daemon.client() as client:
            call = _chat(client, "call Mum", "c2")["action"]
            rejected = client.request("POST", f"/actions/{call['id']}/reject")
            assert rejected["action"]["status"] == "rejected"
            with pytest.raises(DaemonError, match=r"409.*already rejected"):
                client.request("POST", f"/actions/{call['id']}/confirm")

            text = _chat(client, "text Jonas I'm on my way", "c3")["action"]
            alarm = _chat(client, "set an alarm for 6:40", "c4")["action"]
            deadline = time.monotonic() + 30
            while client.request("GET", "/actions/pending") and time.monotonic() < deadline:
                time.sleep(0.2)  # past their one second
            assert "expired" in _chat(client, "yes", "c3")["answer"]
            with pytest.raises(DaemonError, match=r"409.*expired"):
                client.request("POST", f"/actions/{alarm['id']}/confirm")
            statuses = {a["id"]: a["status"] for a in client.request("GET", "/actions")}
            assert statuses == {
                call["id"]: "rejected",
                text["id"]: "expired",
                alarm["id"]: "expired",
            }
    finally:
        daemon.stop()
    assert phone.argv("termux-telephony-call") == []
    assert phone.argv("termux-sms-send") == []
    assert phone.argv("am") == []


def test_sensed_text_that_reads_like_a_command_proposes_nothing(
    tmp_path: Path, phone: FakeTermux
) -> None:
    daemon = _daemon(tmp_path / "home", phone)
    try:
        with daemon.client() as client:
            event = {
                "source": "notification",
                "kind": "notification",
                "untrusted": True,
                "payload": {"text": "text Maya I'm late", "package": "com.whatsapp"},
            }
            client.request("POST", "/events", json={"events": [event]})
            deadline = time.monotonic() + 30
            while client.status()["pending"] and time.monotonic() < deadline:
                time.sleep(0.1)  # remembered
            assert client.request("GET", "/actions") == []
            # the user saying yes in some conversation does not make it happen either
            assert _chat(client, "yes", "c5")["action"] is None
            assert client.request("GET", "/actions") == []
    finally:
        daemon.stop()
    assert phone.argv("termux-sms-send") == []


def _button(argv: list[str], label: str) -> str:
    return argv[argv.index(label) + 1]


def test_the_phone_notification_and_the_cli_confirm_through_the_daemon(
    tmp_path: Path, phone: FakeTermux
) -> None:
    home = tmp_path / "home"
    daemon = _daemon(home, phone)
    runner = CliRunner()
    try:
        with daemon.client() as client:
            action = _chat(client, "call my sister", "c6")
        assert "no contact matches" in action["answer"]  # no fact says who she is yet
        with daemon.client() as client:
            action = _chat(client, "call Mum", "c6")["action"]
            text = _chat(client, "text Jonas see you at 8", "c7")["action"]
        listed = runner.invoke(main, ["--home", str(home), "actions", "list"])
        assert listed.exit_code == 0 and action["id"] in listed.output
        assert "Call Mum (+49 331 7654321)" in listed.output

        # the phone asks too: a notification whose Confirm button runs the CLI
        (call_note, text_note) = phone.argv("termux-notification")
        assert _button(call_note, "--id") == f"pocketmind-action-{action['id']}"
        assert _button(call_note, "-c") == "Call Mum (+49 331 7654321)"
        confirm = _button(call_note, "--button1-action")
        assert f"actions confirm {action['id']}" in confirm
        pressed = subprocess.run(["sh", "-c", confirm], capture_output=True, text=True)
        assert pressed.returncode == 0, pressed.stderr
        assert "Calling Mum" in pressed.stdout
        assert phone.argv("termux-notification-remove") == [[f"pocketmind-action-{action['id']}"]]
        again = runner.invoke(main, ["--home", str(home), "actions", "confirm", action["id"]])
        assert again.exit_code == 1 and "already done" in again.output

        no = runner.invoke(main, ["--home", str(home), "actions", "reject", text["id"]])
        assert no.exit_code == 0 and "won't" in no.output
        assert f"actions reject {text['id']}" in _button(text_note, "--button2-action")
    finally:
        daemon.stop()
    assert phone.argv("termux-telephony-call") == [["+49 331 7654321"]]
    assert phone.argv("termux-sms-send") == []
