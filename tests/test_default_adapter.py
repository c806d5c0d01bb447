"""The shipped default adapter: chosen only on the packaged SmolLM2, loaded by llama.cpp,
changing what the model says, and the base of the user's own refresh."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from pocketmind.doctor.models import check_engine
from pocketmind.models.adapters import AdapterShelf
from pocketmind.models.local import DEFAULT_ADAPTER, default_adapter
from pocketmind.models.lora_gguf import _permute, _unpermute, check_adapter, read_lora_pairs
from pocketmind.settings import load_settings

TOOL_CHAT = [
    {"role": "system", "content": "You can call tools: battery, torch."},
    {"role": "user", "content": "torch on"},
    {
        "role": "assistant",
        "content": "",
        "tool_calls": [
            {
                "id": "c",
                "type": "function",
                "function": {"name": "torch", "arguments": '{"on": true}'},
            }
        ],
    },
]


def test_the_default_is_chosen_only_on_the_packaged_base(
    smollm2: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert DEFAULT_ADAPTER.is_file() and DEFAULT_ADAPTER.stat().st_size < 10 * 2**20
    monkeypatch.delenv("POCKETMIND_ENGINE__DEFAULT_ADAPTER")  # the tests' own pin (conftest)
    settings = load_settings(timezone="UTC", embedder={"backend": "fake"})
    assert default_adapter(settings, smollm2) == DEFAULT_ADAPTER  # on for a new user
    other = tmp_path / "other.gguf"  # another model file: a LoRA fits its own base only
    other.write_bytes(b"GGUF")
    assert default_adapter(settings, other) is None
    settings.engine.default_adapter = False
    assert default_adapter(settings, smollm2) is None


def test_q_and_k_rows_go_back_to_hugging_face_order() -> None:
    rows = np.arange(64 * 3, dtype=np.float32).reshape(64, 3)
    assert np.array_equal(_unpermute(_permute(rows, 4), 4), rows)


@pytest.mark.slow
def test_the_shipped_adapter_loads_on_the_packaged_base_and_changes_the_logits(
    smollm2: Path,
) -> None:
    from llama_cpp import Llama

    from pocketmind.engine import make_engine

    check_adapter(DEFAULT_ADAPTER, smollm2)
    engine_settings = {"backend": "llama", "context_size": 512, "threads": 2}
    settings = load_settings(timezone="UTC", engine={**engine_settings, "default_adapter": True})
    engine = make_engine(settings)  # nothing installed: the shipped default
    try:
        assert engine.adapter_id == DEFAULT_ADAPTER.name and engine.adapter_warning is None
    finally:
        engine.close()
    (finding,) = [f for f in check_engine(settings) if f.check == "adapter"]
    assert DEFAULT_ADAPTER.name in finding.detail and "shipped default" in finding.detail

    def last_logits(lora: Path | None) -> np.ndarray:
        llm = Llama(
            str(smollm2),
            n_ctx=256,
            n_threads=2,
            logits_all=True,
            verbose=False,
            lora_path=lora and str(lora),
        )
        tokens = llm.tokenize(b"<|im_start|>user\nWhere does my sister live?<|im_end|>\n")
        llm.eval(tokens)
        logits = np.array(llm.scores[llm.n_tokens - 1], dtype=np.float32)
        llm.close()
        return logits

    base, adapted = last_logits(None), last_logits(DEFAULT_ADAPTER)
    assert np.isfinite(adapted).all()
    assert float(np.abs(adapted - base).max()) > 0.1  # the adapter is applied

    settings.engine.default_adapter = False  # the user turned it off
    engine = make_engine(settings)
    try:
        assert engine.adapter_id is None
    finally:
        engine.close()


@pytest.mark.slow
def test_a_users_refresh_builds_on_the_default_with_tool_call_turns(
    smollm2: Path, tmp_path: Path
) -> None:
    from pocketmind.training.refresh import refresh

    data = tmp_path / "data"
    data.mkdir()
    rows = [TOOL_CHAT] * 4
    (data / "sft.jsonl").write_text("".join(json.dumps({"messages": r}) + "\n" for r in rows))
    settings = load_settings(timezone="UTC")
    config = settings.train.model_copy(
        update={"folds": 2, "folds_run": 1, "finish_fold": True, "eval_answers": 1, "lr": 1e-3}
    )
    out = tmp_path / "mine.gguf"
    report = refresh(data, smollm2, out, config, start=DEFAULT_ADAPTER)  # verified in llama.cpp
    assert report.started_from == DEFAULT_ADAPTER.name
    (fold,) = report.folds
    assert fold.adapter_loss < fold.base_loss  # "before" is the default adapter's own loss
    start, _ = read_lora_pairs(DEFAULT_ADAPTER, smollm2)
    mine, _ = read_lora_pairs(out, smollm2)
    assert set(mine) == set(start)  # the same LoRA, trained further
    assert any(not np.array_equal(mine[m][1], start[m][1]) for m in start)
    shelf = AdapterShelf(load_settings(home=tmp_path / "home"))
    shutil.copyfile(out, tmp_path / "copy.gguf")
    assert (
        shelf.install(tmp_path / "copy.gguf", smollm2)["rank"]
        == next(iter(start.values()))[0].shape[0]
    )
