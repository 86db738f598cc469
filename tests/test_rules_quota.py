"""R-QUOTA, R-QUOTA-ADJUST, R-QUOTA-REVIEW (rules/quota.py) and the [quota] config."""

from __future__ import annotations

import pandas as pd
import pytest
from group_frames import customers, monthly
from hypothesis import given, settings
from hypothesis import strategies as st

from cmtool.config import Band, QuotaConfig, load_config
from cmtool.errors import ConfigError
from cmtool.periods import Month, Quarter
from cmtool.rules.groups import DOWN, KIND_QUOTA, UP
from cmtool.rules.quota import NO_ORDER_COUNT, initial_quota_groups, order_grid, quota_group_moves, quota_review

CFG = QuotaConfig()
M = Month(2026, 10)
TWO = ["2026-09", "2026-10"]
Q3 = Quarter(2026, 3)
Q3_MONTHS = [m.key for m in Q3.months]
SUPERMARKET = QuotaConfig(by_format={"超市": [Band(name="定量一组", min=80), Band(name="定量二组", min=30, max=80),
                                             Band(name="定量三组", min=0, max=30)]})


def adjust(rows, volumes, orders=None, n=2, config=CFG):
    months = TWO[-n:] if n <= 2 else [m.key for m in Quarter(2026, 4).months]
    return quota_group_moves(customers(*rows), monthly(volumes, months, orders), config, M, n)


def test_r_quota_orders_counted_given_or_estimated_from_the_visit_cycle():
    frame = customers({"customer_id": "W"}, {"customer_id": "B", "visit_cycle": "双周"},
                      {"customer_id": "M", "visit_cycle": "每月"}, {"customer_id": "K"})
    sales = monthly({"W": [130, 130], "B": [65, 0], "M": [10, 10], "K": [40, 40]}, TWO,
                    {"K": [4, None]})
    grid = order_grid(sales, frame, TWO)
    assert grid.orders.loc["W"].tolist() == pytest.approx([13 / 3, 13 / 3])  # weekly: 13 a quarter
    assert grid.orders.loc["B"].tolist() == pytest.approx([6.5 / 3, 0])  # no purchases, no orders
    assert grid.orders.loc["M"].tolist() == pytest.approx([1, 1])
    assert grid.orders.loc["K"].tolist() == pytest.approx([4, 13 / 3])  # mixed months
    assert grid.estimated.loc["K"].tolist() == [False, True]
    assert grid.pooled().loc["W"] == pytest.approx(260 / (26 / 3))
    assert grid.per_order().loc["K"].tolist() == pytest.approx([10, 40 / (13 / 3)])


def test_r_quota_adjust_up_exactly_at_the_upper_bound():
    got = adjust([{"customer_id": "A", "quota_group": "定量三组"}], {"A": [100, 75]}, {"A": [4, 3]})
    (p,) = got.proposals
    assert (p.kind, p.current_group, p.proposed_group, p.direction) == (KIND_QUOTA, "定量三组", "定量二组", UP)
    assert p.values == (25, 25) and p.volumes == (100, 75) and p.orders == (4, 3) and p.estimated == (False, False)
    assert p.approval_chain == ("客户经理申请", "市场经理签字审核", "分管副经理签字审批")
    assert "定量三组上限 25 条/次" in p.reason


def test_r_quota_adjust_lower_bound_is_inside_and_just_below_is_down():
    got = adjust([{"customer_id": "IN", "quota_group": "定量三组"}, {"customer_id": "DN", "quota_group": "定量三组"}],
                 {"IN": [40, 30], "DN": [39.96, 29.97]}, {"IN": [4, 3], "DN": [4, 3]})
    assert [(p.customer_id, p.direction, p.proposed_group) for p in got.proposals] == [("DN", DOWN, "定量四组")]


def test_r_quota_adjust_mixed_months_and_n():
    rows = [{"customer_id": "A", "quota_group": "定量三组"}]
    assert adjust(rows, {"A": [60, 120]}, {"A": [4, 4]}).proposals == []  # 15 then 30 a order
    assert [p.months for p in adjust(rows, {"A": [120]}, {"A": [4]}, n=1).proposals] == [("2026-10",)]


def test_r_quota_adjust_proposed_from_all_months_together():
    got = adjust([{"customer_id": "A", "quota_group": "定量四组"}], {"A": [30, 300]}, {"A": [2, 5]})
    (p,) = got.proposals
    assert p.level == pytest.approx(330 / 7) and p.proposed_group == "定量二组"  # 15 and 60 a order: 47.1


def test_r_quota_unknown_orders_empty_and_unknown_group_are_listed():
    got = adjust([{"customer_id": "U", "quota_group": "定量三组", "visit_cycle": None},
                  {"customer_id": "E", "quota_group": None}, {"customer_id": "X", "quota_group": "定量九组"}],
                 {"U": [100, 100], "E": [100, 100], "X": [100, 100]})
    reasons = {r.customer_id: r.reason for r in got.rejected}
    assert reasons["U"] == NO_ORDER_COUNT and "group-init" in reasons["E"] and "「定量九组」" in reasons["X"]
    assert got.proposals == [] and {r.kind for r in got.rejected} == {KIND_QUOTA}


def test_r_quota_bands_per_format():
    rows = [{"customer_id": "S", "format": "超市", "quota_group": "定量二组"},
            {"customer_id": "Z", "format": "食杂店", "quota_group": "定量二组"}]
    got = adjust(rows, {"S": [280, 280], "Z": [280, 280]}, {"S": [4, 4], "Z": [4, 4]}, config=SUPERMARKET)
    assert [(p.customer_id, p.proposed_group) for p in got.proposals] == [("Z", "定量一组")]  # 70 a order
    got = adjust(rows, {"S": [100, 100], "Z": [100, 100]}, {"S": [4, 4], "Z": [4, 4]}, config=SUPERMARKET)
    assert [(p.customer_id, p.direction, p.proposed_group) for p in got.proposals] == [("S", DOWN, "定量三组")]
    assert SUPERMARKET.bands_for("超市")[0].min == 80 and SUPERMARKET.bands_for("便利店") == SUPERMARKET.bands


def test_r_quota_review_lists_changes_side_by_side():
    frame = customers(
        {"customer_id": "UP", "quota_group": "定量四组"},
        {"customer_id": "SAME", "quota_group": "定量三组"},
        {"customer_id": "DOWN", "quota_group": "定量一组", "visit_cycle": "双周"},
        {"customer_id": "NONE", "quota_group": "定量三组"},
        {"customer_id": "NEW", "quota_group": "定量四组", "joined": "2026-08-15"},
    )
    sales = monthly({"UP": [60, 60, 60], "SAME": [60, 60, 60], "DOWN": [40, 40, 0], "NEW": [600, 600, 600]}, Q3_MONTHS,
                    {"UP": [4, 4, 4], "SAME": [4, 4, None]})
    review = quota_review(frame, sales, CFG, Q3)
    got = review.changes.set_index("customer_id")
    assert list(got.index) == ["DOWN", "UP"]
    assert got.loc["UP", ["current_group", "proposed_group", "direction", "orders_basis"]].tolist() == [
        "定量四组", "定量三组", UP, "实际"]
    assert got.loc["UP", "per_order"] == pytest.approx(15)
    assert got.loc["DOWN", ["proposed_group", "direction", "orders_basis"]].tolist() == ["定量三组", DOWN, "按访销周期估算"]
    assert got.loc["DOWN", "orders"] == pytest.approx(2 * 6.5 / 3)
    assert [(r.customer_id, r.reason) for r in review.skipped] == [
        ("NONE", "本季度没有购进，无法计算每次订货量，定量组别不变")]


def test_r_quota_new_initial_group_from_expected_volume_and_visit_cycle():
    frame = customers(
        {"customer_id": "W", "expected_monthly": 200},
        {"customer_id": "B", "expected_monthly": 200, "visit_cycle": "双周"},
        {"customer_id": "S", "expected_monthly": 200, "format": "超市"},
        {"customer_id": "C", "expected_monthly": 200, "visit_cycle": None},
        {"customer_id": "E"},
        {"customer_id": "HAS", "expected_monthly": 200, "quota_group": "定量四组"},
    )
    got = initial_quota_groups(frame, SUPERMARKET).set_index("customer_id")
    assert list(got.index) == ["W", "B", "S", "C", "E"]
    assert got.loc["W", "per_order"] == pytest.approx(200 / (13 / 3))
    assert got["quota_group"].tolist()[:3] == ["定量二组", "定量一组", "定量二组"]  # 46.2, 92.3, 46.2 (超市 30–80)
    assert "访销周期" in got.loc["C", "problem"] and "月预计销量" in got.loc["E", "problem"]


@settings(max_examples=60, deadline=None)
@given(st.sampled_from([b.name for b in CFG.bands]),
       st.lists(st.floats(0, 1, exclude_max=True), min_size=2, max_size=2),
       st.lists(st.integers(1, 9), min_size=2, max_size=2))
def test_property_inside_its_quota_band_is_never_proposed(group, fractions, orders):
    band = next(b for b in CFG.bands if b.name == group)
    top = band.max if band.max is not None else band.min * 3
    per_order = [band.min + f * (top - band.min) for f in fractions]
    volumes = [round(p * o, 2) for p, o in zip(per_order, orders)]
    volumes = [v if band.holds(v / o) else band.min * o for v, o in zip(volumes, orders)]
    got = adjust([{"customer_id": "A", "quota_group": group}], {"A": volumes}, {"A": orders})
    assert got.proposals == []


def test_quota_config_per_format_bands_are_checked(tmp_path):
    path = tmp_path / "cmtool.toml"
    path.write_text('[quota.by_format]\n"超市" = [{ name = "甲", min = 0, max = 30 }, { name = "乙", min = 30 }]\n',
                    encoding="utf-8")
    assert [b.name for b in load_config(path).quota.bands_for("超市")] == ["甲", "乙"]
    for text, words in [
        ('[quota.by_format]\n"超级市场" = [{ name = "甲", min = 0 }]\n', "业态 超级市场"),
        ('[quota]\nbands = [{ name = "甲", min = 0, max = 10 }, { name = "乙", min = 12 }]\n', "不能有空档"),
        ('[quota]\nbands = [{ name = "甲", min = 5 }]\n', "下限应为 0"),
        ('[groups]\nbands = [{ name = "甲", min = 0, max = 10 }]\n', "不应有上限"),
        ('[groups]\non_demand = "甲"\nbands = [{ name = "甲", min = 0 }]\n', "不能同时"),
        ('[quota]\nbandz = []\n', "quota.bandz"),
    ]:
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ConfigError, match=words):
            load_config(path)
    assert QuotaConfig().by_format == {} and pd.Series([b.min for b in QuotaConfig().bands]).tolist() == [50, 25, 10, 0]
