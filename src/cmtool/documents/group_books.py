"""The group workbooks: `客户组别初始划分_<date>.xlsx` (R-GROUP-NEW), `组别调整建议_<M>.xlsx`
(R-GROUP-ADJUST, R-GROUP-ONDEMAND, R-QUOTA-ADJUST) and `单户单次定量组别清理表_<Q>.xlsx`
(R-QUOTA-REVIEW).

Each sheet is an `xlsx.Table` (text never becomes a formula; A4, one page wide) with lead lines
above it: the title, then the period, the due date and the 填报/审核 lines where the document
has them. Customer details come from the master; rows skipped under --skip-invalid go to a
`数据问题` sheet.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pandas as pd

from cmtool.errors import Problem
from cmtool.documents.cn_text import BLANK_DATE, cn_date
from cmtool.documents.tables import problem_table
from cmtool.documents.xlsx import Column, Heading, Table, write_tables
from cmtool.periods import Month, Quarter
from cmtool.rules.groups import APPROVAL_CHAINS, KIND_QUOTA, MONTH_UNIT, Proposal, Rejection, months_text
from cmtool.rules.quota import ORDER_UNIT

BLANK = "__________"
SIGN_LINE = f"填报人：{BLANK}　　审核人（市场经理）：{BLANK}　　填报日期：{BLANK_DATE}"
INFO_COLUMNS: tuple[Column, ...] = (
    Column("customer_id", "客户编码"),
    Column("name", "客户名称"),
    Column("department", "营销部"),
    Column("manager", "客户经理"),
    Column("format", "经营业态"),
)
REJECTED_COLUMNS: tuple[Column, ...] = (
    *INFO_COLUMNS[:4],
    Column("kind", "类别"),
    Column("reason", "原因"),
    Column("source_row", "客户信息行号", "int"),
)
REJECTED_SHEET = "未予建议"


def with_info(frame: pd.DataFrame, customers: pd.DataFrame) -> pd.DataFrame:
    """`frame` (with customer_id) and the customers' details from the master, in frame order."""
    info = customers.drop(columns=[c for c in customers.columns if c in frame.columns and c != "customer_id"])
    return frame.merge(info, on="customer_id", how="left", validate="many_to_one")


def _problem_tables(problems: Sequence[Problem], heading: Heading) -> list[Table]:
    return [problem_table(problems, heading)] if problems else []


def _side_table(sheet: str, heading: Heading, frame: pd.DataFrame, columns: tuple[Column, ...],
                lead: tuple[str, ...]) -> list[Table]:
    """A sheet of the customers set aside, left out when there are none (the main sheet's lead
    says so): an empty sheet would print as a page of its own."""
    return [Table(sheet, heading.of(sheet), frame, columns, lead=lead)] if len(frame) else []


def rejected_frame(rejected: Sequence[Rejection]) -> pd.DataFrame:
    return pd.DataFrame([vars(r) for r in rejected], columns=["customer_id", "kind", "reason"])


# ---- 组别调整建议 ------------------------------------------------------------------------------

def earlier_applications(recorded: pd.DataFrame) -> dict[tuple[str, str], str]:
    """The latest earlier application of each (customer, kind), as `2026-09 申请二组`."""
    latest = recorded.sort_values("month").drop_duplicates(["customer_id", "kind"], keep="last")
    return {(r.customer_id, r.kind): f"{r.month} 申请{r.proposed_group}" for r in latest.itertuples()}


def proposal_table(kind: str, months: Sequence[str], proposals: Sequence[Proposal], customers: pd.DataFrame,
                   earlier: dict[tuple[str, str], str], *, month: Month, company: str) -> Table:
    """One kind's proposals: details, current and proposed group, the monthly figures."""
    unit = ORDER_UNIT if kind == KIND_QUOTA else MONTH_UNIT
    value_label = "每次订货量" if kind == KIND_QUOTA else "购进量"
    rows = pd.DataFrame([
        {"customer_id": p.customer_id, "current_group": p.current_group, "proposed_group": p.proposed_group,
         "direction": p.direction, **{f"v{i}": v for i, v in enumerate(p.values)}, "level": p.level,
         "earlier": earlier.get((p.customer_id, kind))}
        for p in proposals
    ], columns=["customer_id", "current_group", "proposed_group", "direction",
                *(f"v{i}" for i in range(len(months))), "level", "earlier"])
    columns = (
        *INFO_COLUMNS,
        Column("current_group", "现组别"),
        Column("proposed_group", "建议组别"),
        Column("direction", "方向"),
        *(Column(f"v{i}", f"{m}{value_label}({unit})", "volume") for i, m in enumerate(months)),
        Column("level", f"{'合计平均每次订货量' if kind == KIND_QUOTA else '月均购进量'}({unit})", "volume"),
        Column("earlier", "此前申请"),
    )
    counts = pd.Series([p.direction for p in proposals], dtype=object).value_counts()
    summary = "，".join(f"{d} {n} 户" for d, n in counts.items()) or "无"
    lead = (
        f"{kind}调整建议（{month.label}）",
        f"评估月份：{months_text(months)}。建议调整 {len(proposals)} 户（{summary}），"
        f"每户一份书面申请（组别调整申请_{month.key}.html），审批流程：{' → '.join(APPROVAL_CHAINS[kind])}。",
    )
    return Table(kind, Heading(company, "组别调整建议", month.label, kind), with_info(rows, customers), columns,
                 freeze_cols=2, lead=lead)


def write_adjust_book(path: Path, proposals: Sequence[Proposal], rejected: Sequence[Rejection],
                      windows: dict[str, Sequence[str]], customers: pd.DataFrame, problems: Sequence[Problem],
                      earlier: dict[tuple[str, str], str], *, month: Month, company: str) -> None:
    """`组别调整建议_<M>.xlsx`: a sheet per evaluated kind (`windows`: kind → its months), then
    未予建议 (the rejections, with their row in the master), then 数据问题 when rows were skipped."""
    tables = [
        proposal_table(kind, months, [p for p in proposals if p.kind == kind], customers, earlier,
                       month=month, company=company)
        for kind, months in windows.items()
    ]
    heading = Heading(company, "组别调整建议", month.label)
    lead = (f"未予建议调整的客户（{month.label}）", f"共 {len(rejected)} 户次；按原因处理后，下月可再次评估。")
    tables += _side_table(REJECTED_SHEET, heading, with_info(rejected_frame(rejected), customers),
                          REJECTED_COLUMNS, lead)
    write_tables(path, tables + _problem_tables(problems, heading))


# ---- 客户组别初始划分 ----------------------------------------------------------------------------

INIT_COLUMNS: tuple[Column, ...] = (
    *INFO_COLUMNS,
    Column("market", "市场类型"),
    Column("joined", "入网日期", "date"),
    Column("visit_cycle", "访销周期"),
    Column("expected_monthly", "月预计销量(条)", "volume"),
    Column("group", "客户组别"),
    Column("expected_per_order", f"预计每次订货量({ORDER_UNIT})", "volume"),
    Column("quota_group", "定量组别"),
    Column("note", "说明"),
)
UNASSIGNED_COLUMNS: tuple[Column, ...] = (
    *INFO_COLUMNS[:4], Column("reason", "原因"), Column("source_row", "客户信息行号", "int"),
)


def write_init_book(path: Path, assigned: pd.DataFrame, unassigned: pd.DataFrame, customers: pd.DataFrame,
                    problems: Sequence[Problem], *, day: date, company: str) -> None:
    """`客户组别初始划分_<date>.xlsx`: sheet 初始划分 (customer_id, group, quota_group,
    expected_per_order, note), sheet 未能划分 (customer_id, reason), 数据问题 when rows were skipped."""
    frame = with_info(assigned, customers)
    heading = Heading(company, "新入网零售客户组别初始划分表", cn_date(day))
    lead = (
        heading.title,
        f"填报单位：{company}　　划分日期：{cn_date(day)}　　共 {len(frame)} 户"
        f"（另有未能划分 {len(unassigned)} 户{'，见「未能划分」表' if len(unassigned) else ''}）",
        "依据：客户组别取月预计销量所在的组别范围（含下限、不含上限），新入网客户不直接归入按需供货；定量组别取"
        " 月预计销量 ÷ 每月订货次数 所在的本业态定量范围，每月订货次数按访销周期折算：每周访销每季度 13 次（每月约"
        " 4.33 次），双周每季度 6.5 次（每月约 2.17 次），每月访销每季度 3 次（每月 1 次）。",
        SIGN_LINE,
    )
    tables = [
        Table("初始划分", heading.of("初始划分"), frame, INIT_COLUMNS, freeze_cols=2, lead=lead),
        *_side_table("未能划分", heading, with_info(unassigned, customers), UNASSIGNED_COLUMNS,
                     ("未能划分组别的客户", f"共 {len(unassigned)} 户：请按原因补填客户信息后再运行 cmtool group-init。")),
    ]
    write_tables(path, tables + _problem_tables(problems, heading))


# ---- 单户单次定量组别清理表 -------------------------------------------------------------------------

REVIEW_COLUMNS: tuple[Column, ...] = (
    *INFO_COLUMNS,
    Column("visit_cycle", "访销周期"),
    Column("volume", "季度购进量(条)", "volume"),
    Column("orders", "订货次数", "volume"),  # 6.5 when estimated for a 双周 customer
    Column("orders_basis", "次数来源"),
    Column("per_order", f"每次订货量({ORDER_UNIT})", "volume"),
    Column("current_group", "原定量组别"),
    Column("proposed_group", "新定量组别"),
    Column("direction", "调整"),
)
SKIPPED_COLUMNS: tuple[Column, ...] = (*INFO_COLUMNS[:4], Column("reason", "原因"))


def write_review_book(path: Path, changes: pd.DataFrame, skipped: Sequence[Rejection], customers: pd.DataFrame,
                      problems: Sequence[Problem], *, quarter: Quarter, company: str, due: date,
                      due_workday: int) -> None:
    """`单户单次定量组别清理表_<Q>.xlsx`: 清理名单 (old and new group side by side, effective the
    next quarter, the due date on the sheet), 未能计算, and 数据问题 when rows were skipped."""
    counts = changes["direction"].value_counts()
    effective = quarter.next()
    heading = Heading(company, "单户单次合理定量组别清理表", quarter.label)
    lead = (
        heading.title,
        f"填报单位：{company}　　依据：{quarter.label}销售情况　　执行：{cn_date(effective.first_day)}起（{effective.label}）"
        f"　　未能计算 {len(skipped)} 户{'，见「未能计算」表' if skipped else ''}",
        f"完成时限：{cn_date(due)}前（{effective.first_day.month}月第{due_workday}个工作日）　　"
        f"调整 {len(changes)} 户（上调 {int(counts.get('上调', 0))} 户，下调 {int(counts.get('下调', 0))} 户）；"
        "每次订货量 = 季度购进量 ÷ 季度订货次数。",
        SIGN_LINE,
    )
    tables = [
        Table("清理名单", heading.of("清理名单"), with_info(changes, customers), REVIEW_COLUMNS, freeze_cols=2, lead=lead),
        *_side_table("未能计算", heading, with_info(rejected_frame(skipped), customers), SKIPPED_COLUMNS,
                     ("未能计算每次订货量的客户", f"共 {len(skipped)} 户：定量组别暂不调整。")),
    ]
    write_tables(path, tables + _problem_tables(problems, heading))
