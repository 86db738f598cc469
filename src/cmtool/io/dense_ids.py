"""Dense integer ids for codes (customers, SKUs) in the order they first appear.

Customer and SKU codes are nearly always digits. Those are looked up as numbers, vectorised:
the key of a code of up to 17 digits is its value times 32 plus its length (so "007" and "7"
differ), found by binary search in the sorted keys met so far. Any other code goes through a
dict. Either way a code gets the same id.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cmtool.io.digit_codes import MAX_DIGITS, digit_keys

def _numeric_keys(codes: pa.Array) -> np.ndarray:
    """value · 32 + length for codes of 1 to 17 ASCII digits, -1 for the others."""
    keys = digit_keys(codes)  # the usual case, from the bytes at once
    if keys is not None:
        return keys
    length = pc.fill_null(pc.binary_length(codes), 0)
    digits = pc.and_(pc.fill_null(pc.ascii_is_decimal(codes), False),
                     pc.and_(pc.greater(length, 0), pc.less_equal(length, MAX_DIGITS)))
    numeric = digits.to_numpy(zero_copy_only=False)
    texts = codes if numeric.all() else pc.if_else(digits, codes, "0")
    keys = pc.cast(texts, pa.int64()).to_numpy() * 32 + length.to_numpy()
    keys[~numeric] = -1
    return keys


class DenseIds:
    """Code → 0, 1, 2, … as codes are met; `codes` gives them back by id."""

    def __init__(self) -> None:
        self._codes: list[str] = []  # by id
        self._others: dict[str, int] = {}  # codes that are not digits only
        self._keys = np.empty(0, np.int64)  # sorted keys of the numeric codes
        self._key_ids = np.empty(0, np.int64)  # their ids

    def __len__(self) -> int:
        return len(self._codes)

    @property
    def codes(self) -> np.ndarray:
        return np.array(self._codes, dtype=object)

    def of(self, codes: pa.Array) -> np.ndarray:
        """The ids of distinct codes (no nulls), new codes added in their order in `codes`."""
        keys = _numeric_keys(codes)
        ids = np.full(len(codes), -1, np.int64)
        numeric = keys >= 0
        if len(self._keys):
            at = np.minimum(np.searchsorted(self._keys, keys), len(self._keys) - 1)
            hit = numeric & (self._keys[at] == keys)
            ids[hit] = self._key_ids[at[hit]]
        for i in np.flatnonzero(~numeric).tolist():
            ids[i] = self._others.get(codes[i].as_py(), -1)
        new = np.flatnonzero(ids < 0)
        if len(new):
            ids[new] = np.arange(len(self._codes), len(self._codes) + len(new))
            texts = codes.take(pa.array(new)).to_pylist()
            self._codes.extend(texts)
            fresh = numeric[new]
            if not fresh.all():
                for text, i in zip((t for t, f in zip(texts, fresh) if not f), ids[new[~fresh]].tolist()):
                    self._others[text] = i
            if fresh.any():
                keys_all = np.concatenate([self._keys, keys[new[fresh]]])
                ids_all = np.concatenate([self._key_ids, ids[new[fresh]]])
                order = np.argsort(keys_all, kind="stable")
                self._keys, self._key_ids = keys_all[order], ids_all[order]
        return ids
