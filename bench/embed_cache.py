"""An on-disk embedding cache for the benchmarks, outside the repository.

A LoCoMo pass embeds about 7,500 texts: on two shared cores that is most of the pass
(46 s of a 48 s pass over one conversation), and a fresh worktree used to pay it again
because the cache lived in ``bench/.cache``. The cache now lives under
``~/.cache/pocketmind-bench`` (``POCKETMIND_BENCH_CACHE`` moves it), keyed by the
embedder's model id and the SHA-1 of each text, so every worktree and every run shares
it and only a text never seen before reaches the model.

Layout: one folder per model id, holding shards ``<time>-<pid>.npz`` of (keys, vectors).
``save`` writes only what this process added, as a new shard renamed into place, so an
interrupted run keeps what it saved and two runs never overwrite each other's work.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from pocketmind.embedders import Embedder

ROOT = Path(os.environ.get("POCKETMIND_BENCH_CACHE", "~/.cache/pocketmind-bench")).expanduser()
MAX_SHARDS = 32  # beyond this, load() merges them into one


def text_key(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def model_folder(root: Path, model_id: str) -> Path:
    readable = re.sub(r"[^\w.-]+", "_", model_id)[-48:]
    return root / f"{readable}-{hashlib.sha1(model_id.encode()).hexdigest()[:8]}"


class CachedEmbedder:
    """Wraps an embedder with the shared on-disk cache: each text is embedded once, ever."""

    def __init__(self, inner: Embedder, root: Path | None = None, persist: bool = True) -> None:
        self.inner, self.model_id, self.dim = inner, inner.model_id, inner.dim
        self.folder = model_folder(root or ROOT, inner.model_id)
        self.persist = persist  # False: memoize in this process only (a fake embedder)
        self.cache: dict[str, np.ndarray] = {}
        self.added: dict[str, np.ndarray] = {}
        self.embedded = 0  # texts that reached the model in this process
        if persist:
            self.load()

    def load(self) -> None:
        found = sorted(self.folder.glob("*.npz")) if self.folder.is_dir() else []
        shards = [shard for shard in found if not shard.name.endswith(".tmp.npz")]
        for shard in shards:
            try:
                with np.load(shard) as data:
                    self.cache.update(zip(data["keys"].tolist(), data["vectors"], strict=True))
            except (OSError, ValueError, KeyError):
                continue  # a damaged shard costs only its texts' embeddings
        if len(shards) > MAX_SHARDS:
            self._write(self.cache)
            for shard in shards:
                shard.unlink(missing_ok=True)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        keys = [text_key(t) for t in texts]
        missing = {key: t for t, key in zip(texts, keys, strict=True) if key not in self.cache}
        if missing:
            vectors = self.inner.embed(list(missing.values()))
            fresh = dict(zip(missing, vectors, strict=True))
            self.cache.update(fresh)
            self.added.update(fresh)
            self.embedded += len(fresh)
        if not keys:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self.cache[key] for key in keys])

    def close(self) -> None:
        self.inner.close()

    def save(self) -> None:
        """Write what this process embedded since the last save, as one new shard."""
        if self.added and self.persist:
            self._write(self.added)
            self.added = {}

    def _write(self, entries: dict[str, np.ndarray]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns()}-{os.getpid()}"
        partial = self.folder / f"{name}.tmp.npz"
        keys = list(entries)
        np.savez(partial, keys=np.array(keys), vectors=np.stack([entries[k] for k in keys]))
        partial.rename(self.folder / f"{name}.npz")
