"""The planner: a request becomes a typed :class:`Plan`: read, solved by code, verified.

The reader (:mod:`.extract`) takes what a grammar can read and the model fills the rest
under a schema; busy times come from every :class:`BusySource` and from what the
participants said; :mod:`.calendar` finds the earliest slot and checks it against every
constraint, naming each. When nothing works, :func:`calendar.explain` says which
constraint makes the request impossible. The steps that follow (a calendar entry, a
text with the options, an alarm) are tool calls for the executor, each external one
waiting for the user's yes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, time, timedelta, tzinfo

from ..engine.base import Engine
from ..sensing.places import Place
from ..tools.base import Effect
from . import calendar
from .busy import BusySource, PeopleSaid
from .extract import BOUND, fill_with_model, read_days, read_request
from .model import Busy, Check, Constraints, Plan, PlanStep, Slot
from .outing import plan_outing, read_stops
from .spans import DAY, Span, free_slots

ME = "me"
LATEST = {"not after", "before", "until", "by", "no later than"}  # the bounds that end a day
KINDS = {"duration": "duration", "work hours": "window", "busy": "busy", "earliest": "earliest"}


class Planner:
    def __init__(
        self,
        sources: Sequence[BusySource],
        zone: tzinfo,
        *,
        people: PeopleSaid | None = None,
        engine: Engine | None = None,
        places: Callable[[], Sequence[Place]] = list,
        travel_kmh: float = 15.0,
    ) -> None:
        self.sources, self.zone, self.people, self.engine = list(sources), zone, people, engine
        self.places, self.travel_kmh = places, travel_kmh

    def read(self, text: str, now: datetime) -> Constraints:
        outing = read_stops(text)
        if outing is not None:  # "plan Saturday: dentist at 16:00, Packstation, …"
            c = read_request(text, now).constraints
            c.days = read_days(outing[0], now.date())[:1]
            if not any(m.group(1).lower() in LATEST for m in BOUND.finditer(text)):
                c.not_after = time(22, 0)  # errands run into the evening unless told
            c.stops = outing[1]
            return c
        reading = read_request(text, now)
        if self.engine is not None and reading.missing:
            reading = fill_with_model(self.engine, text, reading, now)
        return reading.constraints

    def plan(self, text: str, now: datetime) -> Plan:
        now = now.astimezone(self.zone)
        constraints = self.read(text, now)
        plan = Plan(goal=text, constraints=constraints, created_at=now, updated_at=now)
        return self.solve(plan, now)

    def gather(self, c: Constraints) -> list[Busy]:
        """Every busy time over the plan's days, from every source, fresh."""
        start = datetime.combine(min(c.days), time(0), tzinfo=self.zone)
        end = datetime.combine(max(c.days) + timedelta(days=1), time(0), tzinfo=self.zone)
        found = [b for source in self.sources for b in source.busy(start, end)]
        if self.people is not None and c.participants:
            found += self.people.about(c.participants, c.days, (c.not_before, c.not_after))
        return found

    def solve(self, plan: Plan, now: datetime, extra: Sequence[Busy] = ()) -> Plan:
        """Solve ``plan``'s constraints from the current state; steps are made anew."""
        c = plan.constraints.model_copy(deep=True)
        c.busy = [*self.gather(c), *extra, *(b for b in c.busy if b.source == "you")]
        if c.stops:
            out = plan_outing(plan.model_copy(update={"constraints": c}), now, self.zone,
                              c.busy, self.places, self.travel_kmh)  # fmt: skip
            out.steps = outing_steps(c, out)
            out.settle()
            return out
        request = to_request(c, now.astimezone(self.zone))
        found = calendar.candidates(request)
        out = plan.model_copy(deep=True)
        out.constraints, out.updated_at = c, now
        out.options = [to_slot(s, c, self.zone) for s in found[: c.options]]
        out.free = free_time(request, c, self.zone) if c.asks_free else []
        out.slot = out.options[0] if out.options else None
        out.checks = checks(request, found[0]) if found else []
        out.reasons = [] if found else [yours(r) for r in calendar.explain(request)]
        out.steps = steps(c, out.slot, out.options)
        out.settle()
        return out


def yours(text: str) -> str:
    """The solver's words about the participant "me", said to the user."""
    text = re.sub(r"\bme is\b", "you are", text)
    text = re.sub(r"\bme's\b", "your", text)
    return re.sub(r"^me\b", "you", text)


def to_request(c: Constraints, now: datetime) -> calendar.MeetingRequest:
    """The constraints as minutes from midnight of the first day, each listed day one
    :data:`DAY` apart (so Monday and Thursday are days 0 and 1)."""
    days = sorted(c.days)
    people = (ME, *c.participants)
    busy: dict[str, list[Span]] = {p: [] for p in people}
    for item in c.busy:
        who = item.who if item.who in busy else ME
        for i, day in enumerate(days):
            span = _clip(item.start, item.end, day, i, now.tzinfo)
            if span is not None:
                busy[who].append(span)
    for i, day in enumerate(days):  # the past is busy: nothing before now
        if day == now.date():
            busy[ME].append(Span(i * DAY, i * DAY + now.hour * 60 + now.minute + 1))
        elif day < now.date():
            busy[ME].append(Span(i * DAY, (i + 1) * DAY))
    hours = Span(_minute(c.not_before), max(_minute(c.not_before), _minute(c.not_after)))
    labels = tuple(_label(d, days) for d in days)
    return calendar.MeetingRequest(
        people, c.minutes, labels, hours, busy={p: tuple(s) for p, s in busy.items()}
    )


def _minute(at: time) -> int:
    return at.hour * 60 + at.minute


def _label(day: date, days: Sequence[date]) -> str:
    same = [d for d in days if d.weekday() == day.weekday()]
    return f"{day:%A}" if len(same) == 1 else f"{day:%A} {day:%d %b}"


def _clip(
    start: datetime, end: datetime, day: date, index: int, zone: tzinfo | None
) -> Span | None:
    """The part of ``[start, end)`` on ``day`` (wall clock in ``zone``, the user's), as
    minutes of day ``index``."""
    begin = datetime.combine(day, time(0), tzinfo=zone)
    a = max(start.astimezone(zone), begin)
    b = min(end.astimezone(zone), begin + timedelta(days=1))
    if b <= a:
        return None
    lo = int((a.replace(tzinfo=None) - begin.replace(tzinfo=None)).total_seconds() // 60)
    hi = int((b.replace(tzinfo=None) - begin.replace(tzinfo=None)).total_seconds() // 60)
    return Span(index * DAY + lo, index * DAY + max(lo, hi))


def to_slot(slot: calendar.Slot, c: Constraints, zone: tzinfo) -> Slot:
    day = sorted(c.days)[slot.day]
    begin = datetime.combine(day, time(0), tzinfo=zone)
    offset = slot.span.start - slot.day * DAY
    start = begin + timedelta(minutes=offset)
    return Slot(start=start, end=start + timedelta(minutes=slot.span.minutes))


def free_time(request: calendar.MeetingRequest, c: Constraints, zone: tzinfo) -> list[Slot]:
    """Every stretch inside the hours asked when nobody in the request is busy (nor is it
    past): interval arithmetic, each day its own window."""
    hours = request.work_hours
    windows = [hours.shifted(i * DAY) for i in range(len(request.days))]
    busy = [s for spans in request.busy.values() for s in spans]
    return [
        to_slot(calendar.Slot(gap.start // DAY, gap), c, zone)
        for gap in free_slots(windows, busy, request.minutes)
    ]


def checks(request: calendar.MeetingRequest, slot: calendar.Slot) -> list[Check]:
    """Every constraint kind the slot was held to, ok or with each violation named."""
    said = slot.describe(request.days)
    broken = calendar.verify(request, slot)
    found = [
        Check(constraint=KINDS.get(v.constraint, v.constraint), ok=False, message=yours(v.message))
        for v in broken
    ]
    named = {c.constraint for c in found}
    hours = request.work_hours
    fine = {
        "duration": f"{said} lasts {request.minutes} minutes",
        "window": f"{said} is inside {hours.start // 60:02d}:{hours.start % 60:02d} - "
        f"{hours.end // 60:02d}:{hours.end % 60:02d}",
        "busy": f"nobody is busy then ({', '.join(request.participants)}), and it is not past",
        "earliest": f"{said} is the earliest slot that works",
    }
    found += [Check(constraint=k, ok=True, message=m) for k, m in fine.items() if k not in named]
    return found


def steps(c: Constraints, slot: Slot | None, options: Sequence[Slot]) -> list[PlanStep]:
    """The plan's steps: reading and solving (done), then one tool call per action."""
    found = [
        PlanStep(number=1, title="Read the request", status="done",
                 result=f"{c.minutes} minutes, {len(c.days)} day(s), with "
                 f"{', '.join(c.participants) or 'nobody else'}"),
        PlanStep(number=2, title="Find a slot and check it", status="done" if slot else "failed",
                 result=slot.describe() if slot else "nothing works"),
    ]  # fmt: skip
    if slot is None:
        return found
    label = c.label()
    for action in c.actions:
        if action == "calendar":
            event: dict[str, object] = {
                "title": label,
                "start": slot.start.isoformat(),
                "end": slot.end.isoformat(),
            }
            found.append(
                _tool(found, f"Add {label!r} to the calendar", "add_calendar_event", event)
            )
        elif action == "text":
            choices = " or ".join(s.describe() for s in options)
            for who in c.text_to or c.participants:
                message = f"Could we meet {choices}?"
                found.append(_tool(found, f"Text {who} the options", "send_text",
                                   {"to": who, "text": message}))  # fmt: skip
        elif action == "alarm":
            ring = slot.start - timedelta(minutes=c.remind_before)
            alarm: dict[str, object] = {"hour": ring.hour, "minute": ring.minute, "label": label}
            found.append(_tool(found, f"Alarm at {ring:%H:%M} for {label!r}", "set_alarm", alarm))
    return found


def outing_steps(c: Constraints, plan: Plan) -> list[PlanStep]:
    """Reading, ordering the stops (done), then a calendar entry per errand if asked."""
    found = [
        PlanStep(number=1, title="Read the stops", status="done",
                 result=", ".join(s.name for s in c.stops) or "no stops"),
        PlanStep(number=2, title="Order them for the least travel and check it",
                 status="done" if plan.slot else "failed",
                 result=plan.slot.describe() if plan.slot else "nothing works"),
    ]  # fmt: skip
    if plan.slot is None or "calendar" not in c.actions:
        return found
    fixed = {s.name for s in c.stops if s.at is not None}
    for stop in (s for s in plan.route if s.name not in fixed):
        event = {"title": stop.name, "start": stop.start.isoformat(), "end": stop.end.isoformat()}
        found.append(_tool(found, f"Add {stop.name!r} to the calendar", "add_calendar_event",
                           event))  # fmt: skip
    return found


def _tool(done: list[PlanStep], title: str, tool: str, args: Mapping[str, object]) -> PlanStep:
    return PlanStep(
        number=len(done) + 1,
        title=title,
        tool=tool,
        arguments=dict(args),
        effect=Effect.EXTERNAL,
        depends_on=[2],
    )


def changes(old: Plan, new: Plan) -> list[str]:
    """What a replan changed, in words: the slot, and what made the old one wrong."""
    if old.slot == new.slot:
        return ["the slot stays " + (new.slot.describe() if new.slot else "unavailable")]
    said = []
    if old.slot is not None:
        slot = old.slot
        clash = [b for b in new.constraints.busy if b.start < slot.end and slot.start < b.end]
        why = "; ".join(
            f"{yours(b.who + ' is')} busy {b.start:%H:%M}-{b.end:%H:%M} ({b.title})" for b in clash
        )
        said.append(f"{old.slot.describe()} no longer works" + (f": {why}" if why else ""))
    said.append(f"new slot: {new.slot.describe()}" if new.slot else "nothing works now: "
                + "; ".join(new.reasons))  # fmt: skip
    return said
