"""R-SCALE explained (`cmtool classify explain`, rules/explain.py)."""

from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cmtool.config import ScaleConfig
from cmtool.errors import DataError
from cmtool.rules.explain import explain_scale
from cmtool.rules.scale import rank_scale

HIGHER = {"大": 2, "中": 1, "小": 0}
TEN = [(1000, 100000), (800, 60000), (600, 60000), (400, 20000), (300, 30000),
       (200, 10000), (100, 10000), (50, 5000), (20, 2000), (0, 0)]


def _frame(pairs: list[tuple[int, int]], **extra) -> pd.DataFrame:
    return pd.DataFrame({
        "customer_id": [f"{i + 1:03d}" for i in range(len(pairs))],
        "volume_h": np.array([v for v, _ in pairs], dtype=np.int64),
        "amount_c": np.array([a for _, a in pairs], dtype=np.int64),
        **extra,
    })


def _unit_value(frame: pd.DataFrame, customer_id: str) -> Fraction:
    """The exact 单条值 (分 per 0.01 条): the customer's own, else the frame's average."""
    row = frame.loc[frame["customer_id"] == customer_id].iloc[0]
    if row["volume_h"] > 0:
        return Fraction(int(row["amount_c"]), int(row["volume_h"]))
    return Fraction(int(frame["amount_c"].sum()), int(frame["volume_h"].sum()))


def _scale_after(frame: pd.DataFrame, customer_id: str, delta_h: int, u: Fraction,
                 shares: ScaleConfig | None = None, scope: str | None = None) -> str:
    """Rank again after customer_id bought delta_h more at unit value u, exactly: all amounts
    are multiplied by u's denominator, which leaves every share unchanged."""
    bought = frame.copy()
    bought["amount_c"] = bought["amount_c"] * u.denominator
    mine = bought["customer_id"] == customer_id
    bought.loc[mine, "volume_h"] += delta_h
    bought.loc[mine, "amount_c"] += u.numerator * delta_h
    ranked = rank_scale(bought, shares, scope)
    return ranked.loc[ranked["customer_id"] == customer_id, "scale"].iloc[0]


def _check_minimal(frame, customer_id, shares=None, scope=None) -> None:
    """The reported volume lifts the customer to the next scale; 0.01 条 less does not."""
    ranked = rank_scale(frame, shares, scope)
    result = explain_scale(ranked, customer_id, shares)
    delta = round(result.volume_needed * 100)
    target = HIGHER[result.next_scale]
    scope_frame = frame if scope is None else frame[frame[scope] == result.scope]
    u = _unit_value(scope_frame, customer_id)
    assert result.unit_value == float(u)
    after = _scale_after(frame, customer_id, delta, u, shares, scope)
    assert HIGHER[after] >= target
    if delta > 0:
        before = _scale_after(frame, customer_id, delta - 1, u, shares, scope)
        assert HIGHER[before] < target


def test_r_scale_explain_figures_of_a_middle_customer():
    """R-SCALE explain: figures, cut positions and scores at the cuts (n = 10, cuts at 2 and 9)."""
    ranked = rank_scale(_frame(TEN))
    result = explain_scale(ranked, "003")
    assert (result.scale, result.rank, result.position, result.n) == ("中", 3, 3, 10)
    assert (result.volume, result.amount) == (6.0, 600.0)
    assert result.volume_share == pytest.approx(600 / 3470)
    assert result.amount_share == pytest.approx(60000 / 297000)
    assert (result.n_big, result.n_small) == (2, 2)
    assert (result.big_cut_position, result.small_cut_position) == (2, 9)
    assert result.big_cut_score == ranked["score"].iloc[1]
    assert result.small_cut_score == ranked["score"].iloc[8]
    assert (result.unit_value, result.unit_value_basis) == (100.0, "本户单条值")
    json.dumps(result.as_dict(), ensure_ascii=False)


def test_r_scale_explain_volume_needed_hand_checked():
    """R-SCALE explain: 003 = (600, 60000) must beat 002 = (800, 60000) with u = 100 分 per
    0.01 条, V = 3470, A = 297000. key gap after Δ: 200Δ² + 624000Δ − 59400000 > 0, root ≈ 92.45,
    so Δ = 93 (0.93 条, 93 元)."""
    result = explain_scale(rank_scale(_frame(TEN)), "003")
    assert (result.next_scale, result.volume_needed, result.amount_needed) == ("大", 0.93, 93.0)
    assert "0.93 条" in result.note and "升为大" in result.note
    assert _scale_after(_frame(TEN), "003", 93, Fraction(100)) == "大"
    assert _scale_after(_frame(TEN), "003", 92, Fraction(100)) == "中"


def test_r_scale_explain_small_customer_next_scale_is_middle():
    """R-SCALE explain: a 小 customer is told what it needs for 中."""
    result = explain_scale(rank_scale(_frame(TEN)), "009")
    assert result.next_scale == "中"
    _check_minimal(_frame(TEN), "009")


def test_r_scale_explain_zero_buyer_uses_scope_average_unit_value():
    """R-SCALE explain: no purchases → the scope's average 单条值, and the note says so."""
    result = explain_scale(rank_scale(_frame(TEN)), "010")
    assert result.unit_value == pytest.approx(297000 / 3470)
    assert result.unit_value_basis == "排名范围平均单条值"
    assert "无购进" in result.note
    _check_minimal(_frame(TEN), "010")


def test_r_scale_explain_big_customer_has_nothing_to_gain():
    """R-SCALE explain: 大 → no next scale, no volume needed."""
    result = explain_scale(rank_scale(_frame(TEN)), "001")
    assert (result.next_scale, result.volume_needed, result.score_after) == (None, None, None)
    assert "大户" in result.note


def test_r_scale_explain_cut_customer_changes_as_totals_grow():
    """R-SCALE explain: 002 overtakes 001 (the customer at the 大 cut) after 0.33 条, but by then
    005 has overtaken 001 too, so 002 really needs 0.37 条: the answer is not "beat the customer
    now at the cut"."""
    pairs = [(120, 117000), (60, 84000), (20, 69000), (250, 3000), (320, 36000)]
    frame = _frame(pairs)
    ranked = rank_scale(frame)
    assert ranked["customer_id"].tolist()[:3] == ["001", "005", "002"]
    result = explain_scale(ranked, "002")
    assert result.volume_needed == 0.37
    assert _scale_after(frame, "002", 33, Fraction(1400)) == "中"
    assert _scale_after(frame, "002", 36, Fraction(1400)) == "中"
    assert _scale_after(frame, "002", 37, Fraction(1400)) == "大"


def test_r_scale_explain_tie_at_the_cut():
    """R-SCALE explain: tied with the cut customer (both 中), 0.01 条 more is enough."""
    pairs = [(500, 5000), (300, 3000), (300, 3000), (200, 2000), (100, 1000),
             (90, 900), (80, 800), (70, 700), (60, 600), (50, 500)]
    frame = _frame(pairs)
    result = explain_scale(rank_scale(frame), "003")
    assert result.scale == "中" and result.rank == 2
    assert result.volume_needed == 0.01
    _check_minimal(frame, "003")


def test_r_scale_explain_no_room_above():
    """R-SCALE explain: n = 2 → no 大 positions at all; 中 has no next scale."""
    result = explain_scale(rank_scale(_frame([(200, 100), (100, 100)])), "002")
    assert (result.scale, result.next_scale, result.volume_needed) == ("中", None, None)
    assert result.big_cut_position is None and result.small_cut_position is None
    assert "名额" in result.note


def test_r_scale_explain_unreachable_with_zero_unit_value():
    """R-SCALE explain: 单条值 0 and another customer holds all the amount: volume alone never
    reaches 大 (score stays below 0.5 while 002 keeps 0.5)."""
    pairs = [(100, 0), (0, 1000), (50, 0), (10, 0), (5, 0)]
    ranked = rank_scale(_frame(pairs))
    result = explain_scale(ranked, "001")
    assert (result.scale, result.next_scale, result.volume_needed) == ("中", "大", None)
    assert "无法" in result.note
    assert _scale_after(_frame(pairs), "001", 10**9, Fraction(0)) == "中"


def test_r_scale_explain_within_a_department():
    """R-SCALE explain: with --scope department the figures are those of the customer's 营销部."""
    frame = _frame([*TEN, (5, 500), (3, 300), (1, 100)], department=["东"] * 10 + ["西"] * 3)
    ranked = rank_scale(frame, scope="department")
    result = explain_scale(ranked, "012")
    assert (result.scope, result.n, result.scale, result.next_scale) == ("西", 3, "中", "大")
    assert result.volume_needed == 0.03  # (3 + 3, 600) beats (5, 500) only when strictly above
    _check_minimal(frame, "012", scope="department")


def test_r_scale_explain_unknown_customer_is_a_data_error():
    """R-SCALE explain: a customer that was not ranked."""
    with pytest.raises(DataError, match="999"):
        explain_scale(rank_scale(_frame(TEN)), "999")


@st.composite
def explained_cases(draw):
    """A small population, one of its customers, and shares."""
    pairs = draw(st.lists(st.tuples(st.integers(0, 5000), st.integers(0, 10**6)),
                          min_size=3, max_size=15))
    assume(sum(v for v, _ in pairs) > 0 and sum(a for _, a in pairs) > 0)
    shares = draw(st.sampled_from([
        ScaleConfig(), ScaleConfig(big=0.3, small=0.3),
        ScaleConfig(big=0.5, small=0.5), ScaleConfig(big=0.1, small=0.1),
    ]))
    index = draw(st.integers(0, len(pairs) - 1))
    return pairs, f"{index + 1:03d}", shares


@settings(max_examples=100, deadline=None)
@given(case=explained_cases(), data=st.data())
def test_r_scale_explain_property_volume_needed_is_minimal(case, data):
    """R-SCALE explain property: Δ lifts to the next scale and Δ − 0.01 条 does not."""
    pairs, _, shares = case
    frame = _frame(pairs)
    ranked = rank_scale(frame, shares)
    below_big = ranked.loc[ranked["scale"] != "大", "customer_id"].tolist()
    assume(below_big)
    customer_id = data.draw(st.sampled_from(below_big))
    result = explain_scale(ranked, customer_id, shares)
    assume(result.next_scale is not None and result.volume_needed is not None)
    _check_minimal(frame, customer_id, shares)


@settings(max_examples=100, deadline=None)
@given(case=explained_cases())
def test_r_scale_explain_property_figures_match_the_ranking(case):
    """R-SCALE explain property: the figures are the ranked row's, the cut scores the rows at
    the cut positions, and the next scale is the one just above whenever there is room."""
    pairs, customer_id, shares = case
    ranked = rank_scale(_frame(pairs), shares)
    row = ranked.set_index("customer_id").loc[customer_id]
    result = explain_scale(ranked, customer_id, shares)
    assert (result.scale, result.rank, result.score) == (row["scale"], row["rank"], row["score"])
    if result.big_cut_position:
        assert result.big_cut_score == ranked["score"].iloc[result.big_cut_position - 1]
    if result.small_cut_position:
        assert result.small_cut_score == ranked["score"].iloc[result.small_cut_position - 1]
    if result.next_scale is not None:
        assert HIGHER[result.next_scale] > HIGHER[result.scale]
