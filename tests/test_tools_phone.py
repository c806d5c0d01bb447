"""The phone tools against fake termux-api commands on PATH: the exact argv a phone
would run, contacts and relations resolved, failures in words."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fake_termux import FakeTermux

from pocketmind.engine.toolcalls import parse_tool_calls
from pocketmind.sensing.termux import FakeTermuxApi, SubprocessTermux
from pocketmind.tools import ArgumentsError, Effect, NotOnThisDevice, ToolError
from pocketmind.tools.calc import calculate, format_number
from pocketmind.tools.contacts import Ambiguous, Contacts, Unknown
from pocketmind.tools.phone import PhoneTools

ACTIONS = (
    "termux-sms-send",
    "termux-telephony-call",
    "termux-torch",
    "termux-volume",
    "termux-clipboard-set",
    "termux-open-url",
    "termux-share",
    "termux-tts-speak",
    "termux-notification",
    "termux-contact-list",
    "termux-battery-status",
    "termux-wifi-connectioninfo",
    "termux-location",
    "termux-sms-list",
    "am",
)


@pytest.fixture
def phone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeTermux:
    fake = FakeTermux(tmp_path / "termux").install(*ACTIONS)
    from fake_termux import SHAPES

    fake.set("termux-contact-list", (SHAPES / "contact-list.json").read_text())
    fake.set("am", "Starting: Intent { act=android.intent.action.SET_ALARM }\n")
    for name in ACTIONS[:9]:
        fake.set(name, "")
    monkeypatch.setenv("PATH", fake.path)
    return fake


def _tools(relations: dict[str, str] | None = None) -> dict[str, object]:
    termux = SubprocessTermux()
    contacts = Contacts(termux, (relations or {}).get)
    return {t.name: t for t in PhoneTools(termux, contacts, timeout=5).tools()}


def _run(tools: dict[str, object], tool_name: str, **arguments: object) -> str:
    tool = tools[tool_name]
    return tool.execute(tool.parse(arguments)).text  # type: ignore[attr-defined]


def test_texting_runs_the_real_command_line_with_the_resolved_number(phone: FakeTermux) -> None:
    tools = _tools({"sister": "Maya"})
    tool = tools["send_text"]
    assert tool.effect is Effect.EXTERNAL  # type: ignore[attr-defined]
    args = tool.parse({"to": "my sister", "text": "running late, sorry!"})  # type: ignore[attr-defined]
    assert tool.proposal(args) == (  # type: ignore[attr-defined]
        "Text Maya Kowalski (+49 151 23456789): 'running late, sorry!'"
    )
    _run(tools, "send_text", to="Mum", text="I'll be late; start without me")
    assert phone.argv("termux-sms-send")[-1] == [
        "-n",
        "+49 331 7654321",
        "I'll be late; start without me",
    ]


def test_every_action_reaches_the_phone_as_its_command_line(phone: FakeTermux) -> None:
    tools = _tools()
    _run(tools, "call", to="jonas")
    _run(tools, "torch", on=True)
    _run(tools, "set_volume", stream="alarm", level=7)
    _run(tools, "copy", text="parking: level 3, spot 42")
    _run(tools, "open_url", url="https://example.org/a b")
    _run(tools, "share", text="My parking spot: level 3", title="Parking")
    _run(tools, "speak", text="hello there")
    _run(tools, "notify", title="Hi", text="there")
    _run(tools, "set_alarm", hour=6, minute=40, label="Gym")
    lisbon = ZoneInfo("Europe/Lisbon")
    _run(
        tools,
        "add_calendar_event",
        title="Dinner with Jonas",
        start=datetime(2026, 11, 27, 19, 30, tzinfo=lisbon).isoformat(),
        end=datetime(2026, 11, 27, 21, tzinfo=lisbon).isoformat(),
    )
    assert phone.argv("termux-telephony-call") == [["015112345678"]]
    assert phone.argv("termux-torch") == [["on"]]
    assert phone.argv("termux-volume") == [["alarm", "7"]]
    assert phone.argv("termux-clipboard-set") == [["parking: level 3, spot 42"]]
    assert phone.argv("termux-open-url") == [["https://example.org/a%20b"]]
    assert phone.argv("termux-share") == [["-a", "send", "-t", "Parking"]]
    assert phone.stdin("termux-share") == "My parking spot: level 3"
    assert phone.argv("termux-tts-speak") == [["hello there"]]
    assert phone.argv("termux-notification") == [["-t", "Hi", "-c", "there"]]
    alarm, event = phone.argv("am")
    assert alarm == [
        "start", "-a", "android.intent.action.SET_ALARM",
        "--ei", "android.intent.extra.alarm.HOUR", "6",
        "--ei", "android.intent.extra.alarm.MINUTES", "40",
        "--es", "android.intent.extra.alarm.MESSAGE", "Gym",
        "--ez", "android.intent.extra.alarm.SKIP_UI", "true",
    ]  # fmt: skip
    assert event[:6] == [
        "start", "-a", "android.intent.action.INSERT",
        "-d", "content://com.android.calendar/events", "--es",
    ]  # fmt: skip
    assert event[event.index("beginTime") + 1] == "1795807800000"


def test_read_tools_answer_from_the_real_shapes(phone: FakeTermux) -> None:
    tools = _tools()
    assert _run(tools, "battery") == "Battery 76%, discharging"
    assert _run(tools, "wifi") == "Connected to HomeNet"
    assert _run(tools, "location") == "52.52000, 13.40000"
    assert _run(tools, "contact_lookup", name="Mum") == "Mum (+49 331 7654321)"


def test_names_are_resolved_or_asked_about_never_guessed(phone: FakeTermux) -> None:
    from fake_termux import SHAPES

    contacts = (SHAPES / "contact-list.json").read_text()
    phone.set(
        "termux-contact-list",
        contacts.replace("]", ', {"name": "Maya Lee", "number": "+49 170 1111111"}]'),
    )
    tools = _tools({"sister": "Maya Kowalski"})
    with pytest.raises(Ambiguous, match=r"Maya Kowalski .* Maya Lee"):
        _run(tools, "call", to="Maya")
    assert _run(tools, "contact_lookup", name="my sister") == "Maya Kowalski (+49 151 23456789)"
    with pytest.raises(Unknown, match="no contact matches 'Grandpa'"):
        _run(tools, "call", to="Grandpa")
    assert _run(tools, "call", to="+49 30 1234567") == "Calling +49 30 1234567 (+49 30 1234567)"
    assert phone.argv("termux-telephony-call") == [["+49 30 1234567"]]


def test_failures_are_words_and_off_the_phone_says_so(phone: FakeTermux) -> None:
    tools = _tools()
    phone.set("am", "Warning: Activity not started, its current task has been brought to front")
    with pytest.raises(ToolError, match="Display over other apps"):
        _run(tools, "set_alarm", hour=7)
    phone.mode("termux-torch", "fail")
    with pytest.raises(ToolError, match="termux-torch exited with 1"):
        _run(tools, "torch", on=False)
    with pytest.raises(ArgumentsError, match="hour: Input should be less than or equal to 23"):
        tools["set_alarm"].parse({"hour": 25})  # type: ignore[attr-defined]
    offline = {t.name: t for t in PhoneTools(FakeTermuxApi(), Contacts(FakeTermuxApi())).tools()}
    with pytest.raises(NotOnThisDevice, match="needs the phone"):
        _run(offline, "torch", on=True)


def test_the_schemas_are_clean_for_a_small_model() -> None:
    tools = {t.name: t for t in PhoneTools(FakeTermuxApi(), Contacts(FakeTermuxApi())).tools()}
    schema = tools["add_calendar_event"].schema()
    assert "title" in schema["properties"]  # the argument named title stays…
    assert "title" not in schema and "title" not in schema["properties"]["start"]  # …labels go
    entry = tools["send_text"].openai()
    assert entry["function"]["parameters"]["required"] == ["to", "text"]


def test_qwen3_tool_calls_are_parsed_back() -> None:
    reply = (
        "Sure.\n<tool_call>\n"
        '{"name": "send_text", "arguments": {"to": "Mum", "text": "late"}}\n'
        "</tool_call>\n<tool_call>\n"
        '{"name": "torch", "arguments": "{\\"on\\": true}"}\n</tool_call>\n'
        "<tool_call>{not json}</tool_call>"
    )
    parsed = parse_tool_calls(reply)
    assert parsed.text == "Sure."
    assert [(c.name, c.arguments) for c in parsed.calls] == [
        ("send_text", {"to": "Mum", "text": "late"}),
        ("torch", {"on": True}),
    ]
    assert parsed.malformed == ["{not json}"]
    bare = parse_tool_calls('{"name": "battery", "arguments": {}}')
    assert [c.name for c in bare.calls] == ["battery"] and bare.text == ""
    assert parse_tool_calls("Hello there").calls == []
    call = parsed.calls[0]
    assert parse_tool_calls(call.to_qwen()).calls[0].arguments == call.arguments


@pytest.mark.parametrize(
    ("expression", "value"),
    [("2 + 3 * 4", "14"), ("(1.5 + 2.5) / 4", "1"), ("2^10", "1024"), ("7 // 2 + 7 % 2", "4"),
     ("-3 ** 2", "-9"), ("0.1 + 0.2", "0.3"), ("12 × 3", "36"), ("1,250 * 2", "2500")],
)  # fmt: skip
def test_the_calculator_does_arithmetic(expression: str, value: str) -> None:
    assert format_number(calculate(expression)) == value


@pytest.mark.parametrize(
    ("expression", "error"),
    [("__import__('os').system('x')", "not Call"), ("9**9**9", "power is too large"),
     ("1/0", "division by zero"), ("x + 1", "not Name"), ("True + 1", "True/False"),
     ("(-8) ** 0.5", "not a real number"), ("1" * 300, "longer than")],
)  # fmt: skip
def test_the_calculator_refuses_everything_else(expression: str, error: str) -> None:
    with pytest.raises(ToolError, match=error):
        calculate(expression)
