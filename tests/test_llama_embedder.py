"""The torch-free embedders: the packaged MiniLM converted to GGUF, run by llama.cpp in
process and behind a real OpenAI-compatible server, against sentence-transformers."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from llama_server import free_port, llama_cpp_server

from pocketmind.embedders import (
    PACKAGED_MODEL_ID,
    EmbedderError,
    make_embedder,
    packaged_minilm_path,
)
from pocketmind.embedders.http import HttpEmbedder
from pocketmind.embedders.llama import LlamaEmbedder
from pocketmind.memory import MemoryStore
from pocketmind.memory.store import EmbeddingMismatch
from pocketmind.models.convert import ConversionError, convert_bert, read_safetensors
from pocketmind.models.embedding_gguf import read_embedding_info
from pocketmind.retrieval import Retriever
from pocketmind.settings import load_settings

TEXTS = [
    "Arrived at home",
    "Meeting with Maya about the café budget — naïve résumé",
    "Battery dropped below 20% (19%)",
    "What's my sister's name?",
    "Ünïcödé ÉCOLE 東京 and an emoji 🎉",
    "see https://example.com/a?b=c&d=e#f [SEP] inside",
    "a token of two hundred letters: " + "x" * 200,
    "The quick brown fox jumps over the lazy dog. " * 40,  # past the 256-token limit
    "",
]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def in_process(minilm_gguf: Path) -> Iterator[LlamaEmbedder]:
    embedder = LlamaEmbedder(minilm_gguf, threads=2)
    yield embedder
    embedder.close()


def test_the_gguf_declares_the_sentence_transformers_space(minilm_gguf: Path) -> None:
    info = read_embedding_info(minilm_gguf)
    assert (info.space, info.dim, info.max_tokens, info.architecture) == (
        PACKAGED_MODEL_ID,
        384,
        256,
        "bert",
    )


def test_llama_cpp_vectors_match_sentence_transformers(
    in_process: LlamaEmbedder, minilm: object
) -> None:
    ours = in_process.embed(TEXTS)
    theirs = minilm.embed(TEXTS)  # type: ignore[attr-defined]
    cosines = (ours * theirs).sum(axis=1)
    assert ours.shape == (len(TEXTS), 384)
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    assert cosines.min() > 0.999, dict(zip(TEXTS, cosines.round(5), strict=True))


def test_retrieval_ranks_agree_with_sentence_transformers(
    in_process: LlamaEmbedder, minilm: object
) -> None:
    corpus = [
        "Dentist appointment on Friday at 3pm",
        "Maya is my sister; she lives in Lisbon",
        "Left work at 18:10",
        "Bought oat milk and coffee beans",
        "Flight to Porto boarding at gate 12",
    ]
    query = ["when do I see the dentist?"]
    ours = in_process.embed(corpus) @ in_process.embed(query)[0]
    theirs = minilm.embed(corpus) @ minilm.embed(query)[0]  # type: ignore[attr-defined]
    assert list(np.argsort(-ours)) == list(np.argsort(-theirs))


def test_a_store_filled_by_sentence_transformers_opens_with_the_gguf(
    in_process: LlamaEmbedder, minilm: object, pocketmind_home: Path
) -> None:
    settings = load_settings(timezone="UTC")
    with MemoryStore.open(settings, minilm) as store:  # type: ignore[arg-type]
        store.remember("Maya is my sister; she lives in Lisbon")
        store.remember("Bought oat milk and coffee beans")
    with MemoryStore.open(settings, in_process) as store:
        hits = Retriever(store).search("who is my sister?", k=1)
        assert "Maya" in hits[0].memory.text


def test_switching_to_another_space_is_refused_until_reindexed(
    in_process: LlamaEmbedder, pocketmind_home: Path
) -> None:
    fake_settings = load_settings(timezone="UTC", embedder={"backend": "fake"})
    with MemoryStore.open(fake_settings) as store:
        store.remember("Maya is my sister; she lives in Lisbon")
    settings = load_settings(timezone="UTC")
    with pytest.raises(EmbeddingMismatch, match="reindex"):
        MemoryStore.open(settings, in_process)
    with MemoryStore.open(settings, in_process, check_space=False) as store:
        assert store.reindex() == 1
    with MemoryStore.open(settings, in_process) as store:
        assert store.embedding_space() == (PACKAGED_MODEL_ID, 384)
        assert "Maya" in Retriever(store).search("sister", k=1)[0].memory.text


def test_an_idle_model_is_unloaded_and_loaded_again_on_use(minilm_gguf: Path) -> None:
    embedder = LlamaEmbedder(minilm_gguf, threads=2, idle_unload_s=0.3)
    try:
        first = embedder.embed(["Maya is my sister"])
        assert embedder.loaded and embedder.loads == 1
        deadline = time.monotonic() + 10
        while embedder.loaded and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not embedder.loaded
        again = embedder.embed(["Maya is my sister"])
        assert embedder.loads == 2
        assert np.allclose(first, again, atol=1e-6)
    finally:
        embedder.close()


def test_a_model_in_use_is_not_unloaded(minilm_gguf: Path) -> None:
    embedder = LlamaEmbedder(minilm_gguf, threads=2, idle_unload_s=0.3)
    try:
        for _ in range(8):  # 0.8 s of steady use, each call under the idle limit
            embedder.embed(["still here"])
            time.sleep(0.1)
        assert embedder.loads == 1
    finally:
        embedder.close()


def test_make_embedder_finds_the_pulled_gguf(minilm_gguf: Path, pocketmind_home: Path) -> None:
    settings = load_settings(embedder={"backend": "llama"})
    with pytest.raises(EmbedderError, match="models pull all-minilm-l6-v2"):
        make_embedder(settings)
    target = settings.models_dir / "embed" / "all-MiniLM-L6-v2.gguf"
    target.parent.mkdir(parents=True)
    target.symlink_to(minilm_gguf)
    embedder = make_embedder(settings)
    assert isinstance(embedder, LlamaEmbedder)
    assert embedder.model_id == PACKAGED_MODEL_ID


def test_a_chat_gguf_is_not_an_embedding_model(smollm2: Path) -> None:
    with pytest.raises(EmbedderError, match="not an embedding model"):
        read_embedding_info(smollm2)


def test_conversion_names_what_is_wrong(tmp_path: Path) -> None:
    source = tmp_path / "model"
    source.mkdir()
    (source / "config.json").write_text(json.dumps({"model_type": "llama"}))
    with pytest.raises(ConversionError, match="model_type is 'llama'"):
        convert_bert(source, tmp_path / "out.gguf", space="x")
    (source / "config.json").write_text("{not json")
    with pytest.raises(ConversionError, match=r"config\.json: not valid JSON"):
        convert_bert(source, tmp_path / "out.gguf", space="x")
    assert not (tmp_path / "out.gguf").exists()


def test_safetensors_are_read_without_the_safetensors_package() -> None:
    from safetensors.numpy import load_file

    path = packaged_minilm_path() / "model.safetensors"
    expected = load_file(str(path))
    ours = dict(read_safetensors(path))
    assert ours.keys() == expected.keys()
    for name, array in expected.items():
        assert np.array_equal(ours[name], array.astype(np.float32)), name


@pytest.fixture(scope="module")
def embedding_server(minilm_gguf: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real OpenAI-compatible server with --embedding, standing in for llama-server."""
    log = tmp_path_factory.mktemp("embed-server") / "server.log"
    args = ("--embedding", "true", "--n_ctx", "256", "--n_batch", "256", "--n_ubatch", "256")
    with llama_cpp_server(minilm_gguf, log, *args) as url:
        yield url


def test_the_http_embedder_agrees_with_the_in_process_one(
    embedding_server: str, in_process: LlamaEmbedder, minilm_gguf: Path
) -> None:
    remote = HttpEmbedder(embedding_server, minilm_gguf)
    try:
        # Not TEXTS[5]: a server tokenizes a literal "[SEP]" as text, BERT's tokenizer
        # (and so LlamaEmbedder) as the separator.
        short = TEXTS[:5]
        cosines = (remote.embed(short) * in_process.embed(short)).sum(axis=1)
        assert cosines.min() > 0.999
        assert remote.model_id == PACKAGED_MODEL_ID
    finally:
        remote.close()


def test_the_http_embedder_without_the_file_names_the_server_space(embedding_server: str) -> None:
    remote = HttpEmbedder(embedding_server)
    try:
        assert remote.model_id.startswith("http:")
        assert remote.dim == 384
    finally:
        remote.close()


def test_an_unreachable_embedding_server_is_a_clear_error(minilm_gguf: Path) -> None:
    remote = HttpEmbedder(f"http://127.0.0.1:{free_port()}/v1", minilm_gguf, timeout_s=2)
    with pytest.raises(EmbedderError, match="unreachable"):
        remote.embed(["hello"])
