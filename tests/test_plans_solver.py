"""The plan solvers against brute-force oracles, and the verifiers against every
constraint kind they check."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pocketmind.plans import calendar, meetings
from pocketmind.plans.calendar import MeetingRequest, Slot
from pocketmind.plans.meetings import DayRequest, Person, Step
from pocketmind.plans.spans import DAY, Span, free_slots, merge, subtract


def test_spans_merge_subtract_and_find_free_time() -> None:
    assert merge([Span(60, 120), Span(100, 180), Span(180, 200), Span(300, 310)]) == [
        Span(60, 200),
        Span(300, 310),
    ]
    assert subtract(Span(0, 400), [Span(60, 120), Span(300, 500)]) == [
        Span(0, 60),
        Span(120, 300),
    ]
    assert free_slots([Span(0, 400)], [Span(60, 120)], 90) == [Span(120, 400)]


@st.composite
def meeting_requests(draw: st.DrawFn) -> MeetingRequest:
    people = tuple(f"P{i}" for i in range(draw(st.integers(1, 4))))
    days = tuple(calendar.WEEKDAYS[: draw(st.integers(1, 3))])
    half_hours = st.integers(18, 33)  # 9:00 .. 16:30, in half hours

    def blocks(d: int) -> list[Span]:
        starts = draw(st.lists(half_hours, max_size=4))
        return [
            Span(d * DAY + s * 30, d * DAY + s * 30 + draw(st.sampled_from([30, 60, 90])))
            for s in starts
        ]

    busy = {p: tuple(b for d in range(len(days)) for b in blocks(d)) for p in people}
    avoid = {people[0]: tuple(blocks(0)[:1])} if draw(st.booleans()) else {}
    return MeetingRequest(people, draw(st.sampled_from([30, 60])), days, busy=busy, avoid=avoid)


@settings(max_examples=150, deadline=None)
@given(meeting_requests())
def test_the_slot_is_the_earliest_the_brute_force_finds(request: MeetingRequest) -> None:
    every = calendar.all_starts(request)
    slot = calendar.solve(request)
    if not every:
        assert slot is None
        assert calendar.explain(request)  # an impossible request says why
        return
    assert slot is not None and slot == min(every, key=lambda s: (s.day, s.span))
    assert calendar.verify(request, slot) == []  # the verifier agrees with the solver
    assert calendar.explain(request) == []


def _request() -> MeetingRequest:
    return MeetingRequest(
        ("Maya", "Jonas"),
        30,
        ("Monday", "Tuesday"),
        busy={"Maya": (Span(9 * 60, 12 * 60),), "Jonas": (Span(12 * 60, 13 * 60),)},
        avoid={"Jonas": (Span(13 * 60, 14 * 60),)},
    )


def test_the_verifier_names_each_broken_constraint() -> None:
    request = _request()
    assert calendar.solve(request) == Slot(0, Span(14 * 60, 14 * 60 + 30))
    assert calendar.solve(request).describe(request.days) == "Monday, 14:00 - 14:30"  # type: ignore[union-attr]

    def broken(slot: Slot) -> set[str]:
        return {v.constraint for v in calendar.verify(request, slot)}

    assert broken(Slot(0, Span(10 * 60, 10 * 60 + 30))) == {"busy"}
    assert broken(Slot(0, Span(13 * 60, 13 * 60 + 30))) == {"preference"}
    assert broken(Slot(0, Span(8 * 60, 8 * 60 + 30))) == {"work hours"}
    assert broken(Slot(0, Span(15 * 60, 16 * 60))) == {"duration"}
    assert broken(Slot(1, Span(DAY + 540, DAY + 570))) == {"earliest"}
    assert broken(Slot(5, Span(0, 30))) == {"day"}
    (busy,) = calendar.verify(request, Slot(0, Span(11 * 60 + 30, 12 * 60)))
    assert str(busy) == "Maya is busy on Monday 09:00 - 12:00, which overlaps Monday, 11:30 - 12:00"


def test_an_impossible_request_names_the_constraint() -> None:
    request = MeetingRequest(
        ("Me", "Maya"),
        60,
        ("Tuesday",),
        busy={"Maya": (Span(0, DAY),), "Me": (Span(9 * 60, 10 * 60),)},
    )
    assert calendar.solve(request) is None
    assert calendar.explain(request) == ["Maya is busy all of Tuesday"]
    only_preferences = MeetingRequest(
        ("Me", "Jonas"), 60, ("Monday",), avoid={"Jonas": (Span(9 * 60, 17 * 60),)}
    )
    assert "preferences" in calendar.explain(only_preferences)[0]
    clash = MeetingRequest(
        ("Me", "Maya"),
        60,
        ("Monday",),
        busy={"Me": (Span(9 * 60, 13 * 60),), "Maya": (Span(13 * 60, 17 * 60),)},
    )
    assert any("calendar leaves no 60 minutes" in r for r in calendar.explain(clash))


PLACES = ("Home", "Mission", "Marina", "Haight", "Soma")


@st.composite
def day_requests(draw: st.DrawFn) -> DayRequest:
    travel = {a: {b: draw(st.integers(5, 40)) for b in PLACES if b != a} for a in PLACES}
    people = []
    for i in range(draw(st.integers(1, 5))):
        start = draw(st.integers(9 * 60, 18 * 60))
        people.append(
            Person(
                f"F{i}",
                draw(st.sampled_from(PLACES[1:])),
                Span(start, start + draw(st.integers(30, 300))),
                draw(st.sampled_from([15, 30, 45, 60, 90])),
            )
        )
    return DayRequest("Home", 9 * 60, tuple(people), travel)


@settings(max_examples=120, deadline=None)
@given(day_requests())
def test_the_day_plan_meets_as_many_as_the_brute_force_and_ends_as_early(
    request: DayRequest,
) -> None:
    best = meetings.solve(request)
    oracle = meetings.brute_force(request)
    assert (best.count, best.ends) == (oracle.count, oracle.ends)
    # The verifier replays the solver's own plan without a complaint.
    replay: list[Step] = []
    for meeting in best.meetings:
        replay.append(Step("travel", place=meeting.place))
        if meeting.span.start > meeting.arrive:
            replay.append(Step("wait", until=meeting.span.start))
        replay.append(Step("meet", person=meeting.person))
    assert meetings.verify(request, replay) == (best.count, [])


def test_the_day_plan_reads_like_natural_plan_and_the_verifier_catches_bad_steps() -> None:
    travel = {
        "Home": {"Mission": 10, "Marina": 20},
        "Mission": {"Home": 10, "Marina": 15},
        "Marina": {"Home": 20, "Mission": 15},
    }
    request = DayRequest(
        "Home",
        9 * 60,
        (
            Person("Jonas", "Marina", Span(11 * 60, 13 * 60), 60),
            Person("Maya", "Mission", Span(9 * 60, 10 * 60), 30),
        ),
        travel,
    )
    plan = meetings.solve(request)
    assert [m.person for m in plan.meetings] == ["Maya", "Jonas"]
    assert plan.steps(request) == [
        "You start at Home at 9:00AM",
        "You travel to Mission in 10 minutes and arrive at 9:10AM",
        "You meet Maya for 30 minutes from 9:10AM to 9:40AM",
        "You travel to Marina in 15 minutes and arrive at 9:55AM",
        "You wait until 11:00AM",
        "You meet Jonas for 60 minutes from 11:00AM to 12:00PM",
    ]
    assert meetings.verify(
        request, [Step("travel", place="Marina"), Step("meet", person="Jonas")]
    ) == (
        0,
        ["step 2: Jonas is there from 11:00AM, not 9:20AM"],
    )
    assert meetings.verify(request, [Step("meet", person="Maya")])[1] == [
        "step 1: Maya is at Mission, not Home"
    ]
    assert meetings.verify(request, [Step("travel", place="Mission"), Step("wait", until=9 * 60)])[
        1
    ] == ["step 2: waits until 9:00AM but it is already 9:10AM"]
