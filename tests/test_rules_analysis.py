"""R-ANA-SINGLE, R-ANA-ASSOC, R-ANA-TARGETS, R-ANA-BRAND (rules/analysis.py): groups, medians,
Spearman, quadrants and targets checked by hand on small companies, plus hypothesis properties."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cmtool.rules.analysis import (
    NO_VALUE, brand_lists, cross_table, dimension_key, quadrant_counts, quadrants, single, single_findings, spearman,
    targets,
)


def company(rows: list[tuple[str, str, str, str, float, float]]) -> pd.DataFrame:
    """Customers (id, format, market, scale, volume 条, amount 元) with the metrics the rules read."""
    frame = pd.DataFrame(rows, columns=["customer_id", "format", "market", "scale", "volume", "amount"])
    frame["name"] = "店" + frame["customer_id"]
    frame["manager"] = "王"
    frame["department"] = "一部"
    frame["class_name"] = frame["market"] + frame["format"] + frame["scale"]
    frame["unit_value"] = (frame["amount"] / frame["volume"]).where(frame["volume"] > 0)
    return frame


SMALL = company([
    ("1", "食杂店", "城镇", "大", 100, 10000),
    ("2", "食杂店", "城镇", "中", 50, 5000),
    ("3", "食杂店", "乡村", "小", 10, 800),
    ("4", "便利店", "城镇", "中", 40, 6000),
    ("5", "便利店", "城镇", "中", 0, 0),
])


def test_r_ana_single_groups_by_format_hand_checked() -> None:
    g = single(SMALL, "format", ["volume", "unit_value"]).set_index("group")
    assert list(g.index) == ["食杂店", "便利店"]  # the manual's order of 业态
    assert g.loc["食杂店", "customers"] == 3 and g.loc["便利店", "customers"] == 2
    assert g.loc["食杂店", "customer_share"] == pytest.approx(0.6)
    assert g.loc["食杂店", "volume"] == 160 and g.loc["食杂店", "volume_share"] == pytest.approx(0.8)
    assert g.loc["便利店", "amount_share"] == pytest.approx(6000 / 21800)
    assert g.loc["食杂店", "unit_value"] == pytest.approx(15800 / 160)  # amount total / volume total
    assert g.loc["食杂店", "mean_unit_value"] == pytest.approx((100 + 100 + 80) / 3)  # mean of ratios differs
    assert g.loc["食杂店", "median_volume"] == 50
    assert g.loc["便利店", "median_volume"] == 20  # (40 + 0) / 2
    assert g.loc["便利店", "median_unit_value"] == 150  # customer 5 has no 单条值: not counted


def test_r_ana_single_missing_values_grouped_last() -> None:
    frame = SMALL.assign(scale=["大", None, "小", "中", "中"])
    g = single(frame, "scale", ["volume"])
    assert g["group"].tolist() == ["大", "中", "小", NO_VALUE]


def test_r_ana_single_olive_flag() -> None:
    g = single(SMALL, "scale", ["volume"])
    text = "".join(single_findings(g, "scale", big_volume_share_max=0.5))
    assert "大户购进量占比50.0%，未超过50.0%" in text  # exactly at the limit is not flagged
    text = "".join(single_findings(g, "scale", big_volume_share_max=0.4))
    assert "超过40.0%的控制线" in text and "橄榄型" in text


def test_r_ana_single_formats_ranked_by_unit_value() -> None:
    g = single(SMALL, "format", ["volume"])
    text = single_findings(g, "format", big_volume_share_max=0.5)[0]
    assert text.index("便利店（150.00元/条）") < text.index("食杂店（98.75元/条）")


def test_r_ana_single_market_gap_no_direction_for_rural() -> None:
    g = single(SMALL, "market", ["volume"])
    text = "".join(single_findings(g, "market", big_volume_share_max=0.5))
    assert "城镇高" in text and "城镇市场应重点提高销售结构" in text and "乡村市场应" not in text


def test_r_ana_assoc_spearman_with_ties_hand_computed() -> None:
    # ranks x: 1, 2.5, 2.5, 4; y: 1, 3, 2, 4 -> Σdxdy = 4.5, Σdx² = 4.5, Σdy² = 5 -> 3 / √10
    assert spearman([1, 2, 2, 3], [1, 3, 2, 4]) == pytest.approx(3 / math.sqrt(10))
    assert spearman([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)
    assert math.isnan(spearman([1, 1, 1], [1, 2, 3]))
    assert spearman([1, 2, np.nan, 4], [2, 3, 9, 1]) == pytest.approx(spearman([1, 2, 4], [2, 3, 1]))


def test_r_ana_assoc_quadrant_at_median_counts_as_high() -> None:
    frame = company([
        ("1", "食杂店", "城镇", "中", 10, 1300),  # 130 元/条
        ("2", "食杂店", "城镇", "中", 20, 2400),  # 120: exactly at both medians (20 条, 120 元/条)
        ("3", "食杂店", "城镇", "中", 30, 3000),  # 100
        ("4", "食杂店", "城镇", "中", 0, 0),  # no purchases: left out, not in the medians
    ])
    placed = quadrants(frame, "volume", "unit_value")
    q = placed.frame.set_index("customer_id")
    assert q.loc["2", "x_median"] == 20 and q.loc["2", "y_median"] == 120
    assert q.loc["2", "quadrant"] == "双高" and q.loc["2", "direction"] == "保持"
    assert q.loc["1", "quadrant"] == "量低值高" and q.loc["1", "direction"] == "提升总量"
    assert q.loc["3", "quadrant"] == "量高值低" and q.loc["3", "direction"] == "优化结构"
    assert placed.no_purchase == 1
    assert quadrant_counts(placed.frame) == {"双高": 1, "量高值低": 1, "量低值高": 1, "双低": 0}


def test_r_ana_assoc_cross_table_unit_value_is_ratio_of_totals() -> None:
    cells = cross_table(SMALL, "market", "format", "unit_value")
    town = cells[(cells["row"] == "城镇") & (cells["column"] == "食杂店")].iloc[0]
    assert town["value"] == pytest.approx(15000 / 150) and town["customers"] == 2
    assert cells[["row", "column"]].values.tolist() == [["城镇", "食杂店"], ["城镇", "便利店"], ["乡村", "食杂店"]]


def test_r_ana_targets_ranked_by_relative_gap_ties_by_id() -> None:
    frame = company([
        ("9", "食杂店", "城镇", "中", 50, 5000),
        ("7", "食杂店", "城镇", "中", 100, 10000),  # class 城镇食杂店中: median 100
        ("8", "食杂店", "城镇", "中", 150, 15000),
        ("3", "便利店", "城镇", "小", 10, 1000),
        ("2", "便利店", "城镇", "小", 20, 2000),  # class 城镇便利店小: median 20
        ("1", "便利店", "城镇", "小", 30, 3000),
        ("5", "食杂店", "城镇", "大", 1, 100),
        ("6", "食杂店", "城镇", "大", 9, 900),  # 大 never a target
    ])
    got = targets(frame, "volume")
    assert got["customer_id"].tolist() == ["3", "9"]  # both relative gap 0.5: by customer_id
    assert got["relative_gap"].tolist() == [0.5, 0.5]
    assert got["gap"].tolist() == [10, 50]
    assert set(got["direction"]) == {"提升总量"}
    assert targets(frame, "unit_value").empty  # all at their class median
    assert targets(frame, "volume", top=1)["customer_id"].tolist() == ["3"]


def test_r_ana_brand_lists_order_and_no_grocery() -> None:
    frame = company([
        ("1", "商场", "城镇", "中", 10, 2000),
        ("2", "超市", "城镇", "大", 10, 1500),
        ("3", "烟酒商店", "城镇", "大", 10, 2500),
        ("4", "便利店", "城镇", "小", 10, 1000),
        ("5", "娱乐服务类", "城镇", "大", 0, 0),
        ("6", "食杂店", "城镇", "大", 10, 9000),
    ])
    lists = brand_lists(frame)
    assert lists["高档新品"]["customer_id"].tolist() == ["3", "2", "1"]  # 大 first, then 单条值 desc
    assert lists["重点品牌扩张"]["customer_id"].tolist() == ["5", "4"]
    assert "6" not in pd.concat(lists.values())["customer_id"].tolist()


def test_dimension_keys_accept_chinese() -> None:
    assert dimension_key("业态") == dimension_key("经营业态") == "format"
    assert dimension_key("综合分类") == "class"
    assert dimension_key("颜色") is None


FORMATS = st.sampled_from(["食杂店", "便利店", "超市"])
SCALES = st.sampled_from(["大", "中", "小"])
ROWS = st.lists(st.tuples(FORMATS, st.sampled_from(["城镇", "乡村"]), SCALES,
                          st.integers(0, 500), st.integers(50, 300)), min_size=1, max_size=40)


def _random_company(rows: list[tuple[str, str, str, int, int]]) -> pd.DataFrame:
    return company([(f"{i:03d}", f, m, s, float(v), float(v * p)) for i, (f, m, s, v, p) in enumerate(rows)])


@settings(max_examples=80, deadline=None)
@given(rows=ROWS, dim=st.sampled_from(["format", "scale", "market", "class"]))
def test_r_ana_single_counts_sum_to_population_and_shares_to_one(rows, dim) -> None:
    frame = _random_company(rows)
    g = single(frame, dim, ["volume", "unit_value"])
    assert g["customers"].sum() == len(frame)
    assert g["customer_share"].sum() == pytest.approx(1.0)
    if frame["volume"].sum() > 0:
        assert g["volume_share"].sum() == pytest.approx(1.0)
        assert g["amount_share"].sum() == pytest.approx(1.0)


@settings(max_examples=80, deadline=None)
@given(xs=st.lists(st.tuples(st.integers(0, 20), st.integers(0, 20)), min_size=2, max_size=40))
def test_r_ana_spearman_in_range_and_symmetric(xs) -> None:
    x, y = [a for a, _ in xs], [b for _, b in xs]
    rho = spearman(x, y)
    if not math.isnan(rho):
        assert -1.0 <= rho <= 1.0
        assert spearman(y, x) == pytest.approx(rho)
        assert spearman(x, [-v for v in y]) == pytest.approx(-rho)
    else:
        assert math.isnan(spearman(y, x))


@settings(max_examples=80, deadline=None)
@given(rows=ROWS, factor=st.sampled_from([0.5, 2.0, 3.0, 10.0]))
def test_r_ana_scaling_volumes_changes_no_quadrant(rows, factor) -> None:
    frame = _random_company(rows)
    scaled = frame.assign(volume=frame["volume"] * factor, amount=frame["amount"] * factor)
    before = quadrants(frame, "volume", "unit_value").frame
    after = quadrants(scaled, "volume", "unit_value").frame
    assert before["quadrant"].tolist() == after["quadrant"].tolist()


@settings(max_examples=60, deadline=None)
@given(rows=ROWS)
def test_r_ana_targets_below_median_and_ordered(rows) -> None:
    frame = _random_company(rows)
    got = targets(frame, "volume")
    assert set(got["scale"]) <= {"中", "小"}
    assert (got["value"] < got["class_median"]).all()
    keys = list(zip(-got["relative_gap"], got["customer_id"]))
    assert keys == sorted(keys)
