"""The real packaged SmolLM2 through llama-cpp-python."""

import json
import shutil
from pathlib import Path

import pytest

from pocketmind.engine import ChatOptions, EngineError, Message, make_engine
from pocketmind.engine.llama import LlamaEngine
from pocketmind.models.local import discover, resolve
from pocketmind.settings import SettingsError, load_settings

pytestmark = pytest.mark.slow

QUESTION = [Message("system", "Answer in one short sentence."), Message("user", "Name a colour.")]


def test_answers_stream_with_timing(llama: LlamaEngine) -> None:
    stream = llama.chat(QUESTION, ChatOptions(max_tokens=24, temperature=0))
    pieces = list(stream)
    assert len(pieces) > 1 and "".join(pieces).strip()
    stats = stream.stats
    assert stats.prompt_tokens == llama.count_tokens(QUESTION)
    assert 0 < stats.completion_tokens <= 24
    assert stats.ttft_ms is not None and stats.ttft_ms > 0
    assert stats.decode_tps is None or stats.decode_tps > 0
    assert stats.model_id == "SmolLM2-135M-Instruct.Q4_1.gguf"


def test_prompt_is_the_gguf_template_and_tokens_are_exact(llama: LlamaEngine) -> None:
    rendered = llama.render(QUESTION)
    assert rendered.startswith("<|im_start|>system\nAnswer in one short sentence.<|im_end|>")
    assert rendered.endswith("<|im_start|>assistant\n")
    assert llama.count_tokens(QUESTION) == len(llama.tokenize(rendered))


def test_json_schema_constrains_the_output(llama: LlamaEngine) -> None:
    schema = {
        "type": "object",
        "properties": {"colour": {"type": "string", "maxLength": 12}},
        "required": ["colour"],
    }
    text = llama.chat(QUESTION, ChatOptions(max_tokens=40, temperature=0, json_schema=schema))
    assert set(json.loads(text.text())) == {"colour"}


def test_prompt_larger_than_the_context_is_refused(llama: LlamaEngine) -> None:
    huge = [Message("user", "word " * 3000)]
    with pytest.raises(EngineError, match="does not fit the context of 2048"):
        llama.chat(huge, ChatOptions()).text()


def test_swap_closes_and_reloads_and_a_bad_adapter_keeps_the_old_model(
    smollm2: Path, tmp_path: Path
) -> None:
    engine = LlamaEngine(smollm2, context_size=512, threads=2)
    first = engine._llm
    copy = tmp_path / "copy.gguf"
    shutil.copy(smollm2, copy)
    engine.swap(model_path=copy)
    assert engine._llm is not first and engine.model_id == "copy.gguf"
    bogus = tmp_path / "adapter.gguf"
    bogus.write_bytes(b"GGUF not really an adapter")
    with pytest.raises(EngineError, match=r"adapter\.gguf is not a GGUF file"):
        engine.swap(lora_path=bogus)
    assert engine.model_id == "copy.gguf" and engine.adapter_id is None
    assert engine.chat(QUESTION, ChatOptions(max_tokens=4)).text()
    engine.close()
    with pytest.raises(EngineError, match="closed"):
        engine.count_tokens(QUESTION)


def test_model_resolution_order(tmp_path: Path, smollm2: Path) -> None:
    settings = load_settings(tmp_path / "h")
    assert resolve(settings).origin == "packaged"
    settings.models_dir.mkdir(parents=True)
    shutil.copy(smollm2, settings.models_dir / "mine.gguf")
    assert resolve(settings).path == settings.models_dir / "mine.gguf"
    assert [m.origin for m in discover(settings)] == ["home", "packaged"]
    configured = load_settings(tmp_path / "h", engine={"model": str(smollm2)})
    assert resolve(configured).origin == "configured"


def test_bad_settings_give_clear_errors(tmp_path: Path) -> None:
    missing = load_settings(tmp_path / "h", engine={"model": str(tmp_path / "nope.gguf")})
    with pytest.raises(EngineError, match=r"engine\.model: GGUF file not found: .*nope\.gguf"):
        make_engine(missing)
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(EngineError, match="is not a GGUF file"):
        make_engine(load_settings(tmp_path / "h", engine={"model": str(text)}))
    with pytest.raises(SettingsError, match=r"answer_tokens .* must be smaller than context_size"):
        load_settings(engine={"context_size": 512, "answer_tokens": 512})
    with pytest.raises(EngineError, match="adapter file not found"):
        make_engine(load_settings(tmp_path / "h", engine={"lora": str(tmp_path / "x.gguf")}))


def test_qwen3_template_from_a_real_gguf_turns_thinking_off(qwen3_template_gguf: Path) -> None:
    engine = LlamaEngine(qwen3_template_gguf, context_size=512, threads=2)
    try:
        assert engine.template.knows_thinking
        assert engine.render(QUESTION).endswith("<|im_start|>assistant\n<think>\n\n</think>\n\n")
        engine.thinking = True
        assert engine.render(QUESTION).endswith("<|im_start|>assistant\n")
        assert engine.chat(QUESTION, ChatOptions(max_tokens=8)).text()
    finally:
        engine.close()
