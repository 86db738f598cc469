"""R-VISIT / R-DYN 2: visit days and the first order day (rules/visits.py), hand-checked on the
2026 calendar (National Day 10-01..10-07 off, Saturday 10-10 a make-up working day)."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from cmtool.calendar import WorkCalendar
from cmtool.periods import Month
from cmtool.rules.visits import (
    NO_CYCLE,
    NO_MODE,
    NO_ORDER_WEEKDAY,
    NO_PARITY,
    NO_WEEKDAY,
    VisitSettings,
    day_lists,
    first_order_days,
    order_basis,
    route_order,
    schedule,
    suspended,
    visit_basis,
)

CAL = WorkCalendar()
NOV = [date(2026, 11, 1) + timedelta(days=i) for i in range(30)]


def customers(*rows: dict) -> pd.DataFrame:
    """A master frame with the schedule columns; unspecified fields are NA."""
    cols = ["customer_id", "visit_frequency", "visit_weekday", "visit_cycle", "order_weekday"]
    frame = pd.DataFrame([{c: r.get(c, pd.NA) for c in cols} for r in rows], columns=cols)
    for c in ("visit_weekday", "order_weekday"):
        frame[c] = frame[c].astype("Int8")
    return frame


def days_of(plan: pd.DataFrame, cid: str) -> list[date]:
    return list(plan.loc[plan["customer_id"] == cid, "date"])


def test_weekly_wednesday_in_november_2026():
    """R-VISIT 2: a 每周 周三 customer is due on the four Wednesdays of November 2026."""
    basis = visit_basis(customers({"customer_id": "A", "visit_frequency": "每周", "visit_weekday": 3}))
    plan, bad = schedule(basis, NOV, CAL, VisitSettings())
    assert days_of(plan, "A") == [date(2026, 11, 4), date(2026, 11, 11), date(2026, 11, 18), date(2026, 11, 25)]
    assert plan["workday"].all() and bad.empty
    assert plan["basis"].iloc[0] == "拜访周期"


def test_visit_fields_fall_back_to_order_fields_and_say_so():
    """R-VISIT 1: without 拜访周期/拜访日 the 访销周期/访销日 are used; the basis names them."""
    frame = customers(
        {"customer_id": "A", "visit_cycle": "每周", "order_weekday": 1},
        {"customer_id": "B", "visit_frequency": "每周", "order_weekday": 2},
    )
    basis = visit_basis(frame)
    assert list(basis["basis"]) == ["访销周期", "拜访周期、访销日"]
    assert list(basis["weekday"]) == [1, 2]


def test_biweekly_parity_from_latest_order_date():
    """R-VISIT 2: a 双周 周二 customer whose latest order was Tue 2026-10-27 is due 11-10 and 11-24."""
    basis = visit_basis(customers({"customer_id": "B", "visit_frequency": "双周", "visit_weekday": 2}))
    last = pd.Series({"B": pd.Timestamp("2026-10-27 09:30")})
    plan, bad = schedule(basis, NOV, CAL, VisitSettings(), last)
    assert days_of(plan, "B") == [date(2026, 11, 10), date(2026, 11, 24)] and bad.empty


def test_biweekly_anchor_when_latest_order_is_off_weekday():
    """R-VISIT 2: latest order on a Friday → the anchor Monday 2026-11-02 decides: Tuesdays 11-03, 11-17."""
    basis = visit_basis(customers({"customer_id": "B", "visit_frequency": "双周", "visit_weekday": 2}))
    last = pd.Series({"B": pd.Timestamp("2026-10-30")})
    plan, _ = schedule(basis, NOV, CAL, VisitSettings(biweekly_anchor=date(2026, 11, 2)), last)
    assert days_of(plan, "B") == [date(2026, 11, 3), date(2026, 11, 17)]


def test_biweekly_without_parity_is_unschedulable():
    """R-VISIT 2: neither an order on its weekday nor an anchor → 无法排期 with the reason."""
    basis = visit_basis(customers({"customer_id": "B", "visit_frequency": "双周", "visit_weekday": 2}))
    plan, bad = schedule(basis, NOV, CAL, VisitSettings())
    assert plan.empty and list(bad["reason"]) == [NO_PARITY]


def test_monthly_first_and_second_week():
    """R-VISIT 2: 每月 周一: the first Monday (11-02), or the second with monthly_week = 2 (11-09)."""
    basis = visit_basis(customers({"customer_id": "M", "visit_frequency": "每月", "visit_weekday": 1}))
    assert days_of(schedule(basis, NOV, CAL, VisitSettings())[0], "M") == [date(2026, 11, 2)]
    assert days_of(schedule(basis, NOV, CAL, VisitSettings(monthly_week=2))[0], "M") == [date(2026, 11, 9)]


def test_missing_cycle_or_weekday_never_guessed():
    """R-VISIT 2: no cycle or no weekday → 无法排期."""
    frame = customers({"customer_id": "X", "visit_weekday": 3}, {"customer_id": "Y", "visit_frequency": "每周"})
    plan, bad = schedule(visit_basis(frame), NOV, CAL, VisitSettings())
    assert plan.empty
    assert dict(zip(bad["customer_id"], bad["reason"])) == {"X": NO_CYCLE, "Y": NO_WEEKDAY}


def test_holiday_is_kept_and_flagged():
    """R-VISIT 3: a 每周 周四 customer in the National Day week keeps 10-01, marked not a working day."""
    basis = visit_basis(customers({"customer_id": "H", "visit_frequency": "每周", "visit_weekday": 4}))
    october = [date(2026, 10, 1) + timedelta(days=i) for i in range(14)]
    plan, _ = schedule(basis, october, CAL, VisitSettings())
    assert days_of(plan, "H") == [date(2026, 10, 1), date(2026, 10, 8)]
    assert list(plan["workday"]) == [False, True]


def test_first_order_day_over_national_day():
    """R-DYN 2: month 2026-10. A Monday customer skips the holiday Monday 10-05 → 10-12, notice by
    10-10 (the make-up Saturday); a Saturday customer orders on the make-up Saturday 10-10."""
    frame = customers(
        {"customer_id": "MON", "visit_cycle": "每周", "order_weekday": 1},
        {"customer_id": "SAT", "visit_cycle": "每周", "order_weekday": 6},
        {"customer_id": "NONE"},
        {"customer_id": "NOCYCLE", "order_weekday": 4},
    )
    got = first_order_days(frame, Month(2026, 10), CAL, VisitSettings()).set_index("customer_id")
    assert got.loc["MON", "first_order_day"] == date(2026, 10, 12)
    assert got.loc["MON", "deliver_by"] == date(2026, 10, 10)
    assert got.loc["SAT", "first_order_day"] == date(2026, 10, 10)
    assert got.loc["SAT", "deliver_by"] == date(2026, 10, 9)
    assert got.loc["NONE", "first_order_day"] == date(2026, 10, 8)
    assert got.loc["NONE", "fallback"] == NO_ORDER_WEEKDAY
    assert got.loc["NOCYCLE", "first_order_day"] == date(2026, 10, 8)  # weekday without cycle: 每周
    assert pd.isna(got.loc["NOCYCLE", "fallback"])


def test_first_order_day_biweekly_follows_cycle():
    """R-DYN 2: a 双周 周二 customer (latest order 10-27) first orders on 11-10, not 11-03."""
    frame = customers({"customer_id": "B", "visit_cycle": "双周", "order_weekday": 2})
    last = pd.Series({"B": pd.Timestamp("2026-10-27")})
    got = first_order_days(frame, Month(2026, 11), CAL, VisitSettings(), last)
    assert got["first_order_day"].iloc[0] == date(2026, 11, 10)
    assert got["deliver_by"].iloc[0] == date(2026, 11, 9)


def test_order_basis_treats_weekday_without_cycle_as_weekly():
    """R-VISIT 2 last sentence: for R-DYN only, a weekday without a cycle counts as 每周."""
    basis = order_basis(customers({"customer_id": "A", "order_weekday": 5}, {"customer_id": "B"}))
    assert basis["cycle"].iloc[0] == "每周" and pd.isna(basis["cycle"].iloc[1])


WEEKDAYS = st.integers(min_value=1, max_value=7)


@settings(max_examples=40, deadline=None)
@given(weekday=WEEKDAYS, start=st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 11, 30)))
def test_weekly_due_once_in_every_week_holding_its_weekday(weekday: int, start: date):
    """R-VISIT property: a 每周 customer is scheduled exactly once in each full week, on its weekday."""
    monday = start - timedelta(days=start.weekday())
    days = [monday + timedelta(days=i) for i in range(28)]
    basis = visit_basis(customers({"customer_id": "W", "visit_frequency": "每周", "visit_weekday": weekday}))
    plan, _ = schedule(basis, days, CAL, VisitSettings())
    assert len(plan) == 4
    assert all(d.isoweekday() == weekday for d in plan["date"])
    assert all(w == CAL.is_workday(d) for d, w in zip(plan["date"], plan["workday"]))


@settings(max_examples=40, deadline=None)
@given(weekday=WEEKDAYS, anchor_week=st.integers(min_value=0, max_value=60))
def test_biweekly_alternates_and_order_independent(weekday: int, anchor_week: int):
    """R-VISIT property: 双周 days are 14 days apart; the customers' order does not change the plan."""
    anchor = date(2025, 12, 29) + timedelta(weeks=anchor_week)
    days = [date(2026, 3, 2) + timedelta(days=i) for i in range(56)]
    frame = customers(
        {"customer_id": "B", "visit_frequency": "双周", "visit_weekday": weekday},
        {"customer_id": "A", "visit_frequency": "每周", "visit_weekday": weekday},
    )
    plan, _ = schedule(visit_basis(frame), days, CAL, VisitSettings(biweekly_anchor=anchor))
    b = days_of(plan, "B")
    assert len(b) == 4 and all((y - x).days == 14 for x, y in zip(b, b[1:]))
    assert ((b[0] - anchor).days // 7) % 2 == 0
    again, _ = schedule(visit_basis(frame.iloc[::-1]), days, CAL, VisitSettings(biweekly_anchor=anchor))
    pd.testing.assert_frame_equal(plan, again)


# ---- the day's lists: suspended customers, route order, holiday (R-VISIT 3–4) ----------------------


def measures(*rows: tuple) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["customer_id", "measure", "starts_on", "ends_on", "decided_month",
                                       "restored_on"])


def test_suspended_on_a_day_from_the_measures():
    """R-VISIT 3 / R-DYN: a 暂停访销 measure counts from its start to its end, not once restored;
    other measures do not suspend visits."""
    m = measures(("A", "暂停访销", "2026-11-03", "2026-11-16", "2026-10", None),
                 ("B", "暂停访销", "2026-11-03", "2026-11-16", "2026-10", "2026-11-10"),
                 ("C", "组别下调", "2026-11-03", "2027-02-02", "2026-10", None))
    assert suspended(m, date(2026, 11, 2)).empty
    assert suspended(m, date(2026, 11, 4)).to_dict("records") == [
        {"customer_id": "A", "until": "2026-11-16"}, {"customer_id": "B", "until": "2026-11-16"}]
    assert list(suspended(m, date(2026, 11, 10))["customer_id"]) == ["A"]
    assert list(suspended(m, date(2026, 11, 16))["customer_id"]) == ["A"]
    assert suspended(m, date(2026, 11, 17)).empty


def master_rows(*rows: dict) -> pd.DataFrame:
    cols = ["customer_id", "name", "manager", "visit_mode", "route", "route_order", "visit_frequency",
            "visit_weekday", "visit_cycle", "order_weekday"]
    frame = pd.DataFrame([{c: r.get(c, pd.NA) for c in cols} for r in rows], columns=cols)
    for c in ("visit_weekday", "order_weekday"):
        frame[c] = frame[c].astype("Int8")
    return frame


def test_route_order_numbers_as_numbers_and_no_route_last():
    frame = master_rows({"customer_id": "1", "route": "青羊02线", "route_order": "10"},
                        {"customer_id": "2", "route": "青羊02线", "route_order": "2"},
                        {"customer_id": "3"},
                        {"customer_id": "0"},
                        {"customer_id": "4", "route": "青羊01线", "route_order": "7"})
    assert list(frame.loc[route_order(frame).sort_values().index, "customer_id"]) == ["4", "2", "1", "0", "3"]


def test_day_lists_due_flagged_suspended_and_holiday():
    """R-VISIT 3–4 on Wednesday 2026-11-04: A due with its open action, B due and flagged 缺拜访方式,
    C (suspended until 11-16) listed apart; on Thursday 2026-10-01 (National Day) D is listed under
    节假日, not moved."""
    frame = master_rows(
        {"customer_id": "A", "name": "甲", "manager": "张三", "visit_mode": "实地拜访", "visit_frequency": "每周",
         "visit_weekday": 3, "route": "01线", "route_order": "2"},
        {"customer_id": "B", "name": "乙", "manager": "张三", "visit_frequency": "每周", "visit_weekday": 3,
         "route": "01线", "route_order": "1"},
        {"customer_id": "C", "name": "丙", "manager": "张三", "visit_mode": "实地拜访", "visit_frequency": "每周",
         "visit_weekday": 3},
        {"customer_id": "D", "name": "丁", "manager": "张三", "visit_mode": "电话拜访", "visit_frequency": "每周",
         "visit_weekday": 4},
    )
    days = [date(2026, 11, 4), date(2026, 10, 1)]
    planned, bad = schedule(visit_basis(frame), days, CAL, VisitSettings())
    held = {date(2026, 11, 4): pd.DataFrame({"customer_id": ["C"], "until": ["2026-11-16"]}),
            date(2026, 10, 1): pd.DataFrame(columns=["customer_id", "until"])}
    open_actions = pd.DataFrame({"customer_id": ["A", "A"], "month": ["2026-11", "2026-10"],
                                 "action": ["规范陈列", "十月的动作"]})
    lists = day_lists(planned, bad, frame, held, open_actions)
    assert lists.due[["customer_id", "actions", "flags"]].to_dict("records") == [
        {"customer_id": "B", "actions": [], "flags": [NO_MODE]},
        {"customer_id": "A", "actions": ["规范陈列"], "flags": []}]
    assert lists.suspended.to_dict("records") == [{"customer_id": "C", "name": "丙", "manager": "张三",
                                                   "until": "2026-11-16"}]
    assert list(lists.holiday["customer_id"]) == ["D"] and lists.holiday.at[0, "date"] == date(2026, 10, 1)
