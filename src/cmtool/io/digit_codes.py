"""Codes of ASCII digits, told and read from the text buffers (issue 13).

Customer and SKU codes are nearly always digits. The loaders ask of each batch's distinct codes
whether they are all such codes (then none is blank, a total row's 合计 or a code to parse one by
one) and, for the dense ids, their numeric keys. Asked of the bytes of the texts at once, with
numpy, these cost a few microseconds a batch instead of several pyarrow kernels each.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

MAX_DIGITS = 17  # 10**17 · 32 stays inside int64


def _buffers(texts: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """The offsets (one more than values) and the bytes of a string array, without copies."""
    width = np.int64 if pa.types.is_large_string(texts.type) else np.int32
    offsets = np.frombuffer(texts.buffers()[1], width)[texts.offset : texts.offset + len(texts) + 1]
    data = texts.buffers()[2]
    return offsets, np.frombuffer(data, np.uint8) if data is not None else np.empty(0, np.uint8)


def all_digits(texts: pa.Array) -> bool:
    """Whether every value is a non-empty text of ASCII digits (no nulls)."""
    if not len(texts) or texts.null_count or not (pa.types.is_string(texts.type) or pa.types.is_large_string(texts.type)):
        return False
    offsets, data = _buffers(texts)
    if (np.diff(offsets) <= 0).any():
        return False
    return bool(((data[offsets[0] : offsets[-1]] - np.uint8(48)) < 10).all())  # below '0' wraps round


def digit_keys(texts: pa.Array) -> np.ndarray | None:
    """value · 32 + length of each code where all are digit codes of one length up to
    MAX_DIGITS (the usual export), else None (dense_ids then works per code)."""
    if not all_digits(texts):
        return None
    offsets, data = _buffers(texts)
    length = int(offsets[1] - offsets[0])
    if length > MAX_DIGITS or offsets[-1] - offsets[0] != length * len(texts):
        return None
    digits = (data[offsets[0] : offsets[-1]] - np.uint8(48)).reshape(len(texts), length).astype(np.int64)
    return digits @ (10 ** np.arange(length - 1, -1, -1, dtype=np.int64)) * 32 + length
