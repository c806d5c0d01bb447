"""The inference engine seam and its backends."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from ..settings import Settings, read_key_file
from .base import AdapterError, ChatOptions, ChatStats, ChatStream, Engine, EngineError, Message
from .fake import FakeEngine
from .thinking import ThinkingFilter, strip_thinking

if TYPE_CHECKING:
    from .llama import LlamaEngine

log = logging.getLogger(__name__)


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
    return _llama_engine(settings)


def _llama_engine(settings: Settings) -> LlamaEngine:
    """The local engine with ``engine.lora``, or else the shelf's adapter in use, or else
    (on the packaged SmolLM2, with ``engine.default_adapter`` on) the shipped default
    adapter. If the shelf's is missing or refused (broken weights, another base), the ones
    used before it, then the default, or else the base model, with a warning in the log
    and in ``adapter_warning`` (the daemon's status shows it)."""
    from pathlib import Path

    from ..models.adapters import AdapterShelf
    from ..models.local import default_adapter, resolve
    from .llama import LlamaEngine

    config = settings.engine
    model = resolve(settings).path

    def load(lora: Path | None) -> LlamaEngine:
        return LlamaEngine(
            model,
            context_size=config.context_size,
            threads=config.threads,
            lora_path=lora,
            thinking=config.thinking,
            kv_cache=config.kv_cache,
            ubatch=config.ubatch,
        )

    if config.lora:  # set by hand: a missing or broken file is an error to fix, not skip
        try:
            return load(config.lora)
        except AdapterError as exc:
            raise AdapterError(f"engine.lora: {exc}") from exc
    wanted = AdapterShelf(settings).start_candidates()
    if (shipped := default_adapter(settings, model)) is not None:
        wanted.append(shipped)
    refused: list[str] = []
    for lora in wanted:
        try:
            engine = load(lora)
        except AdapterError as exc:
            log.warning("adapter %s not used: %s", lora.name, exc)
            refused.append(f"{lora.name}: {exc}")
            continue
        break
    else:
        engine = load(None)
    if refused:
        using = engine.adapter_id or "the base model"
        engine.adapter_warning = f"answering with {using}; refused {'; '.join(refused)}"
        log.warning("answering with %s instead of %s", using, wanted[0].name)
    return engine


__all__ = [
    "AdapterError",
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
