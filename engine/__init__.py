"""The inference engine seam and its backends."""

from __future__ import annotations

from ..settings import Settings, read_key_file
from .base import ChatOptions, ChatStats, ChatStream, Engine, EngineError, Message
from .fake import FakeEngine
from .thinking import ThinkingFilter, strip_thinking


def make_engine(settings: Settings) -> Engine:
    """The engine the settings ask for, loaded and ready."""
    config = settings.engine
    if config.backend == "fake":
        return FakeEngine(context_size=config.context_size)
    if config.backend == "http":
        from .http import OpenAIHttpEngine

        return OpenAIHttpEngine(
            config.url,
            model=config.http_model,
            api_key=read_key_file(config.api_key_file, "engine.api_key_file"),
            context_size=config.context_size,
            timeout_s=config.timeout_s,
            thinking=config.thinking,
        )
    from ..training.adapters import AdapterShelf
    from .llama import LlamaEngine
    from .models import resolve

    return LlamaEngine(
        resolve(settings).path,
        context_size=config.context_size,
        threads=config.threads,
        lora_path=config.lora or AdapterShelf(settings).active_path(),
        thinking=config.thinking,
        kv_cache=config.kv_cache,
        ubatch=config.ubatch,
    )


__all__ = [
    "ChatOptions",
    "ChatStats",
    "ChatStream",
    "Engine",
    "EngineError",
    "FakeEngine",
    "Message",
    "ThinkingFilter",
    "make_engine",
    "strip_thinking",
]
