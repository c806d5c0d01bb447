"""llama-cpp-python in process: one model, serialized, closed before it is replaced.

The prompt is rendered from the GGUF's own chat template and tokenized here, so token
counts are exact and the same prefix gives the same tokens: llama.cpp then skips the
part of the prompt its KV cache already holds (the stable system prefix, and on a
follow-up turn everything up to the new question).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ..host import default_threads
from .base import (
    AdapterError,
    ChatOptions,
    ChatStats,
    ChatStream,
    EngineError,
    Message,
    StreamClock,
)
from .probe import PROBE, PROBE_TOKENS, degenerate
from .template import ChatTemplate

log = logging.getLogger(__name__)


def _kv_cache_params(kind: str) -> dict[str, Any]:
    """llama.cpp quantizes the V cache only with flash attention on."""
    if kind == "f16":
        return {}
    import llama_cpp

    ggml_type = {"q8_0": llama_cpp.GGML_TYPE_Q8_0}[kind]
    return {"type_k": ggml_type, "type_v": ggml_type, "flash_attn": True}


class LlamaEngine:
    def __init__(
        self,
        model_path: Path,
        *,
        context_size: int = 4096,
        threads: int | None = None,
        lora_path: Path | None = None,
        thinking: bool = False,
        seed: int = 0,
        kv_cache: str = "f16",
        ubatch: int = 512,
    ) -> None:
        self.context_size = context_size
        self.kv_cache = kv_cache
        self.ubatch = ubatch
        self.threads = threads or default_threads()
        self.thinking = thinking
        self.seed = seed
        self._lock = threading.Lock()
        self._llm: Any = None
        self.adapter_warning: str | None = None  # set when a wanted adapter was refused
        with self._lock:
            self._load(model_path, lora_path)

    # -- loading and swapping ------------------------------------------------------------

    def _load(self, model_path: Path, lora_path: Path | None, probe: bool = True) -> None:
        try:
            from llama_cpp import Llama
        except ImportError as exc:
            raise EngineError(
                "llama-cpp-python is not installed: pip install 'pocketmind[termux]' on a "
                "phone or 'pocketmind[desktop]' elsewhere, or use engine.backend = 'http' "
                "with llama-server"
            ) from exc

        if not Path(model_path).is_file():
            raise EngineError(f"model file not found: {model_path}")
        if lora_path is not None:
            from ..models.lora_gguf import check_adapter

            check_adapter(Path(lora_path), Path(model_path))  # NaN, absurd sizes, shapes
        try:
            llm = Llama(
                model_path=str(model_path),
                n_ctx=self.context_size,
                n_threads=self.threads,
                n_threads_batch=self.threads,
                lora_path=str(lora_path) if lora_path else None,
                seed=self.seed,
                verbose=False,
                n_batch=max(512, self.ubatch),
                n_ubatch=self.ubatch,
                **_kv_cache_params(self.kv_cache),
            )
        except (ValueError, RuntimeError, OSError) as exc:
            if lora_path is None:
                raise EngineError(f"cannot load {model_path}: {exc}") from exc
            raise AdapterError(f"cannot load adapter {lora_path} on {model_path}: {exc}") from exc
        meta = llm.metadata
        add_bos = meta.get("tokenizer.ggml.add_bos_token", "true") == "true"
        template = ChatTemplate(
            meta.get("tokenizer.chat_template"),
            bos_token="" if add_bos else _piece(llm, llm.token_bos()),
            eos_token=_piece(llm, llm.token_eos()),
        )
        if lora_path is not None:
            try:
                self._check_loaded(llm, template, add_bos, Path(lora_path), probe)
            except EngineError:
                llm.close()
                raise
        self._llm, self._add_bos, self.template = llm, add_bos, template
        self.model_path, self.lora_path = Path(model_path), lora_path
        self.model_id = self.model_path.name
        self.adapter_id = Path(lora_path).name if lora_path else None

    def _check_loaded(
        self, llm: Any, template: ChatTemplate, add_bos: bool, lora: Path, probe: bool
    ) -> None:
        """Refuse an adapter llama.cpp did not apply, or whose answer to a plain question
        is degenerate (NaN or overflowing weights make it answer nothing, or dots)."""
        # llama-cpp-python tests the adapter handle with `is None`, which a NULL ctypes
        # pointer never is: a file llama.cpp rejected would be silently ignored.
        if not getattr(llm, "_lora_adapter", None):
            raise AdapterError(
                f"cannot load adapter {lora}: llama.cpp rejected it (not a LoRA GGUF, or "
                "made for another base model)"
            )
        if not probe:
            return
        prompt = llm.tokenize(
            template.render(PROBE, thinking=False).encode(), add_bos=add_bos, special=True
        )
        done = llm.create_completion(
            prompt=prompt, max_tokens=PROBE_TOKENS, temperature=0.0, seed=self.seed
        )
        text = done["choices"][0].get("text") or ""
        reason = degenerate(text, llm.tokenize(text.encode(), add_bos=False, special=True))
        if reason is not None:
            log.warning("refused adapter %s: its test answer was %s", lora.name, reason)
            raise AdapterError(
                f"refused adapter {lora}: its answer to a test question was {reason}, so "
                "its weights are broken; retrain it, or keep the one in use"
            )

    def swap(self, model_path: Path | None = None, lora_path: Path | None = None) -> None:
        """Load another model or adapter. Waits for the request in flight, closes the old
        model, then loads; if loading fails the old model is loaded back."""
        with self._lock:
            old = (self.model_path, self.lora_path)
            self._close()
            try:
                self._load(model_path or old[0], lora_path)
            except EngineError:
                self._load_back(*old)
                raise
            self.adapter_warning = None  # the adapter asked for is the one in use

    def _load_back(self, model_path: Path, lora_path: Path | None) -> None:
        """Load what was in use (it answered well when it was loaded: no second test);
        if its adapter is gone meanwhile, the base model."""
        try:
            self._load(model_path, lora_path, probe=False)
        except EngineError as exc:
            if lora_path is None:
                raise
            self._load(model_path, None)
            self.adapter_warning = (
                f"adapter {Path(lora_path).name} could not be loaded back ({exc}); "
                "answering with the base model"
            )
            log.warning("%s", self.adapter_warning)

    def close(self) -> None:
        with self._lock:
            self._close()

    def _close(self) -> None:
        if self._llm is not None:
            self._llm.close()
            self._llm = None

    # -- prompts and tokens ----------------------------------------------------------------

    def render(self, messages: Sequence[Message], thinking: bool | None = None) -> str:
        return self.template.render(
            messages, thinking=self.thinking if thinking is None else thinking
        )

    def tokenize(self, text: str) -> list[int]:
        if self._llm is None:
            raise EngineError("the model is closed")
        tokens: list[int] = self._llm.tokenize(text.encode(), add_bos=self._add_bos, special=True)
        return tokens

    def count_tokens(self, messages: Sequence[Message]) -> int:
        return len(self.tokenize(self.render(messages)))

    # -- generation -----------------------------------------------------------------------

    def chat(self, messages: Sequence[Message], options: ChatOptions) -> ChatStream:
        stats = ChatStats(self.model_id, self.adapter_id)
        return ChatStream(self._generate(messages, options, stats), stats)

    def _generate(
        self, messages: Sequence[Message], options: ChatOptions, stats: ChatStats
    ) -> Iterator[str]:
        with self._lock:
            prompt = self.tokenize(self.render(messages, options.thinking))
            stats.prompt_tokens = len(prompt)
            room = self.context_size - len(prompt)
            if room < 1:
                raise EngineError(
                    f"prompt of {len(prompt)} tokens does not fit the context of "
                    f"{self.context_size}"
                )
            clock = StreamClock(stats)
            pieces: list[str] = []
            for chunk in self._llm.create_completion(
                prompt=prompt,
                max_tokens=min(options.max_tokens, room),
                temperature=options.temperature,
                repeat_penalty=options.repeat_penalty,
                stop=list(options.stop) or None,
                stream=True,
                grammar=_grammar(options.json_schema),
                seed=options.seed if options.seed is not None else self.seed,
            ):
                choice = chunk["choices"][0]
                if choice.get("finish_reason"):
                    stats.finish_reason = choice["finish_reason"]
                text = choice.get("text") or ""
                if text:
                    clock.token()
                    pieces.append(text)
                    yield text
            completion = "".join(pieces)
            count = len(self._llm.tokenize(completion.encode(), add_bos=False, special=True))
            clock.finish(count)


def _piece(llm: Any, token: int) -> str:
    try:
        return bytes(llm.detokenize([token], special=True)).decode("utf-8", "replace")
    except (TypeError, ValueError):
        return ""


def _grammar(schema: dict[str, Any] | None) -> Any:
    if schema is None:
        return None
    _holdable(schema, "schema")
    from llama_cpp.llama_grammar import LlamaGrammar

    return LlamaGrammar.from_json_schema(json.dumps(schema), verbose=False)


def _holdable(schema: Any, where: str) -> None:
    """Refuse a schema whose literal strings hold a double quote or a backslash.

    llama-cpp-python's JSON-Schema-to-grammar writes such an ``enum``/``const`` value or
    property name as a grammar literal that llama.cpp cannot parse, and a grammar that
    does not parse ends the process in the sampler (0.3.x): one client's tool with
    ``"enum": ["5'11\" tall"]`` would take the daemon down. An ``EngineError`` names it."""
    if isinstance(schema, dict):
        literals = list(schema.get("enum") or []) + ([schema["const"]] if "const" in schema else [])
        literals += list((schema.get("properties") or {}).keys())
        literals += list(schema.get("required") or [])
        for value in literals:
            if isinstance(value, str) and ('"' in value or "\\" in value):
                raise EngineError(
                    f"{where}: {value!r} holds a quote or a backslash, which llama.cpp's "
                    "grammar cannot hold; leave it out of enum, const and property names"
                )
        for key, value in schema.items():
            if key != "enum":
                _holdable(value, f"{where}.{key}")
    elif isinstance(schema, list):
        for index, value in enumerate(schema):
            _holdable(value, f"{where}[{index}]")
