"""Exact running sums per (customer, month, SKU) of streamed order lines (`detail=True`).

Each line gets one int64 key (month, customer id, SKU id packed in bits); every batch is reduced
to its distinct keys, and the partial sums are merged whenever they grow large, so memory follows
the number of (customer, month, SKU) combinations, not of lines. Each SKU keeps the name, price
class and key-brand flag of the first line it appears on.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from cmtool.io.columns import distinct
from cmtool.io.dense_ids import DenseIds
from cmtool.io.monthly_sums import month_key

SKU_FIELDS = {"sku_name": pa.string(), "price_class": pa.string(), "key_brand": pa.bool_()}
DETAIL_COLUMNS = ["customer_id", "month", "sku", *SKU_FIELDS, "volume_h", "amount_c"]
_BITS = 26  # customer and SKU ids below 2**26; months since 1970 fill the top 11 bits
_MASK = (1 << _BITS) - 1
_MERGE_AT = 4_000_000  # partial rows kept before they are merged (at least as many as merged ones)


def _reduce(keys: np.ndarray, volume_h: np.ndarray, amount_c: np.ndarray) -> tuple[np.ndarray, ...]:
    unique, where = np.unique(keys, return_inverse=True)
    volume, amount = np.zeros(len(unique), np.int64), np.zeros(len(unique), np.int64)
    np.add.at(volume, where, volume_h)
    np.add.at(amount, where, amount_c)
    return unique, volume, amount


class SkuSums:
    """Running sums per (customer id, month, SKU)."""

    def __init__(self) -> None:
        self.skus = DenseIds()
        self._attributes: dict[str, list[object]] = {name: [] for name in SKU_FIELDS}
        self._parts: list[tuple[np.ndarray, ...]] = []

    def add(self, part: pa.Table, customer_ids: np.ndarray, months: np.ndarray, volume_h: np.ndarray,
            amount_c: np.ndarray) -> None:
        """Add the lines of `part` (its sku and SKU attribute columns) with their customer ids and months."""
        codes, index = distinct(part["sku"].combine_chunks())
        sku_ids = self.skus.of(codes)[index]
        self._remember(part, sku_ids)
        keys = (months.astype(np.int64) << (2 * _BITS)) | (customer_ids << _BITS) | sku_ids
        self._parts.append(_reduce(keys, volume_h, amount_c))
        merged, pending = len(self._parts[0][0]), sum(len(p[0]) for p in self._parts[1:])
        if pending > max(_MERGE_AT, merged):
            self._merge()

    def _remember(self, part: pa.Table, sku_ids: np.ndarray) -> None:
        known = len(self._attributes["sku_name"])
        ids, first = np.unique(sku_ids, return_index=True)
        rows = pa.array(first[ids >= known])
        for name, values in self._attributes.items():
            column = part[name].take(rows).to_pylist() if name in part.column_names else [None] * len(rows)
            values.extend(column)

    def _merge(self) -> None:
        keys, volume, amount = (np.concatenate(columns) for columns in zip(*self._parts))
        self._parts = [_reduce(keys, volume, amount)]

    def table(self, customers: np.ndarray) -> pa.Table:
        """DETAIL_COLUMNS; `customers` are the customer codes by id."""
        if self._parts:
            self._merge()
            keys, volume, amount = self._parts[0]
        else:
            keys = volume = amount = np.zeros(0, np.int64)
        months, month_of = np.unique(keys >> (2 * _BITS), return_inverse=True)
        sku_ids = pa.array(keys & _MASK)

        def decoded(index: object, values: list[object] | np.ndarray, kind: pa.DataType) -> pa.Array:
            return pa.DictionaryArray.from_arrays(pa.array(index, pa.int32()), pa.array(values, kind)).cast(kind)

        return pa.table({
            "customer_id": decoded((keys >> _BITS) & _MASK, customers, pa.string()),
            "month": decoded(month_of, [month_key(int(m)) for m in months], pa.string()),
            "sku": decoded(sku_ids, self.skus.codes, pa.string()),
            **{name: decoded(sku_ids, self._attributes[name], kind) for name, kind in SKU_FIELDS.items()},
            "volume_h": volume,
            "amount_c": amount,
        })
