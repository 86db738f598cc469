"""R-GROUP, R-GROUP-NEW, R-GROUP-ADJUST, R-GROUP-ONDEMAND and the R-DYN hold (rules/groups.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from group_frames import customers, monthly
from hypothesis import given, settings
from hypothesis import strategies as st

from cmtool.config import GroupsConfig
from cmtool.periods import Month
from cmtool.rules.groups import (
    APPROVAL_CHAINS, DOWN, IN, KIND_ON_DEMAND, KIND_TOTAL, OUT, UP, active_measures, band_names, band_of, band_text,
    hold_upward, initial_groups, total_group_moves, window,
)

CFG = GroupsConfig()
M = Month(2026, 10)
MONTHS3 = ["2026-08", "2026-09", "2026-10"]


def moves(rows: list[dict], volumes: dict[str, list[float]], n: int = 3, config: GroupsConfig = CFG):
    months = [m.key for m in window(M, n)]
    return total_group_moves(customers(*rows), monthly(volumes, months), config, M, n)


def test_r_group_band_edges_lower_inclusive_upper_exclusive():
    names = {v: band_of(v, CFG.bands).name for v in (0, 39.99, 40, 99.99, 100, 199.99, 200, 399.99, 400, 10**6)}
    assert names == {0: "五组", 39.99: "五组", 40: "四组", 99.99: "四组", 100: "三组", 199.99: "三组",
                     200: "二组", 399.99: "二组", 400: "一组", 10**6: "一组"}
    assert list(band_names([200, 199.99], CFG.bands)) == ["二组", "三组"]
    with pytest.raises(ValueError):
        band_of(-1, CFG.bands)


def test_r_group_band_text():
    by = {b.name: b for b in CFG.bands}
    assert band_text(by["二组"], "条/月") == "二组（≥200 且 <400 条/月）"
    assert band_text(by["一组"], "条/月") == "一组（≥400 条/月）"
    assert band_text(by["五组"], "条/月") == "五组（<40 条/月）"


def test_r_group_window_ends_at_the_month():
    assert [m.key for m in window(Month(2026, 2), 3)] == ["2025-12", "2026-01", "2026-02"]
    assert [m.key for m in window(M, 1)] == ["2026-10"]


def test_r_group_adjust_up_at_exactly_the_upper_bound():
    got = moves([{"customer_id": "A", "group": "三组"}], {"A": [200, 200, 200]})
    (p,) = got.proposals
    assert (p.kind, p.current_group, p.proposed_group, p.direction) == (KIND_TOTAL, "三组", "二组", UP)
    assert p.months == tuple(MONTHS3) and p.values == (200, 200, 200) and p.level == 200
    assert p.approval_chain == ("客户经理申请", "市场经理审核", "分管副经理审批")
    assert "三组上限 200 条/月" in p.reason and "二组（≥200 且 <400 条/月）" in p.reason


def test_r_group_adjust_just_inside_is_not_proposed():
    got = moves([{"customer_id": "A", "group": "三组"}, {"customer_id": "B", "group": "三组"}],
                {"A": [199.99, 199.99, 199.99], "B": [100, 100, 100]})
    assert got.proposals == [] and got.rejected == []


def test_r_group_adjust_mixed_months_are_not_sustained():
    got = moves([{"customer_id": "A", "group": "三组"}, {"customer_id": "B", "group": "三组"}],
                {"A": [250, 150, 260], "B": [250, 90, 260]})
    assert got.proposals == []


def test_r_group_adjust_down_and_the_band_of_the_mean():
    got = moves([{"customer_id": "A", "group": "二组"}, {"customer_id": "B", "group": "四组"}],
                {"A": [30, 45, 50], "B": [450, 600, 420]})
    by = {p.customer_id: p for p in got.proposals}
    assert (by["A"].direction, by["A"].proposed_group) == (DOWN, "四组")  # mean 41.67, two groups down
    assert (by["B"].direction, by["B"].proposed_group) == (UP, "一组")  # mean 490
    assert "二组下限 200 条/月" in by["A"].reason


def test_r_group_adjust_no_purchases_at_all_is_down():
    got = moves([{"customer_id": "A", "group": "四组"}], {"A": [0, 0, 0]})
    assert [(p.direction, p.proposed_group) for p in got.proposals] == [(DOWN, "五组")]


def test_r_group_adjust_n_is_one_and_only_the_last_month_counts():
    rows = [{"customer_id": "A", "group": "三组"}]
    assert [p.months for p in moves(rows, {"A": [210]}, n=1).proposals] == [("2026-10",)]
    three = moves(rows, {"A": [150, 150, 210]}, n=3)
    assert three.proposals == []


def test_r_group_adjust_top_and_bottom_bands_cannot_move_further():
    got = moves([{"customer_id": "A", "group": "一组"}, {"customer_id": "B", "group": "五组"}],
                {"A": [700, 700, 700], "B": [0, 0, 0]})
    assert got.proposals == []


def test_r_group_unknown_or_empty_group_is_listed_with_the_fix():
    got = moves([{"customer_id": "A", "group": "六组"}, {"customer_id": "B", "group": None}],
                {"A": [500, 500, 500], "B": [500, 500, 500]})
    assert got.proposals == []
    by = {r.customer_id: r for r in got.rejected}
    assert by["A"].kind == KIND_TOTAL and "「六组」不是配置中的组别" in by["A"].reason and "按需供货" in by["A"].reason
    assert "group-init" in by["B"].reason


def test_r_group_paused_inactive_and_recent_customers_are_not_evaluated():
    rows = [
        {"customer_id": "P", "group": "三组", "status": "暂停"},
        {"customer_id": "X", "group": "三组", "status": "注销"},
        {"customer_id": "R", "group": "三组", "joined": "2026-08-02"},
        {"customer_id": "S", "group": "三组", "joined": "2026-08-01"},
    ]
    got = moves(rows, {c: [0, 0, 0] for c in "PXRS"})
    assert [p.customer_id for p in got.proposals] == ["S"]


def test_r_group_ondemand_in_at_the_entry_threshold():
    got = moves([{"customer_id": "A", "group": "一组"}, {"customer_id": "B", "group": "一组"}],
                {"A": [800, 800, 800], "B": [800, 799, 900]})
    (p,) = got.proposals
    assert (p.customer_id, p.kind, p.proposed_group, p.direction) == ("A", KIND_ON_DEMAND, "按需供货", IN)
    assert p.approval_chain == ("营销部申请", "分管副经理签字", "营销中心审核")


def test_r_group_ondemand_out_to_the_band_of_the_mean():
    got = moves([{"customer_id": "A", "group": "按需供货"}, {"customer_id": "B", "group": "按需供货"}],
                {"A": [300, 150, 90], "B": [399, 400, 100]})
    (p,) = got.proposals
    assert (p.customer_id, p.kind, p.current_group, p.proposed_group, p.direction) == (
        "A", KIND_ON_DEMAND, "按需供货", "三组", OUT)


def test_r_group_ondemand_is_not_a_total_group_move():
    got = moves([{"customer_id": "A", "group": "按需供货"}], {"A": [5000, 5000, 5000]})
    assert got.proposals == [] and got.rejected == []


def test_r_group_ondemand_new_customer_is_rejected_with_the_reason():
    rows = [
        {"customer_id": "NEW", "group": "一组", "joined": "2026-05-01"},  # 6 months after: 2026-11-01
        {"customer_id": "OLD", "group": "一组", "joined": "2026-04-30"},  # 6 months after: 2026-10-30
        {"customer_id": "UNK", "group": "一组", "joined": None},
    ]
    got = moves(rows, {c: [900, 900, 900] for c in ("NEW", "OLD", "UNK")})
    assert [(p.customer_id, p.direction) for p in got.proposals] == [("OLD", IN), ("UNK", IN)]
    assert [(r.customer_id, r.kind, r.reason) for r in got.rejected] == [
        ("NEW", "按需供货", "入网未满6个月，不得直接归入按需供货客户组别")]


def test_r_group_new_customer_months_from_config():
    config = GroupsConfig(new_customer_months=2)
    got = moves([{"customer_id": "A", "group": "一组", "joined": "2026-08-01"}], {"A": [900, 900, 900]},
                config=config)
    assert [p.direction for p in got.proposals] == [IN]


def test_r_group_second_group_high_volume_gets_both_applications():
    got = moves([{"customer_id": "A", "group": "二组"}], {"A": [900, 950, 1000]})
    assert [(p.kind, p.proposed_group) for p in got.proposals] == [(KIND_TOTAL, "一组"), (KIND_ON_DEMAND, "按需供货")]


def _measures(*rows: dict) -> pd.DataFrame:
    base = {"measure": "组别下调", "starts_on": "2026-10-10", "ends_on": "2026-12-31", "decided_month": "2026-09",
            "restored_on": None}
    return pd.DataFrame([{**base, **r} for r in rows])


def test_r_group_active_measure_holds_upward_moves_only():
    got = moves([{"customer_id": "UP", "group": "三组"}, {"customer_id": "IN", "group": "一组"},
                 {"customer_id": "DN", "group": "三组"}],
                {"UP": [250, 250, 250], "IN": [900, 900, 900], "DN": [50, 50, 50]})
    measures = active_measures(_measures(
        {"customer_id": "UP"}, {"customer_id": "IN", "measure": "暂停访销", "ends_on": None}, {"customer_id": "DN"}), M)
    held = hold_upward(got, measures)
    assert [(p.customer_id, p.direction) for p in held.proposals] == [("DN", DOWN)]
    reasons = {r.customer_id: r.reason for r in held.rejected}
    assert reasons["UP"] == "处于动态管理措施期内（组别下调，2026-10-10起至2026-12-31），不予上调"
    assert reasons["IN"] == "处于动态管理措施期内（暂停访销，2026-10-10起），不予调入"


def test_r_group_measures_that_are_over_or_not_yet_decided_do_not_hold():
    frame = _measures(
        {"customer_id": "ENDED", "ends_on": "2026-10-31"},
        {"customer_id": "RESTORED", "restored_on": "2026-11-01"},
        {"customer_id": "LATER", "decided_month": "2026-11"},
        {"customer_id": "ON", "ends_on": "2026-11-01"},
        {"customer_id": "NEXT", "decided_month": "2026-10", "starts_on": "2026-11-05"},
    )
    assert sorted(active_measures(frame, M)["customer_id"]) == ["NEXT", "ON"]


def test_r_group_new_initial_group_from_expected_volume():
    frame = customers(
        {"customer_id": "A", "expected_monthly": 200},
        {"customer_id": "B", "expected_monthly": 5000},  # never 按需供货
        {"customer_id": "C", "expected_monthly": 39.99},
        {"customer_id": "D"},
        {"customer_id": "E", "expected_monthly": 150, "group": "二组"},  # has one already
        {"customer_id": "F", "expected_monthly": 150, "status": "注销"},
    )
    got = initial_groups(frame, CFG).set_index("customer_id")
    assert list(got.index) == ["A", "B", "C", "D"]
    assert got["group"].tolist()[:3] == ["二组", "一组", "五组"] and pd.isna(got.loc["D", "group"])
    assert "月预计销量" in got.loc["D", "problem"] and pd.isna(got.loc["A", "problem"])


def test_approval_chains_per_kind():
    assert set(APPROVAL_CHAINS) == {"总量组别", "按需供货", "单户单次定量"}
    assert APPROVAL_CHAINS["单户单次定量"] == ("客户经理申请", "市场经理签字审核", "分管副经理签字审批")


# ---- properties ----------------------------------------------------------------------------

BANDS = {b.name: b for b in CFG.bands}
volume = st.floats(min_value=0, max_value=2000, allow_nan=False).map(lambda v: round(v, 2))


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(BANDS)), st.lists(st.floats(0, 1, exclude_max=True), min_size=3, max_size=3))
def test_property_inside_its_band_is_never_proposed(group, fractions):
    band = BANDS[group]
    top = band.max if band.max is not None else band.min + 390  # below 800: no 按需供货 entry
    values = [round(band.min + f * (top - band.min), 2) for f in fractions]
    values = [v if v < top else band.min for v in values]
    got = moves([{"customer_id": "A", "group": group}], {"A": values})
    assert got.proposals == []


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(sorted(BANDS)), st.lists(volume, min_size=3, max_size=3)),
                min_size=1, max_size=8))
def test_property_proposals_move_toward_the_band_of_the_mean(rows):
    ids = [f"C{i:02d}" for i in range(len(rows))]
    got = moves([{"customer_id": c, "group": g} for c, (g, _) in zip(ids, rows)],
                {c: v for c, (_, v) in zip(ids, rows)})
    for p in got.proposals:
        if p.kind != KIND_TOTAL:
            continue
        mean = np.mean(p.values)
        assert p.proposed_group == band_of(mean, CFG.bands).name
        current, proposed = BANDS[p.current_group], BANDS[p.proposed_group]
        assert (proposed.min > current.min) == (p.direction == UP)
        assert proposed.name != current.name


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([*sorted(BANDS), "按需供货"]), st.lists(volume, min_size=3, max_size=3)),
                min_size=2, max_size=8), st.randoms(use_true_random=False))
def test_property_row_order_changes_nothing(rows, rnd):
    ids = [f"C{i:02d}" for i in range(len(rows))]
    master = customers(*({"customer_id": c, "group": g} for c, (g, _) in zip(ids, rows)))
    sales = monthly({c: v for c, (_, v) in zip(ids, rows)}, MONTHS3)
    first = total_group_moves(master, sales, CFG, M, 3)
    shuffled = master.sample(frac=1, random_state=rnd.randint(0, 999)).reset_index(drop=True)
    again = total_group_moves(shuffled, sales.sample(frac=1, random_state=1), CFG, M, 3)
    assert first == again
