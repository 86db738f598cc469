"""Quarters (`2026Q3`, `2026-Q3`) and months (`2026-10`, `202610`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_QUARTER = re.compile(r"^\s*(\d{4})\s*-?\s*[Qq]\s*([1-4])\s*$")
_MONTH = re.compile(r"^\s*(\d{4})\s*-?\s*(\d{1,2})\s*$")


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> "Month":
        """`2026-10` or `202610`; raises ValueError with a Chinese message."""
        m = _MONTH.match(str(text))
        if not m or not 1 <= int(m.group(2)) <= 12:
            raise ValueError(f"月份「{text}」格式不对，应写成 2026-10 或 202610")
        return cls(int(m.group(1)), int(m.group(2)))

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        return f"{self.year}年{self.month}月"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return self.next().first_day - timedelta(days=1)

    def next(self) -> "Month":
        return self.shift(1)

    def prev(self) -> "Month":
        return self.shift(-1)

    def shift(self, n: int) -> "Month":
        i = self.year * 12 + self.month - 1 + n
        return Month(i // 12, i % 12 + 1)

    @property
    def quarter(self) -> "Quarter":
        return Quarter(self.year, (self.month - 1) // 3 + 1)

    def __str__(self) -> str:
        return self.key


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    q: int

    @classmethod
    def parse(cls, text: str) -> "Quarter":
        """`2026Q3` or `2026-Q3`; raises ValueError with a Chinese message."""
        m = _QUARTER.match(str(text))
        if not m:
            raise ValueError(f"季度「{text}」格式不对，应写成 2026Q3 或 2026-Q3")
        return cls(int(m.group(1)), int(m.group(2)))

    @property
    def key(self) -> str:
        return f"{self.year:04d}Q{self.q}"

    @property
    def label(self) -> str:
        return f"{self.year}年第{self.q}季度"

    @property
    def months(self) -> tuple[Month, Month, Month]:
        first = Month(self.year, 3 * self.q - 2)
        return (first, first.shift(1), first.shift(2))

    @property
    def first_day(self) -> date:
        return self.months[0].first_day

    @property
    def last_day(self) -> date:
        return self.months[2].last_day

    def next(self) -> "Quarter":
        return self.months[2].next().quarter

    def prev(self) -> "Quarter":
        return self.months[0].prev().quarter

    def __str__(self) -> str:
        return self.key
