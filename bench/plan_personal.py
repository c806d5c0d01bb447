"""Personal planning tasks over a seeded persona: an .ics calendar (a daily standup, a
dentist, an all-day conference, a transparent party that must not count), reminders,
and what friends said in messages. Each task has gold constraints written by hand and a
gold answer from the brute-force oracle (every minute tried), so the planner reading
the request is measured, not assumed.

Kinds: free slots (with bounds, parts of the day, friends), reminders around a slot
(the alarm's time is part of the answer), infeasible requests (answered as such with
the reason), and days of meetings across places with travel (meetings.solve).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from pocketmind.plans import calendar, meetings
from pocketmind.plans.busy import CalendarFiles, FixedBusy, PeopleSaid, ReminderTimes
from pocketmind.plans.meetings import DayRequest, Person
from pocketmind.plans.model import Constraints
from pocketmind.plans.planner import Planner, to_request, to_slot
from pocketmind.plans.spans import Span

ZONE = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=ZONE)  # a Monday morning
MONDAY = NOW.date()
ICS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//persona//EN
BEGIN:VEVENT
UID:standup@p
DTSTART;TZID=Europe/Berlin:20261123T090000
DTEND;TZID=Europe/Berlin:20261123T100000
RRULE:FREQ=DAILY;COUNT=5
SUMMARY:Standup
END:VEVENT
BEGIN:VEVENT
UID:dentist@p
DTSTART;TZID=Europe/Berlin:20261124T100000
DTEND;TZID=Europe/Berlin:20261124T113000
SUMMARY:Dentist
END:VEVENT
BEGIN:VEVENT
UID:priya@p
DTSTART;TZID=Europe/Berlin:20261124T140000
DTEND;TZID=Europe/Berlin:20261124T150000
SUMMARY:1:1 with Priya
END:VEVENT
BEGIN:VEVENT
UID:conf@p
DTSTART;VALUE=DATE:20261125
DTEND;VALUE=DATE:20261126
SUMMARY:Conference
END:VEVENT
BEGIN:VEVENT
UID:lunch@p
DTSTART;TZID=Europe/Berlin:20261126T120000
DTEND;TZID=Europe/Berlin:20261126T130000
SUMMARY:Lunch with Tomas
END:VEVENT
BEGIN:VEVENT
UID:review@p
DTSTART;TZID=Europe/Berlin:20261126T150000
DTEND;TZID=Europe/Berlin:20261126T170000
SUMMARY:Design review
END:VEVENT
BEGIN:VEVENT
UID:physio@p
DTSTART;TZID=Europe/Berlin:20261127T130000
DTEND;TZID=Europe/Berlin:20261127T140000
SUMMARY:Physio
END:VEVENT
BEGIN:VEVENT
UID:climb@p
DTSTART;TZID=Europe/Berlin:20261128T110000
DTEND;TZID=Europe/Berlin:20261128T123000
SUMMARY:Climbing
END:VEVENT
BEGIN:VEVENT
UID:party@p
DTSTART;TZID=Europe/Berlin:20261128T160000
DTEND;TZID=Europe/Berlin:20261128T230000
TRANSP:TRANSPARENT
SUMMARY:Party (maybe)
END:VEVENT
END:VCALENDAR
"""
REMINDERS = [(datetime(2026, 11, 24, 18, 0, tzinfo=ZONE), "call Mum"),
             (datetime(2026, 11, 26, 8, 30, tzinfo=ZONE), "take the bins out")]  # fmt: skip
SAID = {
    "Maya": ["Maya: I'm free after 14:00 except Wednesday"],
    "Jonas": ["Jonas: busy Friday"],
    "Lena": ["Lena: I'm free before 12:00"],
    "Omar": ["Omar: away Saturday and Sunday"],
}
MORNING, AFTERNOON, EVENING = (time(8), time(12)), (time(12), time(18)), (time(18), time(22))


@dataclass(frozen=True)
class SlotTask:
    text: str
    days: tuple[int, ...]  # days after Monday 23 November
    minutes: int
    window: tuple[time, time] = (time(9), time(18))
    people: tuple[str, ...] = ()
    alarm_before: int | None = None
    gold: str | None = None  # "Tuesday, 11:30 - 12:30" or None: infeasible
    gold_alarm: str | None = None
    blockers: tuple[str, ...] = field(default=())  # names the reason must carry


TASKS = [
    SlotTask("find a free hour tomorrow", (1,), 60),
    SlotTask("find 45 minutes on Thursday, not before 10", (3,), 45, (time(10), time(18))),
    SlotTask("find half an hour this week in the afternoon", tuple(range(7)), 30, AFTERNOON),
    SlotTask("find 90 minutes on Tuesday afternoon", (1,), 90, AFTERNOON),
    SlotTask("when am I free for 2 hours on Thursday?", (3,), 120),
    SlotTask("find 30 minutes on Wednesday", (2,), 30, blockers=("you",)),
    SlotTask("find an hour with Maya on Friday", (4,), 60, people=("Maya",)),
    SlotTask("find an hour with Maya on Wednesday", (2,), 60, people=("Maya",),
             blockers=("you", "Maya")),
    SlotTask("find 45 minutes with Jonas on Friday", (4,), 45, people=("Jonas",),
             blockers=("Jonas",)),
    SlotTask("find 30 minutes with Lena tomorrow", (1,), 30, people=("Lena",)),
    SlotTask("find a free hour with Lena and Maya this week", tuple(range(7)), 60,
             people=("Lena", "Maya"), blockers=("Lena", "Maya")),
    SlotTask("find 30 minutes on Saturday morning", (5,), 30, MORNING),
    SlotTask("find an hour on Sunday afternoon", (6,), 60, AFTERNOON),
    SlotTask("find 45 minutes tomorrow evening", (1,), 45, EVENING),
    SlotTask("find 20 minutes on Thursday morning", (3,), 20, MORNING),
    SlotTask("find an hour today", (0,), 60),
    SlotTask("find 2 hours on Tuesday, not before 15:00", (1,), 120, (time(15), time(18))),
    SlotTask("find 3 hours on Thursday", (3,), 180, blockers=("you",)),
    SlotTask("find 45 minutes for the tax return this week, not before 10", tuple(range(7)), 45,
             (time(10), time(18))),
    SlotTask("find a free hour next week", tuple(range(7, 14)), 60),
    SlotTask("find 30 minutes with Maya tomorrow and add it to my calendar", (1,), 30,
             people=("Maya",)),
    SlotTask("find an hour tomorrow morning and remind me 10 minutes before", (1,), 60, MORNING,
             alarm_before=10),
    SlotTask("find 30 minutes on Friday afternoon and remind me 5 minutes before", (4,), 30,
             AFTERNOON, alarm_before=5),
    SlotTask("find an evening hour on Thursday and set an alarm 15 minutes before", (3,), 60,
             EVENING, alarm_before=15),
    SlotTask("find 45 minutes with Maya and Lena this week", tuple(range(7)), 45,
             people=("Maya", "Lena"), blockers=("Maya", "Lena")),
    SlotTask("find a free hour with Omar this weekend", (5, 6), 60, people=("Omar",),
             blockers=("Omar",)),
    SlotTask("find 30 minutes with Omar on Friday", (4,), 30, people=("Omar",)),
    SlotTask("when are Jonas and I both free for an hour on Thursday?", (3,), 60,
             people=("Jonas",)),
    SlotTask("find an hour on Monday afternoon, not after 13:00", (0,), 60,
             (time(12), time(13))),
    SlotTask("find 15 minutes on Wednesday evening", (2,), 15, EVENING, blockers=("you",)),
    SlotTask("find two hours on Saturday", (5,), 120),
    SlotTask("find an hour with Tomas on Thursday", (3,), 60, people=("Tomas",)),
]  # fmt: skip


def persona(root: Path) -> Planner:
    """The persona's planner: its calendar file, reminders and friends' messages."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "persona.ics").write_text(ICS)
    sources = [
        CalendarFiles([root / "persona.ics"], ZONE),
        ReminderTimes(lambda: REMINDERS, 15),
        FixedBusy(),
    ]
    return Planner(sources, ZONE, people=PeopleSaid(lambda n: SAID.get(n, []), ZONE))


def with_gold(task: SlotTask, planner: Planner) -> SlotTask:
    """The task's gold answer from its hand-written constraints, by brute force."""
    c = gold_constraints(task, planner)
    request = to_request(c, NOW)
    every = calendar.all_starts(request)
    if not every:
        return task
    slot = to_slot(every[0], c, ZONE)
    alarm = None
    if task.alarm_before is not None:
        alarm = f"{slot.start - timedelta(minutes=task.alarm_before):%H:%M}"
    return SlotTask(**{**task.__dict__, "gold": slot.describe(), "gold_alarm": alarm})


def gold_constraints(task: SlotTask, planner: Planner) -> Constraints:
    c = Constraints(
        participants=list(task.people),
        minutes=task.minutes,
        days=[MONDAY + timedelta(days=d) for d in task.days],
        not_before=task.window[0],
        not_after=task.window[1],
    )
    c.busy = planner.gather(c)
    return c


def calendar_text() -> str:
    """The persona's week as the direct-model baseline sees it."""
    planner = persona(Path("/tmp/pocketmind-persona-view"))
    c = Constraints(days=[MONDAY + timedelta(days=d) for d in range(14)], participants=list(SAID))
    lines = [
        f"- {b.start:%A %d %b} all day: {b.title}"
        if b.end - b.start >= timedelta(days=1)
        else f"- {b.start:%A %d %b %H:%M}-{b.end:%H:%M}: {b.title}"
        for b in planner.gather(c)
        if b.who == "me"
    ]
    lines += [f"- message: {said[0]}" for said in SAID.values()]
    return "\n".join(lines)


PLACES = ("Home", "Climbing Gym", "Packstation", "Cafe Luna", "Office", "Park")
FRIENDS = ("Maya", "Jonas", "Lena", "Omar", "Priya", "Tomas")


@dataclass(frozen=True)
class DayTask:
    text: str
    request: DayRequest
    gold_count: int


def day_tasks(n: int, seed: int = 5) -> list[DayTask]:
    """Saturdays of meeting friends across town, in the user's words."""
    rng = random.Random(seed)
    tasks = []
    for _ in range(n):
        places = list(PLACES)
        travel = {a: {b: rng.randint(5, 30) for b in places if b != a} for a in places}
        people = []
        for name in rng.sample(FRIENDS, rng.randint(2, 4)):
            start = rng.randrange(9 * 60, 16 * 60, 30)
            people.append(Person(name, rng.choice(places[1:]), Span(start, start + rng.choice(
                (90, 120, 180, 240))), rng.choice((30, 45, 60))))  # fmt: skip
        request = DayRequest("Home", 9 * 60, tuple(people), travel)
        assert meetings.solve(request).count == meetings.brute_force(request).count
        lines = ["Plan my Saturday. I start at Home at 9:00AM."]
        lines += [f"{a} to {b}: {m} minutes." for a, row in travel.items() for b, m in row.items()]
        for p in people:
            window = f"from {_hm(p.window.start)} to {_hm(p.window.end)}"
            lines.append(f"{p.name} is at {p.place} {window}; I'd like {p.minutes} minutes.")
        tasks.append(DayTask(" ".join(lines), request, meetings.solve(request).count))
    return tasks


def _hm(minute: int) -> str:
    hours, minutes = divmod(minute, 60)
    return f"{(hours % 12) or 12}:{minutes:02d}{'AM' if hours < 12 else 'PM'}"
