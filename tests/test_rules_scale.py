"""R-SCALE: 经营规模 from the quarter's purchases (rules/scale.py)."""

from __future__ import annotations

import time
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cmtool.config import ScaleConfig
from cmtool.errors import DataError
from cmtool.rules.scale import ADDED_COLUMNS, _exact_keys, cut_counts, rank_scale, round_half_up

HIGHER = {"大": 2, "中": 1, "小": 0}


def _frame(pairs: list[tuple[int, int]], ids: list[str] | None = None, **extra) -> pd.DataFrame:
    """A population frame from (volume_h, amount_c) pairs; ids default to 001, 002, ..."""
    ids = ids or [f"{i + 1:03d}" for i in range(len(pairs))]
    return pd.DataFrame({
        "customer_id": ids,
        "volume_h": np.array([v for v, _ in pairs], dtype=np.int64),
        "amount_c": np.array([a for _, a in pairs], dtype=np.int64),
        **extra,
    })


def _scales(ranked: pd.DataFrame) -> dict[str, str]:
    return dict(zip(ranked["customer_id"], ranked["scale"]))


def _descending(n: int) -> list[tuple[int, int]]:
    """n customers with distinct, strictly decreasing scores."""
    return [((n - i) * 100, (n - i) * 1000) for i in range(n)]


# --- clause 3: cut counts, round half up -------------------------------------------------------

@pytest.mark.parametrize(
    ("share", "n", "expected"),
    [(0.2, 12, 2), (0.2, 13, 3), (0.25, 10, 3), (0.1, 5, 1), (0.2, 1, 0), (0.2, 2, 0),
     (0.2, 3, 1), (0.145, 100, 15), (0.35, 90, 32), (0.2, 0, 0)],
)
def test_r_scale_round_half_up_in_decimal(share, n, expected):
    """R-SCALE: 0.145 × 100 is 14.4999… in float but 14.5 → 15 in decimal."""
    assert round_half_up(share, n) == expected


def test_r_scale_cut_counts_when_cuts_meet():
    """R-SCALE: with big + small = 1 there is no 中; 大 keeps its rounded count, 小 the rest."""
    half = ScaleConfig(big=0.5, small=0.5)
    assert cut_counts(4, half) == (2, 2)
    assert cut_counts(3, half) == (2, 1)
    assert cut_counts(1, half) == (1, 0)
    ranked = rank_scale(_frame(_descending(4)), half)
    assert ranked["scale"].tolist() == ["大", "大", "小", "小"]


@pytest.mark.parametrize(("n", "n_big"), [(10, 3), (12, 3), (13, 3), (14, 4)])
def test_r_scale_quarter_shares_round_half_up(n, n_big):
    """R-SCALE: share 0.25: 2.5 → 3, 3.0 → 3, 3.25 → 3, 3.5 → 4 大 (and as many 小)."""
    ranked = rank_scale(_frame(_descending(n)), ScaleConfig(big=0.25, small=0.25))
    counts = ranked["scale"].value_counts()
    assert (counts["大"], counts["小"]) == (n_big, n_big)


def test_r_scale_default_shares_n13_and_n12():
    """R-SCALE: 0.2 × 13 = 2.6 → 3; 0.2 × 12 = 2.4 → 2."""
    assert rank_scale(_frame(_descending(13)))["scale"].value_counts()["大"] == 3
    assert rank_scale(_frame(_descending(12)))["scale"].value_counts()["大"] == 2


# --- clauses 2, 3, 5: scores, order and output ---------------------------------------------------

def test_r_scale_hand_checked_ten_customers():
    """R-SCALE: n = 10 → 2 大, 6 中, 2 小; shares, score, rank, position and display units."""
    pairs = [(300, 20000), (100, 50000), (200, 10000), (50, 5000), (40, 4000),
             (30, 3000), (20, 2000), (10, 1000), (5, 500), (0, 0)]
    ranked = rank_scale(_frame(pairs))
    assert list(ranked.columns) == ["customer_id", "volume_h", "amount_c", *ADDED_COLUMNS]
    # V = 755, A = 95500: scores 001 ≈ .303, 002 ≈ .328, 003 ≈ .185
    assert ranked["customer_id"].tolist()[:3] == ["002", "001", "003"]
    first = ranked.iloc[0]
    assert first["volume"] == 1.0 and first["amount"] == 500.0
    assert first["volume_share"] == pytest.approx(100 / 755)
    assert first["amount_share"] == pytest.approx(50000 / 95500)
    assert first["score"] == pytest.approx((100 / 755 + 50000 / 95500) / 2)
    assert ranked["position"].tolist() == list(range(1, 11))
    assert ranked["rank"].tolist() == list(range(1, 11))
    assert set(ranked["n"]) == {10} and set(ranked["scope"]) == {"全市"}
    assert ranked["scale"].tolist() == ["大"] * 2 + ["中"] * 6 + ["小"] * 2


def test_r_scale_equal_scores_ordered_by_customer_id():
    """R-SCALE clause 4: equal scores are listed by 客户编码 ascending, with a competition rank."""
    pairs = [(100, 100), (500, 500), (300, 300), (300, 300), (100, 100)]
    ranked = rank_scale(_frame(pairs, ids=["9", "8", "7", "10", "11"]))
    assert ranked["customer_id"].tolist() == ["8", "10", "7", "11", "9"]
    assert ranked["rank"].tolist() == [1, 2, 2, 4, 4]
    assert ranked["position"].tolist() == [1, 2, 3, 4, 5]


def test_r_scale_keeps_extra_columns_and_leading_zeros():
    """R-SCALE: the input columns come back untouched (客户编码 stays a string)."""
    ranked = rank_scale(_frame([(1, 1), (2, 2)], ids=["0001", "0002"], name=["甲", "乙"]))
    assert ranked["customer_id"].tolist() == ["0002", "0001"]
    assert ranked["name"].tolist() == ["乙", "甲"]


# --- clause 4: ties ------------------------------------------------------------------------------

def test_r_scale_tie_straddling_big_cut_goes_down():
    """R-SCALE: positions 2 and 3 tie across the 大 cut (n_big = 2): both 中, only one 大."""
    pairs = _descending(10)
    pairs[2] = pairs[1]
    ranked = rank_scale(_frame(pairs))
    assert ranked["scale"].tolist()[:4] == ["大", "中", "中", "中"]
    assert ranked["rank"].tolist()[:4] == [1, 2, 2, 4]
    assert (ranked["scale"] == "大").sum() == 1


def test_r_scale_tie_straddling_small_cut_goes_down():
    """R-SCALE: positions 8 and 9 tie across the 小 cut (first 小 is 9): both 小, three 小."""
    pairs = _descending(10)
    pairs[8] = pairs[7]
    ranked = rank_scale(_frame(pairs))
    assert ranked["scale"].tolist()[6:] == ["中", "小", "小", "小"]
    assert (ranked["scale"] == "小").sum() == 3


def test_r_scale_tie_inside_a_band_changes_nothing():
    """R-SCALE: a tie that does not cross a cut keeps its scale."""
    pairs = _descending(10)
    pairs[4] = pairs[3]
    ranked = rank_scale(_frame(pairs))
    assert ranked["scale"].tolist() == ["大"] * 2 + ["中"] * 6 + ["小"] * 2


def test_r_scale_zero_buyers_share_one_scale():
    """R-SCALE: all non-buyers tie at 0 and so share the scale of the last position: 小."""
    ranked = rank_scale(_frame([(500, 5000), (400, 4000), (0, 0), (0, 0), (0, 0)]))
    assert _scales(ranked) == {"001": "大", "002": "中", "003": "小", "004": "小", "005": "小"}
    assert ranked["rank"].tolist() == [1, 2, 3, 3, 3]


def test_r_scale_everyone_tied():
    """R-SCALE: one tie group holding the whole scope gets the last position's scale."""
    ranked = rank_scale(_frame([(100, 1000)] * 6))
    assert set(ranked["scale"]) == {"小"}
    assert set(ranked["rank"]) == {1}


def test_r_scale_exact_tie_where_float_scores_differ():
    """R-SCALE: 001 and 002 have different (v, a) but v·A + a·V equal; the float scores differ
    in the last bit, yet both tie, and the tie at positions 1–2 (n_big = 1) goes down to 中."""
    pairs = [(956, 52770), (951, 53025), (200, 6000), (150, 4000), (71, 2933)]
    total_v, total_a = 2328, 118728
    assert sum(v for v, _ in pairs) == total_v and sum(a for _, a in pairs) == total_a
    assert 956 * total_a + 52770 * total_v == 951 * total_a + 53025 * total_v
    naive = [(v / total_v + a / total_a) / 2 for v, a in pairs[:2]]
    assert naive[0] < naive[1]  # float alone would rank 002 first and make it 大
    ranked = rank_scale(_frame(pairs))
    assert ranked["customer_id"].tolist()[:2] == ["001", "002"]
    assert ranked["rank"].tolist()[:2] == [1, 1]
    assert ranked["score"].iloc[0] != ranked["score"].iloc[1]  # display floats may differ
    assert ranked["scale"].tolist() == ["中", "中", "中", "中", "小"]


# --- clause 3 edge sizes -------------------------------------------------------------------------

def test_r_scale_n1_is_middle():
    """R-SCALE: n = 1 → n_big = round_half_up(0.2) = 0 and n_small = 0: 中."""
    assert rank_scale(_frame([(100, 100)]))["scale"].tolist() == ["中"]


def test_r_scale_n2_both_middle():
    """R-SCALE: n = 2 → 0.4 rounds to 0: both 中."""
    assert rank_scale(_frame([(200, 100), (100, 100)]))["scale"].tolist() == ["中", "中"]


def test_r_scale_n3_one_of_each():
    """R-SCALE: n = 3 → 0.6 rounds to 1: 大, 中, 小."""
    ranked = rank_scale(_frame([(100, 100), (300, 300), (200, 200)]))
    assert ranked["scale"].tolist() == ["大", "中", "小"]
    assert ranked["customer_id"].tolist() == ["002", "003", "001"]


# --- clause 5: scope ------------------------------------------------------------------------------

def test_r_scale_department_scope_ranks_each_department_alone():
    """R-SCALE clause 5: --scope department: totals, n, positions and cuts per 营销部."""
    pairs = [*_descending(5), (1, 1), (2, 2), (3, 3)]
    departments = ["东区"] * 5 + ["西区"] * 3
    ranked = rank_scale(_frame(pairs, department=departments), scope="department")
    east = ranked[ranked["scope"] == "东区"]
    west = ranked[ranked["scope"] == "西区"]
    assert ranked["scope"].tolist() == ["东区"] * 5 + ["西区"] * 3
    assert east["n"].tolist() == [5] * 5 and west["n"].tolist() == [3] * 3
    assert east["scale"].tolist() == ["大", "中", "中", "中", "小"]
    assert west["customer_id"].tolist() == ["008", "007", "006"]
    assert west["scale"].tolist() == ["大", "中", "小"]
    assert west["position"].tolist() == [1, 2, 3]
    assert west["volume_share"].tolist() == pytest.approx([3 / 6, 2 / 6, 1 / 6])
    # city-wide, 西区's best customer would be 中, not 大
    assert _scales(rank_scale(_frame(pairs)))["008"] == "中"


def test_r_scale_scope_with_missing_department_is_a_data_error():
    """R-SCALE clause 5: ranking by 营销部 needs every customer's 营销部."""
    frame = _frame([(1, 1), (2, 2)], department=["东区", None])
    with pytest.raises(DataError) as err:
        rank_scale(frame, scope="department")
    assert "营销部" in err.value.message
    assert [p.customer_id for p in err.value.problems] == ["002"]


# --- clause 2: zero totals ------------------------------------------------------------------------

@pytest.mark.parametrize("pairs", [[(0, 0), (0, 0)], [(0, 100), (0, 200)], [(100, 0), (50, 0)]])
def test_r_scale_zero_volume_or_amount_total_is_a_data_error(pairs):
    """R-SCALE clause 2: Σ volume = 0 or Σ amount = 0 is a data error naming the scope."""
    with pytest.raises(DataError) as err:
        rank_scale(_frame(pairs))
    assert "全市" in err.value.message and err.value.fix


def test_r_scale_zero_total_in_one_department_names_it():
    """R-SCALE clause 2: within --scope department the empty 营销部 is named."""
    frame = _frame([(100, 100), (0, 0)], department=["东区", "西区"])
    with pytest.raises(DataError, match="西区"):
        rank_scale(frame, scope="department")


def test_r_scale_empty_population_is_a_data_error():
    """R-SCALE clause 1: nobody to rank."""
    with pytest.raises(DataError):
        rank_scale(_frame([]))


def test_r_scale_refuses_an_input_that_already_has_a_scale_column():
    """R-SCALE: the previous scale must be renamed (previous_scale), not silently overwritten."""
    with pytest.raises(ValueError, match="scale"):
        rank_scale(_frame([(1, 1)], scale=["大"]))


# --- clause 2: exact keys at realistic sizes, and speed -------------------------------------

def test_r_scale_sixty_thousand_customers_rank_fast():
    """R-SCALE performance: 60,000 customers with values whose keys overflow int64."""
    rng = np.random.default_rng(7)
    n = 60_000
    frame = pd.DataFrame({
        "customer_id": [f"{i:012d}" for i in range(n)],
        "volume_h": rng.integers(0, 10**7, n),
        "amount_c": rng.integers(0, 5 * 10**9, n),
    })
    start = time.perf_counter()
    ranked = rank_scale(frame)
    assert time.perf_counter() - start < 1.0
    counts = ranked["scale"].value_counts()
    assert counts["大"] <= 12_000 and len(ranked) == n
    assert ranked["score"].is_monotonic_decreasing


# --- properties -----------------------------------------------------------------------------------

SHARES = [ScaleConfig(), ScaleConfig(big=0.25, small=0.25), ScaleConfig(big=0.1, small=0.3),
          ScaleConfig(big=0.5, small=0.5), ScaleConfig(big=0.0, small=0.2)]


@st.composite
def populations(draw, max_size: int = 30):
    """Small populations with many ties: customers pick (v, a) from a small pool."""
    pool = draw(st.lists(
        st.tuples(st.integers(0, 10**7), st.integers(0, 10**11)), min_size=1, max_size=6))
    picks = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=max_size))
    if sum(v for v, _ in picks) == 0 or sum(a for _, a in picks) == 0:
        picks.append((1, 1))
    return picks


def _reference_scales(pairs: list[tuple[int, int]], shares: ScaleConfig) -> list[str]:
    """R-SCALE written out with Fractions, position by position, as the domain text says."""
    total_v, total_a = sum(v for v, _ in pairs), sum(a for _, a in pairs)
    scores = [(Fraction(v, total_v) + Fraction(a, total_a)) / 2 for v, a in pairs]
    n = len(pairs)
    n_big, n_small = cut_counts(n, shares)
    order = sorted(range(n), key=lambda i: -scores[i])
    last_position = {}
    for position, i in enumerate(order, start=1):
        last_position[scores[i]] = position
    result = []
    for score in scores:
        last = last_position[score]
        result.append("大" if last <= n_big else "小" if last > n - n_small else "中")
    return result


@settings(max_examples=60, deadline=None)
@given(pairs=populations(), shares=st.sampled_from(SHARES), scale=st.sampled_from([1, 10**6]))
def test_r_scale_exact_keys_in_int64_and_beyond(pairs, shares, scale):
    """R-SCALE: the keys are int64 where none can leave int64 and Python ints beyond (a city's
    figures times a million); the scales are the exact reference's either way."""
    pairs = [(v * scale, a * scale) for v, a in pairs]
    frame = _frame(pairs)
    v, a = frame["volume_h"].to_numpy(np.int64), frame["amount_c"].to_numpy(np.int64)
    keys = _exact_keys(v, a, np.full(len(v), v.sum()), np.full(len(a), a.sum()))
    total_v, total_a = sum(map(int, v)), sum(map(int, a))
    assert isinstance(keys, np.ndarray) == (int(v.max()) * total_a + int(a.max()) * total_v < 2**63)
    ranked = rank_scale(frame, shares)
    assert _scales(ranked) == dict(zip(frame["customer_id"], _reference_scales(pairs, shares)))


@settings(max_examples=100, deadline=None)
@given(pairs=populations(), shares=st.sampled_from(SHARES))
def test_r_scale_property_matches_exact_reference(pairs, shares):
    """R-SCALE property: the result equals a Fraction-based reference of the rule."""
    ranked = rank_scale(_frame(pairs), shares)
    expected = dict(zip(_frame(pairs)["customer_id"], _reference_scales(pairs, shares)))
    assert _scales(ranked) == expected


@settings(max_examples=100, deadline=None)
@given(pairs=populations(), shares=st.sampled_from(SHARES))
def test_r_scale_property_counts(pairs, shares):
    """R-SCALE property: 大 ≤ n_big and 小 ≥ n_small; without ties exactly n_big and n_small."""
    ranked = rank_scale(_frame(pairs), shares)
    n_big, n_small = cut_counts(len(pairs), shares)
    big, small = (ranked["scale"] == "大").sum(), (ranked["scale"] == "小").sum()
    assert big <= n_big
    assert small >= n_small
    if ranked["rank"].is_unique:
        assert (big, small) == (n_big, n_small)


@settings(max_examples=100, deadline=None)
@given(
    values=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 10**8)),
                    min_size=1, max_size=30, unique=True),
    shares=st.sampled_from(SHARES),
)
def test_r_scale_property_without_equal_keys_counts_are_exact(values, shares):
    """R-SCALE property: with no equal exact keys, count(大) = n_big and count(小) = n_small."""
    if sum(v for v, _ in values) == 0 or sum(a for _, a in values) == 0:
        values = [*values, (10**6 + 1, 10**8 + 1)]
    total_v, total_a = sum(v for v, _ in values), sum(a for _, a in values)
    keys = [v * total_a + a * total_v for v, a in values]
    ranked = rank_scale(_frame(values), shares)
    n_big, n_small = cut_counts(len(values), shares)
    if len(set(keys)) == len(keys):
        assert (ranked["scale"] == "大").sum() == n_big
        assert (ranked["scale"] == "小").sum() == n_small


@settings(max_examples=100, deadline=None)
@given(pairs=populations(), shares=st.sampled_from(SHARES))
def test_r_scale_property_more_volume_and_amount_never_lower(pairs, shares):
    """R-SCALE property: v ≥ v' and a ≥ a' never gives a lower scale."""
    ranked = rank_scale(_frame(pairs), shares)
    rows = list(zip(ranked["volume_h"], ranked["amount_c"], ranked["scale"]))
    for v1, a1, s1 in rows:
        for v2, a2, s2 in rows:
            if v1 >= v2 and a1 >= a2:
                assert HIGHER[s1] >= HIGHER[s2]


@settings(max_examples=100, deadline=None)
@given(pairs=populations(), shares=st.sampled_from(SHARES), data=st.data())
def test_r_scale_property_row_order_changes_nothing(pairs, shares, data):
    """R-SCALE property: shuffling the input rows gives the same output, row for row."""
    frame = _frame(pairs)
    order = data.draw(st.permutations(range(len(frame))))
    shuffled = frame.iloc[list(order)].reset_index(drop=True)
    pd.testing.assert_frame_equal(rank_scale(frame, shares), rank_scale(shuffled, shares))


@settings(max_examples=100, deadline=None)
@given(pairs=populations(), shares=st.sampled_from(SHARES))
def test_r_scale_property_equal_pairs_and_equal_keys_share_a_scale(pairs, shares):
    """R-SCALE property: equal (v, a), and more generally equal v·A + a·V, share scale and rank;
    the output is a permutation of the input ids."""
    frame = _frame(pairs)
    ranked = rank_scale(frame, shares)
    assert sorted(ranked["customer_id"]) == sorted(frame["customer_id"])
    total_v, total_a = sum(v for v, _ in pairs), sum(a for _, a in pairs)
    by_key: dict[int, set[tuple[str, int]]] = {}
    columns = ["volume_h", "amount_c", "scale", "rank"]
    for v, a, scale, rank in ranked[columns].itertuples(index=False):
        by_key.setdefault(int(v) * total_a + int(a) * total_v, set()).add((scale, int(rank)))
    assert all(len(found) == 1 for found in by_key.values())


@st.composite
def exact_key_ties(draw):
    """Populations holding 001 = (v0 + x, a0) and 002 = (v0, a0 + y) with totals V = x·m,
    A = y·m, so that x·A = y·V: different pairs with equal exact keys, plus filler customers."""
    v0, a0 = draw(st.integers(0, 500)), draw(st.integers(0, 10**6))
    x, y = draw(st.integers(1, 50)), draw(st.integers(1, 10**5))
    m = max(-(-(2 * v0 + x) // x), -(-(2 * a0 + y) // y)) + draw(st.integers(0, 5))
    rest_v, rest_a = x * m - (2 * v0 + x), y * m - (2 * a0 + y)
    fillers = draw(st.integers(1, 8))
    size = {"min_size": fillers - 1, "max_size": fillers - 1}
    cuts_v = sorted(draw(st.lists(st.integers(0, rest_v), **size)))
    cuts_a = sorted(draw(st.lists(st.integers(0, rest_a), **size)))
    parts_v = [b - a for a, b in zip([0, *cuts_v], [*cuts_v, rest_v])]
    parts_a = [b - a for a, b in zip([0, *cuts_a], [*cuts_a, rest_a])]
    return [(v0 + x, a0), (v0, a0 + y), *zip(parts_v, parts_a)]


@settings(max_examples=100, deadline=None)
@given(pairs=exact_key_ties(), shares=st.sampled_from(SHARES))
def test_r_scale_property_constructed_exact_key_ties(pairs, shares):
    """R-SCALE property: two different (v, a) with equal v·A + a·V always share scale and rank."""
    total_v, total_a = sum(v for v, _ in pairs), sum(a for _, a in pairs)
    (v1, a1), (v2, a2) = pairs[:2]
    assert v1 * total_a + a1 * total_v == v2 * total_a + a2 * total_v
    ranked = rank_scale(_frame(pairs), shares).set_index("customer_id")
    assert ranked.loc["001", "scale"] == ranked.loc["002", "scale"]
    assert ranked.loc["001", "rank"] == ranked.loc["002", "rank"]
