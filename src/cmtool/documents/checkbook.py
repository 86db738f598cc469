"""The data-quality report `数据检查_<date>.xlsx` of `cmtool check` (data.md, R-INFO).

A summary sheet first (the files read, the counts, the fields no export has), then one sheet per
kind of finding that has rows: 数据问题 (every problem of data.md, error or warning),
信息不完整 (R-INFO 1, by manager), 新入网逾期未维护 (R-INFO 2), 信息变更记录 (R-INFO 3) and
新增与减少客户. Every sheet is an `xlsx.Table`: A4, one page wide, text never a formula.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from cmtool.documents.cn_text import cn_date
from cmtool.documents.tables import PROBLEM_COLUMNS, problems_frame
from cmtool.documents.xlsx import Column, Heading, Table, write_tables
from cmtool.errors import Problem
from cmtool.io.inspect import Inspected
from cmtool.rules.base_info import Changes, Need

KIND_LABELS = {"customers": "客户信息", "sales": "销售数据", "breaches": "违约记录", "decisions": "审议决定"}
SHAPE_LABELS = {"monthly": "月度汇总", "order_lines": "订单明细", None: None}
SEVERITY_LABELS = {"error": "错误", "warning": "提醒"}

FILE_COLUMNS = (
    Column("path", "文件"), Column("kind", "类型"), Column("shape", "格式"), Column("sheet", "工作表"),
    Column("header_row", "表头行", "int"), Column("rows", "数据行数", "count"), Column("encoding", "编码"),
    Column("months", "月份"), Column("errors", "错误", "count"), Column("warnings", "提醒", "count"),
)
CHECK_PROBLEM_COLUMNS = (Column("severity", "级别"), *PROBLEM_COLUMNS)
MISSING_COLUMNS = (
    Column("manager", "客户经理"), Column("customer_id", "客户编码"), Column("name", "客户名称"),
    Column("field", "缺少的信息"), Column("breaks", "影响"), Column("source_row", "客户信息行号", "int"),
)
OVERDUE_COLUMNS = (
    Column("manager", "客户经理"), Column("customer_id", "客户编码"), Column("name", "客户名称"),
    Column("joined", "入网日期", "date"), Column("due", "应维护完成日期", "date"), Column("missing", "尚缺"),
)
CHANGE_COLUMNS = (
    Column("customer_id", "客户编码"), Column("name", "客户名称"), Column("manager", "客户经理"),
    Column("field", "变更项目"), Column("old", "原值"), Column("new", "新值"), Column("found", "发现日期", "date"),
    Column("route", "维护途径"), Column("flag", "需核实"),
)
MOVED_COLUMNS = (
    Column("change", "情况"), Column("customer_id", "客户编码"), Column("name", "客户名称"),
    Column("manager", "客户经理"),
)


@dataclass
class CheckReport:
    """Everything the report shows."""

    day: date
    company: str
    files: list[Inspected]
    problems: list[tuple[str, Problem]]  # (severity, problem)
    missing: pd.DataFrame | None  # R-INFO 1 rows
    absent: list[Need]  # R-INFO 1 needs the export has no column for
    overdue: pd.DataFrame | None  # R-INFO 2
    changes: Changes | None  # R-INFO 3
    previous: str | None  # where the previous master came from, in words

    def count(self, severity: str, path: Path | None = None) -> int:
        return sum(1 for s, p in self.problems
                   if s == severity and (path is None or (p.file and Path(p.file) == path)))


def _files_frame(report: CheckReport) -> pd.DataFrame:
    return pd.DataFrame([
        {"path": f.path.name, "kind": KIND_LABELS[f.kind], "shape": SHAPE_LABELS[f.shape], "sheet": f.sheet,
         "header_row": f.header_row, "rows": f.rows, "encoding": f.encoding, "months": "、".join(f.months) or None,
         "errors": report.count("error", f.path), "warnings": report.count("warning", f.path)}
        for f in report.files
    ], columns=[c.key for c in FILE_COLUMNS])


def _summary_lines(report: CheckReport) -> list[str]:
    lines = [f"《{report.company}数据检查报告》", f"单位：{report.company}　　检查日期：{cn_date(report.day)}",
             f"错误 {report.count('error')} 处（须改正后再运行其他命令），提醒 {report.count('warning')} 处。"]
    if report.missing is not None:
        lines.append(f"基础信息不完整 {len(report.missing)} 项（见「信息不完整」）；"
                     f"新入网逾期未维护 {0 if report.overdue is None else len(report.overdue)} 户。")
    lines += [f"客户信息没有「{n.label}」列：{n.breaks}（整列缺少，未逐户列出）。" for n in report.absent]
    if report.changes is not None:
        c = report.changes
        lines.append(f"与{report.previous}相比：信息变更 {len(c.changes)} 项，新增客户 {len(c.added)} 户，"
                     f"减少客户 {len(c.removed)} 户。")
    elif report.missing is not None:
        lines.append("没有上次的客户信息可比较（未给出 --previous，台账中也没有保存过）：本次不出信息变更记录。")
    return lines


def _problem_rows(problems: Sequence[tuple[str, Problem]]) -> pd.DataFrame:
    frame = problems_frame([p for _, p in problems])
    frame.insert(0, "severity", [SEVERITY_LABELS[s] for s, _ in problems])
    return frame


def _manager_counts(missing: pd.DataFrame) -> str:
    counts = missing.groupby("manager", sort=True)["customer_id"].nunique()
    return "各客户经理缺信息的户数：" + "；".join(f"{m} {n} 户" for m, n in counts.items())


def check_tables(report: CheckReport) -> list[Table]:
    """The report's sheets, summary first; a kind of finding without rows has no sheet."""
    heading = Heading(report.company, "数据检查报告", cn_date(report.day))
    tables = [Table("汇总", heading.of("汇总"), _files_frame(report), FILE_COLUMNS, lead=_summary_lines(report))]
    if report.problems:
        tables.append(Table("数据问题", heading.of("数据问题"), _problem_rows(report.problems), CHECK_PROBLEM_COLUMNS,
                            lead=["数据问题", "错误须改正后再运行其他命令；提醒请核实。行号是 Excel 中看到的行号。"]))
    if report.missing is not None and not report.missing.empty:
        tables.append(Table("信息不完整", heading.of("信息不完整"), report.missing, MISSING_COLUMNS, freeze_cols=2,
                            lead=["基础信息不完整的正常经营客户（按客户经理）", _manager_counts(report.missing)]))
    if report.overdue is not None and not report.overdue.empty:
        overdue = report.overdue.copy()
        overdue["missing"] = report.overdue["missing"].map("、".join)
        tables.append(Table("新入网逾期未维护", heading.of("新入网逾期未维护"), overdue, OVERDUE_COLUMNS, lead=[
            "新入网信息逾期未维护", "新入网客户应在入网后第 2 个工作日内维护访销周期、访销日和组别。"]))
    if report.changes is not None and not report.changes.changes.empty:
        tables.append(Table("信息变更记录", heading.of("信息变更记录"), report.changes.changes, CHANGE_COLUMNS,
                            lead=["信息变更记录", f"与{report.previous}比较；基础信息变更应在 1 个工作日内维护。"]))
    if report.changes is not None and not (report.changes.added.empty and report.changes.removed.empty):
        moved = pd.concat([report.changes.added.assign(change="新增"), report.changes.removed.assign(change="减少")],
                          ignore_index=True)
        tables.append(Table("新增与减少客户", heading.of("新增与减少客户"), moved, MOVED_COLUMNS,
                            lead=["新增与减少客户", f"与{report.previous}比较。"]))
    return tables


def write_check_book(path: Path, report: CheckReport) -> None:
    """Write `数据检查_<date>.xlsx`."""
    write_tables(path, check_tables(report))
