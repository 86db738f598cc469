"""R-TOP5: the monthly top-5 % list, its movement, the files and the anomaly flags
(rules/top5.py, rules/top5_archive.py, rules/anomalies.py). Lists are checked by hand."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cmtool.calendar import WorkCalendar
from cmtool.config import CalendarConfig, Top5Config
from cmtool.errors import CalendarError, DataError
from cmtool.periods import Month
from cmtool.rules.anomalies import (
    _class_medians,
    find_anomalies, sku_concentrations, unit_value_outliers, volume_jumps, wholesale_suspects,
)
from cmtool.rules.top5 import (
    compare, cutoff, exit_reasons, monthly_history, publish_date, retain_until, structure, top5_list,
)
from cmtool.rules.top5_archive import (
    ARCHIVED, CONTINUED, EXPIRED, OPEN, OPENED, REOPENED, ListedMonth, expired, rebuild_archive,
)


def _population(volumes: list[float], amounts: list[float] | None = None, ids: list[str] | None = None) -> pd.DataFrame:
    """Active customers with volumes in 条 and amounts in 元 (exact hundredths and cents)."""
    ids = ids or [f"{i + 1:03d}" for i in range(len(volumes))]
    amounts = amounts or [100 * v for v in volumes]
    return pd.DataFrame({
        "customer_id": ids,
        "volume_h": np.rint(np.array(volumes, dtype=float) * 100).astype(np.int64),
        "amount_c": np.rint(np.array(amounts, dtype=float) * 100).astype(np.int64),
    })


def _ids(listed) -> list[str]:
    return listed.members["customer_id"].tolist()


# --- R-TOP5 2: k, ties at the cut, zero buyers -------------------------------------------------

@pytest.mark.parametrize(("n", "k"), [(1, 1), (5, 1), (10, 1), (19, 1), (29, 1), (30, 2), (50, 3), (70, 4),
                                      (1963, 98), (60000, 3000)])
def test_r_top5_cutoff_is_five_percent_rounded_half_up_at_least_one(n, k):
    """R-TOP5 2: k = max(1, round_half_up(0.05 × n)); 0.05 × 50 = 2.5 → 3, 0.05 × 29 = 1.45 → 1."""
    assert cutoff(n, 0.05) == k


def test_r_top5_ties_at_the_kth_volume_all_join():
    """R-TOP5 2: n = 50 → k = 3; the 3rd volume (80) is shared by three customers: all five listed."""
    volumes = [100, 90, 80, 80, 80, 70] + [10] * 44
    listed = top5_list(_population(volumes), 0.05)
    assert listed.cutoff == 3 and listed.population == 50
    assert _ids(listed) == ["001", "002", "003", "004", "005"]
    assert listed.members["rank"].tolist() == [1, 2, 3, 3, 3]
    assert listed.threshold_volume == 80.0


def test_r_top5_display_order_volume_then_amount_then_code():
    """R-TOP5 2: equal volumes are shown by amount desc, then 客户编码 asc; rank is shared."""
    pop = _population([50, 50, 50, 40], amounts=[1000, 3000, 1000, 9000], ids=["b", "c", "a", "d"])
    listed = top5_list(pop, 0.5)  # k = 2, the 2nd volume (50) ties three customers
    assert _ids(listed) == ["c", "a", "b"]
    assert listed.members["rank"].tolist() == [1, 1, 1]


def test_r_top5_zero_volume_never_joins():
    """R-TOP5 2: with 40 customers k = 2, but only one bought: the list holds that one only."""
    listed = top5_list(_population([12.5] + [0] * 39), 0.05)
    assert listed.cutoff == 2 and _ids(listed) == ["001"] and listed.threshold_volume == 12.5


def test_r_top5_nobody_bought_gives_an_empty_list():
    listed = top5_list(_population([0, 0, 0]), 0.05)
    assert listed.members.empty and listed.threshold_volume == 0.0


def test_r_top5_small_company_under_twenty_customers():
    """R-TOP5 2: n < 20 still lists the top customer (k = 1), and its ties."""
    listed = top5_list(_population([3, 7, 7, 1]), 0.05)
    assert listed.cutoff == 1 and _ids(listed) == ["002", "003"]


def test_r_top5_no_active_customer_is_a_data_error():
    with pytest.raises(DataError, match="状态正常"):
        top5_list(_population([]), 0.05)


def test_r_top5_volumes_are_compared_exactly():
    """R-TOP5 2: 0.1 + 0.2 条 and 0.3 条 tie (hundredths are integers)."""
    pop = _population([0.3, 0.1 + 0.2, 0.2], ids=["a", "b", "c"])
    assert _ids(top5_list(pop, 0.3)) == ["a", "b"]


# --- R-TOP5 2: properties -----------------------------------------------------------------------

volumes = st.lists(st.integers(min_value=0, max_value=5000), min_size=1, max_size=120)
shares = st.sampled_from([0.05, 0.1, 0.2, 0.5])


@settings(max_examples=150, deadline=None)
@given(volumes=volumes, share=shares)
def test_r_top5_property_never_below_k_while_k_customers_bought(volumes, share):
    """R-TOP5 2: the list holds at least k customers whenever at least k bought, and every
    buyer at or above the threshold is on it."""
    pop = _population(volumes)
    listed = top5_list(pop, share)
    buyers = sum(v > 0 for v in volumes)
    assert len(listed.members) >= min(listed.cutoff, buyers)
    at_or_above = pop[(pop["volume_h"] >= listed.threshold_h) & (pop["volume_h"] > 0)]
    assert set(_ids(listed)) == set(at_or_above["customer_id"]) or listed.members.empty


@settings(max_examples=150, deadline=None)
@given(volumes=volumes, share=shares, who=st.integers(min_value=0), more=st.integers(min_value=1, max_value=3000))
def test_r_top5_property_raising_a_volume_never_drops_it(volumes, share, who, more):
    """R-TOP5 2: a customer on the list stays on it when only its own volume rises."""
    pop = _population(volumes)
    target = pop["customer_id"].iloc[who % len(pop)]
    if target not in _ids(top5_list(pop, share)):
        return
    raised = pop.copy()
    raised.loc[raised["customer_id"] == target, "volume_h"] += more
    assert target in _ids(top5_list(raised, share))


@settings(max_examples=100, deadline=None)
@given(volumes=volumes, share=shares, seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_r_top5_property_row_order_changes_nothing(volumes, share, seed):
    """R-TOP5 2: shuffling the input rows gives the same list, order and ranks."""
    pop = _population(volumes)
    shuffled = pop.sample(frac=1, random_state=np.random.RandomState(seed)).reset_index(drop=True)
    a, b = top5_list(pop, share), top5_list(shuffled, share)
    pd.testing.assert_frame_equal(a.members, b.members)
    assert (a.cutoff, a.threshold_h) == (b.cutoff, b.threshold_h)


# --- R-TOP5 1 / R-CAL: publish dates ------------------------------------------------------------

@pytest.mark.parametrize(("month", "published"), [
    ("2026-10", date(2026, 11, 2)),  # 11/1 is a Sunday
    ("2026-09", date(2026, 10, 8)),  # National Day 10/1–10/7
    ("2025-09", date(2025, 10, 9)),  # National Day + Mid-Autumn 10/1–10/8
    ("2025-01", date(2025, 2, 5)),  # Spring Festival 1/28–2/4
    ("2026-01", date(2026, 2, 2)),  # Spring Festival 2026 starts 2/15: not yet
    ("2025-12", date(2026, 1, 4)),  # New Year off 1/1–1/3; Sunday 1/4 is a make-up working day
])
def test_r_top5_publish_date_is_the_first_working_day_of_the_next_month(month, published):
    assert publish_date(Month.parse(month), WorkCalendar()) == published


def test_r_top5_publish_date_in_a_year_the_calendar_lacks_needs_config():
    """R-TOP5 1 / R-CAL: December 2026 is published in January 2027, which chinese-calendar does
    not cover: an error naming 2027 without config, the config's holidays with it."""
    with pytest.raises(CalendarError, match="2027"):
        publish_date(Month(2026, 12), WorkCalendar())
    holidays = CalendarConfig(holidays=[date(2027, 1, 1)])
    assert publish_date(Month(2026, 12), WorkCalendar(holidays)) == date(2027, 1, 4)
    longer = CalendarConfig(holidays=[date(2027, 1, 1), date(2027, 1, 4)], workdays=[date(2027, 1, 3)])
    assert publish_date(Month(2026, 12), WorkCalendar(longer)) == date(2027, 1, 3)


def test_r_top5_retention_ends_on_31_december_of_the_year_archived():
    assert retain_until(date(2026, 11, 2)) == date(2026, 12, 31)
    assert retain_until(date(2027, 1, 4)) == date(2027, 12, 31)


# --- R-TOP5 3: movement against M−1 -------------------------------------------------------------

def test_r_top5_entries_kept_and_exits_against_last_month():
    listed = top5_list(_population([90, 80, 70, 5], ids=["a", "b", "c", "d"]), 0.5)  # k = 2: a, b
    previous = pd.DataFrame({"customer_id": ["b", "x", "d"], "rank": [1, 2, 2], "volume": [80.0, 75.0, 75.0]})
    moved = compare(listed.members, previous)
    assert moved.members["status"].tolist() == ["新进入", "保持"]
    assert moved.members["previous_rank"].tolist() == [pd.NA, 1]
    assert moved.exited["customer_id"].tolist() == ["d", "x"]  # previous rank, then code
    assert moved.exited["previous_rank"].tolist() == [2, 2]


def test_r_top5_without_last_month_everyone_is_new_and_nobody_left():
    listed = top5_list(_population([9, 8]), 0.5)
    moved = compare(listed.members, None)
    assert set(moved.members["status"]) == {"新进入"} and moved.exited.empty


def test_r_top5_exit_reasons_in_words():
    customers = pd.DataFrame({"customer_id": ["a", "b", "c"], "status": ["正常", "注销", "正常"],
                              "active": [True, False, True]})
    exited = pd.DataFrame({"customer_id": ["a", "b", "c", "z"]})
    volume_h = pd.Series({"a": 31250, "c": 0})
    reasons = exit_reasons(exited, customers, volume_h, threshold_h=40000).tolist()
    assert reasons == ["本月购进 312.50 条，低于入围门槛 400.00 条", "客户状态为注销", "本月没有购进",
                       "客户信息中没有该客户"]


# --- R-TOP5 3: the files, replayed --------------------------------------------------------------

def _listed(month: str, day: date, *ids: str) -> ListedMonth:
    return ListedMonth(month, day, frozenset(ids))


def _state(archive) -> dict[str, tuple]:
    return {r.customer_id: (r.state, r.opened_on, r.archived_on, r.reopened_on, r.retain_until)
            for r in archive.files.itertuples()}


def test_r_top5_archive_new_file_archive_and_reopen_within_the_year():
    months = [
        _listed("2026-08", date(2026, 9, 1), "a", "b"),
        _listed("2026-09", date(2026, 10, 8), "a"),  # b leaves: archived until 2026-12-31
        _listed("2026-10", date(2026, 11, 2), "a", "b", "c"),  # b returns: reopened; c is new
    ]
    archive = rebuild_archive(months, "2026-10")
    assert archive.actions == {"a": CONTINUED, "b": REOPENED, "c": OPENED}
    assert archive.reopened_from == {"b": date(2026, 10, 8)}
    files = _state(archive)
    assert files["a"] == (OPEN, date(2026, 9, 1), None, None, None)
    assert files["b"] == (OPEN, date(2026, 9, 1), None, date(2026, 11, 2), None)
    assert files["c"] == (OPEN, date(2026, 11, 2), None, None, None)


def test_r_top5_archive_across_the_year_end_expires_and_reopens_as_a_new_file():
    """R-TOP5 3: a file archived in 2025 is kept until 2025-12-31; on the first list published
    in 2026 it is expired, and a customer coming back after that gets a new file."""
    months = [
        _listed("2025-10", date(2025, 11, 3), "a", "b"),
        _listed("2025-11", date(2025, 12, 1), "a"),  # b archived 2025-12-01, kept until 2025-12-31
        _listed("2025-12", date(2026, 1, 4), "a"),  # published in 2026: b expired
    ]
    archive = rebuild_archive(months, "2025-12")
    assert _state(archive)["b"] == (EXPIRED, date(2025, 11, 3), date(2025, 12, 1), None, date(2025, 12, 31))
    assert expired(archive.files)["customer_id"].tolist() == ["b"]
    back = rebuild_archive([*months, _listed("2026-01", date(2026, 2, 2), "a", "b")], "2026-01")
    assert back.actions["b"] == OPENED
    assert _state(back)["b"] == (OPEN, date(2026, 2, 2), None, None, None)


def test_r_top5_archive_a_december_exit_is_kept_until_the_end_of_the_next_year():
    """R-TOP5 3: December's list is published in January, so its exits are kept a whole year."""
    months = [_listed("2025-11", date(2025, 12, 1), "a", "b"), _listed("2025-12", date(2026, 1, 4), "a")]
    assert _state(rebuild_archive(months, "2025-12"))["b"][0::4] == (ARCHIVED, date(2026, 12, 31))


def test_r_top5_archive_is_the_same_whatever_the_order_months_were_recorded_in():
    months = [_listed("2026-08", date(2026, 9, 1), "a"), _listed("2026-09", date(2026, 10, 8), "b"),
              _listed("2026-10", date(2026, 11, 2), "a")]
    forward = rebuild_archive(months, "2026-10")
    backward = rebuild_archive(months[::-1], "2026-10")
    pd.testing.assert_frame_equal(forward.files, backward.files)
    assert forward.actions == backward.actions == {"a": REOPENED}


def test_r_top5_archive_purged_files_stay_deleted_until_the_customer_returns():
    months = [_listed("2025-10", date(2025, 11, 3), "a", "b"), _listed("2025-11", date(2025, 12, 1), "a"),
              _listed("2025-12", date(2026, 1, 4), "a")]
    assert "b" not in _state(rebuild_archive(months, "2025-12", purged={"b"}))
    back = rebuild_archive([*months, _listed("2026-01", date(2026, 2, 2), "b")], "2026-01", purged={"b"})
    assert _state(back)["b"][0:2] == (OPEN, date(2026, 2, 2))


# --- R-TOP5 4: history and structure ------------------------------------------------------------

def test_r_top5_monthly_history_ranks_each_month_like_the_list():
    population = pd.DataFrame({"customer_id": ["a", "b", "c"]})
    monthly = pd.DataFrame({
        "customer_id": ["a", "b", "a", "c"], "month": ["2026-09", "2026-09", "2026-10", "2026-10"],
        "volume_h": [500, 900, 800, 800], "amount_c": [1, 2, 3, 4],
    })
    got = monthly_history(population, monthly, ["2026-09", "2026-10"], 0.05, keep=["a", "c"])
    rows = {(r.customer_id, r.month): (r.volume_h, r.rank, r.on_list) for r in got.itertuples()}
    assert rows[("a", "2026-09")] == (500, 2, False)
    assert rows[("c", "2026-09")][0] == 0 and pd.isna(rows[("c", "2026-09")][1])
    assert rows[("a", "2026-10")] == (800, 1, True) and rows[("c", "2026-10")] == (800, 1, True)
    assert set(got["customer_id"]) == {"a", "c"}


@settings(max_examples=100, deadline=None)
@given(volumes=volumes, share=shares, seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_r_top5_property_monthly_history_agrees_with_the_list(volumes, share, seed):
    """R-TOP5 4: each month of the history has the ranks and the members of that month's list;
    customers missing from the month's purchases count as 0, buyers outside the population are
    not ranked."""
    pop = _population(volumes)
    rng = np.random.RandomState(seed)
    bought = pop[pop["volume_h"] > 0].sample(frac=1, random_state=rng)
    outsider = pd.DataFrame({"customer_id": ["zzz"], "volume_h": [10**9], "amount_c": [1]})
    monthly = pd.concat([bought, outsider]).assign(month="2026-09")
    keep = list(pop["customer_id"].sample(frac=0.5, random_state=rng))
    got = monthly_history(pop[["customer_id"]], monthly, ["2026-09", "2026-08"], share, keep=keep)
    listed = top5_list(pop, share).members.set_index("customer_id")
    expected = pop[pop["customer_id"].isin(keep)]
    september = got[got["month"] == "2026-09"]
    assert september["customer_id"].tolist() == expected["customer_id"].tolist()
    assert september["volume_h"].tolist() == expected["volume_h"].tolist()
    assert september["on_list"].tolist() == expected["customer_id"].isin(listed.index).tolist()
    ranks = expected["customer_id"].map(listed["rank"])
    assert [r for r, on in zip(september["rank"], september["on_list"]) if on] == ranks.dropna().tolist()
    assert september["rank"].isna().tolist() == (expected["volume_h"] == 0).tolist()
    august = got[got["month"] == "2026-08"]
    assert len(august) == len(expected) and not august["on_list"].any() and august["rank"].isna().all()


def test_r_top5_structure_shares_where_price_class_and_flag_are_known():
    detail = pd.DataFrame({
        "customer_id": ["a", "a", "a", "b"], "sku": ["s1", "s2", "s3", "s9"],
        "sku_name": ["云烟", None, "黄鹤楼", "中华"], "price_class": ["一类", "三类", None, None],
        "key_brand": pd.array([True, None, False, None], dtype="boolean"),
        "volume_h": [3000, 1000, 6000, 500], "amount_c": [1, 1, 1, 1],
    })
    got = structure(detail).set_index("customer_id")
    a = got.loc["a"]
    assert (a["skus"], a["top_sku"], a["top_sku_name"]) == (3, "s3", "黄鹤楼")
    assert (a["top_sku_h"], a["total_h"]) == (6000, 10000)
    assert a["first_second_share"] == pytest.approx(0.75)  # 30 of the 40 条 with a known 价类
    assert a["key_brand_share"] == pytest.approx(3000 / 9000)
    assert pd.isna(got.loc["b", "first_second_share"]) and pd.isna(got.loc["b", "key_brand_share"])


# --- R-TOP5 5: anomalies at, just under and just over each threshold ----------------------------

def _members(volumes: dict[str, float], amounts: dict[str, float] | None = None, market="城镇", fmt="食杂店",
             class_name=None) -> pd.DataFrame:
    amounts = amounts or {k: 100 * v for k, v in volumes.items()}
    return pd.DataFrame({
        "customer_id": list(volumes),
        "volume_h": [round(v * 100) for v in volumes.values()],
        "amount_c": [round(amounts[k] * 100) for k in volumes],
        "market": market, "format": fmt, "class_name": class_name,
    })


@pytest.mark.parametrize(("now", "flagged"), [(150.00, False), (149.99, False), (150.01, True)])
def test_r_top5_volume_jump_is_strictly_more_than_fifty_percent(now, flagged):
    found = volume_jumps(_members({"a": now}), pd.Series({"a": 10000}), 0.5)
    assert (len(found) == 1) is flagged
    if flagged:
        assert found.at[0, "detail"] == "本月购进 150.01 条，比上月 100.00 条增长 50.01%，增幅超过 50%，属销量突增。"


def test_r_top5_volume_jump_from_nothing_and_without_last_month():
    assert "上月没有购进" in volume_jumps(_members({"a": 10}), pd.Series(dtype="int64"), 0.5).at[0, "detail"]
    assert volume_jumps(_members({"a": 10}), None, 0.5).empty


@pytest.mark.parametrize(("big", "flagged"), [(300.00, False), (299.99, False), (300.01, True)])
def test_r_top5_wholesale_suspect_above_three_times_the_peer_median(big, flagged):
    """R-TOP5 5: the median of 城镇食杂店 on the list is 100 条; 3 × 100 is not flagged."""
    members = _members({"a": big, "b": 100, "c": 90})
    found = wholesale_suspects(members, 3.0)
    assert found["customer_id"].tolist() == (["a"] if flagged else [])
    if flagged:
        assert "城镇食杂店客户（3 户）购进量中位数 100.00 条的 3.0001 倍，超过 3 倍" in found.at[0, "detail"]


def test_r_top5_wholesale_peers_are_the_same_market_and_format_only():
    town = _members({"a": 500, "b": 100, "c": 100})
    village = _members({"d": 100}, market="乡村")
    assert wholesale_suspects(pd.concat([town, village]), 3.0)["customer_id"].tolist() == ["a"]
    shop = _members({"e": 100, "f": 100}, fmt="便利店")
    assert wholesale_suspects(pd.concat([_members({"a": 500}), shop]), 3.0).empty


@pytest.mark.parametrize(("top", "flagged"), [(60.00, False), (59.99, False), (60.01, True)])
def test_r_top5_sku_concentration_over_sixty_percent(top, flagged):
    lines = pd.DataFrame({"customer_id": ["a"], "top_sku": ["6901028"], "top_sku_name": ["云烟(紫)"],
                          "top_sku_h": [round(top * 100)], "total_h": [10000]})
    found = sku_concentrations(lines, 0.6)
    assert (len(found) == 1) is flagged
    if flagged:
        expected = "单一规格「云烟(紫)」（6901028）购进 60.01 条，占本月购进量 100.00 条的 60.01%"
        assert found.at[0, "detail"].startswith(expected)


def test_r_top5_sku_concentration_needs_order_lines():
    assert sku_concentrations(None, 0.6).empty


def _peers(values: list[float], prefix: str = "p", **extra) -> pd.DataFrame:
    """Buyers of 10 条 each at the given 单条值."""
    return _members({f"{prefix}{i}": 10 for i in range(len(values))},
                    {f"{prefix}{i}": 10 * v for i, v in enumerate(values)}, **extra)


@pytest.mark.parametrize(("value", "flagged"), [
    (130.00, False), (129.99, False), (130.01, True), (70.00, False), (70.01, False), (69.99, True),
])
def test_r_top5_unit_value_more_than_thirty_percent_from_the_class_median(value, flagged):
    """R-TOP5 5: peers' median 单条值 is 100 元/条; exactly ±30 % is not flagged."""
    member = _members({"a": 10}, {"a": 10 * value})
    found = unit_value_outliers(member, pd.concat([_peers([80, 100, 100, 120]), member]), 0.3)
    assert (len(found) == 1) is flagged


def test_r_top5_unit_value_class_is_the_ledger_class_else_market_and_format():
    """R-TOP5 5: a member with a 综合分类 is compared within it; without one, within 市场类型 + 业态."""
    big_class = _peers([200, 200, 200], prefix="big", class_name="城镇食杂店大")
    others = _peers([100, 100, 100, 100, 100])
    member = _members({"a": 10}, {"a": 2000}, class_name="城镇食杂店大")
    peers = pd.concat([big_class, others, member], ignore_index=True)
    assert unit_value_outliers(member, peers, 0.3).empty  # 200 against its class median 200
    unclassed = member.assign(class_name=None)
    found = unit_value_outliers(unclassed, pd.concat([big_class, others, unclassed]), 0.3)
    assert "同类（城镇食杂店，9 户）中位数 100.00 元/条高 100.0%" in found.at[0, "detail"]


_buyer = st.tuples(st.integers(0, 3), st.sampled_from(["城镇", "乡村"]), st.sampled_from(["食杂店", "超市"]),
                  st.sampled_from([None, "城镇食杂店大", "乡村超市中"]), st.integers(0, 500), st.integers(0, 90_000))


@settings(deadline=None, max_examples=80)
@given(buyers=st.lists(_buyer, max_size=40), member=_buyer, deviation=st.sampled_from([0.0, 0.1, 0.3, 1.0]))
def test_r_top5_unit_value_flags_exactly_what_the_class_median_says(buyers, member, deviation):
    """R-TOP5 5, property: a member is flagged exactly when its 单条值 is more than `deviation`
    from the exact median of its class's buyers (its 综合分类, else 市场类型 + 业态; a classified
    buyer counts in both), worked out here by hand with Fractions."""
    rows = [(f"p{i}", *b) for i, b in enumerate(buyers)] + [("m", *member)]
    peers = pd.DataFrame([(cid, m, f, c, v, a) for cid, _, m, f, c, v, a in rows],
                         columns=["customer_id", "market", "format", "class_name", "volume_h", "amount_c"])
    mine = peers[peers["customer_id"] == "m"]
    _, market, fmt, class_name, volume, amount = member
    key = class_name or f"市场类型+业态：{market}{fmt}"
    in_class = (lambda m, f, c: c == key) if class_name else (lambda m, f, c: f"市场类型+业态：{m}{f}" == key)
    values = sorted(Fraction(a, v) for _, _, m, f, c, v, a in rows if v > 0 and in_class(m, f, c))
    found = unit_value_outliers(mine, peers, deviation)
    if volume == 0 or not values:
        assert found.empty
        return
    mid = len(values) // 2
    median = values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2
    flagged = median > 0 and abs(Fraction(amount, volume) - median) / median > Fraction(str(deviation))
    assert (len(found) == 1) is flagged
    if flagged:
        assert f"{len(values)} 户" in found.at[0, "detail"]


@settings(deadline=None, max_examples=80)
@given(buyers=st.lists(_buyer, max_size=40))
def test_r_top5_class_medians_are_the_exact_medians_of_each_class(buyers):
    """R-TOP5 5, property: each class's median 单条值 and count are those of its buyers by hand
    (a classified buyer counts in its 综合分类 and in its 市场类型 + 业态 group), in any order."""
    peers = pd.DataFrame([(f"p{i}", *b[1:]) for i, b in enumerate(buyers)],
                         columns=["customer_id", "market", "format", "class_name", "volume_h", "amount_c"])
    expected: dict[str, list[Fraction]] = {}
    for _, market, fmt, class_name, volume, amount in buyers:
        if volume > 0:
            for key in ([class_name] if class_name else []) + [f"市场类型+业态：{market}{fmt}"]:
                expected.setdefault(key, []).append(Fraction(amount, volume))
    medians = _class_medians(peers)
    shuffled = _class_medians(peers.iloc[::-1])
    assert medians == shuffled and set(medians) == set(expected)
    for key, values in expected.items():
        ordered, mid = sorted(values), len(values) // 2
        median = ordered[mid] if len(values) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
        assert medians[key] == (median, len(values)), key


@settings(deadline=None, max_examples=80)
@given(volumes=st.lists(st.tuples(st.integers(0, 10**7), st.one_of(st.none(), st.integers(0, 10**7)),
                                  st.sampled_from(["食杂店", "超市"])), min_size=1, max_size=30),
       jump=st.sampled_from([0.0, 0.2, 0.5, 1.5]), multiple=st.sampled_from([1.0, 2.0, 3.0]))
def test_r_top5_jumps_and_wholesale_are_their_exact_definitions(volumes, jump, multiple):
    """R-TOP5 5, property: a volume jump is no M−1 purchase or volume/previous > 1 + jump; a
    wholesale suspect's volume is over `multiple` × the exact median of its 市场类型 + 业态 on the
    list; both checked here with Fractions, strictly."""
    members = pd.DataFrame({"customer_id": [f"c{i}" for i in range(len(volumes))],
                            "volume_h": [v for v, _, _ in volumes], "amount_c": 100,
                            "market": "城镇", "format": [f for _, _, f in volumes], "class_name": None})
    previous = pd.Series({f"c{i}": b for i, (_, b, _) in enumerate(volumes) if b is not None}, dtype="int64")
    jumped = set(volume_jumps(members, previous, jump)["customer_id"])
    assert jumped == {f"c{i}" for i, (v, b, _) in enumerate(volumes)
                      if not b or Fraction(v, b) > 1 + Fraction(str(jump))}
    medians = {}
    for fmt in {f for _, _, f in volumes}:
        ordered = sorted(v for v, _, f in volumes if f == fmt)
        mid = len(ordered) // 2
        medians[fmt] = Fraction(ordered[mid]) if len(ordered) % 2 else Fraction(ordered[mid - 1] + ordered[mid], 2)
    suspects = set(wholesale_suspects(members, multiple)["customer_id"])
    assert suspects == {f"c{i}" for i, (v, _, f) in enumerate(volumes)
                        if medians[f] > 0 and v > Fraction(str(multiple)) * medians[f]}


def test_r_top5_find_anomalies_orders_by_list_then_rule_and_uses_config():
    members = _members({"a": 400, "b": 100, "c": 100})
    config = Top5Config(jump=0.2, wholesale_multiple=2.0)
    found = find_anomalies(members, previous_h=pd.Series({"a": 10000, "b": 8000, "c": 10000}), structure=None,
                           peers=members, config=config)
    assert list(zip(found["customer_id"], found["rule"])) == [
        ("a", "volume_jump"), ("a", "wholesale_suspect"), ("b", "volume_jump")]
