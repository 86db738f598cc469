"""io/monthly_sums._add_at (issue 13): the bincount path and the add.at path give the same exact sums."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from cmtool.io.monthly_sums import _add_at, _set_days, distinct_days


@given(slots=st.integers(1, 50), lines=st.lists(st.tuples(st.integers(0, 49), st.integers(0, 2**55)), max_size=200))
def test_sums_are_exact_whichever_way_they_are_added(slots: int, lines: list[tuple[int, int]]) -> None:
    ids = np.array([i % slots for i, _ in lines], np.int64)
    values = np.array([v for _, v in lines], np.int64)
    got, expected = np.full(slots, 7, np.int64), np.full(slots, 7, np.int64)
    _add_at(got, ids, values)
    np.add.at(expected, ids, values)
    assert got.tolist() == expected.tolist()


def test_small_values_go_through_bincount_and_stay_exact() -> None:
    ids = np.zeros(1000, np.int64)
    values = np.full(1000, 2**42 + 1, np.int64)  # beyond float64's exact fractions of a sum, still below 2**53
    sums = np.zeros(1, np.int64)
    _add_at(sums, ids, values)
    assert sums[0] == 1000 * (2**42 + 1)


@given(slots=st.integers(1, 40), start=st.integers(0, 27),
       lines=st.lists(st.tuples(st.integers(0, 39), st.integers(0, 30)), min_size=1, max_size=200))
def test_order_days_are_the_days_of_the_lines_whatever_the_days_span(slots, start, lines) -> None:
    """_set_days: a day or two (one assignment a day) or many (bitwise_or.at) set the same bits."""
    ids = np.array([i % slots for i, _ in lines], np.int64)
    for days in (np.array([min(start + d % 3, 30) for _, d in lines], np.int64), np.array([d for _, d in lines])):
        got, expected = np.full(slots, 1 << 31, np.uint32), np.full(slots, 1 << 31, np.uint32)
        _set_days(got, ids, days)
        np.bitwise_or.at(expected, ids, np.left_shift(np.uint32(1), days.astype(np.uint32)))
        assert got.tolist() == expected.tolist()


@given(st.lists(st.one_of(st.dates(dt.date(2000, 1, 1), dt.date(2030, 12, 31)), st.none()), max_size=40))
def test_distinct_days_give_each_line_its_date(days):
    values = pa.array(days, pa.date32())
    uniques, index = distinct_days(values)
    assert [uniques[int(i)].as_py() for i in index] == days
