"""Embeddings from a GGUF model in process through llama.cpp: no torch, so they fit a
phone. The vectors agree with sentence-transformers' MiniLM to a cosine of 0.9999
(``tests/test_llama_embedder.py``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..models.embedding_gguf import read_embedding_info
from .base import EmbedderError, Vectors, normalize_rows
from .gguf import bert_like_text


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
