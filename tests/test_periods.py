"""Quarter and month parsing (cli.md "Periods")."""

from datetime import date

import pytest

from cmtool.periods import Month, Quarter


@pytest.mark.parametrize("text", ["2026Q3", "2026-Q3", "2026q3", " 2026-q3 "])
def test_quarter_spellings(text):
    assert Quarter.parse(text).key == "2026Q3"


@pytest.mark.parametrize("text", ["2026Q5", "2026", "26Q3", "2026-07"])
def test_bad_quarter_is_refused_in_chinese(text):
    with pytest.raises(ValueError, match="季度"):
        Quarter.parse(text)


def test_quarter_months_and_neighbours():
    q = Quarter.parse("2026Q4")
    assert [m.key for m in q.months] == ["2026-10", "2026-11", "2026-12"]
    assert q.next().key == "2027Q1" and q.prev().key == "2026Q3"
    assert q.first_day == date(2026, 10, 1) and q.last_day == date(2026, 12, 31)
    assert q.label == "2026年第4季度"


@pytest.mark.parametrize("text", ["2026-10", "202610", "2026-1", "2026-01"])
def test_month_spellings(text):
    assert Month.parse(text).year == 2026


def test_month_arithmetic():
    m = Month.parse("2026-01")
    assert m.prev().key == "2025-12" and m.shift(13).key == "2027-02"
    assert Month.parse("2024-02").last_day == date(2024, 2, 29)
    assert Month.parse("2026-11").quarter.key == "2026Q4"


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "abc"])
def test_bad_month(text):
    with pytest.raises(ValueError, match="月份"):
        Month.parse(text)
