"""The first question a new user asks is answered with what PocketMind does."""

from __future__ import annotations

import pytest

from pocketmind.chat.capabilities import ANSWER, Capabilities
from pocketmind.daemon.wiring import make_router
from pocketmind.memory import MemoryStore
from pocketmind.settings import Settings


@pytest.mark.parametrize(
    "text",
    ["Hello! What can you do?", "what can you do", "Hi, how can you help me?", "help",
     "What are you?"],
)  # fmt: skip
def test_greetings_and_capability_questions_get_the_real_answer(text: str) -> None:
    assert Capabilities().handle(text, "c") == ANSWER


@pytest.mark.parametrize(
    "text",
    ["What can you do about my sister's birthday?", "help me text Mum", "Hello Maya",
     "what do you do on Saturdays, remember?", "Where does my sister live?", "hi", "hello"],
)  # fmt: skip
def test_other_questions_are_left_to_the_rest(text: str) -> None:
    assert Capabilities().handle(text, "c") is None


def test_the_daemon_router_answers_it_first(store: MemoryStore, settings: Settings) -> None:
    router = make_router(store, store.db, None, settings)
    routed = router.route("Hello! What can you do?", "c")
    assert routed is not None and routed.name == "capabilities" and "remind" in routed.reply
    assert router.route("Where does my sister live?", "c") is None
