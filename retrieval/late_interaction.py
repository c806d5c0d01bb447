"""Late interaction (ColBERT-style MaxSim) over the embedder's own token vectors.

The question and each candidate go through the embedding model once more, and the
per-token output vectors (the ones mean pooling averages into the stored vector) are
kept: [CLS], [SEP], stop words and punctuation dropped, each row unit length. A
candidate's score is the mean, over the question's tokens, of the best cosine any of
its tokens reaches. MiniLM was trained for pooled vectors, not for MaxSim, so this is
an untrained ColBERT; bench/retrieval.py and bench/locomo.py measure what it is worth.

Backends: only an embedder with ``token_vectors`` can do it: ``sentence-transformers``
(torch; the packaged all-MiniLM-L6-v2) and ``fake`` (tests). ``llama`` (the phone's
GGUF MiniLM, pooled in process), ``http`` and anything else raise :class:`RerankError`,
and retrieval goes on with the first stage.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from .rerank import RerankError
from .words import STOPWORDS

_PUNCTUATION = re.compile(r"^\W+$")


class TokenEmbedder(Protocol):
    model_id: str

    def token_vectors(self, texts: Sequence[str]) -> list[tuple[list[str], NDArray[np.float32]]]:
        """Each text's tokens and their unit vectors, special tokens left out."""
        ...


def content_rows(pieces: Sequence[str], vectors: NDArray[np.float32]) -> NDArray[np.float32]:
    """The rows of the tokens that carry content: no stop word, no punctuation.

    A word piece continuing a word ("##s") stays; a text of stop words alone keeps all
    its rows, so "Who is she?" still has something to match.
    """
    keep = [
        row
        for row, piece in enumerate(pieces)
        if piece.startswith("##")
        or (piece.lower() not in STOPWORDS and not _PUNCTUATION.match(piece))
    ]
    return vectors[keep] if keep else vectors


def maxsim(question: NDArray[np.float32], text: NDArray[np.float32]) -> float:
    """Mean over the question's rows of the best cosine over the text's rows."""
    if len(question) == 0 or len(text) == 0:
        return 0.0
    return float((question @ text.T).max(axis=1).mean())


class LateInteractionReranker:
    name = "late-interaction"

    def __init__(self, embedder: object) -> None:
        self._embedder = embedder

    def scores(self, question: str, texts: Sequence[str], ids: Sequence[int]) -> list[float]:
        token_vectors = getattr(self._embedder, "token_vectors", None)
        if token_vectors is None:
            model = getattr(self._embedder, "model_id", type(self._embedder).__name__)
            raise RerankError(
                f"late-interaction reranking needs token vectors, and the embedder {model} "
                "gives pooled vectors only (use embedder.backend = 'sentence-transformers')"
            )
        encoded = token_vectors([question, *texts])
        asked = content_rows(*encoded[0])
        return [maxsim(asked, content_rows(pieces, rows)) for pieces, rows in encoded[1:]]
