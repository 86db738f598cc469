"""What `cmtool customer` shows: one customer's whole record (R-CARD) from the master, the sales
and the ledger, as a JSON-ready dict, and its terminal view. What the tool does not have yet is
said in `not_available`, never left silently empty."""

from __future__ import annotations

from typing import Any

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cmtool.fields import CUSTOMER_FIELDS, WEEKDAY_SYNONYMS
from cmtool.ledger import Ledger
from cmtool.rules.top5_archive import STATE_LABELS

BASE_FIELDS = [fd for fd in CUSTOMER_FIELDS if fd.name != "customer_id"]
LABELS = {fd.name: fd.label for fd in CUSTOMER_FIELDS}
WEEKDAY_NAMES = {n: names[0] for n, names in WEEKDAY_SYNONYMS.items()}
NO_PLAN = "营销动作：台账中没有该客户的营销动作计划（cmtool plan init 生成）"
NO_CLASSES = "分类记录：台账中没有该客户的季度分类（运行 cmtool classify 后才有）"
NO_TOP5 = "前5%档案：台账中该客户从未进入月销量前5%名单"
NO_APPLICATIONS = "组别调整申请：台账中没有该客户的申请"
NO_MEASURES = "管理措施：台账中没有该客户的动态管理措施"
NO_SALES = "月度购进：未给出 --sales，没有购进记录"


def _value(name: str, value: Any) -> Any:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if name in ("order_weekday", "visit_weekday"):
        return WEEKDAY_NAMES.get(int(value))
    if name == "joined":
        return pd.Timestamp(value).date().isoformat()
    if name == "expected_monthly":
        return float(value)
    if name == "active":
        return bool(value)
    return str(value)


def _records(frame: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    out = frame[columns].astype(object).where(frame[columns].notna(), None)
    return [dict(zip(columns, row)) for row in out.itertuples(index=False, name=None)]


def customer_record(row: pd.Series, exported: set[str], ledger: Ledger, history: pd.DataFrame | None) -> dict[str, Any]:
    """R-CARD: everything known of the customer in master row `row`. `exported`: the canonical
    fields the master file has (the others are `null` and listed as missing on the card)."""
    cid = str(row["customer_id"])
    classes = ledger.customer_classes(cid)
    members = ledger.top5_members(customer_id=cid)
    files = ledger.top5_files(customer_id=cid)
    applications = ledger.applications()
    applications = applications[applications["customer_id"] == cid]
    measures = ledger.measures()
    measures = measures[measures["customer_id"] == cid]
    actions = ledger.customer_actions(cid)
    record: dict[str, Any] = {
        "customer_id": cid,
        "base": {fd.name: _value(fd.name, row[fd.name]) for fd in BASE_FIELDS} | {"active": bool(row["active"])},
        "missing_fields": [fd.label for fd in BASE_FIELDS if fd.name not in exported],
        "quarters": _records(classes, ["quarter", "effective_from", "scale", "class_name", "class_code", "rank", "n"]),
        "months": [] if history is None else _records(history[history["customer_id"] == cid],
                                                      ["month", "volume", "amount", "unit_value", "city_rank",
                                                       "buyers"]),
        "top5": _records(members, ["month", "rank", "volume", "amount", "status"]),
        "top5_file": _records(files, ["state", "opened_on", "archived_on", "reopened_on", "retain_until"])[0]
        if not files.empty else None,
        "applications": _records(applications, ["month", "kind", "current_group", "proposed_group", "direction"]),
        "measures": _records(measures, ["measure", "starts_on", "ends_on", "decided_month", "restored_on"]),
        "actions": _records(actions, ["month", "action", "source", "first_month", "mark"]),
    }
    if record["top5_file"]:
        record["top5_file"]["state_label"] = STATE_LABELS.get(record["top5_file"]["state"])
    for month in record["months"]:
        month["unit_value"] = round(month["unit_value"], 2)
    record["not_available"] = [
        text for text, missing in ((NO_CLASSES, classes.empty), (NO_TOP5, members.empty),
                                   (NO_APPLICATIONS, applications.empty), (NO_MEASURES, measures.empty),
                                   (NO_SALES, history is None), (NO_PLAN, actions.empty)) if missing
    ]
    return record


def _cell(value: Any) -> str:
    if value is None:
        return ""
    return f"{value:,.2f}" if isinstance(value, float) else str(value)


def show_document(record: dict[str, Any]) -> dict[str, Any]:
    """The `customer show` JSON document of cli.md."""
    return {"command": "customer show", **record, "outputs": []}


def print_record(console: Console, record: dict[str, Any]) -> None:
    """The record in the terminal: base fields, then each part that has rows."""
    base = record["base"]
    console.print(f"[bold]{escape(str(base['name']))}[/]（客户编码 {escape(record['customer_id'])}）", highlight=False)
    fields = Table(show_header=False)
    for name, value in base.items():
        if name in LABELS and value is not None:
            fields.add_row(LABELS[name], escape(str(value)))
    console.print(fields)
    parts = [
        ("季度分类", record["quarters"], ["quarter", "scale", "class_name", "rank", "n"], ["季度", "规模", "综合分类", "名次", "户数"]),
        ("月度购进", record["months"], ["month", "volume", "amount", "unit_value", "city_rank"],
         ["月份", "购进量(条)", "购进额(元)", "单条值", "全市名次"]),
        ("前5%名单", record["top5"], ["month", "rank", "volume", "status"], ["月份", "名次", "购进量(条)", "状态"]),
        ("组别调整申请", record["applications"], ["month", "kind", "current_group", "proposed_group", "direction"],
         ["月份", "类别", "原组别", "申请组别", "方向"]),
        ("管理措施", record["measures"], ["measure", "starts_on", "ends_on", "restored_on"], ["措施", "开始", "结束", "已恢复"]),
        ("营销动作", record["actions"], ["month", "action", "source", "mark"], ["月份", "营销动作", "来源", "标注"]),
    ]
    for title, rows, keys, headers in parts:
        if not rows:
            continue
        table = Table(title=title)
        for header in headers:
            table.add_column(header)
        for row in rows:
            table.add_row(*(escape(_cell(row[k])) for k in keys))
        console.print(table)
    if record["top5_file"]:
        console.print(f"前5%档案状态：{record['top5_file']['state_label']}", highlight=False)
    for text in record["not_available"]:
        console.print(f"暂无 — {text}", highlight=False, markup=False)
