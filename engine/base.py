"""The engine seam: a chat model that streams text, counts tokens, and says how fast.

Implementations: ``LlamaEngine`` (llama-cpp-python in process), ``OpenAIHttpEngine``
(any OpenAI-compatible server, llama.cpp's ``llama-server`` on Termux), and
``FakeEngine`` for tests. Callers depend on ``Engine`` only.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

# Defined below models/ (which raises them too), re-exported here as the seam's errors.
from ..models.errors import AdapterError as AdapterError
from ..models.errors import EngineError as EngineError

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True)
class Message:
    role: Role
    content: str

    def to_json(self) -> dict[str, str]:
        return {"role": self.role, "content": self.content}


@dataclass(frozen=True)
class ChatOptions:
    max_tokens: int = 256
    temperature: float = 0.2
    repeat_penalty: float = 1.1  # small models loop without it
    stop: tuple[str, ...] = ()
    json_schema: dict[str, Any] | None = None  # constrain the output to this schema
    seed: int | None = None
    # None: the engine's own setting; False for tool steps (a grammar-held call or a
    # short pick has no room for a <think> block).
    thinking: bool | None = None


@dataclass
class ChatStats:
    """Figures for one completion; what a trace records."""

    model_id: str
    adapter_id: str | None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    ttft_ms: float | None = None  # time to first token
    decode_tps: float | None = None  # completion tokens/s after the first
    total_ms: float = 0.0
    finish_reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


class ChatStream:
    """An iterator of text pieces; ``stats`` is complete once it is exhausted.

    ``StreamClock`` fills in the timing, so every engine measures the same way.
    """

    def __init__(self, pieces: Iterator[str], stats: ChatStats) -> None:
        self._pieces = pieces
        self.stats = stats

    def __iter__(self) -> Iterator[str]:
        return self._pieces

    def text(self) -> str:
        return "".join(self)


@dataclass
class StreamClock:
    """Measures time to first token and decode speed of a token stream."""

    stats: ChatStats
    started: float = field(default_factory=time.perf_counter)
    first: float | None = None

    def token(self) -> None:
        if self.first is None:
            self.first = time.perf_counter()
            self.stats.ttft_ms = (self.first - self.started) * 1000

    def finish(self, completion_tokens: int) -> None:
        end = time.perf_counter()
        self.stats.completion_tokens = completion_tokens
        self.stats.total_ms = (end - self.started) * 1000
        if self.first is not None and completion_tokens > 1 and end > self.first:
            self.stats.decode_tps = (completion_tokens - 1) / (end - self.first)


@runtime_checkable
class Engine(Protocol):
    """A chat model. Implementations serialize access to the one model they hold."""

    model_id: str
    adapter_id: str | None
    # Set when the adapter wanted was refused and another (or none) answers instead.
    adapter_warning: str | None
    context_size: int

    def chat(self, messages: Sequence[Message], options: ChatOptions) -> ChatStream:
        """Stream the assistant's reply to ``messages``."""
        ...

    def count_tokens(self, messages: Sequence[Message]) -> int:
        """Tokens of the prompt these messages become, with the model's own tokenizer."""
        ...

    def swap(self, model_path: Path | None = None, lora_path: Path | None = None) -> None:
        """Load another model or LoRA adapter; requests in flight finish first. An engine
        that cannot (a server chooses its own model) raises ``EngineError``."""
        ...

    def close(self) -> None: ...


TokenCounter = Callable[[Sequence[Message]], int]
