"""Embeddings from ``llama-server --embeddings`` (Termux's ``pkg install llama-cpp``)
over its OpenAI-style ``/v1/embeddings``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..models.embedding_gguf import read_embedding_info
from ..settings import read_key_file
from .base import EmbedderError, Vectors, normalize_rows
from .gguf import bert_like_text


class HttpEmbedder:
    """``/v1/embeddings`` of an OpenAI-compatible server (llama-server --embeddings).

    With ``model`` (the GGUF the server runs, on this phone) the space and dimension come
    from the file; without it, from the server: ``http:<model>`` and a probe's length.
    """

    def __init__(
        self,
        url: str,
        model: Path | None = None,
        server_model: str | None = None,
        timeout_s: float = 60.0,
        batch_size: int = 32,
        api_key_file: Path | None = None,
    ) -> None:
        import httpx

        self.url = url.rstrip("/")
        self.server_model = server_model
        self.batch_size = batch_size
        key = read_key_file(api_key_file, "embedder.api_key_file")
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self._client = httpx.Client(timeout=timeout_s, trust_env=False, headers=headers)
        self.max_chars: int | None = None
        if model is not None:
            info = read_embedding_info(model)
            self.model_id, self.dim = info.space, info.dim
            # A rough guard so an over-long text is cut here, not refused by the server.
            self.max_chars = info.max_tokens * 4
        else:
            self.model_id = f"http:{server_model or self._server_model()}"
            self.dim = int(self._request(["dimension probe"]).shape[1])

    def _server_model(self) -> str:
        try:
            response = self._client.get(f"{self.url}/models")
            response.raise_for_status()
            data = response.json()["data"]
            return str(data[0]["id"])
        except Exception as exc:
            raise EmbedderError(
                f"embedder.url: cannot list the models of {self.url}: {exc}"
            ) from exc

    def _request(self, texts: list[str]) -> Vectors:
        import httpx

        body: dict[str, Any] = {"input": texts}
        if self.server_model:
            body["model"] = self.server_model
        try:
            response = self._client.post(f"{self.url}/embeddings", json=body)
        except httpx.HTTPError as exc:
            raise EmbedderError(f"embedder.url: {self.url} unreachable: {exc}") from exc
        if response.status_code != 200:
            raise EmbedderError(
                f"embedder.url: {self.url}/embeddings answered {response.status_code}: "
                f"{response.text[:200]}"
            )
        try:
            rows = sorted(response.json()["data"], key=lambda item: item["index"])
            vectors = np.array([row["embedding"] for row in rows], dtype=np.float32)
        except (KeyError, TypeError, ValueError) as exc:
            raise EmbedderError(f"embedder.url: unexpected embeddings answer: {exc}") from exc
        if vectors.ndim != 2 or len(vectors) != len(texts):
            raise EmbedderError(
                f"embedder.url: asked for {len(texts)} embeddings, got {len(vectors)}"
            )
        return vectors

    def embed(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        prepared = [bert_like_text(text) for text in texts]
        if self.max_chars is not None:
            prepared = [text[: self.max_chars] for text in prepared]
        parts = [
            self._request(prepared[start : start + self.batch_size])
            for start in range(0, len(prepared), self.batch_size)
        ]
        vectors = np.concatenate(parts)
        if vectors.shape[1] != self.dim:
            raise EmbedderError(
                f"embedder.url: the server's vectors have {vectors.shape[1]} dimensions, "
                f"{self.model_id} has {self.dim}"
            )
        return normalize_rows(vectors)

    def close(self) -> None:
        self._client.close()
