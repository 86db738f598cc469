"""Exact running sums per (customer, month) of streamed order lines.

Customers come with dense ids (`DenseIds`); each month holds one slot per customer with
volume_h (hundredths of 条) and amount_c (分) as int64 and the order days as a 31-bit mask,
so `orders` (distinct order dates) comes out of a population count at the end. Adding a batch
costs a few vectorised scatter-adds, whatever the batch size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from cmtool.io.columns import distinct


def month_key(index: int) -> str:
    """Months since 1970-01 → `YYYY-MM`."""
    return f"{1970 + index // 12:04d}-{index % 12 + 1:02d}"


def month_index(key: str) -> int:
    """`YYYY-MM` → months since 1970-01."""
    return (int(key[:4]) - 1970) * 12 + int(key[5:7]) - 1


def split_dates(days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """datetime64[D] values → (months since 1970-01, day of the month from 0)."""
    months = days.astype("datetime64[M]")
    return months.astype(np.int64), (days - months.astype("datetime64[D]")).astype(np.int64)


_DAY_SPAN = 4096  # a batch of dates spanning more days (a mistyped year) is hashed instead


def distinct_days(values: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """`columns.distinct` for dates: typed dates without nulls as every day from the first to
    the last and each line's offset from the first (arithmetic, not a hash: a batch spans a day
    or two); dictionary-encoded ones as they are."""
    if not pa.types.is_date32(values.type) or values.null_count or not len(values):
        return distinct(values)
    days = values.view(pa.int32()).to_numpy()
    first, last = int(days.min()), int(days.max())
    if last - first > _DAY_SPAN:
        return distinct(values)
    return pa.array(np.arange(first, last + 1, dtype=np.int32), pa.date32()), days - np.int32(first)


@dataclass
class _Month:
    volume_h: np.ndarray
    amount_c: np.ndarray
    days: np.ndarray  # bit d set: an order on day d + 1

    @classmethod
    def zeros(cls, size: int) -> "_Month":
        return cls(np.zeros(size, np.int64), np.zeros(size, np.int64), np.zeros(size, np.uint32))

    def grown(self, size: int) -> "_Month":
        bigger = _Month.zeros(size)
        for name in ("volume_h", "amount_c", "days"):
            getattr(bigger, name)[: len(self.days)] = getattr(self, name)
        return bigger


def _add_at(sums: np.ndarray, ids: np.ndarray, values: np.ndarray) -> None:
    """sums[ids] += values, repeated ids added up, exactly. `np.bincount` is several times
    faster than `np.add.at` where the lines are many against the slots; its float64 sums are
    exact while the lines' total stays below 2**53."""
    if 4 * len(ids) >= len(sums) and int(values.sum()) < 2**53:
        sums += np.bincount(ids, weights=values, minlength=len(sums)).astype(np.int64)
    else:
        np.add.at(sums, ids, values)


_FEW_DAYS = 4  # a batch spanning fewer days sets its order days a day at a time


def _set_days(bits: np.ndarray, ids: np.ndarray, days: np.ndarray) -> None:
    """bits[ids] |= 1 << days, repeated ids too. Exports list lines by date, so a batch holds a
    day or two: each day is one assignment (a bit set twice is set once), several times faster
    than `np.bitwise_or.at`, which the batches of many days use."""
    first, last = int(days.min()), int(days.max())
    if last - first >= _FEW_DAYS:
        np.bitwise_or.at(bits, ids, np.left_shift(np.uint32(1), days.astype(np.uint32)))
        return
    for day in range(first, last + 1):
        bits[ids if first == last else ids[days == day]] |= np.uint32(1 << day)


class MonthlySums:
    """Running sums of order lines per (customer id, month)."""

    def __init__(self) -> None:
        self._months: dict[int, _Month] = {}
        self._size = 1024

    def add(self, ids: np.ndarray, months: np.ndarray, days: np.ndarray, volume_h: np.ndarray,
            amount_c: np.ndarray) -> None:
        """Add lines: dense customer ids, month indexes, days of month (0-based) and the quantities."""
        if not len(months):
            return
        if ids.max() >= self._size:
            self._size = 2 * int(ids.max()) + 2
            self._months = {m: sums.grown(self._size) for m, sums in self._months.items()}
        single = months.min() == months.max()
        for month in [int(months[0])] if single else np.unique(months).tolist():
            rows = slice(None) if single else months == month
            sums = self._months.get(month) or self._months.setdefault(month, _Month.zeros(self._size))
            _add_at(sums.volume_h, ids[rows], volume_h[rows])
            _add_at(sums.amount_c, ids[rows], amount_c[rows])
            _set_days(sums.days, ids[rows], days[rows])

    def table(self, codes: np.ndarray) -> pa.Table:
        """MONTHLY rows for every customer with a line in a month; `codes` are the codes by id."""
        parts = []
        for month in sorted(self._months):
            sums = self._months[month]
            present = np.flatnonzero(sums.days[: len(codes)])
            parts.append(pa.table({
                "customer_id": pa.array(codes[present], pa.string()),
                "month": pa.array([month_key(month)] * len(present), pa.string()),
                "volume_h": sums.volume_h[present],
                "amount_c": sums.amount_c[present],
                "orders": np.bitwise_count(sums.days[present]).astype(np.int64),
            }))
        return pa.concat_tables(parts) if parts else MONTHLY.empty_table()


MONTHLY = pa.schema([("customer_id", pa.string()), ("month", pa.string()), ("volume_h", pa.int64()),
                     ("amount_c", pa.int64()), ("orders", pa.int64())])
