"""Read a GGUF file's metadata and tensor shapes without torch (or even numpy).

The `gguf` package reads every value, which takes ~2 s for SmolLM2's 49k-token vocabulary; the
catalog only needs the scalars and the tensor shapes, so this walks the header and skips the big
arrays (vocabulary, merges) by length unless asked for them.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

# Fixed-size value types of the GGUF spec: type id -> struct format.
_SCALARS = {
    0: "<B",
    1: "<b",
    2: "<H",
    3: "<h",
    4: "<I",
    5: "<i",
    6: "<f",
    7: "<?",
    10: "<Q",
    11: "<q",
    12: "<d",
}
_STRING, _ARRAY = 8, 9


@dataclass(frozen=True)
class GgufSummary:
    metadata: dict  # scalars and strings; an array not asked for is replaced by its length
    tensor_shapes: dict[str, tuple[int, ...]]

    @property
    def parameter_count(self) -> int:
        return sum(math.prod(shape) for shape in self.tensor_shapes.values())

    @property
    def architecture(self) -> str:
        return self.metadata.get("general.architecture", "")

    def arch_value(self, key: str, default=None):
        """A per-architecture key such as `llama.context_length`."""
        return self.metadata.get(f"{self.architecture}.{key}", default)


def read_gguf_summary(path: Path, keep_arrays: tuple[str, ...] = ()) -> GgufSummary:
    with open(path, "rb") as file:
        if file.read(4) != b"GGUF":
            raise ValueError(f"{path} is not a GGUF file")
        version, tensor_count, kv_count = struct.unpack("<IQQ", file.read(20))
        if version not in (2, 3):
            raise ValueError(f"{path} is GGUF version {version}; versions 2 and 3 are supported")
        metadata = {}
        for _ in range(kv_count):
            key = _read_string(file)
            (value_type,) = struct.unpack("<I", file.read(4))
            metadata[key] = _read_value(file, value_type, key in keep_arrays)
        shapes = {}
        for _ in range(tensor_count):
            name = _read_string(file)
            (dims,) = struct.unpack("<I", file.read(4))
            shape = struct.unpack(f"<{dims}Q", file.read(8 * dims))
            file.read(12)  # ggml type (u32) and data offset (u64)
            shapes[name] = tuple(reversed(shape))
    return GgufSummary(metadata, shapes)


def _read_string(file: BinaryIO) -> str:
    (length,) = struct.unpack("<Q", file.read(8))
    return file.read(length).decode("utf-8", errors="replace")


def _read_value(file: BinaryIO, value_type: int, keep: bool = False):
    if value_type in _SCALARS:
        fmt = _SCALARS[value_type]
        return struct.unpack(fmt, file.read(struct.calcsize(fmt)))[0]
    if value_type == _STRING:
        return _read_string(file)
    if value_type == _ARRAY:
        element_type, count = struct.unpack("<IQ", file.read(12))
        if element_type in _SCALARS:
            fmt = _SCALARS[element_type]
            size = count * struct.calcsize(fmt)
            if keep:
                return list(struct.unpack(f"<{count}{fmt[1]}", file.read(size)))
            file.seek(size, 1)
            return count
        if element_type == _STRING:
            if keep:
                return [_read_string(file) for _ in range(count)]
            for _ in range(count):
                (length,) = struct.unpack("<Q", file.read(8))
                file.seek(length, 1)
            return count
    raise ValueError(f"unsupported GGUF metadata value type {value_type}")
