"""`cmtool check`: the data-quality report of data.md and the base-information checks (R-INFO).

Every file given is read with the loaders of the other commands (io/inspect.py), every problem
collected; then R-INFO 1–3 (rules/base_info.py). Writes `数据检查_<date>.xlsx` whether or not there
are errors (the report is the point), exits 1 when something is an error. A master read without
an error is stored in the ledger (R-INFO 3: the next check compares against it).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import typer

from cmtool.commands import _check_view as view
from cmtool.commands.common import (
    AppState, EncodingOption, JsonOption, OutOption, SheetOption, emit_json, err_console, state, working,
)
from cmtool.documents.atomic import Staging
from cmtool.documents.checkbook import CheckReport, write_check_book
from cmtool.errors import DataError, Problem
from cmtool.io.formats import expand_paths
from cmtool.io.inspect import Inspected, failure_problems, inspect_file, overlap_problems
from cmtool.rules.base_info import COMPARED, changes, missing_fields, not_in_master, overdue_new

SNAPSHOT_COLUMNS = ["name", "manager", *(c for c, _, _ in COMPARED if c not in ("name", "manager"))]


def _parse_day(text: str | None) -> date:
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"日期格式应为 2026-11-20，收到「{text}」", param_hint="--date") from None


def _files(paths: list[Path], problems: list[tuple[str, Problem]]) -> list[Path]:
    """Sales paths as files (folders expanded); a path that cannot be expanded is a problem."""
    files = []
    for path in paths:
        try:
            files += expand_paths([path])
        except DataError as error:
            problems += [("error", p) for p in failure_problems(error, path)]
    return files


def run(
    ctx: typer.Context,
    customers: Path | None = typer.Option(None, "--customers", help="客户信息文件", show_default=False),
    sales: list[Path] | None = typer.Option(None, "--sales", help="销售数据：文件或文件夹，可重复给出",
                                            show_default=False),
    records: Path | None = typer.Option(None, "--records", help="诚信经营协议违约记录", show_default=False),
    decisions: Path | None = typer.Option(None, "--decisions", help="管理小组审议决定", show_default=False),
    previous: Path | None = typer.Option(None, "--previous", show_default=False,
                                         help="上一次的客户信息文件（默认：台账中保存的上次检查的客户信息）"),
    day: str | None = typer.Option(None, "--date", help="检查日期，如 2026-11-20（默认今天）", show_default=False),
    out: Path = OutOption,
    sheet: str | None = SheetOption,
    encoding: str | None = EncodingOption,
    json_output: bool = JsonOption,
) -> None:
    """数据检查：读一遍给出的所有文件，列出全部数据问题和基础信息问题（不运行任何规则）。

    列出每个问题所在的文件、工作表、Excel 行号、列、值和处理办法；检查客户信息是否完整（按客户经理）、
    新入网客户是否在入网后 2 个工作日内维护，以及与上次客户信息相比的变更及其维护途径。
    报告总会写出；有错误时退出码为 1。
    """
    if not (customers or sales or records or decisions):
        raise typer.BadParameter("至少给出一个要检查的文件（--customers、--sales、--records 或 --decisions）")
    on = _parse_day(day)
    st = state(ctx)
    cfg = st.config
    problems: list[tuple[str, Problem]] = []
    wanted = [(customers, "customers")] if customers else []
    wanted += [(f, "sales") for f in _files(list(sales or []), problems)]
    wanted += [(p, k) for p, k in ((records, "breaches"), (decisions, "decisions")) if p]
    with working("正在检查文件…"):
        files = [inspect_file(p, k, cfg, sheet=sheet, encoding=encoding) for p, k in wanted]
    for f in files:
        problems += [("error", p) for p in f.problems]
    problems += [("error", p) for p in overlap_problems(files)]
    master = files[0] if customers and files[0].frame is not None else None
    report = CheckReport(on, cfg.company, files, problems, None, [], None, None, None)
    if master is not None:
        _base_info(st, report, master, previous, sheet, encoding)
    errors = report.count("error")
    output = out / f"数据检查_{on.isoformat()}.xlsx"
    with Staging() as staging:
        write_check_book(staging.path(output), report)
        if master is not None and errors == 0:
            columns = [c for c in SNAPSHOT_COLUMNS if c in master.columns or c in ("name", "manager")]
            st.ledger.record_master_snapshot(master.frame, columns, on.isoformat())
        staging.commit()
    document = view.check_document(report, [output])
    if json_output:
        emit_json(document)
    else:
        view.print_check(err_console, document, report)
    if errors:
        raise typer.Exit(1)


def _base_info(st: AppState, report: CheckReport, master: Inspected, previous: Path | None,
               sheet: str | None, encoding: str | None) -> None:
    """R-INFO 1–3 on the master, and the sales customers it lacks."""
    frame, calendar = master.frame, st.calendar
    report.missing, report.absent = missing_fields(frame, master.columns)
    for need in report.absent:
        report.problems.append(("warning", Problem(f"客户信息没有「{need.label}」列：{need.breaks}",
                                                   file=str(master.path), fix="请在 V3 导出时加上该列")))
    for r in report.missing.itertuples():
        report.problems.append(("warning", Problem(f"缺少{r.field}：{r.breaks}", str(master.path), master.sheet,
                                                   int(r.source_row), r.field, None, "请补录", r.customer_id)))
    report.overdue = overdue_new(frame, report.day, calendar.is_workday, st.config.groups.new_customer_months)
    for r in report.overdue.itertuples():
        report.problems.append(("warning", Problem(
            f"新入网信息逾期未维护：{r.joined:%Y-%m-%d} 入网，应于 {r.due:%Y-%m-%d} 前维护，尚缺{'、'.join(r.missing)}",
            file=str(master.path), customer_id=r.customer_id, fix="请尽快维护")))
    for f in report.files:
        if f.kind == "sales" and f.frame is not None:
            report.problems += [("warning", p) for p in not_in_master(frame, f.frame, str(f.path))]
    before = _previous(st, previous, sheet, encoding, report)
    if before is not None:
        old, compared, where = before
        report.previous = where
        compared = compared & master.columns
        report.changes = changes(old, frame, report.day, st.ledger.applications(), calendar.is_workday,
                                 sorted(compared))


def _previous(st: AppState, path: Path | None, sheet: str | None, encoding: str | None,
              report: CheckReport) -> tuple[pd.DataFrame, set[str], str] | None:
    """The previous master (frame, its columns, where it came from), or None."""
    if path is not None:
        old = inspect_file(path, "customers", st.config, sheet=sheet, encoding=encoding)
        report.problems += [("warning", p) for p in old.problems]
        if old.frame is None:
            return None
        return old.frame, old.columns, f"上次客户信息 {path.name}"
    stored = st.ledger.master_snapshot()
    if stored is None:
        return None
    frame, stored_on = stored
    return frame, set(frame.columns), f"台账中 {stored_on} 检查时保存的客户信息"


def register(app: typer.Typer) -> None:
    """Add `check` to the app."""
    app.command("check")(run)
