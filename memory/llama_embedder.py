"""Embeddings from a GGUF model through llama.cpp: no torch, so they fit a phone.

``LlamaEmbedder`` runs the GGUF in process (llama-cpp-python); ``HttpEmbedder`` asks a
``llama-server --embeddings`` (Termux's ``pkg install llama-cpp``) over its OpenAI-style
``/v1/embeddings``. Both name their embedding space from the GGUF's
``pocketmind.embedding.space`` key (written by :mod:`pocketmind.memory.convert`), so the
MiniLM converted to GGUF shares the store's space with sentence-transformers' MiniLM:
the vectors agree to a cosine of 0.9999 (``tests/test_llama_embedder.py``).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..settings import read_key_file
from .convert import MAX_TOKENS_KEY, SPACE_KEY
from .embedder import EmbedderError, Vectors, normalize_rows

# BERT's WordPiece turns a word of over 100 characters into [UNK]; llama.cpp splits it.
_LONG_WORD = re.compile(r"[^\W_]{101,}")


@dataclass(frozen=True)
class GgufEmbeddingInfo:
    space: str
    dim: int
    max_tokens: int
    architecture: str


def read_embedding_info(path: Path) -> GgufEmbeddingInfo:
    """The embedding space, dimension and token limit a GGUF declares, without loading it."""
    import gguf

    if not path.is_file():
        raise EmbedderError(f"embedder.model: GGUF file not found: {path}")
    try:
        reader = gguf.GGUFReader(str(path))
    except (ValueError, OSError) as exc:
        raise EmbedderError(f"embedder.model: {path} is not a readable GGUF: {exc}") from exc

    def value(key: str) -> Any:
        field = reader.get_field(key)
        return None if field is None else field.contents()

    arch = value("general.architecture")
    if not isinstance(arch, str):
        raise EmbedderError(f"embedder.model: {path} has no general.architecture")
    dim = value(f"{arch}.embedding_length")
    if not isinstance(dim, int):
        raise EmbedderError(f"embedder.model: {path} has no {arch}.embedding_length")
    if value(f"{arch}.pooling_type") in (None, 0):
        raise EmbedderError(
            f"embedder.model: {path} ({arch}) declares no pooling: not an embedding model"
        )
    space = value(SPACE_KEY)
    if not isinstance(space, str):
        name = value("general.name")
        space = f"gguf:{name if isinstance(name, str) else path.stem}"
    max_tokens = value(MAX_TOKENS_KEY)
    if not isinstance(max_tokens, int):
        context = value(f"{arch}.context_length")
        max_tokens = context if isinstance(context, int) else 512
    return GgufEmbeddingInfo(space, dim, max_tokens, arch)


def bert_like_text(text: str) -> str:
    """Text as BERT's own tokenizer would see it: over-long words become [UNK]."""
    return _LONG_WORD.sub(" [UNK] ", text)


class LlamaEmbedder:
    """A GGUF embedding model in process, one sequence per decode, thread-safe.

    With ``idle_unload_s``, the model is closed after that long without a call and
    loaded again (0.03-0.08 s for MiniLM here) on the next: an idle daemon on a phone then
    holds none of its ~74 MiB (weights, and llama.cpp's output buffer, which it sizes
    for logits even when only pooled embeddings are read).
    """

    def __init__(
        self, path: Path, threads: int | None = None, idle_unload_s: float | None = None
    ) -> None:
        self.path = path
        self.info = read_embedding_info(path)
        self.model_id = self.info.space
        self.dim = self.info.dim
        self.threads = threads
        self.idle_unload_s = idle_unload_s
        self.loads = 0
        self._lock = threading.Lock()
        self._llm: Any = None
        self._sep: int | None = None
        self._idle: threading.Timer | None = None
        self._last_used = 0.0

    def _load(self) -> Any:
        if self._llm is None:
            try:
                from llama_cpp import Llama
            except ImportError as exc:
                raise EmbedderError(
                    "llama-cpp-python is not installed: pip install 'pocketmind[termux]', or "
                    "use embedder.backend = 'http' with llama-server --embeddings"
                ) from exc
            n_ctx = self.info.max_tokens
            self._llm = Llama(
                str(self.path),
                embedding=True,
                n_ctx=n_ctx,
                n_batch=n_ctx,
                n_ubatch=n_ctx,
                n_threads=self.threads,
                verbose=False,
            )
            sep = self._llm.metadata.get("tokenizer.ggml.seperator_token_id")
            self._sep = int(sep) if sep is not None else None
            self.loads += 1
        return self._llm

    def _arm(self, delay: float) -> None:
        self._idle = threading.Timer(delay, self._unload_if_idle)
        self._idle.daemon = True
        self._idle.start()

    def _mark_used(self) -> None:
        """Called under the lock after each embed: one pending timer at most, not one per
        call; the timer looks at the time of the last use when it fires."""
        self._last_used = time.monotonic()
        if self.idle_unload_s is not None and self._idle is None:
            self._arm(self.idle_unload_s)

    def _unload_if_idle(self) -> None:
        assert self.idle_unload_s is not None
        with self._lock:
            self._idle = None
            if self._llm is None:
                return
            left = self._last_used + self.idle_unload_s - time.monotonic()
            if left > 0:
                self._arm(left)  # used since this timer was set: wait out the rest
                return
            self._llm.close()
            self._llm = None

    @property
    def loaded(self) -> bool:
        return self._llm is not None

    def _tokens(self, llm: Any, text: str) -> list[int]:
        tokens: list[int] = llm.tokenize(
            bert_like_text(text).encode("utf-8"), add_bos=True, special=True
        )
        limit = self.info.max_tokens
        if len(tokens) > limit:
            tokens = tokens[: limit - 1] + ([self._sep] if self._sep is not None else tokens[-1:])
        return tokens

    def embed(self, texts: Sequence[str]) -> Vectors:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        import llama_cpp

        with self._lock:
            llm = self._load()
            # Llama.embed() would cut a long text without its closing [SEP], which moves
            # the vector away from BERT's; so the batch is filled here, through the same
            # internals embed() uses (llama-cpp-python 0.3.x).
            for row, text in enumerate(texts):
                tokens = self._tokens(llm, text)
                llm._batch.reset()
                llm._batch.add_sequence(tokens, 0, True)
                llm._ctx.kv_cache_clear()
                llm._ctx.decode(llm._batch)
                pointer = llama_cpp.llama_get_embeddings_seq(llm._ctx.ctx, 0)
                if not pointer:
                    raise EmbedderError(f"{self.path}: llama.cpp returned no pooled embedding")
                out[row] = np.ctypeslib.as_array(pointer, shape=(self.dim,))
            llm._batch.reset()
            self._mark_used()
        return normalize_rows(out)

    def close(self) -> None:
        with self._lock:
            if self._idle is not None:
                self._idle.cancel()
                self._idle = None
            if self._llm is not None:
                self._llm.close()
                self._llm = None


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
