"""``pocketmind refresh``: a LoRA adapter from exported traces, evaluated before it ships.

Runs away from the phone (extra ``[train]``: transformers, peft), on the GGUF the phone
already has, loaded dequantized. K-fold cross-validation (K from settings, fixed seed)
trains on each fold's rest and measures, on its held-out chats, the loss and perplexity
of the base and of the adapter, and how many held-out answers the adapter gets right
(every content word of the reference answer appears). Then it trains on everything and
writes a GGUF LoRA adapter, verified by loading it into llama-cpp-python against the
same base. The adapter is promotable only if the adapter's held-out loss beats the
base's by ``margin``. With ``--teacher URL`` a bigger model behind an OpenAI-compatible
server rewrites the answers first, and the adapter distills from it. CUDA is used when
present; everything else runs on the CPU.
"""

from __future__ import annotations

import json
import os
import random
import re
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ..engine.base import EngineError
from ..engine.toolcalls import engine_turns
from ..models.local import is_gguf
from ..models.lora_gguf import read_base, read_lora_pairs, write_lora_gguf
from ..settings import TrainSettings
from .report import Fold, RefreshReport

_WORD = re.compile(r"\w+")
_GLUE = frozenset("a an the is are was were your my you i to of in on at and it he she".split())


class RefreshError(EngineError):
    """The data or the base model cannot be used for a refresh."""


def load_chats(data_dir: Path) -> list[list[dict[str, Any]]]:
    """The chats of ``sft.jsonl``, each ending with the assistant's answer or tool calls
    (OpenAI messages: ``tool_calls`` on an assistant turn, ``tool`` turns after it)."""
    path = data_dir / "sft.jsonl"
    if not path.is_file():
        raise RefreshError(f"{path} not found: give a folder made by `pocketmind export`")
    chats = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            messages = json.loads(line)["messages"]
            engine_turns(messages)  # every turn readable, every tool call well formed
        except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
            raise RefreshError(f"{path}:{number}: not an exported chat") from None
        while messages and messages[-1].get("role") == "tool":
            messages = messages[:-1]  # an exported call's result: the call is the target
        last = messages[-1] if messages else {}
        if (
            len(messages) >= 2
            and last.get("role") == "assistant"
            and (last.get("content") or last.get("tool_calls"))
        ):
            chats.append(messages)
    if not chats:
        raise RefreshError(f"{path} has no usable examples (chats ending with an answer)")
    return chats


def split(chat: list[dict[str, Any]]) -> tuple[list[dict[str, str]], str]:
    """The turns before the target, and the target (the last assistant turn), as the
    engine renders them (tool calls as ``<tool_call>`` blocks)."""
    turns = engine_turns(chat)
    return turns[:-1], turns[-1]["content"]


def answered_right(reference: str, generated: str) -> bool:
    words = {w.lower() for w in _WORD.findall(reference)} - _GLUE
    said = {w.lower() for w in _WORD.findall(generated)}
    return bool(words) and words <= said


class _Trainer:
    def __init__(
        self,
        base: Path,
        config: TrainSettings,
        progress: Callable[[str], object] | None = None,
        start: Path | None = None,
    ) -> None:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()  # type: ignore[no-untyped-call]
        hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
        self.torch = torch
        self.config = config
        self.progress = progress
        self.device = "cuda" if torch.cuda.is_available() else "cpu"
        # Several GPUs: `accelerate launch -m pocketmind.cli refresh …` starts one process
        # per GPU (WORLD_SIZE > 1); gradients are averaged across them by DDP.
        self.accelerator: Any = None
        if int(os.environ.get("WORLD_SIZE", "1")) > 1:
            from accelerate import Accelerator

            self.accelerator = Accelerator(gradient_accumulation_steps=config.batch)
            self.device = str(self.accelerator.device)
        self.tokenizer: Any = AutoTokenizer.from_pretrained(str(base.parent), gguf_file=base.name)
        loaded: Any = AutoModelForCausalLM.from_pretrained(
            str(base.parent), gguf_file=base.name, dtype=torch.float32
        )
        self.base: Any = loaded.to(self.device)
        self.start = read_lora_pairs(start, base) if start is not None else None

    def encode(self, chat: list[dict[str, Any]]) -> tuple[Any, Any]:
        before, target = split(chat)
        prompt = self.tokenizer.apply_chat_template(
            before, tokenize=False, add_generation_prompt=True
        )
        answer = target + "<|im_end|>"
        p_ids = self.tokenizer(prompt, add_special_tokens=False)["input_ids"]
        a_ids = self.tokenizer(answer, add_special_tokens=False)["input_ids"]
        ids = self.torch.tensor([p_ids + a_ids], device=self.device)
        labels = self.torch.tensor([[-100] * len(p_ids) + a_ids], device=self.device)
        return ids, labels

    def fresh(self) -> Any:
        """A new LoRA on the base: zero (B = 0, so it starts as the base itself), or the
        ``start`` adapter's weights when the refresh builds on one."""
        import peft

        self.torch.manual_seed(self.config.seed)
        if self.start is not None:
            pairs, alpha = self.start
            rank = next(iter(pairs.values()))[0].shape[0]
            lora = peft.LoraConfig(
                r=rank,
                lora_alpha=alpha,  # type: ignore[arg-type]  # PEFT scales by a float
                lora_dropout=self.config.dropout,
                target_modules=sorted(pairs),
                task_type="CAUSAL_LM",
            )
            model = peft.get_peft_model(self.base, lora)
            for name, module in model.named_modules():
                key = name.removeprefix("base_model.model.")
                if key in pairs and hasattr(module, "lora_A"):
                    a, b = pairs[key]
                    module.lora_A["default"].weight.data.copy_(self.torch.from_numpy(a))
                    module.lora_B["default"].weight.data.copy_(self.torch.from_numpy(b))
            return model
        lora = peft.LoraConfig(
            r=self.config.rank,
            lora_alpha=int(self.config.alpha),
            lora_dropout=self.config.dropout,
            target_modules=list(self.config.targets),
            layers_to_transform=self._layers(),
            task_type="CAUSAL_LM",
        )
        return peft.get_peft_model(self.base, lora)

    def _layers(self) -> list[int] | None:
        total = int(self.base.config.num_hidden_layers)
        top = self.config.layers
        return list(range(total - top, total)) if 0 < top < total else None

    @property
    def is_main(self) -> bool:
        return self.accelerator is None or bool(self.accelerator.is_main_process)

    def train(self, model: Any, chats: list[list[dict[str, Any]]], what: str = "") -> None:
        if self.accelerator is not None:
            self._train_distributed(model, chats)
            return
        model.train()
        params = [p for p in model.parameters() if p.requires_grad]
        optimizer = self.torch.optim.AdamW(params, lr=self.config.lr)
        order = list(range(len(chats)))
        rng = random.Random(self.config.seed)
        step = 0
        for _ in range(self.config.epochs):
            rng.shuffle(order)
            for i in order:
                ids, labels = self.encode(chats[i])
                loss = model(input_ids=ids, labels=labels).loss / self.config.batch
                loss.backward()
                step += 1
                if self.progress is not None and step % 20 == 0:
                    self.progress(f"{what}: {step}/{len(order) * self.config.epochs} chats")
                if step % self.config.batch == 0:
                    optimizer.step()
                    optimizer.zero_grad()
        optimizer.step()
        optimizer.zero_grad()

    def _train_distributed(self, model: Any, chats: list[list[dict[str, Any]]]) -> None:
        acc = self.accelerator
        model.train()
        params = [p for p in model.parameters() if p.requires_grad]
        optimizer = self.torch.optim.AdamW(params, lr=self.config.lr)
        wrapped, optimizer = acc.prepare(model, optimizer)
        order = list(range(len(chats)))
        rng = random.Random(self.config.seed)
        for _ in range(self.config.epochs):
            rng.shuffle(order)  # the same order everywhere; each process takes its share
            for i in order[acc.process_index :: acc.num_processes]:
                with acc.accumulate(wrapped):
                    ids, labels = self.encode(chats[i])
                    acc.backward(wrapped(input_ids=ids, labels=labels).loss)
                    optimizer.step()
                    optimizer.zero_grad()
        acc.wait_for_everyone()

    def loss(self, model: Any, chats: list[list[dict[str, Any]]]) -> float:
        model.eval()
        losses = []
        with self.torch.no_grad():
            for chat in chats:
                ids, labels = self.encode(chat)
                losses.append(float(model(input_ids=ids, labels=labels).loss))
        return statistics.fmean(losses)

    def accuracy(self, model: Any, chats: list[list[dict[str, Any]]]) -> float:
        model.eval()
        right = 0
        for chat in chats:
            before, reference = split(chat)
            prompt = self.tokenizer.apply_chat_template(
                before, tokenize=False, add_generation_prompt=True
            )
            ids = self.tokenizer(prompt, return_tensors="pt", add_special_tokens=False)[
                "input_ids"
            ].to(self.device)
            with self.torch.no_grad():
                out = model.generate(input_ids=ids, max_new_tokens=24, do_sample=False)
            text = str(self.tokenizer.decode(out[0][ids.shape[1] :], skip_special_tokens=True))
            right += answered_right(reference, text)
        return right / max(len(chats), 1)

    def pairs(self, model: Any) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        state = {k: v.detach().float().cpu().numpy() for k, v in model.state_dict().items()}
        pairs = {}
        for key, a in state.items():
            if ".lora_A." not in key:
                continue
            module = key.split(".lora_A.")[0]
            b = state[key.replace(".lora_A.", ".lora_B.")]
            pairs[module] = (a, b)
        return pairs

    def unload(self, model: Any) -> None:
        self.base = model.unload()


def refresh(
    data_dir: Path,
    base: Path,
    out: Path,
    config: TrainSettings,
    teacher: str | None = None,
    progress: Callable[[str], object] | None = None,
    start: Path | None = None,
) -> RefreshReport:
    """Train and measure an adapter on ``data_dir``'s chats and write it to ``out``. With
    ``start`` (a LoRA GGUF for ``base``) training begins from that adapter's weights, so
    the result holds it and what the new chats taught; each fold's "before" figures are
    then that adapter's, and the written adapter replaces it (one LoRA on the base)."""
    if not base.is_file() or not is_gguf(base):
        raise RefreshError(f"--base: {base} is not a GGUF model file")
    chats = load_chats(data_dir)
    if teacher:
        chats = _distill(chats, teacher)
    if len(chats) < config.folds:
        raise RefreshError(f"{len(chats)} usable examples, fewer than the {config.folds} folds")
    started = time.perf_counter()
    trainer = _Trainer(base, config, progress, start)
    report = RefreshReport(len(chats), device=trainer.device)
    report.started_from = start.name if start else None
    order = list(range(len(chats)))
    random.Random(config.seed).shuffle(order)
    model = None
    for k in range(config.folds_run or config.folds):
        held = [chats[i] for i in order[k :: config.folds]]
        answered = held[: config.eval_answers or len(held)]
        rest = [chats[i] for j, i in enumerate(order) if j % config.folds != k]
        model = trainer.fresh()
        if trainer.is_main:  # "before": the base, or the adapter this refresh starts from
            before = (trainer.loss(model, held), trainer.accuracy(model, answered))
        trainer.train(model, rest, f"fold {k + 1}")
        if not trainer.is_main:
            trainer.unload(model)
            continue
        report.folds.append(
            Fold(
                base_loss=before[0],
                adapter_loss=trainer.loss(model, held),
                accuracy=trainer.accuracy(model, answered),
                base_accuracy=before[1],
            )
        )
        if config.finish_fold:  # the final adapter: this one, finished on its held-out chats
            trainer.train(model, held, "the held-out fold")
            break
        trainer.unload(model)
    if not config.finish_fold or model is None:
        model = trainer.fresh()
        trainer.train(model, chats, "all")
    if not trainer.is_main:  # the main process evaluates and writes; the others are done
        return report
    alpha = trainer.start[1] if trainer.start is not None else config.alpha
    write_lora_gguf(
        out, read_base(base), trainer.pairs(model), alpha, name=f"pocketmind-{out.stem}"
    )
    trainer.unload(model)
    _verify(out, base)
    summary = report.summary()
    report.promotable = summary["adapter_loss"]["mean"] < summary["base_loss"]["mean"] * (
        1 - config.margin
    )
    report.adapter = str(out)
    report.seconds = time.perf_counter() - started
    folds = len(report.folds)
    again = 0 if config.finish_fold else 1
    trained = len(chats) * config.epochs * (again + folds * (config.folds - 1) / config.folds)
    report.examples_per_s = trained / report.seconds
    out.with_suffix(".json").write_text(json.dumps(report.to_json(), indent=2) + "\n")
    return report


def _verify(adapter: Path, base: Path) -> None:
    """Load the written adapter into llama.cpp against the same base, and generate."""
    from ..engine.base import ChatOptions, Message
    from ..engine.llama import LlamaEngine

    engine = LlamaEngine(base, context_size=256, threads=2, lora_path=adapter)
    try:
        engine.chat([Message("user", "hi")], ChatOptions(max_tokens=2)).text()
    finally:
        engine.close()


def _distill(chats: list[list[dict[str, Any]]], teacher: str) -> list[list[dict[str, Any]]]:
    """Replace each answer with the teacher's answer to the same prompt (a chat ending
    in tool calls keeps them)."""
    from ..engine.base import ChatOptions, Message
    from ..engine.http import OpenAIHttpEngine

    engine = OpenAIHttpEngine(teacher)
    try:
        out = []
        for chat in chats:
            if chat[-1].get("tool_calls"):
                out.append(chat)
                continue
            before, _ = split(chat)
            prompt = [Message(m["role"], m["content"]) for m in before]  # type: ignore[arg-type]
            answer = engine.chat(prompt, ChatOptions(max_tokens=256, temperature=0)).text()
            out.append([*chat[:-1], {"role": "assistant", "content": answer.strip()}])
        return out
    finally:
        engine.close()
