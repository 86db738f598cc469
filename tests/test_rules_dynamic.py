"""R-DYN (rules/dynamic.py): the breach policy, the measures' dates, 组别下调 and restore, by
hand-checked cases on the 2026 calendar (National Day 10-01..10-07 off, Saturday 10-10 a make-up
working day) and hypothesis properties."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from cmtool.calendar import WorkCalendar
from cmtool.config import Config, PolicyRule
from cmtool.periods import Month
from cmtool.rules.dynamic import (
    CANCEL_BRANDS, GROUP_DOWN, NO_ACTION, SUSPEND, Proposed, Term, in_month, lower_group, propose, read_measure,
    read_term, restore_status, review, schedule_measures,
)
from cmtool.rules.visits import VisitSettings, first_order_days

CAL = WorkCalendar()
POLICY = Config().dynamic.policy
BANDS = Config().groups.bands
NOV_1 = date(2026, 11, 1)


def test_term_ends_as_cli_md_says():
    """R-DYN 2: weeks → start + 7·weeks − 1; months → the day before the same day-of-month later."""
    assert Term(2, "weeks").end(date(2026, 11, 3)) == date(2026, 11, 16)  # the cli.md example
    assert Term(4, "weeks").end(date(2026, 11, 3)) == date(2026, 11, 30)
    assert Term(1, "months").end(date(2026, 11, 3)) == date(2026, 12, 2)
    assert Term(3, "months").end(date(2026, 11, 3)) == date(2027, 2, 2)
    assert Term(2, "months").end(date(2026, 12, 7)) == date(2027, 2, 6)  # over the new year
    assert Term(1, "months").end(date(2027, 1, 31)) == date(2027, 2, 28)  # 2-31 does not exist: to the last day of February


def test_one_breach_each_measure_of_the_policy():
    """R-DYN 1: the default policy of cli.md."""
    assert propose(["销售非法卷烟"], POLICY, NOV_1) == ([Proposed(SUSPEND, Term(4, "weeks"))], [])
    assert propose(["跨区域销售"], POLICY, NOV_1) == ([Proposed(GROUP_DOWN, Term(3, "months"), 1)], [])
    assert propose(["拆包销售"], POLICY, NOV_1) == ([Proposed(CANCEL_BRANDS, Term(1, "months"))], [])


def test_two_breaches_with_different_terms_keep_the_longest():
    """R-DYN 1 / cli.md: each measure kind once, with the longest term; two kinds both listed."""
    policy = [PolicyRule(breach="a", measure=SUSPEND, weeks=2), PolicyRule(breach="b", measure=SUSPEND, weeks=4),
              PolicyRule(breach="c", measure=GROUP_DOWN, months=1, steps=2),
              PolicyRule(breach="d", measure=GROUP_DOWN, months=2)]
    assert propose(["a", "b", "a"], policy, NOV_1) == ([Proposed(SUSPEND, Term(4, "weeks"))], [])
    got, _ = propose(["c", "d", "a"], policy, NOV_1)
    assert got == [Proposed(GROUP_DOWN, Term(2, "months"), 2), Proposed(SUSPEND, Term(2, "weeks"))]
    assert [p.json for p in got] == [{"measure": GROUP_DOWN, "months": 2, "steps": 2},
                                     {"measure": SUSPEND, "weeks": 2}]


def test_weeks_against_months_by_the_later_end():
    """R-DYN 1: 13 weeks against 3 months: from 2026-11-01 13 weeks end 2027-01-30 and 3 months
    2027-01-31 (3 months longer); from 2027-02-01 13 weeks end 2027-05-02, 3 months 2027-04-30."""
    policy = [PolicyRule(breach="w", measure=SUSPEND, weeks=13), PolicyRule(breach="m", measure=SUSPEND, months=3)]
    assert propose(["w", "m"], policy, NOV_1)[0] == [Proposed(SUSPEND, Term(3, "months"))]
    assert propose(["m", "w"], policy, date(2027, 2, 1))[0] == [Proposed(SUSPEND, Term(13, "weeks"))]


def test_unknown_breach_type_is_pending_not_guessed():
    """R-DYN 1: a type the policy does not know is 待议, listed once."""
    assert propose(["未按规定明码标价", "未按规定明码标价"], POLICY, NOV_1) == ([], ["未按规定明码标价"])
    got, pending = propose(["低价倾销", "未按规定明码标价"], POLICY, NOV_1)
    assert got == [Proposed(CANCEL_BRANDS, Term(1, "months"))] and pending == ["未按规定明码标价"]


def records(*rows: tuple[str, str, str, str | None]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["customer_id", "date", "breach_type", "detail"]).assign(
        date=lambda f: pd.to_datetime(f["date"]))


def test_review_per_customer_breaches_by_date_and_month_filter():
    """R-DYN 1: one review per customer, its breaches by date; records outside M are counted."""
    frame = records(("B", "2026-10-15", "拆包销售", "x"), ("A", "2026-10-20", "销售非法卷烟", None),
                    ("B", "2026-10-08", "跨区域销售", "y"), ("C", "2026-09-30", "低价倾销", None))
    inside, outside = in_month(frame, Month.parse("2026-10"))
    assert outside == 1 and len(inside) == 3
    got = review(inside, POLICY, Month.parse("2026-10"))
    assert [r.customer_id for r in got] == ["A", "B"]
    assert [b["date"] for b in got[1].breaches] == ["2026-10-08", "2026-10-15"]
    assert got[0].breaches[0]["detail"] == ""
    assert [p.text for p in got[1].proposed] == ["组别下调1档3个月", "取消紧俏控制品牌1个月"]


def test_read_measure_and_term():
    """R-DYN 2: the decision's words; what cannot be read is None (an error naming the row)."""
    assert read_measure("暂停访销") == (SUSPEND, None)
    assert read_measure("取消紧俏、控制品牌") == (CANCEL_BRANDS, None)
    assert read_measure("取消紧俏/控制品牌") == (CANCEL_BRANDS, None)
    assert read_measure("组别下调") == (GROUP_DOWN, 1)
    assert read_measure("组别下调2档") == (GROUP_DOWN, 2)
    assert read_measure("组别下调两档") == (GROUP_DOWN, 2)
    assert read_measure(" 不处理 ") == (NO_ACTION, None)
    for bad in ("待定", "待议", "组别调整", "组别下调0档", "罚款"):
        assert read_measure(bad) is None, bad
    assert read_term("4周") == Term(4, "weeks") and read_term("四周") == Term(4, "weeks")
    assert read_term("2个月") == Term(2, "months") and read_term("3月") == Term(3, "months")
    assert read_term("１２个月") == Term(12, "months") and read_term("十二个月") == Term(12, "months")
    for bad in ("待定", "0周", "4", "两个礼拜", ""):
        assert read_term(bad) is None, bad


def test_group_down_never_below_the_lowest_band():
    """R-DYN 2: one band down, or as many as decided; at the lowest band it stays (and says so)."""
    assert lower_group("三组", 1, BANDS, "按需供货") == ("四组", False)
    assert lower_group("三组", 2, BANDS, "按需供货") == ("五组", False)
    assert lower_group("四组", 3, BANDS, "按需供货") == ("五组", True)
    assert lower_group("五组", 1, BANDS, "按需供货") == ("五组", True)
    assert lower_group("按需供货", 1, BANDS, "按需供货") == ("一组", False)
    assert lower_group("六组", 1, BANDS, "按需供货") is None


def master(*rows: dict) -> pd.DataFrame:
    cols = ["customer_id", "visit_cycle", "order_weekday"]
    frame = pd.DataFrame([{c: r.get(c, pd.NA) for c in cols} for r in rows], columns=cols)
    frame["order_weekday"] = frame["order_weekday"].astype("Int8")
    return frame


def decisions(*rows: tuple[str, str, Term | None, int | None]) -> pd.DataFrame:
    return pd.DataFrame([{"customer_id": c, "measure": m, "term": t, "steps": s, "remark": None}
                         for c, m, t, s in rows])


def test_measures_over_national_day_and_its_make_up_saturday():
    """R-DYN 2, decisions of 2026-09 (M+1 = October): a Monday customer's 10-05 is a holiday → it
    starts 10-12, notice by Saturday 10-10 (a make-up working day); without 订货日 the first working
    day 10-08, notice by 09-30, with the fallback reason; a 双周 Wednesday customer last ordering
    09-23 would order 10-07 (a holiday) → 10-21; 不处理 writes nothing."""
    customers = master({"customer_id": "MON", "visit_cycle": "每周", "order_weekday": 1},
                       {"customer_id": "NONE", "visit_cycle": "每周"},
                       {"customer_id": "BI", "visit_cycle": "双周", "order_weekday": 3},
                       {"customer_id": "OK", "visit_cycle": "每周", "order_weekday": 2})
    last = pd.Series({"BI": pd.Timestamp("2026-09-23")})
    days = first_order_days(customers, Month.parse("2026-10"), CAL, VisitSettings(), last)
    got = schedule_measures(decisions(("MON", SUSPEND, Term(4, "weeks"), None),
                                      ("NONE", CANCEL_BRANDS, Term(1, "months"), None),
                                      ("BI", GROUP_DOWN, Term(3, "months"), 1),
                                      ("OK", NO_ACTION, None, None)), days).set_index("customer_id")
    assert list(got.index) == ["MON", "NONE", "BI"]
    assert got.loc["MON", ["start", "deliver_by", "end"]].tolist() == [date(2026, 10, 12), date(2026, 10, 10),
                                                                       date(2026, 11, 8)]
    assert got.loc["MON", "notice"] == "客户暂停访销通知书" and pd.isna(got.loc["MON", "fallback"])
    assert got.loc["NONE", ["start", "deliver_by", "end"]].tolist() == [date(2026, 10, 8), date(2026, 9, 30),
                                                                        date(2026, 11, 7)]
    assert got.loc["NONE", "fallback"] == "缺访销日（订货日）"
    assert got.loc["BI", ["start", "deliver_by", "end"]].tolist() == [date(2026, 10, 21), date(2026, 10, 20),
                                                                      date(2027, 1, 20)]


def ledger_rows(*rows: tuple[str, str, str, str | None, str | None]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["customer_id", "measure", "starts_on", "ends_on", "restored_on"]).assign(
        from_group=lambda f: f["measure"].map({GROUP_DOWN: "三组"}))


def test_restore_on_the_day_a_measure_ends_and_the_day_after():
    """R-DYN 3: on its last day a measure is active; the day after it is due, with what to restore;
    a restored one is neither, one not begun is neither."""
    rows = ledger_rows(("A", SUSPEND, "2026-11-03", "2026-11-30", None),
                       ("B", GROUP_DOWN, "2026-11-03", "2026-11-30", None),
                       ("C", CANCEL_BRANDS, "2026-10-08", "2026-11-07", "2026-11-09"),
                       ("D", SUSPEND, "2026-12-08", "2027-01-04", None))
    due, active = restore_status(rows, date(2026, 11, 30))
    assert due.empty and list(active["customer_id"]) == ["A", "B"]
    due, active = restore_status(rows, date(2026, 12, 1))
    assert list(due["customer_id"]) == ["A", "B"] and active.empty
    assert list(due["restore"]) == ["恢复访销", "恢复组别"]
    assert due["restore_group"].tolist()[1] == "三组" and pd.isna(due["restore_group"].tolist()[0])


# ---- properties ----------------------------------------------------------------------------------

days = st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31))
terms = st.builds(Term, st.integers(1, 60), st.sampled_from(["weeks", "months"]))


@given(terms, days)
def test_end_is_never_before_start(term, start):
    """R-DYN 2: end ≥ start, and a longer term never ends earlier."""
    assert term.end(start) >= start
    assert Term(term.count + 1, term.unit).end(start) > term.end(start)


rules = st.lists(st.builds(PolicyRule, breach=st.sampled_from("abcdef"), measure=st.sampled_from([SUSPEND, CANCEL_BRANDS]),
                           weeks=st.integers(1, 20)), max_size=6, unique_by=lambda r: r.breach)


@given(rules, st.lists(st.sampled_from("abcdefgh"), min_size=1, max_size=8))
def test_each_kind_once_with_the_longest_term(policy, breaches):
    """R-DYN 1: each measure kind once, its term the longest of its breaches; unknown → 待议."""
    got, pending = propose(breaches, policy, NOV_1)
    known = {r.breach: r for r in policy}
    assert len({p.measure for p in got}) == len(got)
    for p in got:
        assert p.term.count == max(known[b].weeks for b in breaches if b in known and known[b].measure == p.measure)
    assert set(pending) == {b for b in breaches if b not in known}


measure_rows = st.lists(st.tuples(days, st.integers(0, 120), st.one_of(st.none(), st.integers(0, 200))), max_size=12)


@settings(max_examples=60)
@given(measure_rows, days)
def test_a_measure_is_due_or_active_or_neither_never_both(rows, on):
    """R-DYN 3: due and active are disjoint; a due one has ended before `on`, an active one holds `on`."""
    frame = ledger_rows(*(
        (f"C{i}", SUSPEND, s.isoformat(), (s + timedelta(days=n)).isoformat(),
         None if r is None else (s + timedelta(days=r)).isoformat())
        for i, (s, n, r) in enumerate(rows)))
    due, active = restore_status(frame, on)
    assert not set(due["customer_id"]) & set(active["customer_id"])
    assert (due["ends_on"] < on.isoformat()).all() and due["restored_on"].isna().all()
    assert ((active["starts_on"] <= on.isoformat()) & (active["ends_on"] >= on.isoformat())).all()


def test_first_order_day_when_no_customer_can_be_scheduled():
    """R-DYN 2: only customers without a schedulable order day: all fall back to the first working
    day of the month (regression: an empty schedule used to fail)."""
    days = first_order_days(master({"customer_id": "BI", "visit_cycle": "双周", "order_weekday": 3}),
                            Month.parse("2026-11"), CAL, VisitSettings())
    assert days["first_order_day"].tolist() == [date(2026, 11, 2)] and days["deliver_by"].tolist() == [date(2026, 10, 30)]
