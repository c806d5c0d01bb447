"""What a GGUF embedding model declares: its space, dimension and token limit, read from
the file's metadata without loading it (the catalog checks a pulled file with it, the
embedders check what they load).

The space comes from ``pocketmind.embedding.space`` (written by
:mod:`pocketmind.models.convert`), so the MiniLM converted to GGUF shares the store's
space with sentence-transformers' MiniLM.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import EmbedderError

SPACE_KEY = "pocketmind.embedding.space"
MAX_TOKENS_KEY = "pocketmind.embedding.max_tokens"


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
