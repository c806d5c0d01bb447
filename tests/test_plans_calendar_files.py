"""Busy times from real .ics files (recurrences, all-day, free and cancelled events,
zones) and free time computed from them."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from pocketmind.plans.busy import CalendarFiles
from pocketmind.plans.free import free_between
from pocketmind.plans.ics import CalendarFileError, ParsedCalendars, read_busy
from pocketmind.plans.planner import Planner

LISBON = ZoneInfo("Europe/Lisbon")

ICS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//PocketMind tests//EN
BEGIN:VEVENT
UID:standup@test
DTSTART;TZID=Europe/Lisbon:20261102T093000
DTEND;TZID=Europe/Lisbon:20261102T100000
RRULE:FREQ=WEEKLY;BYDAY=MO,TH
EXDATE;TZID=Europe/Lisbon:20261126T093000
SUMMARY:Standup
END:VEVENT
BEGIN:VEVENT
UID:dentist@test
DTSTART:20261126T150000Z
DTEND:20261126T160000Z
SUMMARY:Dentist
END:VEVENT
BEGIN:VEVENT
UID:holiday@test
DTSTART;VALUE=DATE:20261127
DTEND;VALUE=DATE:20261128
SUMMARY:Holiday
END:VEVENT
BEGIN:VEVENT
UID:focus@test
DTSTART;TZID=Europe/Lisbon:20261126T120000
DTEND;TZID=Europe/Lisbon:20261126T130000
TRANSP:TRANSPARENT
SUMMARY:Focus time (free)
END:VEVENT
BEGIN:VEVENT
UID:cancelled@test
DTSTART;TZID=Europe/Lisbon:20261126T170000
DTEND;TZID=Europe/Lisbon:20261126T180000
STATUS:CANCELLED
SUMMARY:Cancelled drinks
END:VEVENT
END:VCALENDAR
"""


@pytest.fixture
def calendars(tmp_path: Path) -> Path:
    folder = tmp_path / "calendars"
    folder.mkdir()
    (folder / "work.ics").write_text(ICS.replace("\n", "\r\n"))
    (folder / "notes.txt").write_text("not a calendar")
    return folder


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=LISBON)


def test_busy_times_come_from_the_files_with_recurrences_expanded(calendars: Path) -> None:
    busy = read_busy([calendars], _at(23, 0), _at(28, 0), LISBON)
    titles = [(e.title, e.start.strftime("%a %H:%M"), e.end.strftime("%a %H:%M")) for e in busy]
    assert titles == [
        ("Standup", "Mon 09:30", "Mon 10:00"),  # weekly, Mondays and Thursdays…
        ("Dentist", "Thu 15:00", "Thu 16:00"),  # UTC in the file, Lisbon here (UTC+0 in Nov)
        ("Holiday", "Fri 00:00", "Sat 00:00"),  # …but not the Thursday the EXDATE removed
    ]
    assert busy[-1].all_day and not busy[0].all_day
    assert {e.source for e in busy} == {"work.ics"}


def test_free_time_on_thursday_afternoon(calendars: Path) -> None:
    afternoon = (_at(26, 12), _at(26, 18))
    busy = read_busy([calendars], *afternoon, LISBON)
    free = free_between([afternoon], [(e.start, e.end) for e in busy], minutes=30)
    assert [slot.describe() for slot in free] == [
        "Thursday, 12:00 - 15:00",  # "focus time" is marked free; the drinks were cancelled
        "Thursday, 16:00 - 18:00",
    ]
    week = read_busy([calendars], _at(23, 0), _at(30, 0), LISBON)
    holiday = (_at(27, 9), _at(27, 17))
    assert free_between([holiday], [(e.start, e.end) for e in week]) == []


def test_free_time_across_a_daylight_saving_change() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    night = (datetime(2026, 10, 24, 22, tzinfo=berlin), datetime(2026, 10, 25, 4, tzinfo=berlin))
    busy = [(datetime(2026, 10, 25, 1, tzinfo=berlin), datetime(2026, 10, 25, 3, tzinfo=berlin))]
    (before, after) = free_between([night], busy)
    assert before.minutes == 180  # 22:00 to 01:00
    assert after.describe().endswith("03:00 - 04:00")


def test_a_broken_file_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "broken.ics"
    bad.write_bytes(b"\x00\xffBEGIN:VCALENDAR\r\nthis is not ical\r\n")
    with pytest.raises(CalendarFileError, match=r"broken\.ics"):
        read_busy([bad], _at(23, 0), _at(24, 0), LISBON)


EXTRA = """BEGIN:VEVENT
UID:call@test
DTSTART;TZID=Europe/Lisbon:20261126T100000
DTEND;TZID=Europe/Lisbon:20261126T110000
SUMMARY:Call with Ana
END:VEVENT
END:VCALENDAR
"""


def _thursday(folder: Path, parsed: ParsedCalendars) -> list[str]:
    return [e.title for e in read_busy([folder], _at(26, 0), _at(27, 0), LISBON, parsed)]


def test_an_unchanged_file_is_parsed_once_and_a_rewritten_one_again(calendars: Path) -> None:
    parsed = ParsedCalendars()
    assert _thursday(calendars, parsed) == ["Dentist"]
    assert _thursday(calendars, parsed) == ["Dentist"]
    assert parsed.parses == 1  # the second plan read the parsed calendar
    work = calendars / "work.ics"
    work.write_text(ICS.replace("END:VCALENDAR\n", EXTRA))  # the calendar app synced a change
    assert _thursday(calendars, parsed) == ["Call with Ana", "Dentist"]
    assert parsed.parses == 2
    # the same size, but a new mtime: still read again
    renamed = work.read_text().replace("Call with Ana", "Call with Eva")
    before = work.stat().st_mtime_ns
    work.write_text(renamed)
    os.utime(work, ns=(before + 10**9, before + 10**9))
    assert _thursday(calendars, parsed) == ["Call with Eva", "Dentist"]
    (calendars / "home.ics").write_text(ICS.replace("Dentist", "Vet"))  # a file added
    assert _thursday(calendars, parsed) == ["Call with Eva", "Dentist", "Vet"]
    work.unlink()  # and one removed
    assert _thursday(calendars, parsed) == ["Vet"]
    assert parsed.parses == 4


def test_a_broken_file_is_not_parsed_again_until_it_changes(tmp_path: Path) -> None:
    parsed = ParsedCalendars()
    bad = tmp_path / "broken.ics"
    bad.write_text("BEGIN:VCALENDAR\r\nthis is not ical\r\n")
    for _ in range(2):
        with pytest.raises(CalendarFileError, match=r"broken\.ics"):
            read_busy([bad], _at(23, 0), _at(24, 0), LISBON, parsed)
    assert parsed.parses == 1
    bad.write_text(ICS)
    assert [e.title for e in read_busy([bad], _at(26, 0), _at(27, 0), LISBON, parsed)] == [
        "Dentist"
    ]


def test_the_planner_sees_a_calendar_change_without_a_restart(calendars: Path) -> None:
    files = CalendarFiles([calendars], LISBON)  # as the daemon's planner holds it
    planner = Planner([files], LISBON)
    now = _at(23, 8)
    ask = "find an hour on Thursday morning"
    for _ in range(2):
        assert planner.plan(ask, now).answer().startswith("Thursday, 08:00 - 09:00")
    assert files.parsed.parses == 1
    (calendars / "work.ics").write_text(ICS.replace("END:VCALENDAR\n", EXTRA.replace(
        "T100000", "T080000").replace("T110000", "T093000")))  # fmt: skip
    assert planner.plan(ask, now).answer().startswith("Thursday, 09:30 - 10:30")
    assert files.parsed.parses == 2
