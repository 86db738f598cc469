"""The R-PLAN documents: the editable plan `营销动作计划_<M>_<manager>.xlsx` and the month's
results 《客户经理任务执行标注表》 `客户经理任务执行标注表_<M>_<manager>.xlsx` and `.html` (A4).

The plan workbook shades the cells that may be edited (客户编码, 营销动作) and ends with blank
shaded rows for additions; its second lead line names the month and the manager, which
`plan update` reads back. The 标注表 lists per customer its actions, source and mark, per
customer and in total 计划数, 临时任务数, ★, ●, 完成率, the approver, and the signature lines
客户经理（提交） and 市场经理（审批）.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from cmtool.config import StandardAction
from cmtool.documents.cn_text import BLANK_DATE, cn_date
from cmtool.documents.html import render, write_html
from cmtool.documents.xlsx import Column, Heading, Table, write_tables
from cmtool.periods import Month

PLAN_DOCUMENT = "营销动作计划"
RESULT_DOCUMENT = "客户经理任务执行标注表"
PLAN_SHEET = "营销动作计划"
RESULT_TEMPLATE = "task_marks.html.j2"
EXTRA_ROWS = 20  # blank shaded rows at the end of the plan for added actions
BLANK = "__________"
SIGNATURES = (f"客户经理（提交）：{BLANK}　日期：{BLANK_DATE}", f"市场经理（审批）：{BLANK}　日期：{BLANK_DATE}")

PLAN_COLUMNS: tuple[Column, ...] = (
    Column("customer_id", "客户编码", editable=True),
    Column("name", "客户名称"),
    Column("class_name", "综合分类"),
    Column("action", "营销动作", editable=True),
    Column("source", "来源"),
    Column("first_month", "首次计划月份"),
    Column("mark", "标注"),
)
NOT_CARRIED_COLUMNS = (Column("customer_id", "客户编码"), Column("action", "营销动作"),
                       Column("first_month", "首次计划月份"), Column("reason", "未结转原因"))
STANDARD_COLUMNS = (Column("action", "营销动作"), Column("applies", "适用客户"))
RESULT_COLUMNS: tuple[Column, ...] = (
    Column("customer_id", "客户编码"), Column("name", "客户名称"), Column("class_name", "综合分类"),
    Column("action", "营销动作"), Column("source", "来源"), Column("first_month", "首次计划月份"),
    Column("mark", "标注"), Column("note", "说明"),
)
SUMMARY_COLUMNS: tuple[Column, ...] = (
    Column("customer_id", "客户编码"), Column("name", "客户名称"), Column("planned", "计划数", "count"),
    Column("temporary", "临时任务数", "count"), Column("done", "★完成", "count"), Column("open", "●未完成", "count"),
    Column("completion", "完成率", "share"),
)


def plan_lead_line(month: Month, manager: str, status: str) -> str:
    """The line that names a plan workbook; `plan update` reads the month and manager from it."""
    return f"计划月份：{month.label}　客户经理：{manager}　状态：{status}"


def _with_names(actions: pd.DataFrame, customers: pd.DataFrame) -> pd.DataFrame:
    return actions.merge(customers[["customer_id", "name", "class_name"]], on="customer_id", how="left")


def write_plan_book(path: Path, actions: pd.DataFrame, customers: pd.DataFrame, not_carried: pd.DataFrame,
                    standard: list[StandardAction], *, month: Month, manager: str, status: str,
                    company: str) -> None:
    """`营销动作计划_<M>_<manager>.xlsx`: the plan (editable), 未结转 when any, 服务标准."""
    heading = Heading(company, PLAN_DOCUMENT, month.label, manager)
    rows = pd.concat([_with_names(actions, customers), pd.DataFrame([{}] * EXTRA_ROWS)], ignore_index=True)
    lead = (
        f"《{company}{PLAN_DOCUMENT}》",
        plan_lead_line(month, manager, status),
        f"共 {customers['customer_id'].nunique()} 户、{len(actions)} 项营销动作（上月结转 "
        f"{int(actions['source'].eq('上月结转').sum())} 项）。黄色单元格可以修改：删除整行即删除该营销动作；"
        "在末尾空行（或插入的行）填客户编码和营销动作即新增（来源记为客户经理添加）。来源、标注由系统维护，改动不会读入。"
        "改好后运行 cmtool plan update --file 本文件（仅在计划、计划驳回状态下可以修改）。",
    )
    tables = [Table(PLAN_SHEET, heading, rows, PLAN_COLUMNS, freeze_cols=2, lead=lead)]
    if len(not_carried):
        tables.append(Table("未结转", heading.of("未结转"), not_carried, NOT_CARRIED_COLUMNS, landscape=False,
                            lead=(f"上月未完成、本月未结转的营销动作（{month.label}）", f"共 {len(not_carried)} 项，原因见右列")))
    standard_rows = pd.DataFrame([{"action": s.action, "applies": "、".join("全部客户" if a == "*" else a for a in s.applies)}
                                  for s in standard], columns=["action", "applies"])
    tables.append(Table("服务标准", heading.of("服务标准"), standard_rows, STANDARD_COLUMNS, landscape=False,
                        lead=("零售客户分类服务标准（配置文件 [plan] standard）", "适用客户：综合分类、经营规模、业态或市场类型")))
    write_tables(path, tables)


@dataclass(frozen=True)
class ResultHeader:
    """The 标注表's header: unit, manager, month, the plan's approver and approval date."""

    company: str
    manager: str
    month: Month
    approver: str | None
    approved_on: str | None

    @property
    def approval(self) -> str:
        if not self.approver:
            return "未审批"
        on = f"（{cn_date(date.fromisoformat(self.approved_on))}）" if self.approved_on else ""
        return f"{self.approver}{on}"

    @property
    def line(self) -> str:
        return f"单位：{self.company}　客户经理：{self.manager}　月份：{self.month.label}　计划审批：{self.approval}"


def _summary(per_customer: pd.DataFrame, totals: dict[str, Any], customers: pd.DataFrame) -> pd.DataFrame:
    frame = per_customer.merge(customers[["customer_id", "name"]], on="customer_id", how="left")
    total = pd.DataFrame([{"customer_id": "合计", "name": f"{len(frame)} 户", **totals}])
    return pd.concat([frame, total], ignore_index=True)


def write_result_books(xlsx: Path, html: Path, actions: pd.DataFrame, customers: pd.DataFrame,
                       per_customer: pd.DataFrame, totals: dict[str, Any], header: ResultHeader) -> None:
    """The 标注表 as xlsx (sheets 标注表 and 汇总) and A4 HTML; wrap in `atomic.Staging`."""
    heading = Heading(header.company, RESULT_DOCUMENT, header.month.label, header.manager)
    rows = _with_names(actions, customers)
    summary = _summary(per_customer, totals, customers)
    done = "" if totals["completion"] is None else f"，完成率 {totals['completion']:.2%}"
    counts = (f"计划数 {totals['planned']}，临时任务数 {totals['temporary']}，★ 完成 {totals['done']}，"
              f"● 未完成 {totals['open']}{done}")
    lead = (heading.title, header.line, counts, "　　".join(SIGNATURES))
    write_tables(xlsx, [
        Table("标注表", heading.of("标注表"), rows, RESULT_COLUMNS, freeze_cols=2, lead=lead),
        Table("汇总", heading.of("汇总"), summary, SUMMARY_COLUMNS, landscape=False, lead=lead),
    ])
    groups = []
    by_customer = summary.set_index("customer_id")
    for cid, group in rows.groupby("customer_id", sort=False):
        s = by_customer.loc[cid]
        groups.append({
            "customer_id": cid, "name": "" if pd.isna(s["name"]) else s["name"],
            "class_name": "" if pd.isna(group["class_name"].iloc[0]) else group["class_name"].iloc[0],
            "actions": [{"action": r.action, "source": r.source, "mark": r.mark,
                         "note": "" if pd.isna(r.note) else r.note} for r in group.itertuples()],
            "counts": _count_texts(s),
        })
    write_html(html, render(RESULT_TEMPLATE, header=header, customers=groups, totals=_count_texts(totals),
                            signatures=SIGNATURES, document=RESULT_DOCUMENT))


def _count_texts(counts: Any) -> dict[str, str]:
    completion = counts["completion"]
    return {"planned": str(int(counts["planned"])), "temporary": str(int(counts["temporary"])),
            "done": str(int(counts["done"])), "open": str(int(counts["open"])),
            "completion": "—" if completion is None or pd.isna(completion) else f"{completion:.2%}"}
