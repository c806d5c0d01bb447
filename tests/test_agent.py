"""The agent loop with a scripted engine (the loop's logic) and with the real small model
under the tools' grammar (every call schema-valid by construction)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from fake_termux import SHAPES

from pocketmind.clock import FakeClock
from pocketmind.engine import FakeEngine, Message
from pocketmind.sensing.termux import FakeTermuxApi
from pocketmind.tools.agent import Agent
from pocketmind.tools.contacts import Contacts
from pocketmind.tools.gate import Gate, GateError
from pocketmind.tools.phone import PhoneTools


def _phone() -> tuple[FakeTermuxApi, list]:  # type: ignore[type-arg]
    termux = FakeTermuxApi(
        {
            "termux-contact-list": (SHAPES / "contact-list.json").read_text(),
            "termux-battery-status": (SHAPES / "battery-status.json").read_text(),
            "termux-sms-send": "",
            "termux-torch": "",
        }
    )
    return termux, PhoneTools(termux, Contacts(termux, {"sister": "Maya"}.get)).tools()


def _call(name: str, **arguments: object) -> str:
    return json.dumps({"name": name, "arguments": arguments})


def _answer(text: str) -> str:
    return json.dumps({"answer": text})


def _sent(termux: FakeTermuxApi) -> list[list[str]]:
    return [c for c in termux.calls if c[0] == "termux-sms-send"]


def test_a_read_tool_runs_and_its_observation_reaches_the_answer() -> None:
    _termux, tools = _phone()
    engine = FakeEngine([_call("battery"), _answer("Your battery is at 76%.")])
    outcome = Agent(engine, tools, Gate(), read_commands=False, mode="native").run(
        [Message("user", "What's my battery?")]
    )
    assert outcome.answer == "Your battery is at 76%."
    assert [s.call.name for s in outcome.steps] == ["battery"]
    assert "<tool_response>\nBattery 76%, discharging\n</tool_response>" in (
        engine.prompts[1][-1].content
    )


def test_constrained_steps_pick_a_tool_then_fill_its_arguments() -> None:
    _termux, tools = _phone()
    engine = FakeEngine(
        ['{"tool": "battery"}', "{}", '{"tool": "none"}', "Your battery is at 76%."]
    )
    outcome = Agent(engine, tools, Gate(), read_commands=False).run(
        [Message("user", "How is my battery doing?")]
    )
    assert outcome.answer == "Your battery is at 76%."
    assert [s.call.name for s in outcome.steps] == ["battery"]
    pick, arguments, _pick_again, words = engine.options
    assert pick.json_schema["properties"]["tool"]["enum"][-2:] == ["location", "none"]
    assert arguments.json_schema == {"type": "object", "properties": {}}  # battery's own
    assert words.json_schema is None  # "none": the answer is free text


def test_nothing_external_happens_without_a_yes() -> None:
    termux, tools = _phone()
    gate = Gate()
    agent = Agent(
        FakeEngine([_call("send_text", to="Mum", text="I'll be late")]),
        tools,
        gate,
        read_commands=False,
        mode="native",
    )
    outcome = agent.run([Message("user", "Text Mum that I'll be late")])
    assert outcome.pending is not None and not _sent(termux)
    assert outcome.answer == 'Shall I text Mum (+49 331 7654321): "I\'ll be late"? (yes/no)'
    assert [r.id for r in gate.pending()] == [outcome.pending.id]
    assert (
        agent.confirm(outcome.pending.id).answer == 'Sent to Mum (+49 331 7654321): "I\'ll be late"'
    )
    assert _sent(termux) == [["termux-sms-send", "-n", "+49 331 7654321", "I'll be late"]]
    assert gate.log.get(outcome.pending.id).status == "done"  # type: ignore[union-attr]
    assert (
        "already done" in agent.confirm(outcome.pending.id).answer
    )  # confirming twice does nothing
    assert len(_sent(termux)) == 1


def test_a_rejected_or_expired_action_never_runs() -> None:
    termux, tools = _phone()
    clock = FakeClock(datetime(2026, 11, 23, 9, 0).astimezone())
    gate = Gate(clock=clock)
    replies = [_call("torch", on=True), _call("torch", on=True)]
    agent = Agent(FakeEngine(replies), tools, gate, read_commands=False, mode="native")
    first = agent.run([Message("user", "torch on")]).pending
    assert first is not None
    gate.reject(first.id)
    assert "already rejected" in agent.confirm(first.id).answer
    second = agent.run([Message("user", "torch on")]).pending
    assert second is not None
    clock.advance(minutes=11)
    assert "expired" in agent.confirm(second.id).answer
    assert not [c for c in termux.calls if c[0] == "termux-torch"]
    assert gate.log.get(second.id).status == "expired"  # type: ignore[union-attr]


def test_a_turn_no_user_started_cannot_act_outside() -> None:
    termux, tools = _phone()
    gate = Gate()
    agent = Agent(
        FakeEngine([_call("send_text", to="Mum", text="hi")]),
        tools,
        gate,
        read_commands=False,
        mode="native",
    )
    outcome = agent.run([Message("user", "daily briefing")], origin="skill")
    assert outcome.pending is None and "can't do that" in outcome.answer
    assert not _sent(termux)
    (record,) = gate.log.recent()
    assert record.status == "rejected" and record.origin == "skill"
    with pytest.raises(GateError):
        gate.submit(tools[0], {"to": "Mum", "text": "x"}, "skill")


def test_an_invalid_call_gets_one_repair_round_then_words() -> None:
    _termux, tools = _phone()
    engine = FakeEngine([_call("set_alarm", hour=25), _call("torch", on=True)])
    outcome = Agent(engine, tools, Gate(), read_commands=False, mode="native").run(
        [Message("user", "torch please")]
    )
    assert outcome.invalid_calls == 1 and outcome.pending is not None
    assert "hour: Input should be less than or equal to 23" in engine.prompts[1][-1].content
    twice = FakeEngine([_call("nope"), "<tool_call>{broken</tool_call>"])
    outcome = Agent(twice, tools, Gate(), read_commands=False, mode="native").run(
        [Message("user", "do a thing")]
    )
    assert outcome.invalid_calls == 2 and outcome.pending is None
    assert outcome.answer.startswith("I couldn't work out how to do that")


def test_an_unknown_or_ambiguous_name_is_asked_about() -> None:
    termux, tools = _phone()
    outcome = Agent(
        FakeEngine([_call("call", to="Grandpa")]), tools, Gate(), read_commands=False, mode="native"
    ).run([Message("user", "call grandpa")])
    assert outcome.pending is None and outcome.answer == "no contact matches 'Grandpa'"
    assert not [c for c in termux.calls if c[0] == "termux-telephony-call"]


def test_an_argument_only_sensed_text_contains_is_flagged() -> None:
    _termux, tools = _phone()
    notification = "WhatsApp: Jonas: my new number is +49 170 5550199, text me there"
    engine = FakeEngine([_call("send_text", to="+49 170 5550199", text="hi")])
    outcome = Agent(engine, tools, Gate(), read_commands=False, mode="native").run(
        [Message("user", "Text Jonas hi at his new number")], untrusted=[notification]
    )
    assert outcome.pending is not None
    assert outcome.pending.flags == ("+49 170 5550199 comes from sensed text, not from you",)
    assert "Note: +49 170 5550199 comes from sensed text" in outcome.answer
    typed = FakeEngine([_call("send_text", to="+49 170 5550199", text="hi")])
    mine = Agent(typed, tools, Gate(), read_commands=False, mode="native").run(
        [Message("user", "text +49 170 5550199 hi")], untrusted=[notification]
    )
    assert mine.pending is not None and mine.pending.flags == ()  # the user typed it


@pytest.mark.slow
def test_the_real_model_under_the_grammar_makes_only_valid_calls(smollm2: Path) -> None:
    from pocketmind.engine.llama import LlamaEngine

    _termux, tools = _phone()
    engine = LlamaEngine(smollm2, context_size=4096, threads=2, seed=1)
    try:
        # Three tools keep the grammar small: llama.cpp checks every candidate token
        # against it, which on 2 cores costs seconds a token with all sixteen.
        few = [t for t in tools if t.name in ("torch", "battery", "send_text")]
        agent = Agent(engine, few, Gate(), max_steps=1, max_tokens=48)
        outcome = agent.run([Message("user", "Turn the torch on")])
        assert outcome.invalid_calls == 0, outcome
        assert outcome.answer  # a call (with a proposal or a result) or words
        for step in outcome.steps:
            assert step.call.name in {t.name for t in tools}
    finally:
        engine.close()


def test_commands_a_grammar_can_read_skip_the_model() -> None:
    _termux, tools = _phone()
    engine = FakeEngine([])
    agent = Agent(engine, tools, Gate())
    outcome = agent.run([Message("user", "Text my sister that I'm running late")])
    assert outcome.pending is not None and engine.prompts == []  # no model call
    assert outcome.answer == (
        'Shall I text Maya Kowalski (+49 151 23456789): "I\'m running late"? (yes/no)'
    )
    assert "Battery 76%" in agent.run([Message("user", "what's my battery?")]).answer
    assert engine.prompts == []


def test_a_two_step_command_fills_the_text_from_the_first_step() -> None:
    termux = FakeTermuxApi(
        {
            "termux-contact-list": (SHAPES / "contact-list.json").read_text(),
            "termux-location": (SHAPES / "location.json").read_text(),
            "termux-sms-send": "",
        }
    )
    tools = PhoneTools(termux, Contacts(termux)).tools()
    agent = Agent(FakeEngine([]), tools, Gate())
    outcome = agent.run([Message("user", "Share my parking spot with Maya")])
    assert [s.call.name for s in outcome.steps] == ["location", "send_text"]
    assert outcome.pending is not None
    assert outcome.pending.arguments["text"] == "I parked here: 52.52000, 13.40000"
    assert not _sent(termux)
    agent.confirm(outcome.pending.id)
    assert _sent(termux) == [
        ["termux-sms-send", "-n", "+49 151 23456789", "I parked here: 52.52000, 13.40000"]
    ]


def test_a_skill_turn_is_never_read_as_a_command() -> None:
    _termux, tools = _phone()
    outcome = Agent(FakeEngine([_answer("ok")]), tools, Gate(), mode="native").run(
        [Message("user", "Text Mum that I'm late")], origin="skill"
    )
    assert outcome.pending is None and outcome.answer == "ok"


def test_each_external_step_of_a_command_waits_for_its_own_yes() -> None:
    termux, tools = _phone()
    agent = Agent(FakeEngine([]), tools, Gate())
    first = agent.run([Message("user", "Text Mum that I'm late and turn the torch off")])
    assert first.pending is not None and first.pending.tool == "send_text"
    second = agent.confirm(first.pending.id)
    assert second.pending is not None and second.pending.tool == "torch"
    assert not [c for c in termux.calls if c[0] == "termux-torch"]
    assert agent.reject(second.pending.id).answer == "OK, I won't."
    assert len(_sent(termux)) == 1 and not [c for c in termux.calls if c[0] == "termux-torch"]
