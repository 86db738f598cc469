"""The day sheets `拜访客户表_<D>.xlsx` and `.html` (R-VISIT 4, 工作法操作手册 §3 第四步).

One sheet (xlsx) and one A4 page or more (HTML) per 客户经理 and day: code, name, 综合分类,
address, phone, 拜访方式, the open 营销动作 with places to mark ★ or ●, an empty 拜访情况 column,
in route order. The xlsx has one row per (customer, action) and the 标注/临时/拜访情况 columns
shaded for filling in, so `cmtool plan mark` reads the filled-in sheet back; its second lead line
names the day and the manager. Side sheets: 周工作安排 (with --week), 节假日, 暂停访销, 无法排期.
Phone and address are printed here because the visit needs them; pages say so.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from cmtool.documents.cn_text import cn_date
from cmtool.documents.html import render, write_html
from cmtool.documents.xlsx import Column, Heading, Table, write_tables
from cmtool.rules.visits import DayLists

DOCUMENT = "拜访客户表"
TEMPLATE = "day_sheet.html.j2"
WEEKDAYS = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
HOLIDAY_NOTE = "订货日程以订单部安排为准"
MARK_HELP = ("标注：在「标注」列填 ★（完成）或 ●（未完成）；临时任务另起一行，填客户编码、营销动作和标注，"
             "「临时」列填「是」。填好后运行 cmtool plan mark --file 本文件。")
PERSONAL = "内含客户个人信息，注意保管"
INFO = ("name", "class_name", "address", "phone", "visit_mode")

SHEET_COLUMNS: tuple[Column, ...] = (
    Column("customer_id", "客户编码"),
    Column("name", "客户名称"),
    Column("class_name", "综合分类"),
    Column("address", "经营地址"),
    Column("phone", "订货电话"),
    Column("visit_mode", "拜访方式"),
    Column("action", "营销动作"),
    Column("mark", "标注", editable=True),
    Column("temporary", "临时", editable=True),
    Column("note", "拜访情况", editable=True),
)
WEEK_COLUMNS = (Column("manager", "客户经理"), Column("date", "日期", "date"), Column("weekday", "星期"),
                Column("due", "应拜访(户)", "count"), Column("holiday", "节假日不拜访(户)", "count"))
HOLIDAY_COLUMNS = (Column("date", "拜访日", "date"), Column("manager", "客户经理"), Column("customer_id", "客户编码"),
                   Column("name", "客户名称"), Column("cycle", "拜访周期"), Column("note", "说明"))
SUSPENDED_COLUMNS = (Column("manager", "客户经理"), Column("customer_id", "客户编码"), Column("name", "客户名称"),
                     Column("until", "暂停访销至", "date"))
UNSCHEDULABLE_COLUMNS = (Column("manager", "客户经理"), Column("customer_id", "客户编码"), Column("name", "客户名称"),
                         Column("reason", "原因"))
EXTRA_ROWS = 5  # blank rows at the end of each day sheet for 临时任务


def day_label(day: date) -> str:
    """`2026年11月4日（星期三）`."""
    return f"{cn_date(day)}（{WEEKDAYS[day.weekday()]}）"


def lead_line(day: date, manager: str, count: int) -> str:
    """The line that names a day sheet; `plan mark` reads the day and the manager from it."""
    return f"拜访日期：{day_label(day)}　客户经理：{manager}　应拜访 {count} 户"


def _sheet_rows(due: pd.DataFrame, info: pd.DataFrame) -> pd.DataFrame:
    """One row per (customer, open action); the customer's details on its first row only."""
    rows = []
    for r in due.itertuples():
        details = info.loc[r.customer_id]
        for i, action in enumerate(r.actions or [None]):
            rows.append({"customer_id": r.customer_id, "action": action,
                         **({key: details[key] for key in INFO} if i == 0 else {})})
    rows += [{}] * EXTRA_ROWS
    return pd.DataFrame(rows, columns=["customer_id", "action", *INFO])


def _groups(frame: pd.DataFrame) -> list[tuple[tuple[str, date], pd.DataFrame]]:
    return list(frame.groupby(["manager", "date"], sort=False)) if len(frame) else []


def day_tables(lists: DayLists, customers: pd.DataFrame, days: list[date], *, company: str,
               week: bool) -> list[Table]:
    """The xlsx sheets: 周工作安排 (week), one per manager and day with customers due, then the
    side sheets that have rows."""
    info = customers.set_index("customer_id")
    period = f"{cn_date(days[0])}至{cn_date(days[-1])}" if week else cn_date(days[0])
    heading = Heading(company, DOCUMENT, period)
    tables = []
    if week:
        counts = pd.concat([lists.due.assign(kind="due"), lists.holiday.assign(kind="holiday")])
        table = counts.groupby(["manager", "date", "kind"]).size().unstack(fill_value=0).reset_index() \
            if len(counts) else pd.DataFrame(columns=["manager", "date"])
        table = table.reindex(columns=["manager", "date", "due", "holiday"], fill_value=0)
        table["weekday"] = [WEEKDAYS[d.weekday()] for d in table["date"]]
        tables.append(Table("周工作安排", heading.of("周工作安排"), table.sort_values(["manager", "date"]), WEEK_COLUMNS,
                            landscape=False, lead=(f"《{company}周工作安排》", f"{period}：每位客户经理每天应拜访的户数")))
    for (manager, day), due in _groups(lists.due):
        tables.append(Table(f"{manager}_{day:%m-%d}", Heading(company, DOCUMENT, day_label(day), manager),
                            _sheet_rows(due, info), SHEET_COLUMNS, freeze_cols=2,
                            lead=(f"《{company}{DOCUMENT}》", lead_line(day, manager, len(due)), MARK_HELP)))
    side = (
        ("节假日", lists.holiday.assign(note=HOLIDAY_NOTE), HOLIDAY_COLUMNS,
         "拜访日是节假日的客户：不拜访，也不顺延；" + HOLIDAY_NOTE),
        ("暂停访销", lists.suspended, SUSPENDED_COLUMNS, "处于暂停访销期的客户：不拜访"),
        ("无法排期", lists.unschedulable, UNSCHEDULABLE_COLUMNS, "缺拜访周期或拜访日等、无法排期的客户：请补填客户信息"),
    )
    for sheet, frame, columns, note in side:
        if len(frame):
            tables.append(Table(sheet, heading.of(sheet), frame, columns, landscape=False,
                                lead=(f"《{company}{DOCUMENT}》{sheet}", f"{period}：{note}，共 {len(frame)} 户")))
    return tables


def _text(value: Any) -> str:
    return "" if value is None or pd.isna(value) else str(value)


def day_pages(lists: DayLists, customers: pd.DataFrame) -> list[dict[str, Any]]:
    """What the HTML prints: a page per manager and day (due customers, then that manager's
    suspended ones), and per manager and day off (节假日)."""
    info = customers.set_index("customer_id")
    held = {m: [{"customer_id": r.customer_id, "name": _text(r.name), "until": cn_date(date.fromisoformat(r.until))
                 if r.until else "另行通知"} for r in g.itertuples()]
            for m, g in lists.suspended.groupby("manager")} if len(lists.suspended) else {}
    pages = []
    for kind, frame in (("due", lists.due), ("holiday", lists.holiday)):
        for (manager, day), rows in _groups(frame):
            pages.append({
                "kind": kind, "manager": manager, "day": day, "label": day_label(day), "count": len(rows),
                "rows": [{"customer_id": r.customer_id, **{k: _text(info.at[r.customer_id, k]) for k in INFO},
                          "actions": list(r.actions), "flags": "、".join(r.flags), "cycle": _text(r.cycle)}
                         for r in rows.itertuples()],
                "suspended": held.get(manager, []) if kind == "due" else [],
            })
    return sorted(pages, key=lambda p: (p["manager"], p["day"], p["kind"]))


def write_day_sheets(xlsx: Path, html: Path, lists: DayLists, customers: pd.DataFrame, days: list[date], *,
                     company: str, week: bool) -> None:
    """Write both day-sheet documents; wrap in `atomic.Staging`."""
    write_tables(xlsx, day_tables(lists, customers, days, company=company, week=week))
    period = f"{cn_date(days[0])}至{cn_date(days[-1])}" if week else day_label(days[0])
    write_html(html, render(TEMPLATE, pages=day_pages(lists, customers), company=company, period=period,
                            holiday_note=HOLIDAY_NOTE, personal=PERSONAL,
                            unschedulable=[{k: _text(v) for k, v in r.items()}
                                           for r in lists.unschedulable.to_dict("records")]))
