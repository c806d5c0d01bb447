"""OpenAIHttpEngine against a real `python -m llama_cpp.server` on loopback."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from llama_server import free_port, llama_cpp_server

from pocketmind.engine import ChatOptions, EngineError, Message
from pocketmind.engine.http import OpenAIHttpEngine
from pocketmind.engine.llama import LlamaEngine

pytestmark = pytest.mark.slow

QUESTION = [Message("system", "Answer in one short sentence."), Message("user", "Name a colour.")]


@pytest.fixture(scope="module")
def server(smollm2: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("server") / "server.log"
    with llama_cpp_server(smollm2, log, "--n_ctx", "2048") as url:
        yield url


def test_streams_an_answer_from_the_real_server(server: str) -> None:
    engine = OpenAIHttpEngine(server)
    stream = engine.chat(QUESTION, ChatOptions(max_tokens=16, temperature=0))
    pieces = list(stream)
    assert len(pieces) > 1 and "".join(pieces).strip()
    assert stream.stats.completion_tokens > 0 and stream.stats.ttft_ms is not None
    assert stream.stats.prompt_tokens > 0
    engine.close()


def test_counts_tokens_with_the_servers_tokenizer(server: str, llama: LlamaEngine) -> None:
    engine = OpenAIHttpEngine(server)
    counted = engine.count_tokens(QUESTION)
    assert engine.exact_tokens
    assert abs(counted - llama.count_tokens(QUESTION)) <= 2  # same tokenizer, same template
    engine.close()


def test_json_schema_goes_through_response_format(server: str) -> None:
    import json

    schema = {
        "type": "object",
        "properties": {"colour": {"type": "string", "maxLength": 12}},
        "required": ["colour"],
    }
    engine = OpenAIHttpEngine(server)
    reply = engine.chat(QUESTION, ChatOptions(max_tokens=30, temperature=0, json_schema=schema))
    assert set(json.loads(reply.text())) == {"colour"}
    engine.close()


def test_an_unreachable_server_is_a_clear_error() -> None:
    with pytest.raises(EngineError, match=r"model server unreachable at http://127\.0\.0\.1:"):
        OpenAIHttpEngine(f"http://127.0.0.1:{free_port()}/v1", timeout_s=2)


def test_qwen3_models_get_the_soft_switch_others_do_not() -> None:
    seen: list[dict[str, object]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        import json

        seen.append(json.loads(request.content))
        return httpx.Response(
            200, text='data: {"choices":[{"delta":{"content":"ok"}}]}\n\ndata: [DONE]\n\n'
        )

    for model, expected in (("Qwen3-0.6B-Q8_0.gguf", "hi /no_think"), ("smollm2", "hi")):
        engine = OpenAIHttpEngine(
            "http://test/v1", model=model, transport=httpx.MockTransport(handler)
        )
        engine.count_tokens = lambda messages: 1  # type: ignore[method-assign]
        assert engine.chat([Message("user", "hi")], ChatOptions()).text() == "ok"
        assert seen[-1]["messages"] == [{"role": "user", "content": expected}]
        assert seen[-1]["chat_template_kwargs"] == {"enable_thinking": False}


def test_a_teacher_server_rewrites_the_answers(server: str) -> None:
    from pocketmind.training.refresh import _distill

    chats = [
        [
            {"role": "system", "content": "Answer in one short sentence."},
            {"role": "user", "content": "Name a colour."},
            {"role": "assistant", "content": "placeholder"},
        ]
    ]
    (taught,) = _distill(chats, server)
    assert taught[:-1] == chats[0][:-1]
    assert taught[-1]["role"] == "assistant"
    assert taught[-1]["content"] and taught[-1]["content"] != "placeholder"
