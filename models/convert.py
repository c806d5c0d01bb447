"""Convert a sentence-transformers BERT model (all-MiniLM-L6-v2) into a GGUF for llama.cpp.

Pure Python and NumPy, so it runs on the phone too: safetensors is read by hand (its
format is an 8-byte header length, a JSON header and raw little-endian arrays), and the
GGUF is written with the ``gguf`` library under llama.cpp's BERT tensor names. The file
carries ``pocketmind.embedding.space``: the model id its vectors are compatible with, so a
store filled by sentence-transformers on a desktop keeps working on the phone.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from .embedding_gguf import MAX_TOKENS_KEY, SPACE_KEY

_DTYPES = {"F32": np.float32, "F16": np.float16, "BF16": None, "I64": np.int64}
_SPECIAL = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")


class ConversionError(ValueError):
    """The model directory is not a BERT sentence-transformers model we can convert."""


def read_safetensors(path: Path) -> Iterator[tuple[str, NDArray[np.float32]]]:
    """Each tensor of a .safetensors file as float32, in file order."""
    raw = path.read_bytes()
    if len(raw) < 8:
        raise ConversionError(f"{path}: too short to be a safetensors file")
    size = int.from_bytes(raw[:8], "little")
    try:
        header = json.loads(raw[8 : 8 + size])
    except ValueError as exc:
        raise ConversionError(f"{path}: unreadable safetensors header: {exc}") from exc
    base = 8 + size
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dtype = _DTYPES.get(info.get("dtype"))
        start, end = info["data_offsets"]
        chunk = raw[base + start : base + end]
        if info.get("dtype") == "BF16":
            words = np.frombuffer(chunk, dtype="<u2").astype(np.uint32) << 16
            array = words.view(np.float32)
        elif dtype is None:
            raise ConversionError(f"{path}: tensor {name} has unsupported dtype {info['dtype']}")
        else:
            array = np.frombuffer(chunk, dtype=np.dtype(dtype).newbyteorder("<"))
        yield name, array.reshape(info["shape"]).astype(np.float32)


def _config(model_dir: Path, name: str) -> dict[str, object]:
    path = model_dir / name
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text())
    except ValueError as exc:
        raise ConversionError(f"{path}: not valid JSON: {exc}") from exc
    return data if isinstance(data, dict) else {}


def _vocab(model_dir: Path) -> list[str]:
    path = model_dir / "vocab.txt"
    if not path.is_file():
        raise ConversionError(f"{model_dir}: no vocab.txt (a WordPiece vocabulary is needed)")
    return path.read_text(encoding="utf-8").splitlines()


def _phantom(token: str) -> str:
    """llama.cpp's WordPiece vocabulary marks word starts with ▁ instead of ## on pieces."""
    if token.startswith("[") and token.endswith("]"):
        return token
    if token.startswith("##"):
        return token[2:]
    return "\u2581" + token


def convert_bert(
    model_dir: Path,
    out: Path,
    *,
    space: str,
    name: str | None = None,
    f16: bool = True,
) -> Path:
    """Write ``out`` (a GGUF) from ``model_dir`` (config.json, vocab.txt, model.safetensors)."""
    import gguf

    config = _config(model_dir, "config.json")
    if config.get("model_type") != "bert":
        raise ConversionError(
            f"{model_dir / 'config.json'}: model_type is {config.get('model_type')!r}; "
            "only BERT sentence-transformers models convert"
        )
    pooling = _config(model_dir, "1_Pooling/config.json")
    if pooling and not pooling.get("pooling_mode_mean_tokens", False):
        raise ConversionError(f"{model_dir}: only mean pooling is supported")
    st_config = _config(model_dir, "sentence_bert_config.json")
    weights = model_dir / "model.safetensors"
    if not weights.is_file():
        raise ConversionError(f"{model_dir}: no model.safetensors")

    def integer(key: str) -> int:
        value = config.get(key)
        if not isinstance(value, int):
            raise ConversionError(f"{model_dir / 'config.json'}: {key} missing or not a number")
        return value

    blocks = integer("num_hidden_layers")
    vocab = _vocab(model_dir)
    if len(vocab) != integer("vocab_size"):
        raise ConversionError(
            f"{model_dir}: vocab.txt has {len(vocab)} tokens, config.json says "
            f"{integer('vocab_size')}"
        )
    names = gguf.get_tensor_name_map(gguf.MODEL_ARCH.BERT, blocks)

    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".part")
    writer = gguf.GGUFWriter(str(partial), "bert")
    writer.add_name(name or model_dir.name)
    writer.add_context_length(integer("max_position_embeddings"))
    writer.add_embedding_length(integer("hidden_size"))
    writer.add_feed_forward_length(integer("intermediate_size"))
    writer.add_block_count(blocks)
    writer.add_head_count(integer("num_attention_heads"))
    eps = config.get("layer_norm_eps", 1e-12)
    writer.add_layer_norm_eps(float(eps) if isinstance(eps, int | float) else 1e-12)
    writer.add_causal_attention(False)
    writer.add_pooling_type(gguf.PoolingType.MEAN)
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_F16 if f16 else gguf.LlamaFileType.ALL_F32)
    writer.add_string(SPACE_KEY, space)
    max_tokens = st_config.get("max_seq_length", 256)
    writer.add_uint32(MAX_TOKENS_KEY, int(max_tokens) if isinstance(max_tokens, int) else 256)

    writer.add_tokenizer_model("bert")
    writer.add_token_list([_phantom(token) for token in vocab])
    writer.add_token_types(
        [gguf.TokenType.CONTROL if token in _SPECIAL else gguf.TokenType.NORMAL for token in vocab]
    )
    writer.add_token_type_count(integer("type_vocab_size") if "type_vocab_size" in config else 2)
    ids = {token: index for index, token in enumerate(vocab)}
    for token, add in (
        ("[CLS]", writer.add_bos_token_id),
        ("[SEP]", writer.add_sep_token_id),
        ("[UNK]", writer.add_unk_token_id),
        ("[PAD]", writer.add_pad_token_id),
        ("[MASK]", writer.add_mask_token_id),
    ):
        if token not in ids:
            raise ConversionError(f"{model_dir / 'vocab.txt'}: no {token} token")
        add(ids[token])
    writer.add_add_bos_token(True)
    writer.add_add_eos_token(False)

    written = 0
    for tensor_name, array in read_safetensors(weights):
        if tensor_name.startswith("pooler.") or tensor_name.endswith("position_ids"):
            continue
        hf_name = tensor_name.removeprefix("bert.")
        target = names.get_name(hf_name, try_suffixes=(".weight", ".bias"))
        if target is None:
            raise ConversionError(f"{weights}: tensor {tensor_name} has no llama.cpp name")
        # token_types is added to the activations as is (a view of row 0), and ggml adds
        # only f32 to f32 there; every other matrix is read through get_rows or matmul.
        # Q8_0 blocks would save 10 MiB but move the vectors (cosine 0.9985 to the
        # original at worst), out of the shared embedding space; F16 stays at 0.9999.
        half = f16 and array.ndim == 2 and not target.startswith("token_types")
        writer.add_tensor(target, array.astype(np.float16) if half else array)
        written += 1
    if written == 0:
        raise ConversionError(f"{weights}: no tensors")
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    partial.replace(out)
    return out
