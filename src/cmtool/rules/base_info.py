"""R-INFO: base information (基础信息维护), manual 第三章 一(一).

Pure functions over the customers frame: what is missing per 客户经理 (R-INFO 1), new customers
past their set-up date (R-INFO 2) and the fields changed between two masters (R-INFO 3). The
working-day calendar comes in as an `is_workday` function.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from cmtool.errors import Problem
from cmtool.fields import OTHER_BASE_FIELDS, WEEKDAY_SYNONYMS

IsWorkday = Callable[[date], bool]
SETUP_WORKDAYS = 2  # R-INFO 2 / R-CAL: set up within 2 working days of 入网


@dataclass(frozen=True)
class Need:
    """A base field that work depends on: its label, the canonical columns any of which
    satisfies it, and what its absence breaks."""

    label: str
    columns: tuple[str, ...]
    breaks: str


# R-INFO 1. 经营业态/市场类型/客户经理 are required columns: the loaders already report them.
NEEDS: tuple[Need, ...] = (
    Need("访销日", ("order_weekday", "visit_weekday"), "排不出订货日和拜访日，不会出现在日拜访表上"),
    Need("访销周期/拜访周期", ("visit_cycle", "visit_frequency"), "排不出拜访日（不知道每周、双周还是每月）"),
    Need("拜访方式", ("visit_mode",), "日拜访记录中没有拜访方式"),
    Need("客户组别", ("group",), "无法做总量组别管理和组别调整"),
    Need("定量组别", ("quota_group",), "无法做单户单次定量管理"),
    Need("订货电话", ("phone",), "无法电话访销、无法联系客户"),
)

# R-INFO 2: what a new customer must have once set up.
SETUP_NEEDS: tuple[tuple[str, str], ...] = (
    ("visit_cycle", "访销周期"), ("order_weekday", "访销日"), ("group", "组别"),
)

ROUTE_ORDER = "客户经理建议、市场经理批准核实、营销中心维护"
ROUTE_QUARTERLY = "V3 季度自动调整"
ROUTE_GROUP = "书面申请：客户经理申请、市场经理审核、分管副经理审批"
ROUTE_LICENCE = "待反馈专卖部门"
ROUTE_OTHER = "客户经理核实、市场经理审核后维护"
ROUTE_OWN = "客户经理在 1 个工作日内于 V3 维护"

# R-INFO 3: the fields compared, their label and route. Phones and contacts are not compared:
# the change record would carry personal data.
COMPARED: tuple[tuple[str, str, str], ...] = (
    ("name", "客户名称", ROUTE_LICENCE),
    ("address", "经营地址", ROUTE_LICENCE),
    ("license_no", "许可证号", ROUTE_LICENCE),
    ("format", "经营业态", ROUTE_OTHER),
    ("market", "市场类型", ROUTE_OTHER),
    ("manager", "客户经理", ROUTE_OTHER),
    ("department", "营销部", ROUTE_OTHER),
    ("status", "客户状态", ROUTE_OTHER),
    ("scale", "经营规模", ROUTE_QUARTERLY),
    ("class_name", "综合分类", ROUTE_QUARTERLY),
    ("group", "客户组别", ROUTE_GROUP),
    ("quota_group", "定量组别", ROUTE_GROUP),
    ("order_weekday", "访销日", ROUTE_ORDER),
    ("visit_cycle", "访销周期", ROUTE_ORDER),
    ("visit_frequency", "拜访周期", ROUTE_ORDER),
    ("visit_weekday", "拜访日", ROUTE_ORDER),
    ("visit_mode", "拜访方式", ROUTE_OTHER),
    ("route", "送货线路", ROUTE_OTHER),
    *((fd.name, fd.label, ROUTE_OWN) for fd in OTHER_BASE_FIELDS),
)
GROUP_KINDS = {"group": ("总量组别", "按需供货"), "quota_group": ("单户单次定量",)}
FLAG_NOT_QUARTER = "不在季度初：经营规模/综合分类应由 V3 每季度自动调整，请核实"
FLAG_NO_APPLICATION = "台账中没有该客户调整到此组别的申请，请核实依据"
WEEKDAY_NAMES = {n: names[0] for n, names in WEEKDAY_SYNONYMS.items()}


def _present(value: object) -> bool:
    return not (value is None or (not isinstance(value, str) and pd.isna(value)) or str(value).strip() == "")


def missing_fields(customers: pd.DataFrame, exported: set[str]) -> tuple[pd.DataFrame, list[Need]]:
    """R-INFO 1: the active customers missing a field work depends on, one row per customer and
    field (customer_id, name, manager, field, breaks, source_row), by manager then code; and the
    needs none of whose columns the export has (`exported`: canonical columns in the file), which
    are named once rather than per row."""
    absent = [n for n in NEEDS if not set(n.columns) & exported]
    active = customers[customers["active"]]
    rows = []
    for need in NEEDS:
        if need in absent:
            continue
        columns = [c for c in need.columns if c in exported]
        have = active[columns].apply(lambda col: col.map(_present)).any(axis=1)
        for r in active[~have].itertuples():
            rows.append({"customer_id": r.customer_id, "name": r.name, "manager": r.manager,
                         "field": need.label, "breaks": need.breaks, "source_row": r.source_row})
    frame = pd.DataFrame(rows, columns=["customer_id", "name", "manager", "field", "breaks", "source_row"])
    return frame.sort_values(["manager", "customer_id"], kind="stable", ignore_index=True), absent


def setup_due(joined: date, is_workday: IsWorkday) -> date:
    """R-INFO 2 / R-CAL: the 2nd working day after 入网 J (J itself not counted)."""
    day, count = joined, 0
    while count < SETUP_WORKDAYS:
        day += timedelta(days=1)
        count += is_workday(day)
    return day


def overdue_new(customers: pd.DataFrame, on: date, is_workday: IsWorkday, new_months: int) -> pd.DataFrame:
    """R-INFO 2: new customers (active, joined in the `new_months` months up to `on`, as R-GROUP
    counts them new) whose set-up date is before `on` and that still miss 访销周期, 访销日 or 组别:
    customer_id, name, manager, joined, due, missing (labels), by due then code. Customers without
    入网日期, or that joined after `on`, are not judged; older ones are R-INFO 1's concern."""
    rows = []
    since = (pd.Timestamp(on) - pd.DateOffset(months=new_months)).date()
    joined = customers[customers["active"] & customers["joined"].notna()]
    for r in joined.itertuples():
        start = r.joined.date()
        if not since < start <= on:
            continue
        due = setup_due(start, is_workday)
        if due >= on:
            continue
        missing = [label for column, label in SETUP_NEEDS if not _present(getattr(r, column))]
        if missing:
            rows.append({"customer_id": r.customer_id, "name": r.name, "manager": r.manager,
                         "joined": start, "due": due, "missing": missing})
    frame = pd.DataFrame(rows, columns=["customer_id", "name", "manager", "joined", "due", "missing"])
    return frame.sort_values(["due", "customer_id"], kind="stable", ignore_index=True)


def _shown(column: str, value: object) -> str | None:
    if not _present(value):
        return None
    if column in ("order_weekday", "visit_weekday"):
        return WEEKDAY_NAMES.get(int(value), str(value))
    return str(value).strip()


def _at_quarter_start(on: date, is_workday: IsWorkday) -> bool:
    """Within the first 5 working days of a quarter's first month (when V3 adjusts 规模)."""
    if on.month not in (1, 4, 7, 10):
        return False
    days = [date(on.year, on.month, d) for d in range(1, on.day + 1)]
    return sum(map(is_workday, days)) <= 5


@dataclass
class Changes:
    """R-INFO 3: the changed fields, and the customers that appeared or vanished."""

    changes: pd.DataFrame  # customer_id, name, manager, field, old, new, found, route, flag
    added: pd.DataFrame  # customer_id, name, manager
    removed: pd.DataFrame  # customer_id, name, manager


def changes(
    previous: pd.DataFrame, current: pd.DataFrame, on: date, applications: pd.DataFrame, is_workday: IsWorkday,
    compared: Sequence[str] | None = None,
) -> Changes:
    """R-INFO 3: each changed field of each customer in both masters is a row (old, new, the date
    found `on`, the route); 经营规模/综合分类 changes are flagged outside the first 5 working days of
    a quarter, 组别 changes when `applications` (ledger: customer_id, kind, proposed_group) has no
    application to the new group. `compared`: the canonical columns both files have (default:
    all of COMPARED that both frames have). Rows by customer then field order."""
    info = ["customer_id", "name", "manager"]
    wanted = [c for c in COMPARED if (compared is None or c[0] in compared)
              and c[0] in previous.columns and c[0] in current.columns]
    both = current.merge(previous, on="customer_id", suffixes=("", "_old"), how="inner", validate="one_to_one")
    applied = {(r.customer_id, r.kind, r.proposed_group) for r in applications.itertuples()}
    quarter_start = _at_quarter_start(on, is_workday)
    rows = []
    for r in both.to_dict("records"):
        for column, label, route in wanted:
            old, new = _shown(column, r[f"{column}_old"]), _shown(column, r[column])
            if old == new:
                continue
            flag = None
            if route == ROUTE_QUARTERLY and not quarter_start:
                flag = FLAG_NOT_QUARTER
            if column in GROUP_KINDS and not any((r["customer_id"], k, new) in applied for k in GROUP_KINDS[column]):
                flag = FLAG_NO_APPLICATION
            rows.append({"customer_id": r["customer_id"], "name": r["name"], "manager": r["manager"],
                         "field": label, "old": old, "new": new, "found": on, "route": route, "flag": flag})
    frame = pd.DataFrame(rows, columns=[*info, "field", "old", "new", "found", "route", "flag"], dtype=object)
    frame = frame.where(frame.notna(), None)
    added = current.loc[~current["customer_id"].isin(previous["customer_id"]), info].reset_index(drop=True)
    removed = previous.loc[~previous["customer_id"].isin(current["customer_id"]), info].reset_index(drop=True)
    return Changes(frame, added, removed)


def not_in_master(customers: pd.DataFrame, monthly: pd.DataFrame, source: str) -> list[Problem]:
    """data.md: customers in a sales file but not in the master, one warning each (by code)."""
    unknown = sorted(set(monthly["customer_id"]) - set(customers["customer_id"]))
    return [Problem("销售数据中有该客户，但客户信息中没有", file=source, value=cid, customer_id=cid,
                    fix="请核对客户编码，或补充客户信息") for cid in unknown]
