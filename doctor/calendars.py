"""``doctor``'s look at the calendar files the planner reads (``plans.calendars``).

A calendar the planner cannot read is quiet until a plan needs it: a folder that moved
gives no busy times at all (every slot looks free), and a broken export stops every
plan with an error. So doctor reads them as the planner does and says what it found:
the files, the busy events in the next 7 days, or the file that does not parse and why.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from ..settings import Settings
from .finding import Finding, Status

CHECK = "calendars"
HOW = 'in config.toml: [plans] calendars = ["~/storage/shared/Calendar"]'
AGAIN = "export the calendar again, or take the file out of plans.calendars"


def check_calendars(settings: Settings, now: datetime | None = None) -> Iterator[Finding]:
    from ..plans.ics import CalendarFileError, calendar_files, read_busy

    configured = [p.expanduser() for p in settings.plans.calendars]
    if not configured:
        said = "none configured: plans see reminders and calendar notifications, not events"
        yield Finding("info", CHECK, said, HOW)
        return
    there = [p for p in configured if p.exists()]
    for path in (p for p in configured if not p.exists()):
        status: Status = "fix" if path.suffix.lower() == ".ics" else "warn"  # a file breaks plans
        fix = "export or sync the phone's calendar there, or fix plans.calendars"
        yield Finding(status, CHECK, f"{path} does not exist", fix)
    files = calendar_files(there)
    if there and not files:
        folders = ", ".join(str(p) for p in there)
        yield Finding("warn", CHECK, f"no .ics files in {folders}", "export the calendar there")
    zone = settings.tz()
    start = (now or datetime.now(zone)).astimezone(zone)
    events, read = 0, []
    for path in files:
        try:
            events += len(read_busy([path], start, start + timedelta(days=7), zone))
        except CalendarFileError as exc:
            yield Finding("fix", CHECK, f"cannot read {exc}", AGAIN)
        else:
            read.append(path.name)
    if read:
        names = ", ".join(read[:3]) + (f" and {len(read) - 3} more" if len(read) > 3 else "")
        plural = "s" if len(read) > 1 else ""
        busy = f"{events} busy event{'s' if events != 1 else ''} in the next 7 days"
        yield Finding("ok", CHECK, f"{len(read)} file{plural} read ({names}): {busy}")
