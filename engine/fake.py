"""A scripted engine for tests: replies in order, records every prompt it was given."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from .base import ChatOptions, ChatStats, ChatStream, EngineError, Message, StreamClock

Reply = str | Callable[[Sequence[Message]], str]


class FakeEngine:
    """Streams each reply word by word. A callable reply sees the messages.

    With a ``json_schema`` in the options and no scripted reply left, it answers
    ``{"facts": []}``-style empty JSON so fact extraction has something valid.
    """

    def __init__(
        self,
        replies: Sequence[Reply] = (),
        *,
        context_size: int = 4096,
        model_id: str = "fake-model",
    ) -> None:
        self.replies = list(replies)
        self.context_size = context_size
        self.model_id = model_id
        self.adapter_id: str | None = None
        self.adapter_warning: str | None = None
        self.prompts: list[list[Message]] = []
        self.options: list[ChatOptions] = []
        self.closed = False

    def count_tokens(self, messages: Sequence[Message]) -> int:
        return sum(len(m.content.split()) + 4 for m in messages) + 2

    def chat(self, messages: Sequence[Message], options: ChatOptions) -> ChatStream:
        self.prompts.append(list(messages))
        self.options.append(options)
        stats = ChatStats(self.model_id, self.adapter_id)
        stats.prompt_tokens = self.count_tokens(messages)
        return ChatStream(self._stream(messages, options, stats), stats)

    def _stream(
        self, messages: Sequence[Message], options: ChatOptions, stats: ChatStats
    ) -> Iterator[str]:
        clock = StreamClock(stats)
        if self.replies:
            reply = self.replies.pop(0)
            text = reply(messages) if callable(reply) else reply
        elif options.json_schema is not None:
            text = json.dumps({key: [] for key in options.json_schema.get("properties", {})})
        else:
            text = "I don't know."
        words = text.split(" ")[: options.max_tokens]
        for i, word in enumerate(words):
            clock.token()
            yield word if i == 0 else " " + word
        stats.finish_reason = "stop"
        clock.finish(len(words))

    def swap(self, model_path: Path | None = None, lora_path: Path | None = None) -> None:
        raise EngineError(f"the {type(self).__name__} cannot swap adapters")

    def close(self) -> None:
        self.closed = True
