"""The embedder seam and its backends; ``make_embedder`` picks one from the settings."""

from __future__ import annotations

from pathlib import Path

from .. import host
from ..models.local import embedder_gguf
from ..settings import Settings
from .base import Embedder, EmbedderError, Vectors, normalize_rows
from .fake import FakeEmbedder
from .sentence_transformer import (
    PACKAGED_MODEL_ID,
    SentenceTransformerEmbedder,
    packaged_minilm_path,
)


def make_embedder(settings: Settings) -> Embedder:
    config = settings.embedder
    if config.backend == "fake":
        return FakeEmbedder(config.fake_dim)
    if config.backend == "llama":
        from .llama import LlamaEmbedder

        path = embedder_gguf(settings)
        if not path.is_file():
            raise EmbedderError(
                f"embedder: no GGUF embedding model at {path}: run `pocketmind models pull "
                "all-minilm-l6-v2`, or set embedder.model"
            )
        return LlamaEmbedder(path, config.threads or host.default_threads(), config.idle_unload_s)
    if config.backend == "http":
        from .http import HttpEmbedder

        gguf = embedder_gguf(settings)
        return HttpEmbedder(
            config.url,
            gguf if gguf.is_file() else None,
            config.server_model,
            batch_size=config.batch_size,
            api_key_file=config.api_key_file,
        )
    model = Path(config.model).expanduser() if config.model else None
    return SentenceTransformerEmbedder(model, config.batch_size)


__all__ = [
    "PACKAGED_MODEL_ID",
    "Embedder",
    "EmbedderError",
    "FakeEmbedder",
    "SentenceTransformerEmbedder",
    "Vectors",
    "embedder_gguf",
    "make_embedder",
    "normalize_rows",
    "packaged_minilm_path",
]
