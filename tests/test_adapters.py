"""LoRA adapters: written with the gguf library, checked, installed, swapped, rolled back."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from patience import patience

from pocketmind.engine import ChatOptions, Message, make_engine
from pocketmind.engine.llama import LlamaEngine
from pocketmind.engine.probe import degenerate
from pocketmind.models.adapters import AdapterError, AdapterShelf
from pocketmind.models.lora_gguf import (
    BaseShape,
    check_adapter,
    gguf_name,
    read_base,
    write_lora_gguf,
)
from pocketmind.settings import Settings

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


def _with(pairs: dict[str, tuple[np.ndarray, np.ndarray]], value: float) -> dict[str, Any]:
    """``pairs`` with one weight of one B replaced by ``value``."""
    module = sorted(pairs)[3]
    a, b = pairs[module]
    b = b.copy()
    b[5, 2] = value
    return {**pairs, module: (a, b)}


def _overflowing() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Finite weights below MAX_WEIGHT on every value projection, large enough that the
    values overflow llama.cpp's F16 KV cache: the model then answers nothing at all."""
    rng = np.random.default_rng(1)
    return {
        f"model.layers.{i}.self_attn.v_proj": (
            rng.normal(0, 10, (8, 576)).astype(np.float32),
            rng.normal(0, 10, (192, 8)).astype(np.float32),
        )
        for i in range(30)
    }


@pytest.fixture(scope="module")
def adapters(smollm2: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("adapters")
    base = read_base(smollm2)
    return {
        "zero": write_lora_gguf(folder / "zero.gguf", base, _pairs(0.0), alpha=16),
        "strong": write_lora_gguf(folder / "strong.gguf", base, _pairs(0.2), alpha=32),
        "nan": write_lora_gguf(folder / "nan.gguf", base, _with(_pairs(0.2), np.nan), alpha=32),
        "overflowing": write_lora_gguf(folder / "overflowing.gguf", base, _overflowing(), 32),
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
        # a real model's answer, just after a swap: the slowest request of the suite on a
        # loaded machine (it failed at 30 s with the load average at 9 on 2 cores)
        with process.client(timeout=120) as client:
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


# -- broken adapters: refused before install, before use, and at start -------------------


def test_non_finite_and_absurd_weights_are_refused_before_install(
    settings: Settings, smollm2: Path, adapters: dict[str, Path], tmp_path: Path
) -> None:
    base = read_base(smollm2)
    with pytest.raises(AdapterError, match=r"blk\.0\.attn_v\.weight\.lora_b holds 1 NaN"):
        check_adapter(adapters["nan"], smollm2)
    infinite = write_lora_gguf(tmp_path / "inf.gguf", base, _with(_pairs(0.2, 2), np.inf), 32)
    with pytest.raises(AdapterError, match="holds 1 NaN or infinite weight"):
        check_adapter(infinite, smollm2)
    absurd = write_lora_gguf(tmp_path / "absurd.gguf", base, _with(_pairs(0.2, 2), 1e6), 32)
    with pytest.raises(AdapterError, match=r"has a weight of 1e\+06; .* far below 1000"):
        check_adapter(absurd, smollm2)
    shelf = AdapterShelf(settings)
    with pytest.raises(AdapterError, match="NaN"):
        shelf.install(adapters["nan"], smollm2)
    assert shelf.versions() == []
    assert not (settings.home / "adapters").exists() or not any(
        (settings.home / "adapters").glob("*.gguf")
    )


@pytest.mark.parametrize(
    ("text", "tokens", "reason"),
    [
        ("", (), "empty"),
        ("  \n\u200b ", (), "empty"),
        ("................", (13,) * 16, "one character repeated"),
        ("Hello Hello Hello Hello", (9, 9, 9, 9), "one token repeated"),
        ("Well ?!?!.,;:!?!? well", (), "a run of 12 punctuation marks"),
        ("a.,;!?;b.,;:!?;c", (), "mostly punctuation"),
    ],
)
def test_degenerate_answers_are_named(text: str, tokens: tuple[int, ...], reason: str) -> None:
    assert (degenerate(text, tokens) or "").startswith(reason)


@pytest.mark.parametrize(
    "text", ["Hello there, nice to meet you!", "Hi!", "Bonjour ! Ça va ?", "你好，很高兴认识你。"]
)
def test_plain_answers_are_not_degenerate(text: str) -> None:
    assert degenerate(text, (1, 2, 3, 4)) is None


def test_a_broken_adapter_is_refused_and_the_one_in_use_stays(
    smollm2: Path, adapters: dict[str, Path], tmp_path: Path
) -> None:
    from pocketmind.engine import AdapterError as EngineAdapterError

    assert EngineAdapterError is AdapterError
    check_adapter(adapters["overflowing"], smollm2)  # finite and not absurd: it installs
    in_use = tmp_path / "in-use.gguf"
    shutil.copyfile(adapters["strong"], in_use)
    engine = LlamaEngine(smollm2, context_size=512, threads=2, lora_path=in_use)
    try:
        before = engine.chat(QUESTION, ChatOptions(max_tokens=8, temperature=0)).text()
        with pytest.raises(AdapterError, match="its answer to a test question was empty"):
            engine.swap(lora_path=adapters["overflowing"])
        with pytest.raises(AdapterError, match="NaN"):
            engine.swap(lora_path=adapters["nan"])  # on disk, never installed
        with pytest.raises(AdapterError, match="adapter file not found"):
            engine.swap(lora_path=tmp_path / "gone.gguf")
        assert (engine.adapter_id, engine.adapter_warning) == ("in-use.gguf", None)
        assert engine.chat(QUESTION, ChatOptions(max_tokens=8, temperature=0)).text() == before
        in_use.unlink()  # the one in use is gone too: it cannot be loaded back
        with pytest.raises(AdapterError, match="test question"):
            engine.swap(lora_path=adapters["overflowing"])
        assert engine.adapter_id is None  # the base model answers, and says why
        assert "in-use.gguf could not be loaded back" in (engine.adapter_warning or "")
        assert engine.chat(QUESTION, ChatOptions(max_tokens=8, temperature=0)).text().strip()
    finally:
        engine.close()


def test_start_falls_back_to_the_last_good_adapter_then_the_base(
    smollm2: Path, adapters: dict[str, Path]
) -> None:
    from pocketmind.settings import load_settings

    settings = load_settings(
        timezone="UTC",
        # the base model is the last fallback only without the shipped default adapter
        engine={"backend": "llama", "context_size": 512, "threads": 2, "default_adapter": False},
    )
    shelf = AdapterShelf(settings)
    for name in ("zero", "strong", "overflowing"):
        shelf.install(adapters[name], smollm2)
    shelf.use(1)
    shelf.use(2)
    shelf.use(3)  # chosen while no daemon ran; it answers nothing
    engine = make_engine(settings)
    try:
        assert engine.adapter_id == "v002-strong.gguf"  # the one used before it
        warning = getattr(engine, "adapter_warning", None) or ""
        assert warning.startswith("answering with v002-strong.gguf; refused v003-overflowing")
    finally:
        engine.close()
    (shelf.dir / "v002-strong.gguf").unlink()
    (shelf.dir / "v001-zero.gguf").unlink()
    engine = make_engine(settings)
    try:
        assert engine.adapter_id is None
        warning = getattr(engine, "adapter_warning", None) or ""
        assert "answering with the base model" in warning
        assert "v002-strong.gguf: adapter file not found" in warning
    finally:
        engine.close()
    assert shelf.active() is not None and shelf.active()["id"] == 3  # the user's choice
    assert [v["missing"] for v in shelf.versions()] == [True, True, False]


def _cli(process: Any, *args: str) -> subprocess.CompletedProcess[str]:
    exe = str(Path(sys.executable).with_name("pocketmind"))
    return subprocess.run(
        [exe, *args], env=process.env, capture_output=True, text=True, timeout=patience(180)
    )


def test_the_shelf_changes_only_when_the_daemon_takes_the_adapter(
    tmp_path: Path, adapters: dict[str, Path]
) -> None:
    from daemon_helpers import DaemonProcess

    process = DaemonProcess(tmp_path / "home", {"POCKETMIND_ENGINE__BACKEND": "llama"}).start()
    shelf = AdapterShelf(process.settings)
    try:
        assert _cli(process, "adapter", "install", str(adapters["strong"]), "--use").returncode == 0
        refused = _cli(process, "adapter", "install", str(adapters["overflowing"]), "--use")
        assert refused.returncode == 1
        assert "installed #2 overflowing" in refused.stdout
        assert "not changed: the daemon keeps the adapter it had" in refused.stderr
        assert "its answer to a test question was empty" in refused.stderr
        nan = _cli(process, "adapter", "install", str(adapters["nan"]), "--use")
        assert nan.returncode == 1 and "NaN" in nan.stderr
        assert _cli(process, "adapter", "install", str(adapters["zero"])).returncode == 0
        (shelf.dir / "v003-zero.gguf").unlink()
        gone = _cli(process, "adapter", "use", "3")
        assert gone.returncode == 1 and "adapter file not found" in gone.stderr
        assert [v["active"] for v in shelf.versions()] == [True, False, False]
        with process.client() as client:
            assert client.status()["adapter"] == "v001-strong.gguf"
    finally:
        process.stop()
    (shelf.dir / "v001-strong.gguf").unlink()  # the active adapter's file is deleted
    process.start()
    try:
        with process.client() as client:
            status = client.status()
        assert status["adapter"] is None  # nothing used before it: the base model
        assert "refused v001-strong.gguf: adapter file not found" in status["adapter_warning"]
        shown = _cli(process, "status")
        assert "adapter warning: answering with the base model" in shown.stdout
    finally:
        process.stop()
    assert "adapter v001-strong.gguf not used" in process.log.read_text()
