"""The embedder seam: text in, L2-normalized float32 vectors out.

Backends, one file each: ``sentence_transformer`` (the packaged all-MiniLM-L6-v2, offline),
``llama`` (a GGUF in process), ``http`` (llama-server's ``/v1/embeddings``), and ``fake``
(hashed words, no model). ``model_id`` and ``dim`` are recorded in the database, and a
store refuses to mix vectors from two embedding spaces.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

# Defined below models/ (whose catalog reads embedding GGUFs), re-exported as the seam's.
from ..models.errors import EmbedderError as EmbedderError

Vectors = NDArray[np.float32]


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


def normalize_rows(vectors: NDArray[np.floating]) -> Vectors:
    out = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    normalized: Vectors = out / norms
    return normalized
