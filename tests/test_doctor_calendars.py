"""`doctor` on the calendar files the planner reads: none, found with their busy events in
the next 7 days, a broken one named, a missing one."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from pocketmind.cli import main
from pocketmind.doctor.calendars import check_calendars
from pocketmind.settings import load_settings

LISBON = ZoneInfo("Europe/Lisbon")


def _ics(*events: tuple[datetime, str]) -> str:
    body = "".join(
        f"BEGIN:VEVENT\r\nUID:{i}@t\r\nDTSTART:{at:%Y%m%dT%H%M%S}\r\n"
        f"DTEND:{at + timedelta(hours=1):%Y%m%dT%H%M%S}\r\n{extra}SUMMARY:event {i}\r\n"
        "END:VEVENT\r\n"
        for i, (at, extra) in enumerate(events)
    )
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n{body}END:VCALENDAR\r\n"


def _lines(check: str, output: str) -> list[str]:
    return [line for line in output.splitlines() if f" {check}:" in line]


def test_found_files_broken_files_and_missing_ones(tmp_path: Path) -> None:
    now = datetime(2026, 11, 23, 8, 0, tzinfo=LISBON)
    folder = tmp_path / "Calendar"
    folder.mkdir()
    (folder / "work.ics").write_text(_ics(
        (datetime(2026, 11, 24, 10), ""),  # tomorrow
        (datetime(2026, 11, 2, 9), "RRULE:FREQ=WEEKLY\r\n"),  # Mondays: the 30th
        (datetime(2026, 12, 24, 9), ""),  # a month away
        (datetime(2026, 11, 25, 9), "TRANSP:TRANSPARENT\r\n"),  # marked free
    ))  # fmt: skip
    (folder / "broken.ics").write_text("BEGIN:VCALENDAR\r\nnot ical at all\r\n")
    settings = load_settings(timezone="Europe/Lisbon", plans={"calendars": [str(folder)]})
    found = [(f.status, f.detail) for f in check_calendars(settings, now)]
    assert found[0][0] == "fix" and "broken.ics" in found[0][1]
    assert "not a readable iCalendar file" in found[0][1]
    assert found[1] == ("ok", "1 file read (work.ics): 2 busy events in the next 7 days")
    gone = load_settings(plans={"calendars": [str(tmp_path / "moved"), str(tmp_path / "a.ics")]})
    assert [(f.status, f.detail) for f in check_calendars(gone, now)] == [
        ("warn", f"{tmp_path / 'moved'} does not exist"),
        ("fix", f"{tmp_path / 'a.ics'} does not exist"),
    ]
    (tmp_path / "empty").mkdir()
    empty = load_settings(plans={"calendars": [str(tmp_path / "empty")]})
    assert [f.status for f in check_calendars(empty, now)] == ["warn"]
    none = list(check_calendars(load_settings(), now))
    assert [f.status for f in none] == ["info"] and "[plans] calendars" in (none[0].fix or "")


def test_pocketmind_doctor_reports_the_calendars(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    soon = datetime.now(LISBON).replace(tzinfo=None, microsecond=0) + timedelta(days=1)
    (tmp_path / "home.ics").write_text(_ics((soon, "")))
    monkeypatch.setenv("POCKETMIND_TIMEZONE", "Europe/Lisbon")
    monkeypatch.setenv("POCKETMIND_PLANS__CALENDARS", f'["{tmp_path / "home.ics"}"]')
    result = CliRunner().invoke(main, ["doctor"])
    assert _lines("calendars", result.output) == [
        "OK    calendars: 1 file read (home.ics): 1 busy event in the next 7 days"
    ], result.output
    (tmp_path / "home.ics").write_text("BEGIN:VCALENDAR\r\ngarbage\r\n")  # a sync went wrong
    result = CliRunner().invoke(main, ["doctor"])
    (line,) = _lines("calendars", result.output)
    assert line.startswith("FIX   calendars: cannot read ") and "home.ics" in line
    assert result.exit_code == 1
