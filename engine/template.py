"""The chat template stored in a GGUF, rendered the way the model was trained.

Rendering the prompt ourselves (rather than leaving it to the server code) lets us
count its tokens exactly, pass Qwen3's ``enable_thinking`` switch, and keep the prompt
byte-identical across turns so llama.cpp reuses its cached prefix.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from jinja2.sandbox import ImmutableSandboxedEnvironment

from .base import EngineError, Message

# ChatML: what SmolLM2 and Qwen use, and the fallback for a GGUF without a template.
CHATML = (
    "{% for message in messages %}<|im_start|>{{ message.role }}\n"
    "{{ message.content }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def _raise(message: str) -> None:
    raise EngineError(f"chat template: {message}")


class ChatTemplate:
    def __init__(self, source: str | None, bos_token: str = "", eos_token: str = "") -> None:
        env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
        env.globals["raise_exception"] = _raise
        self.source = source or CHATML
        self.template = env.from_string(self.source)
        self.bos_token, self.eos_token = bos_token, eos_token

    @property
    def knows_thinking(self) -> bool:
        """Whether the template has Qwen3's ``enable_thinking`` switch."""
        return "enable_thinking" in self.source

    def render(self, messages: Sequence[Message], *, thinking: bool = False) -> str:
        context: dict[str, Any] = {
            "messages": [m.to_json() for m in messages],
            "add_generation_prompt": True,
            "bos_token": self.bos_token,
            "eos_token": self.eos_token,
            "enable_thinking": thinking,
        }
        return self.template.render(**context)


def with_thinking_switch(messages: Sequence[Message], thinking: bool) -> list[Message]:
    """Qwen3's soft switch, for servers that render the template themselves: the last
    user message ends with ``/think`` or ``/no_think``."""
    out = list(messages)
    for i in range(len(out) - 1, -1, -1):
        if out[i].role == "user":
            switch = "/think" if thinking else "/no_think"
            out[i] = Message("user", f"{out[i].content} {switch}")
            break
    return out
