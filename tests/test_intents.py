"""The chat's intent router: skills register, the assistant asks it before the model."""

from __future__ import annotations

import ast
from datetime import datetime
from pathlib import Path

import pytest

from pocketmind.chat import Assistant, IntentRouter
from pocketmind.engine import FakeEngine
from pocketmind.memory import MemoryStore
from pocketmind.settings import Settings


class Echo:
    def __init__(self, word: str) -> None:
        self.word = word
        self.seen: list[str] = []

    def handle(self, text: str, conversation_id: str, now: datetime | None = None) -> str | None:
        self.seen.append(text)
        return f"{self.word}!" if self.word in text else None


def test_a_registered_intent_answers_without_the_model(
    store: MemoryStore, settings: Settings
) -> None:
    router = IntentRouter()
    switched_on = [True]
    router.register("pings", Echo("ping"), lambda: switched_on[0])
    router.register("pongs", Echo("pong"))
    engine = FakeEngine(["From the model."])
    assistant = Assistant(store, engine, settings, router=router)
    answer = assistant.ask("ping me", conversation_id="c")
    assert answer.text == "ping!" and engine.prompts == []
    assert assistant.exchanges.get(answer.exchange_id).model_id == "skill:pings"  # type: ignore[union-attr]
    assert assistant.ask("pong", conversation_id="c").text == "pong!"
    switched_on[0] = False  # the skill switched off: the model answers
    assert assistant.ask("ping me", conversation_id="c").text == "From the model."
    with pytest.raises(ValueError, match="pings"):
        router.register("pings", Echo("x"))


def test_an_assistant_without_a_router_has_no_skills(
    store: MemoryStore, settings: Settings
) -> None:
    engine = FakeEngine(["From the model."])
    answer = Assistant(store, engine, settings).ask("remind me to call Mum tomorrow at 6pm")
    assert answer.text == "From the model."


def test_chat_does_not_import_skills() -> None:
    chat = Path(__file__).resolve().parent.parent / "chat"
    for path in chat.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                assert "skills" not in (node.module or ""), f"{path.name} imports {node.module}"
