"""LoRA adapters as llama.cpp GGUF files: writing them, and checking them against a base.

PEFT names a LoRA pair by the Hugging Face module ("model.layers.3.self_attn.v_proj")
with A of shape (rank, in) and B of shape (out, rank). llama.cpp wants the base
tensor's GGUF name with ``.lora_a`` / ``.lora_b`` ("blk.3.attn_v.weight.lora_a"), and
for Llama's q and k projections the rows of B permuted the way the base weights were
permuted when the model was converted (rotary embedding layout).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ..engine.base import EngineError

HF_TO_GGUF = {
    "self_attn.q_proj": "attn_q",
    "self_attn.k_proj": "attn_k",
    "self_attn.v_proj": "attn_v",
    "self_attn.o_proj": "attn_output",
    "mlp.gate_proj": "ffn_gate",
    "mlp.up_proj": "ffn_up",
    "mlp.down_proj": "ffn_down",
}
_MODULE = re.compile(
    r"(?:.*\.)?layers\.(\d+)\.(self_attn\.[qkvo]_proj|mlp\.(?:gate|up|down)_proj)$"
)


class AdapterError(EngineError):
    """An adapter file that is not a LoRA GGUF, or not for this base model."""


@dataclass(frozen=True)
class BaseShape:
    architecture: str
    head_count: int
    head_count_kv: int
    tensors: dict[str, tuple[int, ...]]  # GGUF name -> ne (in, out)


def read_base(path: Path) -> BaseShape:
    import gguf

    try:
        reader = gguf.GGUFReader(path)
    except (ValueError, OSError) as exc:
        raise AdapterError(f"{path} is not a readable GGUF model: {exc}") from exc
    arch = _string(reader, "general.architecture")
    return BaseShape(
        arch,
        int(_number(reader, f"{arch}.attention.head_count")),
        int(_number(reader, f"{arch}.attention.head_count_kv")),
        {t.name: tuple(int(n) for n in t.shape) for t in reader.tensors},
    )


def _field(reader: object, key: str) -> object:
    fields = reader.fields  # type: ignore[attr-defined]
    if key not in fields:
        raise AdapterError(f"GGUF metadata {key!r} is missing")
    field = fields[key]
    return field.parts[field.data[0]]


def _string(reader: object, key: str) -> str:
    return str(bytes(_field(reader, key)).decode())  # type: ignore[call-overload]


def _number(reader: object, key: str) -> float:
    return float(_field(reader, key)[0])  # type: ignore[index]


def gguf_name(module: str) -> str:
    match = _MODULE.match(module)
    if match is None:
        raise AdapterError(f"no llama.cpp tensor for module {module!r}")
    return f"blk.{match[1]}.{HF_TO_GGUF[match[2]]}.weight"


def _permute(rows: NDArray[np.float32], heads: int) -> NDArray[np.float32]:
    """llama.cpp's q/k row order: halves of each head's rotary pairs interleaved."""
    return (
        rows.reshape(heads, 2, rows.shape[0] // heads // 2, *rows.shape[1:])
        .swapaxes(1, 2)
        .reshape(rows.shape)
    )


def write_lora_gguf(
    path: Path,
    base: BaseShape,
    pairs: dict[str, tuple[NDArray[np.float32], NDArray[np.float32]]],
    alpha: float,
    name: str = "pocketmind-lora",
) -> Path:
    """Write ``pairs`` (HF module -> (A, B)) as a GGUF LoRA adapter for ``base``."""
    import gguf

    writer = gguf.GGUFWriter(str(path), arch=base.architecture)
    writer.add_string("general.type", "adapter")
    writer.add_string("adapter.type", "lora")
    writer.add_float32("adapter.lora.alpha", float(alpha))
    writer.add_name(name)
    for module, (a, b) in sorted(pairs.items()):
        target = gguf_name(module)
        if target not in base.tensors:
            raise AdapterError(f"the base model has no tensor {target}")
        b = np.asarray(b, dtype=np.float32)
        if ".attn_q." in target:
            b = _permute(b, base.head_count)
        elif ".attn_k." in target:
            b = _permute(b, base.head_count_kv)
        writer.add_tensor(f"{target}.lora_a", np.ascontiguousarray(a, dtype=np.float32))
        writer.add_tensor(f"{target}.lora_b", np.ascontiguousarray(b))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def check_adapter(adapter: Path, base_model: Path) -> dict[str, object]:
    """Raise ``AdapterError`` unless ``adapter`` is a LoRA GGUF that fits ``base_model``."""
    import gguf

    try:
        reader = gguf.GGUFReader(adapter)
    except (ValueError, OSError) as exc:
        raise AdapterError(f"{adapter} is not a GGUF file: {exc}") from exc
    fields = reader.fields
    if "adapter.type" not in fields or _string(reader, "adapter.type") != "lora":
        raise AdapterError(f"{adapter} is a GGUF file but not a LoRA adapter")
    base = read_base(base_model)
    arch = _string(reader, "general.architecture")
    if arch != base.architecture:
        raise AdapterError(f"{adapter} is for a {arch} model, the base is {base.architecture}")
    rank = None
    for tensor in reader.tensors:
        target, _, part = tensor.name.rpartition(".lora_")
        if target not in base.tensors:
            raise AdapterError(f"{adapter}: tensor {target} is not in the base model")
        in_dim, out_dim = base.tensors[target][:2]
        shape = tuple(int(n) for n in tensor.shape)
        expected_dim = in_dim if part == "a" else out_dim
        if (part == "a" and shape[0] != expected_dim) or (part == "b" and shape[1] != expected_dim):
            raise AdapterError(
                f"{adapter}: {tensor.name} has shape {shape}, which does not fit the base "
                f"model's {target} {base.tensors[target]}: made for another model?"
            )
        rank = shape[1] if part == "a" else shape[0]
    return {
        "architecture": arch,
        "alpha": _number(reader, "adapter.lora.alpha") if "adapter.lora.alpha" in fields else None,
        "rank": rank,
        "tensors": len(reader.tensors),
    }
