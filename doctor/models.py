"""Checks of the models: the embedder and its space in the store, the chat model, the
memory it needs and the servers either may be reached at. None loads a model."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path

from .. import host
from ..settings import Settings, SettingsError, read_key_file
from .finding import Finding, MiB, Status


def _embedder_space(settings: Settings) -> tuple[str, int]:
    """The space the configured embedder writes. Every embedder loads its model lazily,
    so making one reads a config or a GGUF header, nothing more."""
    from ..embedders import make_embedder

    embedder = make_embedder(settings)
    try:
        return embedder.model_id, embedder.dim
    finally:
        embedder.close()


def check_embedder(settings: Settings) -> Iterator[Finding]:
    from ..embedders import EmbedderError, embedder_gguf

    config = settings.embedder
    if config.backend == "sentence-transformers":
        if importlib.util.find_spec("sentence_transformers") is None:
            fix = (
                "torch does not install on Termux: set embedder.backend = 'llama' and run "
                "`pocketmind models pull all-minilm-l6-v2`"
                if host.is_android()
                else "pip install 'pocketmind[embed]'"
            )
            yield Finding("fix", "embedder", "sentence-transformers is not installed", fix)
            return
    elif config.backend in ("llama", "http"):
        gguf = embedder_gguf(settings)
        if config.backend == "llama" and not gguf.is_file():
            yield Finding(
                "fix",
                "embedder",
                f"no GGUF embedding model at {gguf}",
                "pocketmind models pull all-minilm-l6-v2",
            )
            return
        if config.backend == "llama" and importlib.util.find_spec("llama_cpp") is None:
            yield Finding(
                "fix",
                "embedder",
                "llama-cpp-python is not installed",
                "pip install 'pocketmind[termux]', or embedder.backend = 'http'",
            )
            return
        if config.backend == "http":
            server = list(
                _reachable(
                    "embedder server", config.url, "llama-server --embeddings", config.api_key_file
                )
            )
            yield from server
            if any(f.status == "fix" for f in server):
                return  # the space would come from the server: nothing more to learn
    try:
        space = _embedder_space(settings)
    except EmbedderError as exc:
        yield Finding("fix", "embedder", str(exc), "check embedder.model")
        return
    yield Finding("ok", "embedder", f"{config.backend}, space {space[0]} ({space[1]} dimensions)")
    yield from _check_store_space(settings, space)


def _check_store_space(settings: Settings, space: tuple[str, int]) -> Iterator[Finding]:
    from ..db import Database, StorageError, connect
    from ..memory.lookup import MemoryLookup
    from ..memory.store import recorded_space

    if not settings.db_path.is_file():
        return
    try:
        conn = connect(settings.db_path)
    except StorageError as exc:
        yield Finding("fix", "database", str(exc), "see the sqlite-vec line")
        return
    try:
        recorded = recorded_space(conn)
        count = MemoryLookup(Database(conn)).count()
    except Exception as exc:
        yield Finding("warn", "database", f"{settings.db_path}: {exc}", "pocketmind memory stats")
        return
    finally:
        conn.close()
    size = settings.db_path.stat().st_size / MiB
    if recorded is None or recorded == space:
        yield Finding("ok", "database", f"{count} memories, {size:.1f} MiB")
    else:
        yield Finding(
            "fix",
            "database",
            f"memories were embedded by {recorded[0]} ({recorded[1]}), the embedder is {space[0]} "
            f"({space[1]})",
            "pocketmind memory reindex (with the daemon stopped)",
        )


def _mem_available() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def check_engine(settings: Settings) -> Iterator[Finding]:
    from ..engine.base import EngineError
    from ..models.local import is_gguf, resolve

    engine = settings.engine
    if engine.backend == "fake":
        yield Finding("info", "engine", "fake (scripted replies, for tests)")
        return
    if engine.backend == "http":
        yield from _reachable(
            "engine server", engine.url, "start llama-server (termux/service)", engine.api_key_file
        )
        return
    if importlib.util.find_spec("llama_cpp") is None:
        yield Finding(
            "fix",
            "engine",
            "llama-cpp-python is not installed",
            "pip install 'pocketmind[termux]', or engine.backend = 'http' with llama-server",
        )
    try:
        model = resolve(settings)
    except EngineError as exc:
        yield Finding("fix", "chat model", str(exc), "pocketmind models pull qwen3-0.6b")
        return
    yield Finding(
        "ok", "chat model", f"{model.path.name} ({model.size / MiB:.0f} MiB, {model.origin})"
    )
    if engine.lora is not None and not is_gguf(engine.lora.expanduser()):
        yield Finding(
            "fix",
            "adapter",
            f"engine.lora {engine.lora} is missing or not a GGUF",
            "pocketmind adapter list; pocketmind adapter use NAME",
        )
    else:
        yield Finding("info", "adapter", _adapter_in_use(settings, model.path))
    available = _mem_available()
    if available is not None:
        # Weights are mapped, the KV cache of a Qwen3-0.6B at 4k context is ~450 MiB, and
        # the daemon itself ~150 MiB: 1.5× the file is a fair floor.
        need = int(model.size * 1.5)
        status: Status = "ok" if available >= need else "warn"
        yield Finding(
            status,
            "memory",
            f"{available / MiB:.0f} MiB available, the model wants about {need / MiB:.0f} MiB",
            None if status == "ok" else "close apps, a smaller model, or a smaller context_size",
        )


def _adapter_in_use(settings: Settings, model: Path) -> str:
    """Which LoRA adapter a starting engine applies, in the order it tries them."""
    from ..models.adapters import AdapterShelf
    from ..models.local import default_adapter, is_packaged

    if settings.engine.lora is not None:
        return f"{settings.engine.lora.name} (engine.lora)"
    if (active := AdapterShelf(settings).active()) is not None:
        return f"{active['file']} (installed #{active['id']}: pocketmind adapter list)"
    if (shipped := default_adapter(settings, model)) is not None:
        return f"{shipped.name} (the shipped default; engine.default_adapter = false turns it off)"
    if is_packaged(model) and not settings.engine.default_adapter:
        return "none: the plain base model (engine.default_adapter = true applies the shipped one)"
    return "none: the plain base model"


def _reachable(name: str, url: str, fix: str, key_file: Path | None) -> Iterator[Finding]:
    import httpx

    try:
        key = read_key_file(key_file, f"{name} key")
    except SettingsError as exc:
        yield Finding("fix", name, str(exc), fix)
        return
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    try:
        response = httpx.get(
            f"{url.rstrip('/')}/models", timeout=3.0, trust_env=False, headers=headers
        )
    except httpx.HTTPError as exc:
        yield Finding("fix", name, f"{url} unreachable ({type(exc).__name__})", fix)
        return
    if response.status_code == 200:
        yield Finding("ok", name, f"{url} answers")
    else:
        yield Finding("fix", name, f"{url}/models answered HTTP {response.status_code}", fix)
