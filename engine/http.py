"""Any OpenAI-compatible chat server: llama.cpp's ``llama-server`` (how Termux users get
a maintained build), ``python -m llama_cpp.server``, Ollama, vLLM, or a workstation.

The server renders the chat template, so Qwen3's thinking switch travels both ways:
``chat_template_kwargs`` (llama-server) and the ``/no_think`` soft switch in the last
user message (any server). Token counts come from the server's tokenizer endpoint
where it has one (``/tokenize`` on llama-server, ``/extras/tokenize`` on
llama_cpp.server); otherwise they are estimated, and ``exact_tokens`` says so.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx

from .base import ChatOptions, ChatStats, ChatStream, EngineError, Message, StreamClock
from .template import with_thinking_switch

log = logging.getLogger(__name__)


class OpenAIHttpEngine:
    def __init__(
        self,
        base_url: str,
        *,
        model: str | None = None,
        api_key: str | None = None,
        context_size: int = 4096,
        timeout_s: float = 120.0,
        thinking: bool = False,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.context_size = context_size
        self.thinking = thinking
        self.adapter_id: str | None = None
        self.adapter_warning: str | None = None
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(
            base_url=self.base_url, headers=headers, timeout=timeout_s, transport=transport
        )
        self.model_id = model or self._first_model()
        self.exact_tokens = True
        self._tokenize_path: str | None = None

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise EngineError(f"model server unreachable at {self.base_url}: {exc}") from exc
        if response.status_code >= 400:
            raise EngineError(
                f"model server at {self.base_url} answered {response.status_code} to {path}: "
                f"{response.text[:200]}"
            )
        return response

    def _first_model(self) -> str:
        data = self._request("GET", "/models").json().get("data") or []
        if not data:
            raise EngineError(f"model server at {self.base_url} lists no models")
        return str(data[0]["id"])

    # -- tokens ----------------------------------------------------------------------------

    def _server_root(self) -> str:
        return self.base_url[: -len("/v1")] if self.base_url.endswith("/v1") else self.base_url

    def _tokenize(self, text: str) -> int | None:
        candidates = (
            [self._tokenize_path] if self._tokenize_path else ["/tokenize", "/extras/tokenize"]
        )
        for path in candidates:
            assert path is not None
            try:
                response = self._client.post(
                    self._server_root() + path, json={"content": text, "input": text}
                )
            except httpx.HTTPError:
                continue
            if response.status_code == 200:
                body = response.json()
                tokens = body.get("tokens")
                if isinstance(tokens, list):
                    self._tokenize_path = path
                    return len(tokens)
        return None

    def count_tokens(self, messages: Sequence[Message]) -> int:
        # The server renders its own template; ChatML framing is within a few tokens of
        # any chat template, and the content, which dominates, is tokenized exactly.
        text = "".join(f"<|im_start|>{m.role}\n{m.content}<|im_end|>\n" for m in messages)
        text += "<|im_start|>assistant\n"
        counted = self._tokenize(text)
        if counted is not None:
            return counted
        if self.exact_tokens:
            log.warning("%s has no tokenizer endpoint; estimating tokens", self.base_url)
            self.exact_tokens = False
        return len(text) // 3 + 1

    # -- generation -----------------------------------------------------------------------

    def chat(self, messages: Sequence[Message], options: ChatOptions) -> ChatStream:
        stats = ChatStats(self.model_id, self.adapter_id)
        return ChatStream(self._generate(messages, options, stats), stats)

    def _switched(
        self, messages: Sequence[Message], thinking: bool | None = None
    ) -> Sequence[Message]:
        """Qwen3 models get the soft switch; other models would read it as text."""
        if "qwen3" in self.model_id.lower():
            return with_thinking_switch(messages, self.thinking if thinking is None else thinking)
        return messages

    def _body(self, messages: Sequence[Message], options: ChatOptions) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model_id,
            "messages": [m.to_json() for m in self._switched(messages, options.thinking)],
            "max_tokens": options.max_tokens,
            "temperature": options.temperature,
            "repeat_penalty": options.repeat_penalty,  # llama.cpp servers; others ignore it
            "stream": True,
            "stream_options": {"include_usage": True},
            "chat_template_kwargs": {
                "enable_thinking": self.thinking if options.thinking is None else options.thinking
            },
        }
        if options.stop:
            body["stop"] = list(options.stop)
        if options.seed is not None:
            body["seed"] = options.seed
        if options.json_schema is not None:
            body["response_format"] = {"type": "json_object", "schema": options.json_schema}
        return body

    def _generate(
        self, messages: Sequence[Message], options: ChatOptions, stats: ChatStats
    ) -> Iterator[str]:
        clock = StreamClock(stats)
        chunks = 0
        try:
            with self._client.stream(
                "POST", "/chat/completions", json=self._body(messages, options)
            ) as response:
                if response.status_code >= 400:
                    response.read()
                    raise EngineError(
                        f"model server at {self.base_url} answered {response.status_code}: "
                        f"{response.text[:200]}"
                    )
                for event in _sse_data(response.iter_lines()):
                    if usage := event.get("usage"):
                        stats.prompt_tokens = usage.get("prompt_tokens", 0)
                        stats.completion_tokens = usage.get("completion_tokens", 0)
                    for choice in event.get("choices") or []:
                        if choice.get("finish_reason"):
                            stats.finish_reason = choice["finish_reason"]
                        text = (choice.get("delta") or {}).get("content") or ""
                        if text:
                            clock.token()
                            chunks += 1
                            yield text
        except httpx.HTTPError as exc:
            raise EngineError(f"model server unreachable at {self.base_url}: {exc}") from exc
        clock.finish(stats.completion_tokens or chunks)
        if not stats.prompt_tokens:  # the server sent no usage (llama_cpp.server streams)
            stats.prompt_tokens = self.count_tokens(messages)

    def swap(self, model_path: Path | None = None, lora_path: Path | None = None) -> None:
        raise EngineError(f"the {type(self).__name__} cannot swap adapters")

    def close(self) -> None:
        self._client.close()


def _sse_data(lines: Iterator[str]) -> Iterator[dict[str, Any]]:
    for line in lines:
        if not line.startswith("data:"):
            continue
        data = line[5:].strip()
        if data == "[DONE]":
            return
        try:
            yield json.loads(data)
        except json.JSONDecodeError:
            log.warning("skipping a malformed event from the model server (%d bytes)", len(data))
            log.debug("the malformed event: %.80s", data)  # model output: DEBUG only
