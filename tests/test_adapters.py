"""LoRA adapters: written with the gguf library, checked, installed, swapped, rolled back."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from patience import patience

from pocketmind.engine import ChatOptions, Message
from pocketmind.engine.llama import LlamaEngine
from pocketmind.settings import Settings
from pocketmind.training import AdapterError, AdapterShelf, check_adapter, write_lora_gguf
from pocketmind.training.lora_gguf import BaseShape, gguf_name, read_base

pytestmark = pytest.mark.slow
QUESTION = [Message("user", "Name a colour.")]


def _pairs(
    scale: float, layers: int = 30, seed: int = 0
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(seed)
    shapes = {
        "self_attn.q_proj": (576, 576),
        "self_attn.k_proj": (576, 192),
        "self_attn.v_proj": (576, 192),
        "mlp.down_proj": (1536, 576),
    }
    return {
        f"model.layers.{i}.{module}": (
            rng.normal(0, 0.05, (8, n_in)).astype(np.float32),
            (rng.normal(0, scale, (n_out, 8)) if scale else np.zeros((n_out, 8))).astype(
                np.float32
            ),
        )
        for i in range(layers)
        for module, (n_in, n_out) in shapes.items()
    }


@pytest.fixture(scope="module")
def adapters(smollm2: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("adapters")
    base = read_base(smollm2)
    return {
        "zero": write_lora_gguf(folder / "zero.gguf", base, _pairs(0.0), alpha=16),
        "strong": write_lora_gguf(folder / "strong.gguf", base, _pairs(0.2), alpha=32),
    }


def test_names_map_to_llama_cpp_tensors() -> None:
    assert gguf_name("base_model.model.model.layers.7.self_attn.v_proj") == "blk.7.attn_v.weight"
    assert gguf_name("model.layers.0.mlp.down_proj") == "blk.0.ffn_down.weight"
    with pytest.raises(AdapterError, match=r"no llama\.cpp tensor"):
        gguf_name("model.embed_tokens")


def test_written_adapters_load_and_change_the_answer(
    smollm2: Path, adapters: dict[str, Path]
) -> None:
    info = check_adapter(adapters["strong"], smollm2)
    assert info == {"architecture": "llama", "alpha": 32.0, "rank": 8, "tensors": 240}
    engine = LlamaEngine(smollm2, context_size=512, threads=2)
    try:
        plain = engine.chat(QUESTION, ChatOptions(max_tokens=12, temperature=0)).text()
        engine.swap(lora_path=adapters["zero"])  # B = 0: the adapter adds nothing
        assert engine.chat(QUESTION, ChatOptions(max_tokens=12, temperature=0)).text() == plain
        engine.swap(lora_path=adapters["strong"])
        assert engine.adapter_id == "strong.gguf"
        assert engine.chat(QUESTION, ChatOptions(max_tokens=12, temperature=0)).text() != plain
    finally:
        engine.close()


def test_mismatched_corrupt_and_wrong_files_are_clear_errors(smollm2: Path, tmp_path: Path) -> None:
    other = BaseShape("llama", 9, 3, {"blk.0.attn_v.weight": (768, 256)})  # another model
    mismatched = write_lora_gguf(
        tmp_path / "other.gguf",
        other,
        {
            "model.layers.0.self_attn.v_proj": (
                np.zeros((8, 768), np.float32),
                np.zeros((256, 8), np.float32),
            )
        },
        alpha=8,
    )
    with pytest.raises(AdapterError, match=r"does not fit the base model's blk\.0\.attn_v"):
        check_adapter(mismatched, smollm2)
    corrupt = tmp_path / "corrupt.gguf"
    corrupt.write_bytes(b"GGUF\x03\x00\x00\x00garbage")
    with pytest.raises(AdapterError, match="is not a GGUF file"):
        check_adapter(corrupt, smollm2)
    with pytest.raises(AdapterError, match="not a LoRA adapter"):
        check_adapter(smollm2, smollm2)  # a model, not an adapter
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(AdapterError, match="not a readable GGUF model"):
        check_adapter(mismatched, text)


def test_install_use_and_roll_back(
    settings: Settings, smollm2: Path, adapters: dict[str, Path]
) -> None:
    shelf = AdapterShelf(settings)
    first = shelf.install(adapters["zero"], smollm2, name="first try")
    second = shelf.install(adapters["strong"], smollm2)
    assert (first["id"], first["name"], second["id"]) == (1, "first-try", 2)
    assert shelf.active_path() is None
    shelf.use(1)
    shelf.use(2)
    assert shelf.active_path() == settings.home / "adapters" / "v002-strong.gguf"
    assert shelf.rollback() == {**first}
    assert shelf.rollback() is None  # back to the plain base model
    with pytest.raises(AdapterError, match="nothing to roll back to"):
        shelf.rollback()
    with pytest.raises(AdapterError, match="no installed adapter #9"):
        shelf.use(9)
    assert [v["active"] for v in shelf.versions()] == [False, False]


def test_the_running_daemon_swaps_without_a_restart(
    tmp_path: Path, adapters: dict[str, Path]
) -> None:
    from daemon_helpers import DaemonProcess

    process = DaemonProcess(tmp_path / "home", {"POCKETMIND_ENGINE__BACKEND": "llama"}).start()
    try:
        exe = str(Path(sys.executable).with_name("pocketmind"))
        done = subprocess.run(
            [exe, "adapter", "install", str(adapters["strong"]), "--use"],
            env=process.env,
            capture_output=True,
            text=True,
            timeout=patience(120),
        )
        assert done.returncode == 0, done.stderr
        assert "the running daemon now answers with v001-strong.gguf" in done.stdout
        with process.client() as client:
            status = client.status()
            assert status["adapter"] == "v001-strong.gguf"
            assert status["pid"] == process.process.pid  # type: ignore[union-attr]
            answer = client.request("POST", "/chat", json={"question": "hi", "stream": False})
            assert answer["timing"]["adapter_id"] == "v001-strong.gguf"  # traces say so
        back = subprocess.run(
            [exe, "adapter", "rollback"],
            env=process.env,
            capture_output=True,
            text=True,
            timeout=patience(120),
        )
        assert "the base model" in back.stdout
        with process.client() as client:
            assert client.status()["adapter"] is None
        listed = json.loads(
            subprocess.run(
                [exe, "adapter", "list", "--json"], env=process.env, capture_output=True, text=True
            ).stdout
        )
        assert [v["active"] for v in listed] == [False]
    finally:
        process.stop()


def test_a_swap_waits_for_the_answer_in_flight(smollm2: Path, adapters: dict[str, Path]) -> None:
    import threading

    engine = LlamaEngine(smollm2, context_size=512, threads=2)
    stream = engine.chat(QUESTION, ChatOptions(max_tokens=48, temperature=0))
    pieces = iter(stream)
    first = next(pieces)  # the answer is under way and holds the model
    swapped = threading.Event()
    swapper = threading.Thread(
        target=lambda: (engine.swap(lora_path=adapters["strong"]), swapped.set())
    )
    swapper.start()
    assert not swapped.wait(0.3)  # the swap waits…
    rest = "".join(pieces)  # …while the answer in flight finishes, whole
    swapper.join(timeout=patience(60))
    assert swapped.is_set() and (first + rest).strip()
    assert stream.stats.completion_tokens > 1
    assert engine.adapter_id == "strong.gguf"
    engine.close()
