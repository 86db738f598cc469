"""The R-DYN workbooks: `客户动态管理审批表_<M>.xlsx` (R-DYN 1), `订单采集员留言_<M>.xlsx` (R-DYN 2,
取消紧俏/控制品牌) and `管理措施到期恢复清单_<D>.xlsx` (R-DYN 3).

Each sheet is an `xlsx.Table` (text never becomes a formula; A4 landscape, one page wide, the
heading on every page) with lead lines above it: the title, the company and dates, what the
sheet is for, and the signature lines. Rows in filing order (营销部, 客户经理, 客户编码).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from cmtool.documents.cn_text import BLANK_DATE, cn_date
from cmtool.documents.html import filing_order
from cmtool.documents.tables import problem_table
from cmtool.documents.xlsx import Column, Heading, Table, write_tables
from cmtool.errors import Problem
from cmtool.periods import Month
from cmtool.rules.dynamic import PENDING, CustomerReview

BLANK = "__________"
DECISION_HEADER = "管理小组决定（措施、期限）"


def _iso_day(text: str) -> date:
    return date.fromisoformat(str(text))


def _numbered(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` in filing order with a 序号 column `no` from 1."""
    out = filing_order(frame).reset_index(drop=True)
    out.insert(0, "no", range(1, len(out) + 1))
    return out


# ---- 客户动态管理审批表 ------------------------------------------------------------------------

REVIEW_COLUMNS: tuple[Column, ...] = (
    Column("no", "序号", "int"),
    Column("customer_id", "客户编码"),
    Column("name", "客户名称"),
    Column("department", "营销部"),
    Column("manager", "客户经理"),
    Column("group", "现客户组别"),
    Column("count", "违约次数", "int"),
    Column("breaches", "违约情况（日期、类型、说明）"),
    Column("proposed", "建议措施"),
    Column("decision", DECISION_HEADER),
)


def breach_text(breach: dict[str, str]) -> str:
    """`2026年10月8日 销售非法卷烟：现场查获…`."""
    detail = f"：{breach['detail']}" if breach["detail"] else ""
    return f"{cn_date(_iso_day(breach['date']))} {breach['type']}{detail}"


def proposed_text(r: CustomerReview) -> str:
    """`暂停访销4周；待议：未按规定明码标价`."""
    parts = [p.text for p in r.proposed] + [f"{PENDING}：{t}" for t in r.pending]
    return "；".join(parts)


def review_frame(reviews: Sequence[CustomerReview], customers: pd.DataFrame, notes: dict[str, str]) -> pd.DataFrame:
    """One row per reviewed customer with its details from the master, in filing order; `notes`
    (customer_id → text) are added to the proposed measures."""
    rows = pd.DataFrame([
        {"customer_id": r.customer_id, "count": len(r.breaches),
         "breaches": "；".join(breach_text(b) for b in r.breaches),
         "proposed": "；".join(t for t in (proposed_text(r), notes.get(r.customer_id)) if t), "decision": None}
        for r in reviews
    ], columns=["customer_id", "count", "breaches", "proposed", "decision"])
    info = customers[["customer_id", "name", "department", "manager", "group"]]
    return _numbered(rows.merge(info, on="customer_id", how="left", validate="one_to_one"))


def write_review_book(path: Path, reviews: Sequence[CustomerReview], customers: pd.DataFrame,
                      problems: Sequence[Problem], notes: dict[str, str], *, month: Month, company: str,
                      day: date) -> None:
    """`客户动态管理审批表_<M>.xlsx`: the customers with breaches in `month`, the proposed measures
    (with `notes`) and an empty column for the management group's decision; 数据问题 when rows
    were skipped."""
    frame = review_frame(reviews, customers, notes)
    pending = sum(1 for r in reviews if r.pending)
    heading = Heading(company, "客户动态管理审批表", month.label)
    lead = (
        heading.title,
        f"填报单位：{company}　　审议月份：{month.label}　　填报日期：{cn_date(day)}　　"
        f"违约客户 {len(frame)} 户（含待议 {pending} 户）" if len(frame) else
        f"填报单位：{company}　　审议月份：{month.label}　　填报日期：{cn_date(day)}　　本月没有违约记录",
        "建议措施按《诚信经营协议》处理办法提出；“待议”是处理办法未列明的违约类型，由管理小组审议。"
        f"“{DECISION_HEADER}”栏请写明措施及期限，如：暂停访销4周、组别下调1档3个月、取消紧俏控制品牌1个月、不处理。",
        f"客户经理：{BLANK}　　市场经理（审核）：{BLANK}　　管理小组组长（审批）：{BLANK}　　审议日期：{BLANK_DATE}",
    )
    tables = [Table("审批表", heading, frame, REVIEW_COLUMNS, freeze_cols=3, lead=lead)]
    if problems:
        tables.append(problem_table(problems, heading))
    write_tables(path, tables)


# ---- 订单采集员留言 ---------------------------------------------------------------------------

MESSAGE_COLUMNS: tuple[Column, ...] = (
    Column("no", "序号", "int"),
    Column("customer_id", "客户编码"),
    Column("name", "客户名称"),
    Column("manager", "客户经理"),
    Column("start", "开始日期", "date"),
    Column("end", "结束日期", "date"),
    Column("message", "V3 留言内容"),
)


def message_text(start: date, end: date) -> str:
    """The V3 message left on a 取消紧俏/控制品牌 customer for the order takers."""
    return (f"{cn_date(start)}至{cn_date(end)}取消紧俏、控制品牌供应，请勿采集紧俏、控制品牌卷烟；"
            f"{cn_date(end + timedelta(days=1))}起恢复。")


def write_message_book(path: Path, measures: pd.DataFrame, *, month: Month, company: str) -> None:
    """`订单采集员留言_<M>.xlsx`: the 取消紧俏控制品牌 measures (customer_id, name, department,
    manager, start, end) with the message to leave in V3 for the order takers."""
    frame = _numbered(measures.assign(message=[message_text(s, e) for s, e in zip(measures["start"], measures["end"])]))
    heading = Heading(company, "订单采集员留言提醒表（取消紧俏、控制品牌）", month.label)
    lead = (
        heading.title,
        f"审议月份：{month.label}　　共 {len(frame)} 户" if len(frame) else f"审议月份：{month.label}　　本月没有取消紧俏、控制品牌的客户",
        "请在措施开始前在 V3 系统中对下列客户留言，提醒订单采集员：措施期间不采集紧俏、控制品牌卷烟订单，结束日期次日起恢复。",
        f"留言人（客户经理）：{BLANK}　　留言日期：{BLANK_DATE}",
    )
    write_tables(path, [Table("留言", heading, frame, MESSAGE_COLUMNS, freeze_cols=3, lead=lead)])


# ---- 管理措施到期恢复清单 ------------------------------------------------------------------------

DUE_COLUMNS: tuple[Column, ...] = (
    Column("no", "序号", "int"),
    Column("customer_id", "客户编码"),
    Column("name", "客户名称"),
    Column("manager", "客户经理"),
    Column("measure", "管理措施"),
    Column("starts_on", "开始日期", "date"),
    Column("ends_on", "结束日期", "date"),
    Column("restore_text", "恢复事项"),
    Column("signed", "通知书签收"),
    Column("done", "恢复确认"),
)
ACTIVE_COLUMNS: tuple[Column, ...] = (
    *DUE_COLUMNS[:7],
    Column("days_left", "剩余天数", "int"),
    Column("signed", "通知书签收"),
)
UNSIGNED_COLUMNS: tuple[Column, ...] = (*DUE_COLUMNS[:7], Column("deliver_by", "送达期限", "date"))


def _signed(values: pd.Series) -> list[str]:
    return ["未签收" if pd.isna(v) else f"{cn_date(_iso_day(v))}签收" for v in values]


def restore_text(restore: str, group: object) -> str:
    """`恢复组别（恢复为三组）`, `恢复访销`."""
    return f"{restore}（恢复为{group}）" if isinstance(group, str) and group else restore


def write_restore_book(path: Path, due: pd.DataFrame, active: pd.DataFrame, unsigned: pd.DataFrame, *,
                       day: date, company: str, confirmed: bool) -> None:
    """`管理措施到期恢复清单_<D>.xlsx`: the measures ended before `day` and not restored, with what
    to restore (恢复确认 filled when `confirmed`); the measures in force; notices not signed."""
    due = _numbered(due.assign(
        restore_text=[restore_text(r, g) for r, g in zip(due["restore"], due["restore_group"])],
        signed=_signed(due["signed_on"]),
        done=f"已于{cn_date(day)}确认恢复" if confirmed else None))
    active = _numbered(active.assign(
        days_left=[(_iso_day(e) - day).days + 1 for e in active["ends_on"]], signed=_signed(active["signed_on"])))
    unsigned = _numbered(unsigned)
    heading = Heading(company, "管理措施到期恢复清单", cn_date(day))
    status = f"已于{cn_date(day)}确认恢复，记入台账" if confirmed else "请逐户完成恢复后运行 cmtool dynamic restore --confirm 记入台账"
    lead = (
        heading.title,
        f"清单日期：{cn_date(day)}　　到期应恢复 {len(due)} 户次（{status}）　　执行中 {len(active)} 户次"
        f"　　通知书未签收 {len(unsigned)} 户次" if len(due) else
        f"清单日期：{cn_date(day)}　　没有到期未恢复的管理措施　　执行中 {len(active)} 户次　　通知书未签收 {len(unsigned)} 户次",
        "到期：结束日期在清单日期之前且尚未恢复。恢复访销、恢复组别、恢复紧俏控制品牌须及时完成，以免误停客户供货。",
        f"客户经理：{BLANK}　　市场经理（审核）：{BLANK}　　恢复完成日期：{BLANK_DATE}",
    )
    tables = [Table("到期恢复", heading.of("到期恢复"), due, DUE_COLUMNS, freeze_cols=3, lead=lead)]
    if len(active):
        tables.append(Table("执行中", heading.of("执行中"), active, ACTIVE_COLUMNS, freeze_cols=3,
                            lead=("执行中的管理措施", f"{cn_date(day)}仍在执行的措施共 {len(active)} 户次；剩余天数含当天。")))
    if len(unsigned):
        tables.append(Table("未签收", heading.of("通知书未签收"), unsigned, UNSIGNED_COLUMNS, freeze_cols=3,
                            lead=("通知书未签收", f"共 {len(unsigned)} 户次：请尽快送达并取得零售客户签字，签收后运行 "
                                               "cmtool dynamic signed --file 签收文件 记入台账。")))
    write_tables(path, tables)
