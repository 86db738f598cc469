"""R-VISIT: on which days a customer is served, from its cycle and weekday.

One schedule serves two uses (domain.md R-VISIT, R-DYN 2):

- the day's customers to visit (`visit_basis`): the 拜访周期 and 拜访日, else the 访销周期 and
  访销日; a customer without cycle or weekday is 无法排期, never guessed;
- the first order day of a month (`order_basis`, `first_order_days`): the 访销周期 and 访销日
  (订货日); a customer with a weekday but no cycle counts as 每周 here.

每周: every such weekday. 双周: every other one, the weeks taken from the customer's latest order
date when that falls on its weekday, else from the configured anchor Monday. 每月: the n-th such
weekday of the month (`monthly_week`). A scheduled day that is not a working day stays where it is
(`workday` False): the day sheet lists it under 节假日; the first order day skips it.

Pure: the calendar comes in as an object with `is_workday` (rules/deadlines.py `Calendar`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from cmtool.periods import Month
from cmtool.rules.deadlines import Calendar

WEEKLY, BIWEEKLY, MONTHLY = "每周", "双周", "每月"
BASIS_VISIT, BASIS_ORDER = "拜访周期", "访销周期"

NO_CYCLE = "缺拜访周期和访销周期"
NO_WEEKDAY = "缺拜访日和访销日"
NO_ORDER_WEEKDAY = "缺访销日（订货日）"
NO_PARITY = "双周客户：最近订货日不在其拜访日，且配置 [visit] biweekly_anchor 未设置，无法确定单双周"
NONE_IN_MONTH = "本月没有落在工作日的订货日"

SCHEDULE_COLUMNS = ["customer_id", "date", "cycle", "basis", "workday"]


@dataclass(frozen=True)
class VisitSettings:
    """`[visit]` of the config: the 双周 anchor Monday (or None) and the week of 每月 customers."""

    biweekly_anchor: date | None = None
    monthly_week: int = 1


def visit_basis(customers: pd.DataFrame) -> pd.DataFrame:
    """R-VISIT 1: cycle and weekday per customer, 拜访周期/拜访日 first, else 访销周期/访销日.

    Returns customer_id, cycle, weekday (Int8, 1 = 周一) and basis (the field the cycle came
    from; "拜访周期、访销日" style when the weekday came from the other pair).
    """
    own_cycle = customers["visit_frequency"].notna()
    own_day = customers["visit_weekday"].notna()
    cycle = customers["visit_frequency"].where(own_cycle, customers["visit_cycle"])
    weekday = customers["visit_weekday"].where(own_day, customers["order_weekday"])
    cycle_field = pd.Series(BASIS_ORDER, index=customers.index).where(~own_cycle, BASIS_VISIT)
    mixed = own_cycle != own_day
    day_field = pd.Series("访销日", index=customers.index).where(~own_day, "拜访日")
    basis = cycle_field.where(~mixed, cycle_field + "、" + day_field)
    return pd.DataFrame({
        "customer_id": customers["customer_id"].to_numpy(),
        "cycle": cycle.to_numpy(),
        "weekday": pd.array(weekday.to_numpy(), dtype="Int8"),
        "basis": basis.to_numpy(),
    })


def order_basis(customers: pd.DataFrame) -> pd.DataFrame:
    """R-DYN 2 / R-VISIT 2: the 访销周期 and 访销日; a weekday without a cycle counts as 每周."""
    weekday = customers["order_weekday"]
    cycle = customers["visit_cycle"].where(customers["visit_cycle"].notna() | weekday.isna(), WEEKLY)
    return pd.DataFrame({
        "customer_id": customers["customer_id"].to_numpy(),
        "cycle": cycle.to_numpy(),
        "weekday": pd.array(weekday.to_numpy(), dtype="Int8"),
        "basis": BASIS_ORDER,
    })


def schedule(
    basis: pd.DataFrame,
    days: list[date],
    calendar: Calendar,
    settings: VisitSettings,
    last_orders: pd.Series | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """R-VISIT 2–3: the scheduled (customer, day) pairs within `days`, and the unschedulable.

    `basis` is `visit_basis` or `order_basis`; `last_orders` maps customer_id to its latest order
    date (for 双周 parity). Returns (schedule: customer_id, date, cycle, basis, workday — sorted by
    date then customer_id; unschedulable: customer_id, reason — in `basis` order).
    """
    reasons = _unschedulable_reasons(basis, settings, last_orders)
    ok = basis[reasons.isna()]
    unschedulable = pd.DataFrame({"customer_id": basis["customer_id"][reasons.notna()].to_numpy(),
                                  "reason": reasons.dropna().to_numpy()})
    if ok.empty or not days:
        return pd.DataFrame(columns=SCHEDULE_COLUMNS), unschedulable
    day_frame = pd.DataFrame({"date": days})
    day_frame["weekday"] = [d.isoweekday() for d in days]
    day_frame["nth"] = [(d.day - 1) // 7 + 1 for d in days]
    pairs = ok.merge(day_frame, on="weekday", how="inner")
    due = pairs["cycle"].eq(WEEKLY)
    due |= pairs["cycle"].eq(MONTHLY) & pairs["nth"].eq(settings.monthly_week)
    biweekly = pairs["cycle"].eq(BIWEEKLY)
    if biweekly.any():
        reference = _parity_reference(pairs[biweekly], settings, last_orders)
        weeks = (pd.to_datetime(pairs.loc[biweekly, "date"]) - reference).dt.days // 7
        due.loc[biweekly] = (weeks % 2).eq(0).to_numpy()
    out = pairs[due].copy()
    workdays = {d: calendar.is_workday(d) for d in out["date"].unique()}
    out["workday"] = out["date"].map(workdays).astype(bool)
    out = out.sort_values(["date", "customer_id"], kind="stable")
    return out[SCHEDULE_COLUMNS].reset_index(drop=True), unschedulable


def first_order_days(
    customers: pd.DataFrame,
    month: Month,
    calendar: Calendar,
    settings: VisitSettings,
    last_orders: pd.Series | None = None,
) -> pd.DataFrame:
    """R-DYN 2: each customer's first order day in `month` and the day the notice is due.

    The first scheduled working day of the month by the 访销周期 and 访销日 (a Monday customer
    whose first Monday is a holiday waits for its next order day). Without one (no 订货日, an
    undecidable 双周, no working order day in the month) it is the month's first working day and
    `fallback` names the reason. `deliver_by` is the last working day before it.
    Returns customer_id, first_order_day, deliver_by, fallback (str or NA), in `customers` order.
    """
    days = [month.first_day + timedelta(days=i) for i in range(month.last_day.day)]
    planned, unschedulable = schedule(order_basis(customers), days, calendar, settings, last_orders)
    first = planned[planned["workday"].astype(bool)].groupby("customer_id", sort=False)["date"].first()
    ids = customers["customer_id"]
    first_day = ids.map(first)
    reason = ids.map(unschedulable.set_index("customer_id")["reason"])
    reason = reason.where(reason.notna() | first_day.notna(), NONE_IN_MONTH)
    first_workday = calendar.next_workday_on_or_after(month.first_day)
    first_day = first_day.where(first_day.notna(), first_workday)
    deliver_by = first_day.map({d: _workday_before(d, calendar) for d in first_day.unique()})
    return pd.DataFrame({
        "customer_id": ids.to_numpy(),
        "first_order_day": first_day.to_numpy(),
        "deliver_by": deliver_by.to_numpy(),
        "fallback": pd.array(reason.to_numpy(), dtype="string"),
    })


def _unschedulable_reasons(
    basis: pd.DataFrame, settings: VisitSettings, last_orders: pd.Series | None
) -> pd.Series:
    """Per row of `basis` the reason it cannot be scheduled, NA when it can."""
    order_only = basis["basis"].eq(BASIS_ORDER).all()
    reasons = pd.Series(pd.NA, index=basis.index, dtype="object")
    reasons[basis["weekday"].isna()] = NO_ORDER_WEEKDAY if order_only else NO_WEEKDAY
    reasons[basis["cycle"].isna() & reasons.isna()] = NO_CYCLE
    biweekly = basis["cycle"].eq(BIWEEKLY) & reasons.isna()
    if biweekly.any() and settings.biweekly_anchor is None:
        own = _own_parity(basis[biweekly], last_orders)
        reasons[biweekly & ~own.reindex(basis.index, fill_value=False)] = NO_PARITY
    return reasons


def _own_parity(rows: pd.DataFrame, last_orders: pd.Series | None) -> pd.Series:
    """Whether each row's latest order date falls on its weekday (it then fixes the 双周 weeks)."""
    if last_orders is None or last_orders.empty:
        return pd.Series(False, index=rows.index)
    last = pd.to_datetime(rows["customer_id"].map(last_orders))
    return (last.dt.day_of_week + 1).eq(rows["weekday"].astype("float")).fillna(False).astype(bool)


def _parity_reference(
    rows: pd.DataFrame, settings: VisitSettings, last_orders: pd.Series | None
) -> pd.Series:
    """R-VISIT 2: a visit day of each 双周 row: its latest order date, else the anchor week's day."""
    own = _own_parity(rows, last_orders)
    reference = pd.Series(pd.NaT, index=rows.index, dtype="datetime64[ns]")
    if own.any():
        reference[own] = pd.to_datetime(rows.loc[own, "customer_id"].map(last_orders)).dt.normalize()
    if settings.biweekly_anchor is not None and (~own).any():
        anchor = pd.Timestamp(settings.biweekly_anchor)
        offsets = pd.to_timedelta(rows.loc[~own, "weekday"].astype(int) - 1, unit="D")
        reference[~own] = anchor + offsets
    return reference


def _workday_before(day: date, calendar: Calendar) -> date:
    """The last working day before `day`."""
    day -= timedelta(days=1)
    while not calendar.is_workday(day):
        day -= timedelta(days=1)
    return day


# ---- the day's lists (R-VISIT 3–4) ----------------------------------------------------------------

SUSPENSION = "暂停访销"
NO_MODE = "缺拜访方式"
DAY_COLUMNS = ["date", "customer_id", "name", "manager", "cycle", "basis", "actions", "flags"]


def suspended(measures: pd.DataFrame, day: date) -> pd.DataFrame:
    """R-VISIT 3 / R-DYN 3: the customers under a 暂停访销 measure active on `day` (started on or
    before it, not ended before it, not restored by it): customer_id, until (its last day or None).
    `measures` as `Ledger.measures()` gives them (dates as ISO text)."""
    iso = day.isoformat()
    m = measures[measures["measure"].eq(SUSPENSION) & measures["starts_on"].le(iso)]
    m = m[m["ends_on"].isna() | m["ends_on"].ge(iso)]
    m = m[m["restored_on"].isna() | m["restored_on"].gt(iso)]
    m = m.sort_values("ends_on", na_position="last").drop_duplicates("customer_id", keep="last")
    return pd.DataFrame({"customer_id": m["customer_id"].to_numpy(),
                         "until": m["ends_on"].astype(object).where(m["ends_on"].notna(), None).to_numpy()})


def route_order(customers: pd.DataFrame) -> pd.Series:
    """R-VISIT 4: the position of each customer in a day sheet: by 送货线路 then 线路顺序 (numbers
    as numbers) where the master has them, else by code; customers without a route last."""
    number = pd.to_numeric(customers["route_order"], errors="coerce")
    keys = pd.DataFrame({
        "no_route": customers["route"].isna(),
        "route": customers["route"].fillna(""),
        "no_number": number.isna(),
        "number": number.fillna(0),
        "text": customers["route_order"].fillna(""),
        "customer_id": customers["customer_id"],
    }, index=customers.index)
    ordered = keys.sort_values(list(keys.columns), kind="stable").index
    return pd.Series(range(len(ordered)), index=ordered).reindex(customers.index)


@dataclass
class DayLists:
    """The customers of the days asked for (DAY_COLUMNS each): due on a working day, scheduled on a
    day off (节假日, not moved), under 暂停访销 (with `until`), and the unschedulable."""

    due: pd.DataFrame
    holiday: pd.DataFrame
    suspended: pd.DataFrame
    unschedulable: pd.DataFrame


def day_lists(planned: pd.DataFrame, unschedulable: pd.DataFrame, customers: pd.DataFrame,
              suspensions: dict[date, pd.DataFrame], open_actions: pd.DataFrame) -> DayLists:
    """R-VISIT 3–4: split the `schedule` output into the day sheets' lists. `customers` is the
    master (customer_id, name, manager, visit_mode, route, route_order); `suspensions` maps each
    day to `suspended` on it; `open_actions` holds customer_id, month (YYYY-MM) and action of the
    营销动作 not yet ★. Rows sorted by manager, date and route (`route_order`)."""
    info = customers.set_index("customer_id")
    rows = planned.merge(customers[["customer_id", "name", "manager", "visit_mode"]], on="customer_id", how="left")
    rows["month"] = [f"{d.year:04d}-{d.month:02d}" for d in rows["date"]]
    grouped = open_actions.groupby(["customer_id", "month"], sort=False)["action"].agg(list)
    rows["actions"] = [grouped.get((c, m), []) for c, m in zip(rows["customer_id"], rows["month"])]
    rows["flags"] = [[NO_MODE] if pd.isna(mode) else [] for mode in rows["visit_mode"]]
    rows["position"] = rows["customer_id"].map(route_order(customers).set_axis(customers["customer_id"]))
    until = {(d, c): u for d, s in suspensions.items() for c, u in zip(s["customer_id"], s["until"])}
    keys = list(zip(rows["date"], rows["customer_id"]))
    rows["until"] = [until.get(k) for k in keys]
    away = pd.Series([k in until for k in keys], index=rows.index, dtype=bool)
    rows = rows.sort_values(["manager", "date", "position"], kind="stable")
    away = away.loc[rows.index]
    held = rows[away].drop_duplicates("customer_id")
    out_of = unschedulable.merge(info[["name", "manager"]], left_on="customer_id", right_index=True, how="left")
    return DayLists(
        due=rows[~away & rows["workday"]][DAY_COLUMNS].reset_index(drop=True),
        holiday=rows[~away & ~rows["workday"]][DAY_COLUMNS].reset_index(drop=True),
        suspended=held[["customer_id", "name", "manager", "until"]].reset_index(drop=True),
        unschedulable=out_of.sort_values(["manager", "customer_id"], kind="stable").reset_index(drop=True),
    )
