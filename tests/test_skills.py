"""The skills runtime, chat reminders, the briefing and nightly consolidation."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from pocketmind.chat import Assistant
from pocketmind.daemon.wiring import make_assistant
from pocketmind.engine import EngineError, FakeEngine
from pocketmind.memory import MemoryStore, NewMemory
from pocketmind.sensing.places import Places
from pocketmind.settings import Settings
from pocketmind.skills import FakeClock, RecordingNotifier, ReminderBook
from pocketmind.skills.base import SkillContext, SkillRunner, SkillSwitches, register, registry
from pocketmind.skills.builtin import BriefingSkill, ConsolidationSkill
from pocketmind.validation import InputError

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2025, 6, 2, 10, 0, tzinfo=BERLIN)  # a Monday


@pytest.fixture
def berlin(settings: Settings) -> Settings:
    settings.timezone = "Europe/Berlin"
    return settings


def _ask(assistant: Assistant, text: str, conversation: str = "c1") -> str:
    return assistant.ask(text, conversation_id=conversation, now=NOW).text


def test_chat_reminder_is_confirmed_before_it_is_saved(
    store: MemoryStore, berlin: Settings
) -> None:
    engine = FakeEngine()
    assistant = make_assistant(store, engine, berlin, db=store.db)
    proposal = _ask(assistant, "Remind me to call Mum tomorrow at 6pm")
    assert proposal == "Shall I remind you to call Mum — Tue 03 Jun 2025 at 18:00? (yes/no)"
    assert ReminderBook(store.db, BERLIN).active() == []  # nothing saved yet
    done = _ask(assistant, "yes")
    assert done == "Done: I'll remind you to call Mum Tue 03 Jun 2025 at 18:00 (#1)."
    (reminder,) = ReminderBook(store.db, BERLIN).active()
    assert reminder.next_fire_at == datetime(2025, 6, 3, 18, 0, tzinfo=BERLIN)
    assert engine.prompts == []  # read deterministically: the model was never asked
    _ask(assistant, "remind me to water the plants every day at 8", "c2")
    assert _ask(assistant, "no", "c2") == "OK, I won't set that reminder."
    assert len(ReminderBook(store.db, BERLIN).active()) == 1


def test_context_reminders_from_chat(store: MemoryStore, berlin: Settings) -> None:
    home = Places(store.db).add(52.52, 13.40, 150)
    Places(store.db).name(home.id, "home")
    assistant = make_assistant(store, FakeEngine(), berlin, db=store.db)
    assert _ask(assistant, "remind me to take the bins out when I get home") == (
        "Shall I remind you to take the bins out — when you arrive at home? (yes/no)"
    )
    _ask(assistant, "yes")
    (reminder,) = ReminderBook(store.db, BERLIN).active()
    assert reminder.trigger == {"type": "arrive", "place_id": home.id}
    reply = _ask(assistant, "remind me to buy chalk when I get to the gym", "c3")
    assert "I don't know a place called 'the gym'" in reply
    assert "battery drops below 15%" in _ask(
        assistant, "remind me to charge the phone when the battery drops below 15%", "c4"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("remind me to dance at banana o'clock", "cannot read a time"),
        ("remind me to vote on 2020-01-01 at 9", "is in the past"),
    ],
)
def test_bad_reminder_requests_get_a_clear_answer(
    store: MemoryStore, berlin: Settings, text: str, message: str
) -> None:
    reply = _ask(
        make_assistant(store, FakeEngine(['{"what": "x", "when": "never"}']), berlin, db=store.db),
        text,
    )
    assert reply.startswith("I could not set that reminder:") and message in reply
    assert ReminderBook(store.db, BERLIN).active() == []


def test_the_model_helps_only_where_the_grammar_cannot(
    store: MemoryStore, berlin: Settings
) -> None:
    engine = FakeEngine([json.dumps({"what": "stretch", "when": "today 13:00"})])
    reply = _ask(
        make_assistant(store, engine, berlin, db=store.db),
        "remind me to stretch once the film ends",
    )
    assert reply == "Shall I remind you to stretch — Mon 02 Jun 2025 at 13:00? (yes/no)"
    assert engine.options[0].json_schema is not None  # constrained output


def test_a_failing_skill_is_marked_and_the_others_run(store: MemoryStore, berlin: Settings) -> None:
    ran: list[str] = []

    class Broken:
        name, description, enabled_by_default = "broken", "always fails", True

        def tick(self, context: SkillContext) -> None:
            raise RuntimeError("boom")

    class Counter:
        name, description, enabled_by_default = "counter", "counts ticks", True

        def tick(self, context: SkillContext) -> None:
            ran.append("tick")

    register("broken")(Broken)
    register("counter")(Counter)
    try:
        runner = SkillRunner(
            SkillContext(store, berlin, RecordingNotifier(), FakeClock(NOW), db=store.db)
        )
        runner.tick()
        status = runner.status()
        assert status["broken"]["state"] == "failed" and "boom" in status["broken"]["error"]
        assert status["counter"]["state"] == "ok" and ran == ["tick"]
        SkillSwitches(store.db).set("counter", False)
        runner.tick()
        assert ran == ["tick"] and runner.status()["counter"]["state"] == "disabled"
        with pytest.raises(InputError, match="unknown skill 'nope'"):
            SkillSwitches(store.db).set("nope", True)
    finally:
        from pocketmind.skills.base import SKILLS

        SKILLS.unregister("broken")
        SKILLS.unregister("counter")
    assert {"reminders", "briefing", "consolidation"} <= set(registry())


class FailingEngine(FakeEngine):
    def chat(self, messages, options):  # type: ignore[no-untyped-def]
        raise EngineError("model unavailable")


def test_briefing_keeps_its_list_when_generation_fails(
    store: MemoryStore, berlin: Settings
) -> None:
    clock = FakeClock(NOW.replace(hour=7, minute=0))
    book = ReminderBook(store.db, BERLIN)
    from pocketmind.skills.schedules import parse_when

    book.add_time("dentist", parse_when("today at 15:00", clock.now(), BERLIN), clock.now())
    store.remember("Arrived at home", kind="place", source="location", at=NOW - timedelta(days=1))
    notifier = RecordingNotifier()
    context = SkillContext(store, berlin, notifier, clock, FailingEngine(), db=store.db)
    skill = BriefingSkill()
    skill.tick(context)
    assert notifier.sent == []  # 07:00 is before the 07:30 briefing
    clock.advance(minutes=31)
    skill.tick(context)
    skill.tick(context)  # once a day
    (briefing,) = notifier.sent
    assert "- 15:00 dentist" in briefing.text and "- Arrived at home" in briefing.text


def test_nightly_consolidation_merges_retires_and_summarizes(
    store: MemoryStore, berlin: Settings
) -> None:
    yesterday = NOW - timedelta(days=1)
    store.remember_many(
        [
            NewMemory("Arrived at work", "place", "location", yesterday),
            NewMemory(
                "Maya lives in Porto",
                "fact",
                "import",
                yesterday - timedelta(days=30),
                meta={"subject": "maya"},
            ),
            NewMemory(
                "Maya moved to Lisbon", "fact", "import", yesterday, meta={"subject": "maya"}
            ),
        ]
    )
    store.db.execute(  # a duplicate that slipped in (imported before dedup existed)
        "INSERT INTO memories (text, text_hash, kind, source, occurred_at, created_at, "
        "last_seen_at, meta) SELECT text, text_hash, kind, source, occurred_at, created_at, "
        "last_seen_at, meta FROM memories WHERE text = 'Arrived at work'"
    )
    engine = FakeEngine(["You went to work."])
    context = SkillContext(
        store,
        berlin,
        RecordingNotifier(),
        FakeClock(NOW.replace(hour=3, minute=45)),
        engine,
        db=store.db,
    )
    ConsolidationSkill().tick(context)
    ConsolidationSkill().tick(context)  # once per day
    live = {m.text for m in store.iter_memories() if m.superseded_by is None}
    assert "Maya lives in Porto" not in live and "Maya moved to Lisbon" in live
    assert (
        store.db.execute(
            "SELECT count(*) FROM memories WHERE text = 'Arrived at work' AND superseded_by IS NULL"
        ).fetchone()[0]
        == 1
    )
    (episode,) = [m for m in store.iter_memories() if m.kind == "episode"]
    assert episode.text.startswith("You went to work.")
    assert "Sunday 01 June 2025" in episode.text and "- Arrived at work" in episode.text
    assert episode.meta == {"day": "2025-06-01", "merged": 1, "retired": 1}
    assert len(engine.prompts) == 1


def test_skills_cli_lists_and_switches(berlin: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from pocketmind.cli import main

    monkeypatch.setenv("POCKETMIND_EMBEDDER__BACKEND", "fake")
    runner = CliRunner()
    listed = runner.invoke(main, ["skills", "list", "--json"])
    rows = {r["name"]: r for r in json.loads(listed.output)}
    assert rows["reminders"]["enabled"] and not rows["briefing"]["enabled"]
    assert runner.invoke(main, ["skills", "enable", "briefing"]).exit_code == 0
    rows = {
        r["name"]: r for r in json.loads(runner.invoke(main, ["skills", "list", "--json"]).output)
    }
    assert rows["briefing"]["enabled"]
    bad = runner.invoke(main, ["skills", "enable", "teleport"])
    assert bad.exit_code == 1 and "unknown skill 'teleport'" in bad.output
