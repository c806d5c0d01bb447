"""A small language model as a pointwise judge: "Does this memory answer the question?"

For each candidate the model reads the question and the memory in a ChatML prompt
(SmolLM2's and Qwen's format) and the score is log P(yes) - log P(no) for the first
token of its answer ("yes"/"Yes"/" yes"... summed on each side). The question's part of
the prompt is evaluated once and reused from llama.cpp's cache for every candidate;
each candidate then costs its own tokens (about 40-140) and one logits read.

The memory's text is untrusted: it is tokenized with special tokens off, so a memory
holding "<|im_end|>" cannot close the user turn; at worst it moves its own score.

In process through llama-cpp-python (the phone's engine too); a store without it, or
without the model file, raises :class:`RerankError` and retrieval goes on with the
first stage.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .rerank import RerankError

SYSTEM = "You judge whether a memory from the user's phone answers their question."
ASK = "\nDoes this memory answer the question? Answer yes or no."
YES = ("yes", "Yes", " yes", " Yes")
NO = ("no", "No", " no", " No")
QUESTION_TOKENS = 64
MEMORY_TOKENS = 128


def margin(logits: NDArray[np.float32], yes: Sequence[int], no: Sequence[int]) -> float:
    """log P(any yes token) - log P(any no token) from one position's logits."""

    def log_mass(ids: Sequence[int]) -> float:
        chosen = logits[list(ids)].astype(np.float64)
        top = float(chosen.max())
        return top + float(np.log(np.exp(chosen - top).sum()))

    return log_mass(yes) - log_mass(no)


def first_tokens(tokenize: Any, words: Sequence[str]) -> list[int]:
    """The first token id of each word, each id once."""
    return list(dict.fromkeys(tokenize(word)[0] for word in words if tokenize(word)))


class LlamaJudge:
    """A GGUF chat model in process (the packaged SmolLM2-135M by default), loaded once."""

    name = "judge"

    def __init__(self, path: Path | None, threads: int | None = None) -> None:
        self.path = path
        self.threads = threads
        self._lock = threading.Lock()
        self._llm: Any = None
        self._yes: list[int] = []
        self._no: list[int] = []

    def _load(self) -> Any:
        if self._llm is not None:
            return self._llm
        if self.path is None or not self.path.is_file():
            raise RerankError(f"judge reranking: no GGUF model at {self.path}")
        try:
            from llama_cpp import Llama
        except ImportError as exc:
            raise RerankError("judge reranking needs llama-cpp-python") from exc
        self._llm = Llama(
            str(self.path),
            n_ctx=512,
            n_batch=512,
            n_threads=self.threads,
            n_threads_batch=self.threads,  # unset, llama.cpp starts one per host CPU
            logits_all=False,
            verbose=False,
        )
        self._yes = first_tokens(self._plain, YES)
        self._no = first_tokens(self._plain, NO)
        return self._llm

    def _plain(self, text: str) -> list[int]:
        """Untrusted text as tokens: special-token spellings stay plain text."""
        tokens: list[int] = self._llm.tokenize(text.encode(), add_bos=False, special=False)
        return tokens

    def _special(self, text: str) -> list[int]:
        tokens: list[int] = self._llm.tokenize(text.encode(), add_bos=False, special=True)
        return tokens

    def prefix(self, question: str) -> list[int]:
        """The prompt's shared part (system, question) as tokens."""
        return (
            self._special(f"<|im_start|>system\n{SYSTEM}<|im_end|>\n<|im_start|>user\n")
            + self._plain("Question: ")
            + self._plain(question)[:QUESTION_TOKENS]
        )

    def suffix(self, text: str) -> list[int]:
        """One memory's part of the prompt, up to the assistant's first token, as tokens."""
        return (
            self._plain("\nMemory: ")
            + self._plain(text)[:MEMORY_TOKENS]
            + self._plain(ASK)
            + self._special("<|im_end|>\n<|im_start|>assistant\n")
        )

    def scores(self, question: str, texts: Sequence[str], ids: Sequence[int]) -> list[float]:
        import llama_cpp

        out = []
        with self._lock:
            llm = self._load()
            prefix = self.prefix(question)
            llm.reset()
            llm.eval(prefix)
            for text in texts:
                llm.n_tokens = len(prefix)  # eval() drops the cache past this point
                llm.eval(self.suffix(text))
                pointer = llama_cpp.llama_get_logits_ith(llm._ctx.ctx, -1)
                logits = np.ctypeslib.as_array(pointer, shape=(llm.n_vocab(),))
                out.append(margin(logits, self._yes, self._no))
        return out

    def close(self) -> None:
        with self._lock:
            if self._llm is not None:
                self._llm.close()
                self._llm = None
