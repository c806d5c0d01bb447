"""Tool-call turns for training: OpenAI messages rendered as the engine shows them, read
by refresh, and the user's own done calls exported as SFT chats (redacted)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fake_termux import SHAPES, FakeTermux

from pocketmind.chat import Assistant
from pocketmind.chat.acting import make_acting
from pocketmind.engine.fake import FakeEngine
from pocketmind.engine.toolcalls import engine_turns, parse_tool_calls
from pocketmind.memory import MemoryStore
from pocketmind.settings import Settings
from pocketmind.training.export import Watermark, export
from pocketmind.training.refresh import RefreshError, load_chats, split

CALL = {
    "id": "call_1",
    "type": "function",
    "function": {"name": "battery", "arguments": "{}"},
}
CHAT = [
    {"role": "system", "content": "You can call tools."},
    {"role": "user", "content": "battery?"},
    {"role": "assistant", "content": "", "tool_calls": [CALL]},
    {"role": "tool", "tool_call_id": "call_1", "content": '{"percentage": 81}'},
    {"role": "assistant", "content": "Your battery is at 81%."},
]


def test_tool_turns_render_as_the_agent_sends_them_and_parse_back() -> None:
    turns = engine_turns(CHAT)
    assert [t["role"] for t in turns] == ["system", "user", "assistant", "user", "assistant"]
    (call,) = parse_tool_calls(turns[2]["content"]).calls
    assert (call.name, call.arguments) == ("battery", {})
    assert turns[3]["content"] == '<tool_response>\n{"percentage": 81}\n</tool_response>'
    two = engine_turns([*CHAT[:3], CHAT[3], {**CHAT[3], "content": "second"}])
    assert two[-1]["content"].count("<tool_response>") == 2  # one user turn for the run
    with pytest.raises(ValueError, match="not an OpenAI tool call"):
        engine_turns([{"role": "assistant", "content": "", "tool_calls": [{"function": 3}]}])


def test_refresh_reads_tool_call_chats(tmp_path: Path) -> None:
    rows = [CHAT, CHAT[:3], CHAT[:4]]  # an answer, a call, an exported call with its result
    (tmp_path / "sft.jsonl").write_text("".join(json.dumps({"messages": r}) + "\n" for r in rows))
    chats = load_chats(tmp_path)
    assert len(chats) == 3 and chats[2] == CHAT[:3]  # the trailing result is not a target
    before, target = split(chats[1])
    assert [t["role"] for t in before] == ["system", "user"]
    assert target.startswith("<tool_call>") and '"name": "battery"' in target
    before, target = split(chats[0])
    assert target == "Your battery is at 81%." and before[-1]["role"] == "user"
    bad = {**CALL, "function": {"name": "battery", "arguments": "{not json"}}
    (tmp_path / "sft.jsonl").write_text(
        json.dumps({"messages": [CHAT[1], {**CHAT[2], "tool_calls": [bad]}]}) + "\n"
    )
    with pytest.raises(RefreshError, match=r"sft\.jsonl:1: not an exported chat"):
        load_chats(tmp_path)


@pytest.fixture
def phone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeTermux:
    fake = FakeTermux(tmp_path / "termux").install("termux-contact-list", "termux-sms-send")
    fake.set("termux-contact-list", (SHAPES / "contact-list.json").read_text())
    fake.set("termux-sms-send", "")
    monkeypatch.setenv("PATH", fake.path)
    return fake


def test_export_turns_the_users_done_calls_into_redacted_tool_call_chats(
    store: MemoryStore, settings: Settings, phone: FakeTermux, tmp_path: Path
) -> None:
    settings.export.redact_names = ["Jonas"]
    acting = make_acting(store, store.db, FakeEngine(), settings)
    assistant = Assistant(store, FakeEngine(), settings, acting=acting)
    assistant.ask("text Jonas see you at 8", conversation_id="c1")
    assistant.ask("yes", conversation_id="c1")  # done: it teaches
    assistant.ask("text Maya I'm late", conversation_id="c2")
    assistant.ask("no", conversation_id="c2")  # rejected: it does not
    forgotten = assistant.ask("text Maya running late", conversation_id="c3")
    assistant.ask("yes", conversation_id="c3")
    assert forgotten.action is not None and acting.book.forget(forgotten.action["id"])

    report = export(store, store.db, settings, tmp_path / "out", Watermark())
    sft = [json.loads(line) for line in (tmp_path / "out" / "sft.jsonl").read_text().splitlines()]
    (turn,) = [row for row in sft if any(m.get("tool_calls") for m in row["messages"])]
    user, call, result = turn["messages"]
    assert user == {"role": "user", "content": "text [name] see you at 8"}
    (made,) = call["tool_calls"]
    assert made["function"]["name"] == "send_text"
    assert json.loads(made["function"]["arguments"])["text"] == "See you at 8"
    assert result["role"] == "tool" and result["tool_call_id"] == made["id"]
    text = json.dumps(sft)
    assert "Jonas" not in text and "015112345678" not in text  # name list and number
    assert "running late" not in text and "I'm late" not in text
    assert report.counts["tool_turns"] == 1
    assert load_chats(tmp_path / "out")[-1][-1]["tool_calls"] == [made]  # refresh reads it
