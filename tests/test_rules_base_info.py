"""R-INFO: base information — completeness, new customers' set-up date, changes between masters."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from cmtool.calendar import WorkCalendar
from cmtool.rules.base_info import (
    FLAG_NO_APPLICATION, FLAG_NOT_QUARTER, ROUTE_LICENCE, ROUTE_ORDER, ROUTE_QUARTERLY, changes, missing_fields,
    not_in_master, overdue_new, setup_due,
)

CAL = WorkCalendar()
COLUMNS = ["customer_id", "name", "manager", "active", "joined", "order_weekday", "visit_cycle", "visit_frequency",
           "visit_weekday", "visit_mode", "group", "quota_group", "phone", "scale", "class_name", "address",
           "source_row"]


def master(*rows: dict) -> pd.DataFrame:
    base = {c: None for c in COLUMNS} | {"manager": "王芳", "active": True, "joined": pd.NaT}
    frame = pd.DataFrame([base | {"source_row": i + 4} | r for i, r in enumerate(rows)], columns=COLUMNS)
    frame["joined"] = pd.to_datetime(frame["joined"])
    return frame


NO_APPLICATIONS = pd.DataFrame(columns=["customer_id", "kind", "proposed_group"])


def test_r_info_2_joined_on_a_friday_before_the_mid_autumn_holiday():
    # Fri 2026-09-18 → Sat 9/19 off, Sun 9/20 调休上班 (1st), Mon 9/21 (2nd)
    assert setup_due(date(2026, 9, 18), CAL.is_workday) == date(2026, 9, 21)
    # Wed 9/30 → National Day 10/1–10/7 off → Thu 10/8 (1st), Fri 10/9 (2nd)
    assert setup_due(date(2026, 9, 30), CAL.is_workday) == date(2026, 10, 9)


def test_r_info_2_overdue_new_lists_what_is_still_missing():
    frame = master(
        {"customer_id": "A", "name": "甲", "joined": "2026-09-30", "group": "五组"},  # due 10/9
        {"customer_id": "B", "name": "乙", "joined": "2026-10-08", "visit_cycle": "每周", "order_weekday": 2,
         "group": "五组"},  # complete
        {"customer_id": "C", "name": "丙", "joined": "2026-10-08"},  # due 10/10 (Sat 调休): not yet past on 10/10
        {"customer_id": "D", "name": "丁", "joined": "2020-01-06"},  # not new any more
        {"customer_id": "E", "name": "戊", "joined": "2026-09-30", "active": False},
    )
    found = overdue_new(frame, date(2026, 10, 10), CAL.is_workday, new_months=6)
    assert found["customer_id"].tolist() == ["A"]
    assert found.at[0, "due"] == date(2026, 10, 9) and found.at[0, "joined"] == date(2026, 9, 30)
    assert found.at[0, "missing"] == ["访销周期", "访销日"]
    later = overdue_new(frame, date(2026, 10, 12), CAL.is_workday, new_months=6)
    assert later["customer_id"].tolist() == ["A", "C"] and later.at[1, "missing"] == ["访销周期", "访销日", "组别"]


@settings(max_examples=60, deadline=None)
@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2026, 12, 20)))
def test_r_info_2_setup_due_is_the_second_working_day_after_joining(joined):
    due = setup_due(joined, CAL.is_workday)
    assert due > joined and CAL.is_workday(due)
    between = [joined + timedelta(days=i) for i in range(1, (due - joined).days + 1)]
    assert sum(map(CAL.is_workday, between)) == 2


def test_r_info_1_missing_fields_per_manager_and_absent_columns_named_once():
    frame = master(
        {"customer_id": "2", "name": "乙", "manager": "张三", "order_weekday": 1, "visit_cycle": "每周", "group": "一组"},
        {"customer_id": "1", "name": "甲", "manager": "李四", "visit_frequency": "双周", "visit_weekday": 3},
        {"customer_id": "3", "name": "丙", "manager": "张三", "active": False},
    )
    exported = {"customer_id", "name", "manager", "order_weekday", "visit_cycle", "visit_frequency",
                "visit_weekday", "group"}
    rows, absent = missing_fields(frame, exported)
    assert [n.label for n in absent] == ["拜访方式", "定量组别", "订货电话"]
    # 甲 has 拜访周期 and 拜访日 instead of 访销周期/访销日: only its 组别 is missing; 丙 is not active
    assert rows[["manager", "customer_id", "field"]].values.tolist() == [["李四", "1", "客户组别"]]
    assert rows.at[0, "source_row"] == 5


def test_r_info_3_a_field_changed_between_two_masters():
    old = master({"customer_id": "A", "name": "甲", "order_weekday": 2, "group": "三组", "scale": "中",
                  "address": "一环路1号"},
                 {"customer_id": "B", "name": "乙"})
    new = master({"customer_id": "A", "name": "甲", "order_weekday": 4, "group": "二组", "scale": "大",
                  "address": "一环路2号"},
                 {"customer_id": "C", "name": "丙"})
    applied = pd.DataFrame([{"customer_id": "A", "kind": "总量组别", "proposed_group": "一组"}])
    found = changes(old, new, date(2026, 11, 20), applied, CAL.is_workday)
    rows = {r.field: r for r in found.changes.itertuples()}
    assert set(rows) == {"访销日", "客户组别", "经营规模", "经营地址"}
    assert (rows["访销日"].old, rows["访销日"].new, rows["访销日"].route) == ("周二", "周四", ROUTE_ORDER)
    assert rows["访销日"].flag is None and rows["访销日"].found == date(2026, 11, 20)
    assert rows["经营规模"].route == ROUTE_QUARTERLY and rows["经营规模"].flag == FLAG_NOT_QUARTER
    assert rows["客户组别"].flag == FLAG_NO_APPLICATION  # the ledger applied for 一组, not 二组
    assert rows["经营地址"].route == ROUTE_LICENCE
    assert found.added["customer_id"].tolist() == ["C"] and found.removed["customer_id"].tolist() == ["B"]


def test_r_info_3_quarterly_change_at_the_quarter_start_and_applied_group_are_not_flagged():
    old = master({"customer_id": "A", "name": "甲", "scale": "中", "group": "三组"})
    new = master({"customer_id": "A", "name": "甲", "scale": "大", "group": "二组"})
    applied = pd.DataFrame([{"customer_id": "A", "kind": "总量组别", "proposed_group": "二组"}])
    found = changes(old, new, date(2026, 10, 9), applied, CAL.is_workday)  # 2nd working day of Q4
    assert found.changes["flag"].isna().all() and len(found.changes) == 2


@settings(max_examples=30, deadline=None)
@given(st.permutations(list("ABCDE")))
def test_r_info_3_changes_do_not_depend_on_row_order(order):
    old = master(*({"customer_id": c, "name": c, "group": "一组"} for c in "ABCDE"))
    new = master(*({"customer_id": c, "name": c, "group": "二组" if c in "BD" else "一组"} for c in order))
    found = changes(old, new, date(2026, 11, 20), NO_APPLICATIONS, CAL.is_workday)
    assert sorted(found.changes["customer_id"]) == ["B", "D"] and found.added.empty and found.removed.empty


def test_customers_in_sales_not_in_master_are_warnings():
    frame = master({"customer_id": "A", "name": "甲"})
    monthly = pd.DataFrame({"customer_id": ["A", "Z", "Y", "Z"]})
    found = not_in_master(frame, monthly, "s.csv")
    assert [p.customer_id for p in found] == ["Y", "Z"]


def test_r_info_3_other_base_fields_are_compared_too():
    old = master({"customer_id": "A", "name": "甲"}).assign(opening_hours="8:00-22:00")
    new = master({"customer_id": "A", "name": "甲"}).assign(opening_hours="8:00-23:00")
    found = changes(old, new, date(2026, 11, 20), NO_APPLICATIONS, CAL.is_workday)
    assert found.changes[["field", "old", "new"]].values.tolist() == [["营业时间", "8:00-22:00", "8:00-23:00"]]
