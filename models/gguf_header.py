"""A GGUF file's metadata scalars and tensor shapes, read straight from its header.

The gguf library's reader turns every string of a model's vocabulary into numpy views:
seconds for a 135M model, more for a larger one, spent on every adapter check. The
header is all a check needs, and walking it with ``struct`` takes milliseconds.
"""

from __future__ import annotations

import mmap
import struct
from pathlib import Path
from typing import Any

# GGUF value types: scalars by struct format; 8 is a string, 9 an array.
_SCALAR = dict(zip((0, 1, 2, 3, 4, 5, 6, 7, 10, 11, 12), "BbHhIif?Qqd", strict=True))
_STRING, _ARRAY = 8, 9
MAX_DIMS = 4  # GGML_MAX_DIMS


class HeaderError(ValueError):
    """Not a GGUF file, or one cut short."""


class _Cursor:
    def __init__(self, buf: mmap.mmap) -> None:
        self.buf, self.pos = buf, 0

    def take(self, fmt: str) -> tuple[Any, ...]:
        values = struct.unpack_from("<" + fmt, self.buf, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def string(self) -> str:
        (size,) = self.take("Q")
        raw = self.buf[self.pos : self.pos + size]
        if len(raw) != size:
            raise HeaderError("a string runs past the end of the file")
        self.pos += size
        return raw.decode("utf-8", "replace")

    def value(self, kind: int) -> object:
        """A scalar or string; arrays are skipped (None)."""
        if kind == _STRING:
            return self.string()
        if kind == _ARRAY:
            item, count = self.take("IQ")
            if item in _SCALAR:
                self.pos += struct.calcsize("<" + _SCALAR[item]) * count
            else:
                for _ in range(count):
                    self.value(item)
            return None
        if kind not in _SCALAR:
            raise HeaderError(f"unknown metadata value type {kind}")
        return self.take(_SCALAR[kind])[0]


def read_header(path: Path) -> tuple[dict[str, object], dict[str, tuple[int, ...]]]:
    """``(metadata, tensors)``: scalar and string metadata (arrays left out), and each
    tensor's shape as GGUF's ``ne`` (innermost dimension first)."""
    with path.open("rb") as file:
        try:
            buf = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError as exc:  # an empty file
            raise HeaderError(f"cannot map it: {exc}") from exc
    with buf:
        if buf[:4] != b"GGUF":
            raise HeaderError("no GGUF magic number")
        cursor = _Cursor(buf)
        cursor.pos = 4
        try:
            (version,) = cursor.take("I")
            if version not in (2, 3):
                raise HeaderError(f"GGUF version {version} (or big-endian) is not supported")
            n_tensors, n_kv = cursor.take("QQ")
            metadata: dict[str, object] = {}
            for _ in range(n_kv):
                key = cursor.string()
                (kind,) = cursor.take("I")
                metadata[key] = cursor.value(kind)
            tensors: dict[str, tuple[int, ...]] = {}
            for _ in range(n_tensors):
                name = cursor.string()
                (n_dims,) = cursor.take("I")
                if not 1 <= n_dims <= MAX_DIMS:
                    raise HeaderError(f"tensor {name} has {n_dims} dimensions")
                shape = cursor.take("Q" * n_dims)
                cursor.take("IQ")  # type, offset
                tensors[name] = tuple(int(n) for n in shape)
        except struct.error as exc:
            raise HeaderError(f"the header is cut short: {exc}") from exc
    return metadata, tensors
