"""/plans on a real daemon (fake models, fake am on PATH): a plan is made from a request
and an .ics calendar, checked, held for a yes, kept across a restart, then confirmed."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from daemon_helpers import DaemonProcess
from fake_termux import FakeTermux

from pocketmind.daemon.client import DaemonError

ICS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:standup@test
DTSTART:20261126T090000Z
DTEND:20261126T100000Z
RRULE:FREQ=DAILY;COUNT=5
SUMMARY:Standup
END:VEVENT
END:VCALENDAR
"""


@pytest.fixture
def daemon(tmp_path: Path) -> Iterator[DaemonProcess]:
    fake = FakeTermux(tmp_path / "termux").install("am")
    fake.set("am", "Starting: Intent { act=android.intent.action.INSERT }\n")
    (tmp_path / "cal").mkdir()
    (tmp_path / "cal" / "work.ics").write_text(ICS)
    env = {"PATH": fake.path, "POCKETMIND_PLANS__CALENDARS": json.dumps([str(tmp_path / "cal")])}
    process = DaemonProcess(tmp_path / "home", env).start()
    process.fake = fake  # type: ignore[attr-defined]
    try:
        yield process
    finally:
        process.stop()


def test_a_plan_is_made_held_for_a_yes_kept_across_a_restart_and_confirmed(
    daemon: DaemonProcess,
) -> None:
    with daemon.client() as client:
        plan = client.request(
            "POST",
            "/plans",
            json={"text": "find an hour on Thursday and add it to my calendar",
                  "now": "2026-11-23T08:00:00+00:00"},
        )  # fmt: skip
    assert plan["answer"].startswith("Thursday, 10:00 - 11:00 works for you.")
    assert [c["ok"] for c in plan["checks"]] == [True] * 4
    assert plan["steps"][2]["status"] == "waiting" and plan["status"] == "waiting"
    fake: FakeTermux = daemon.fake  # type: ignore[attr-defined]
    assert fake.argv("am") == []  # nothing happened without a yes
    daemon.stop()
    daemon.start()
    with daemon.client() as client:
        kept = client.request("GET", f"/plans/{plan['id']}")
        assert kept == plan
        with pytest.raises(DaemonError, match="409"):
            client.request("POST", f"/plans/{plan['id']}/steps/1/confirm")
        with pytest.raises(DaemonError, match="404"):
            client.request("GET", "/plans/999")
        with pytest.raises(DaemonError, match=r"422.*end after it starts"):
            client.request(
                "POST",
                f"/plans/{plan['id']}/replan",
                json={"busy": [{"start": "2026-11-26T12:00:00Z", "end": "2026-11-26T11:00:00Z"}]},
            )
        done = client.request("POST", f"/plans/{plan['id']}/steps/3/confirm")
    assert done["status"] == "done" and len(fake.argv("am")) == 1
    shown = subprocess.run(
        [sys.executable, "-m", "pocketmind.cli", "plans", "show", str(plan["id"])],
        env=daemon.env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "[x] 3. Add 'Free time' to the calendar: Opened the calendar" in shown
