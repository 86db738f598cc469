"""Exact running sums per (customer, month, SKU) of streamed order lines (`detail_months`).

Each line gets one int64 key (month, customer id, SKU id packed in bits); the pending lines are
reduced to their distinct keys whenever they grow large and folded into the sums, kept in parts
by customer id, so memory follows the number of (customer, month, SKU) combinations, not of
lines, and a merge never copies all of them at once. A merge runs in a thread of its own while
the next lines are read (numpy's sorts and copies let go of the GIL); one at a time. Each SKU
keeps the name, price class and key-brand flag of the first line it appears on. The sums stay
packed (`SkuDetail`) until the rows of some customers are asked for: a city's month has millions
of combinations, a list a few thousand customers. The lines still pending at the end are not
merged at all: they are kept as they are and summed with the sums when some customers' rows are
asked for, and the last merge is waited for only then, so the load does not wait for a merge.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from cmtool.io.columns import distinct
from cmtool.io.dense_ids import DenseIds
from cmtool.io.monthly_sums import month_key

SKU_FIELDS = {"sku_name": pa.string(), "price_class": pa.string(), "key_brand": pa.bool_()}
DETAIL_COLUMNS = ["customer_id", "month", "sku", *SKU_FIELDS, "volume_h", "amount_c"]
_BITS = 26  # customer and SKU ids below 2**26; months since 1970 fill the top 11 bits
_MASK = (1 << _BITS) - 1
_MERGE_AT = 2_000_000  # pending lines kept before they are merged
_EMPTY = np.zeros(0, np.int64)
_PARTS = 16  # a province's month has some 25 M combinations: each merge rewrites a part at a time


def _order(keys: np.ndarray) -> np.ndarray:
    """np.argsort(keys), several times faster: each field of the keys is squeezed to the bits its
    largest value needs and the row number is packed below, so a plain sort of numbers does it
    (in place where it can: fresh arrays of millions of rows cost page faults)."""
    if not len(keys):
        return np.zeros(0, np.int64)
    packed, customer, sku = keys >> (2 * _BITS), keys >> _BITS, keys & _MASK
    packed -= packed.min()
    customer &= _MASK
    sku_bits, row_bits = int(sku.max()).bit_length(), (len(keys) - 1).bit_length()
    low_bits = int(customer.max()).bit_length() + sku_bits
    if int(packed.max()).bit_length() + low_bits + row_bits > 63:
        return np.argsort(keys, kind="stable")
    packed <<= low_bits
    customer <<= sku_bits
    packed |= customer
    packed |= sku
    packed <<= row_bits
    packed |= np.arange(len(keys))
    packed.sort(kind="stable")  # the numbers are distinct; this sort takes the runs exports come in
    packed &= (1 << row_bits) - 1
    return packed


def _reduce(keys: np.ndarray, volume_h: np.ndarray, amount_c: np.ndarray) -> tuple[np.ndarray, ...]:
    """The distinct keys, sorted, with the sums of their lines."""
    order = _order(keys)
    keys = keys[order]
    first = np.ones(len(keys), bool)
    first[1:] = keys[1:] != keys[:-1]
    starts = np.flatnonzero(first)
    return keys[starts], np.add.reduceat(volume_h[order], starts), np.add.reduceat(amount_c[order], starts)


def _used(codes: pa.Array, index: np.ndarray) -> tuple[pa.Array, np.ndarray]:
    """The codes some line has, and each line's position in them (a batch whose lines were
    filtered keeps the codes of the lines left out, which must not get an id)."""
    used = np.zeros(len(codes), bool)
    used[index] = True
    if used.all():
        return codes, index
    return codes.filter(pa.array(used)), (np.cumsum(used) - 1)[index]


def _decoded(index: np.ndarray, values: list[object] | np.ndarray, kind: pa.DataType) -> pa.Array:
    """values[index] as a plain arrow array."""
    return pa.DictionaryArray.from_arrays(pa.array(index, pa.int32()), pa.array(values, kind)).cast(kind)


@dataclass(frozen=True)
class SkuDetail:
    """One file's sums per (customer, month, SKU), packed as `SkuSums` keys them, in its parts."""

    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]]  # keys (distinct, sorted), volume_h, amount_c
    customers: np.ndarray  # customer code by id
    skus: np.ndarray  # SKU code by id
    attributes: dict[str, list[object]]  # SKU_FIELDS values by SKU id
    loose: list[tuple[np.ndarray, np.ndarray, np.ndarray]]  # batches of lines never merged: keys (repeated), sums
    folding: Future[None] | None = None  # the last merge into `parts`, still under way when the file was read

    def table(self, wanted: set[str] | None = None) -> pa.Table:
        """DETAIL_COLUMNS of the customers `wanted` (all when None), in key order."""
        if self.folding is not None:
            self.folding.result()  # its error, if any, is raised here
        chosen = (None if wanted is None else
                  np.fromiter((code in wanted for code in self.customers), bool, len(self.customers)))
        picked = []
        for keys, volume, amount in [*self.parts, *self.loose]:
            rows = slice(None) if chosen is None else chosen[(keys >> _BITS) & _MASK]
            picked.append((keys[rows], volume[rows], amount[rows]))
        keys, volume, amount = _reduce(*(np.concatenate(c) for c in zip(*picked)))
        months, month_of = np.unique(keys >> (2 * _BITS), return_inverse=True)
        sku_ids = keys & _MASK
        return pa.table({
            "customer_id": _decoded((keys >> _BITS) & _MASK, self.customers, pa.string()),
            "month": _decoded(month_of, [month_key(int(m)) for m in months], pa.string()),
            "sku": _decoded(sku_ids, self.skus, pa.string()),
            **{name: _decoded(sku_ids, self.attributes[name], kind) for name, kind in SKU_FIELDS.items()},
            "volume_h": volume,
            "amount_c": amount,
        })


def _fold(sums: tuple[np.ndarray, ...], keys: np.ndarray, volume_h: np.ndarray,
          amount_c: np.ndarray) -> tuple[np.ndarray, ...]:
    """Sorted distinct sums with more sorted distinct ones added: the keys already there add to
    their sums, the others are inserted in order (no sort of the whole)."""
    old_keys, old_volume, old_amount = sums
    if not len(old_keys):  # the first fold of a part: the new sums are the part
        return keys, volume_h, amount_c
    at = np.searchsorted(old_keys, keys)
    hit = at < len(old_keys)
    hit[hit] = old_keys[at[hit]] == keys[hit]
    old_volume[at[hit]] += volume_h[hit]
    old_amount[at[hit]] += amount_c[hit]
    new = ~hit
    if not new.any():
        return sums
    where = at[new]
    return (np.insert(old_keys, where, keys[new]), np.insert(old_volume, where, volume_h[new]),
            np.insert(old_amount, where, amount_c[new]))


class SkuSums:
    """Running sums per (customer id, month, SKU), kept in _PARTS parts by customer id."""

    def __init__(self) -> None:
        self.skus = DenseIds()
        self._attributes: dict[str, list[object]] = {name: [] for name in SKU_FIELDS}
        self._pending: list[tuple[np.ndarray, ...]] = []
        self._pending_rows = 0
        self._parts: list[tuple[np.ndarray, ...]] = [(_EMPTY, _EMPTY, _EMPTY)] * _PARTS
        self._folder = ThreadPoolExecutor(1, thread_name_prefix="sku-merge")
        self._folding: Future[None] | None = None

    def add(self, part: pa.Table, customer_ids: np.ndarray, months: np.ndarray, volume_h: np.ndarray,
            amount_c: np.ndarray) -> None:
        """Add the lines of `part` (its sku and SKU attribute columns) with their customer ids and months."""
        codes, index = _used(*distinct(part["sku"].combine_chunks()))
        sku_ids = self.skus.of(codes)[index]
        self._remember(part, sku_ids)
        keys = (months.astype(np.int64) << (2 * _BITS)) | (customer_ids << _BITS) | sku_ids
        self._pending.append((keys, volume_h, amount_c))
        self._pending_rows += len(keys)
        if self._pending_rows > _MERGE_AT:
            self._merge()

    def _remember(self, part: pa.Table, sku_ids: np.ndarray) -> None:
        """The attributes of the SKUs first met in `part`, from the first line of each."""
        known = len(self._attributes["sku_name"])
        new = np.flatnonzero(sku_ids >= known)
        if not len(new):
            return
        _, first = np.unique(sku_ids[new], return_index=True)
        rows = pa.array(new[first])
        for name, values in self._attributes.items():
            column = part[name].take(rows).to_pylist() if name in part.column_names else [None] * len(rows)
            values.extend(column)

    def _merge(self) -> None:
        """The pending lines handed to the merging thread, once the merge before is done: memory
        beyond the sums is two merges' lines, however large the sums have grown."""
        if not self._pending:
            return
        batches, self._pending = self._pending, []
        self._pending_rows = 0
        self._settle()
        self._folding = self._folder.submit(self._fold_in, batches)

    def _settle(self) -> None:
        """Wait for the merge under way; its error is raised here."""
        if self._folding is not None:
            folding, self._folding = self._folding, None
            folding.result()

    def _fold_in(self, batches: list[tuple[np.ndarray, ...]]) -> None:
        """Lines reduced, then folded into each part (in the merging thread, which also joins the
        batches: fresh memory costs page faults, which need not hold up the reading)."""
        columns = [np.concatenate(column) for column in zip(*batches)]
        batches.clear()  # the batches' arrays go before the sort allocates its own
        keys, volume, amount = _reduce(*columns)
        columns.clear()
        part_of = (((keys >> _BITS) & _MASK) % _PARTS).astype(np.uint8)
        by_part = np.argsort(part_of, kind="stable")  # one pass; each part's keys stay in order
        sizes = np.bincount(part_of, minlength=_PARTS)
        ends = np.cumsum(sizes)
        for p in np.flatnonzero(sizes).tolist():
            rows = by_part[ends[p] - sizes[p] : ends[p]]
            self._parts[p] = _fold(self._parts[p], keys[rows], volume[rows], amount[rows])

    def detail(self, customers: np.ndarray) -> SkuDetail:
        """The sums, packed, once every line is added; `customers` are the customer codes by id.
        The pending lines stay loose (summed by `SkuDetail.table`, for the customers asked for),
        and a merge under way goes on while the run does other things: the detail waits for it
        when it is read."""
        folding, self._folding = self._folding, None
        self._folder.shutdown(wait=False)  # its thread ends once the merge is done
        loose, self._pending = self._pending, []
        attributes = {name: list(values) for name, values in self._attributes.items()}
        return SkuDetail(self._parts, customers, self.skus.codes, attributes, loose, folding)
