"""Models PocketMind can pull by name, each file pinned by revision, size and sha256.

``qwen3-0.6b`` is Qwen's own Q8_0 GGUF, the production chat model for a phone. The
embedding model has no official GGUF, so ``all-minilm-l6-v2`` pulls the original
sentence-transformers files (pinned to the revision the packaged copy was taken from)
and converts them on the device with :mod:`pocketmind.models.convert`; its vectors then
share the embedding space of the desktop's sentence-transformers MiniLM.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ..settings import Settings
from .download import Pin, fetch

HF = "https://huggingface.co"
MINILM_REVISION = "c9745ed1d9f207416be6d2e6f8de32d1f16199bf"
QWEN3_06B_REVISION = "23749fefcc72300e3a2ad315e1317431b06b590a"


@dataclass(frozen=True)
class CatalogFile:
    path: str  # under the mirror, e.g. "Qwen/Qwen3-0.6B-GGUF/resolve/REV/FILE"
    sha256: str
    size: int
    saved_as: str  # relative to the model's download folder

    def pin(self, mirror: str) -> Pin:
        return Pin(f"{mirror.rstrip('/')}/{self.path}", self.sha256, self.size)


@dataclass(frozen=True)
class CatalogModel:
    name: str
    role: Literal["chat", "embed"]
    title: str
    files: tuple[CatalogFile, ...]
    licence: str
    note: str
    space: str | None = None  # embed: the embedding space its vectors belong to

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files)


def _minilm(name: str, sha256: str, size: int) -> CatalogFile:
    repo = f"sentence-transformers/all-MiniLM-L6-v2/resolve/{MINILM_REVISION}"
    return CatalogFile(f"{repo}/{name}", sha256, size, name)


CATALOG: dict[str, CatalogModel] = {
    model.name: model
    for model in (
        CatalogModel(
            name="qwen3-0.6b",
            role="chat",
            title="Qwen3-0.6B, Q8_0 (Qwen's own GGUF)",
            files=(
                CatalogFile(
                    f"Qwen/Qwen3-0.6B-GGUF/resolve/{QWEN3_06B_REVISION}/Qwen3-0.6B-Q8_0.gguf",
                    "9465e63a22add5354d9bb4b99e90117043c7124007664907259bd16d043bb031",
                    639_446_688,
                    "Qwen3-0.6B-Q8_0.gguf",
                ),
            ),
            licence="apache-2.0",
            note="the phone's chat model: about 0.9 GiB of memory at a 4k context (q8_0 cache)",
        ),
        CatalogModel(
            name="all-minilm-l6-v2",
            role="embed",
            title="all-MiniLM-L6-v2, converted to an F16 GGUF on this device",
            files=(
                _minilm(
                    "config.json",
                    "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
                    612,
                ),
                _minilm(
                    "vocab.txt",
                    "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3",
                    231_508,
                ),
                _minilm(
                    "sentence_bert_config.json",
                    "fc1993fde0a95c24ec6c022539d41cf6e2f7c9721e5415d6fb6897472a9cd4b7",
                    53,
                ),
                _minilm(
                    "1_Pooling/config.json",
                    "4be450dde3b0273bb9787637cfbd28fe04a7ba6ab9d36ac48e92b11e350ffc23",
                    190,
                ),
                _minilm(
                    "model.safetensors",
                    "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
                    90_868_376,
                ),
            ),
            licence="apache-2.0",
            note="the torch-free embedder; same vectors as the desktop's MiniLM",
            space="sentence-transformers/all-MiniLM-L6-v2",
        ),
    )
}


class CatalogError(ValueError):
    """An unknown model name."""


def lookup(name: str) -> CatalogModel:
    try:
        return CATALOG[name.lower()]
    except KeyError:
        raise CatalogError(
            f"no model named {name!r} in the catalog; known: {', '.join(sorted(CATALOG))} "
            "(or pull any GGUF with --url URL --sha256 HEX)"
        ) from None


def default_mirror() -> str:
    """HF_ENDPOINT is Hugging Face's own variable for a mirror; we honour it too."""
    return os.environ.get("HF_ENDPOINT", HF)


def install_path(settings: Settings, model: CatalogModel) -> Path:
    """Where a pulled model lands: chat GGUFs in models/, the embedder in models/embed/."""
    from .local import embedder_gguf

    if model.role == "embed":
        return embedder_gguf(settings)
    return settings.models_dir / model.files[0].saved_as


Reporter = Callable[[str, int, int | None], None]  # (file, bytes so far, total)


def pull(
    settings: Settings,
    model: CatalogModel,
    *,
    mirror: str | None = None,
    report: Reporter | None = None,
) -> Path:
    """Download (resuming), verify and install ``model``; returns the installed path."""
    mirror = mirror or default_mirror()
    target = install_path(settings, model)

    def progress_for(name: str) -> Callable[[int, int | None], None] | None:
        if report is None:
            return None
        return lambda done, total: report(name, done, total)

    if model.role == "chat":
        spec = model.files[0]
        fetch(spec.pin(mirror), target, progress=progress_for(spec.saved_as))
        return target

    from .convert import convert_bert
    from .embedding_gguf import read_embedding_info
    from .errors import EmbedderError

    if target.is_file():
        try:
            if read_embedding_info(target).space == model.space:
                return target
        except EmbedderError:
            pass  # a broken file: pull it again
    sources = target.parent / f"{target.stem}.source"
    for spec in model.files:
        fetch(spec.pin(mirror), sources / spec.saved_as, progress=progress_for(spec.saved_as))
    convert_bert(sources, target, space=model.space or f"gguf:{model.name}", name=model.name)
    shutil.rmtree(sources)  # 87 MiB of safetensors a phone need not keep
    return target
