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
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .errors import AdapterError
from .gguf_header import HeaderError, read_header

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
__all__ = ["AdapterError", "BaseShape", "check_adapter", "read_base", "write_lora_gguf"]


@dataclass(frozen=True)
class BaseShape:
    architecture: str
    head_count: int
    head_count_kv: int
    tensors: dict[str, tuple[int, ...]]  # GGUF name -> ne (in, out)


def read_base(path: Path) -> BaseShape:
    try:
        metadata, tensors = read_header(path)
    except (HeaderError, OSError) as exc:
        raise AdapterError(f"{path} is not a readable GGUF model: {exc}") from exc

    def field(key: str) -> object:
        if key not in metadata:
            raise AdapterError(f"GGUF metadata {key!r} is missing in {path}")
        return metadata[key]

    arch = str(field("general.architecture"))
    return BaseShape(
        arch,
        int(field(f"{arch}.attention.head_count")),  # type: ignore[call-overload]
        int(field(f"{arch}.attention.head_count_kv")),  # type: ignore[call-overload]
        tensors,
    )


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


def _unpermute(rows: NDArray[np.float32], heads: int) -> NDArray[np.float32]:
    """The inverse of ``_permute``: llama.cpp's q/k row order back to Hugging Face's."""
    return (
        rows.reshape(heads, rows.shape[0] // heads // 2, 2, *rows.shape[1:])
        .swapaxes(1, 2)
        .reshape(rows.shape)
    )


def read_lora_pairs(
    adapter: Path, base_model: Path
) -> tuple[dict[str, tuple[NDArray[np.float32], NDArray[np.float32]]], float]:
    """An adapter's pairs (HF module -> (A, B), as PEFT holds them) and its alpha, after
    ``check_adapter``: what a refresh that starts from this adapter loads."""
    import gguf

    info = check_adapter(adapter, base_model)
    base = read_base(base_model)
    to_hf = {v: k for k, v in HF_TO_GGUF.items()}
    parts: dict[str, dict[str, NDArray[np.float32]]] = {}
    for tensor in gguf.GGUFReader(adapter).tensors:
        target, _, part = tensor.name.rpartition(".lora_")
        _, layer, kind, _ = target.split(".")
        values = np.array(_values(tensor), dtype=np.float32).reshape(
            tuple(reversed([int(n) for n in tensor.shape]))
        )
        if part == "b" and kind == "attn_q":
            values = _unpermute(values, base.head_count)
        elif part == "b" and kind == "attn_k":
            values = _unpermute(values, base.head_count_kv)
        parts.setdefault(f"model.layers.{layer}.{to_hf[kind]}", {})[part] = values
    alpha = info["alpha"] if isinstance(info["alpha"], float) else float(info["rank"])  # type: ignore[arg-type]
    return {module: (ab["a"], ab["b"]) for module, ab in parts.items()}, alpha


# A trained LoRA's weights stay far below 1 (A starts near 1/sqrt(in), B at zero); any
# weight this large is a diverged run or a damaged file, whatever llama.cpp would make of it.
MAX_WEIGHT = 1e3


def _values(tensor: Any) -> NDArray[np.float32]:
    """A tensor's numbers as floats, dequantized if it is stored quantized."""
    import gguf

    kind = tensor.tensor_type
    data = np.asarray(tensor.data)
    if kind in (gguf.GGMLQuantizationType.F32, gguf.GGMLQuantizationType.F16):
        return data  # F32 and F16 read as they are
    try:
        return np.asarray(gguf.quants.dequantize(data, kind), dtype=np.float32)
    except (NotImplementedError, ValueError, KeyError) as exc:
        name = tensor.name
        raise AdapterError(f"tensor {name} is stored as {kind.name}, which cannot be read") from exc


def _check_values(adapter: Path, tensor: Any) -> None:
    """Refuse NaN or infinite weights, and weights no trained LoRA has."""
    name = tensor.name
    values = _values(tensor)
    bad = int(values.size - np.count_nonzero(np.isfinite(values)))
    if bad:
        raise AdapterError(
            f"{adapter}: {name} holds {bad} NaN or infinite weight(s): the training "
            "diverged or the file is damaged; retrain or reinstall it"
        )
    peak = float(np.abs(values).max()) if values.size else 0.0
    if peak > MAX_WEIGHT:
        raise AdapterError(
            f"{adapter}: {name} has a weight of {peak:.3g}; a LoRA adapter's weights stay "
            f"far below {MAX_WEIGHT:g}: the training diverged or the file is damaged"
        )


def check_adapter(adapter: Path, base_model: Path) -> dict[str, object]:
    """Raise ``AdapterError`` unless ``adapter`` is a LoRA GGUF that fits ``base_model``:
    its tensors name the base's, with the base's shapes, pairs of A and B of one rank no
    larger than the matrix they adapt, and finite weights of a sane size."""
    import gguf

    if not adapter.is_file():
        raise AdapterError(f"adapter file not found: {adapter}")
    try:  # the header first: a whole model is refused without parsing its vocabulary
        metadata, _ = read_header(adapter)
        reader = None if metadata.get("adapter.type") != "lora" else gguf.GGUFReader(adapter)
    except (HeaderError, ValueError, OSError) as exc:
        raise AdapterError(f"{adapter} is not a GGUF file: {exc}") from exc
    if reader is None:
        raise AdapterError(f"{adapter} is a GGUF file but not a LoRA adapter")
    base = read_base(base_model)
    arch = str(metadata.get("general.architecture"))
    if arch != base.architecture:
        raise AdapterError(f"{adapter} is for a {arch} model, the base is {base.architecture}")
    if adapter.stat().st_size > base_model.stat().st_size:
        raise AdapterError(f"{adapter} is larger than the base model itself: not a LoRA adapter")
    if not reader.tensors:
        raise AdapterError(f"{adapter} holds no LoRA tensors")
    ranks: dict[str, dict[str, int]] = {}
    for tensor in reader.tensors:
        target, _, part = tensor.name.rpartition(".lora_")
        if part not in ("a", "b"):
            raise AdapterError(f"{adapter}: tensor {tensor.name} is not a LoRA A or B matrix")
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
        if not 0 < rank <= min(in_dim, out_dim):
            raise AdapterError(
                f"{adapter}: {tensor.name} has rank {rank}, not between 1 and "
                f"{min(in_dim, out_dim)} for {target}"
            )
        _check_values(adapter, tensor)
        ranks.setdefault(target, {})[part] = rank
    for target, parts in ranks.items():
        if set(parts) != {"a", "b"} or parts["a"] != parts["b"]:
            raise AdapterError(
                f"{adapter}: {target} needs an A and a B of one rank, has {parts or 'none'}"
            )
    alpha = metadata.get("adapter.lora.alpha")
    return {
        "architecture": arch,
        "alpha": float(alpha) if isinstance(alpha, (int, float)) else None,
        "rank": max(parts["a"] for parts in ranks.values()),
        "tensors": len(reader.tensors),
    }
