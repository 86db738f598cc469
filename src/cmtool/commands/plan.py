"""`cmtool plan init|update|submit|approve|reject|mark|close|status`: the monthly service plan of
each 客户经理 (R-PLAN, 135工作法).

Reads the master (init), the edited plan workbook (update), the filled-in day sheets or a marks
file (mark) and the ledger; calls rules/plan.py; writes the plan workbook and the
《客户经理任务执行标注表》; records every change in the ledger in one transaction; prints.
"""

from __future__ import annotations

import re
from dataclasses import replace as with_fields
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import typer

from cmtool.commands import _plan_view as view
from cmtool.commands.common import (
    AppState, CustomersOption, EncodingOption, JsonOption, OutOption, SheetOption, emit_json, err_console,
    parse_month, require, state,
)
from cmtool.commands.visit import parse_day
from cmtool.documents.atomic import Staging
from cmtool.documents.plan_books import PLAN_SHEET, ResultHeader, write_plan_book, write_result_books
from cmtool.errors import DataError, Problem
from cmtool.fields import MARK_FIELDS, PLAN_EDIT_FIELDS
from cmtool.io.lead_lines import sheet_leads
from cmtool.io.loaders import load_customers, load_table
from cmtool.ledger import PLAN_CUSTOMER_COLUMNS, PlanWrite
from cmtool.periods import Month
from cmtool.rules.plan import (
    ACTION_COLUMNS, APPROVED, DONE, DRAFT, OPEN, PLANNED, STAGE_PLAN, STAGE_RESULT, Mark, PlanState, apply_edits, apply_marks,
    close_actions, completion, generate, next_state,
)

app = typer.Typer(help="营销动作计划（135工作法）：生成、修改、提交、审批、标注、月末结束与执行标注表。",
                  no_args_is_help=True)

MonthOption = typer.Option(..., "--month", help="计划月份，如 2026-11", show_default=False)
ManagerOption = typer.Option(..., "--manager", help="客户经理姓名", show_default=False)
DateOption = typer.Option(None, "--date", help="记录的日期，如 2026-11-03（默认今天）", show_default=False)
FileOption = typer.Option(..., "--file", help="文件", show_default=False)

_PLAN_LEAD = re.compile(r"计划月份：(\d{4})年(\d{1,2})月\s*客户经理：([^\s　]+)")
_DAY_LEAD = re.compile(r"拜访日期：(\d{4})年(\d{1,2})月(\d{1,2})日")
_MARK_HEADER = re.compile(r"(?:^|\s)标注(?:\s|$)")
MARK_VALUES = {"★": DONE, "完成": DONE, "●": OPEN, "未完成": OPEN}
TEMPORARY_VALUES = {"是": True, "临时": True, "Y": True, "1": True, "√": True, "否": False, "N": False, "0": False}


def _day(text: str | None) -> date:
    return date.today() if text is None else parse_day(text)


def _who(month: Month, manager: str) -> str:
    return f"{month.key} {manager} 的计划"


def _plan_state(st: AppState, month: Month, manager: str) -> PlanState:
    """The recorded state of one plan; a missing plan is an error that says how to make it."""
    found = st.ledger.plans(month.key, manager)
    if found.empty:
        raise DataError(f"台账中没有 {month.key} {manager} 的计划",
                        fix=f"请先运行 cmtool plan init --month {month.key} --manager {manager} --customers 客户信息文件")
    row = found.iloc[0]
    return PlanState(row["status"], None if pd.isna(row["result_status"]) else row["result_status"])


def _event(stage: str, event: str, status: str, on: date, by: str | None = None,
           reason: str | None = None) -> dict[str, str | None]:
    return {"stage": stage, "event": event, "status": status, "by_name": by, "reason": reason,
            "on_date": on.isoformat()}


def _file_name(text: str) -> str:
    return re.sub(r'[\\/:*?"<>|]', "_", text)


def _located(error: DataError, file: Path, sheet: str | None) -> DataError:
    """`error` with the file and sheet filled into its problems."""
    return DataError(error.message, [with_fields(p, file=str(file), sheet=sheet) for p in error.problems], error.fix)


@app.command("init")
def init(
    ctx: typer.Context,
    month: str = MonthOption,
    customers: Path = CustomersOption,
    manager: str | None = typer.Option(None, "--manager", help="只生成这位客户经理的计划", show_default=False),
    replace: bool = typer.Option(False, "--replace", help="重新生成已有的计划（提交后不能重新生成）"),
    day: str | None = DateOption,
    out: Path = OutOption,
    sheet: str | None = SheetOption,
    encoding: str | None = EncodingOption,
    json_output: bool = JsonOption,
) -> None:
    """月初生成每位客户经理的营销动作计划：按服务标准生成，加上月未完成（● 和 ☆）的结转。"""
    m, st, on = parse_month(month), state(ctx), _day(day)
    master = load_customers(customers, st.config, sheet=sheet, encoding=encoding).frame
    active = sorted(master.loc[master["active"], "manager"].dropna().unique())
    if manager is not None and manager not in active:
        raise DataError(f"客户信息 {customers.name} 中没有客户经理「{manager}」的在册客户", fix=f"客户经理有：{'、'.join(active)}")
    existing = st.ledger.plans(m.key)
    previous = st.ledger.plan_actions(m.prev().key)
    plans, writes, books, kept = [], [], [], []
    for name in [manager] if manager else active:
        found = existing[existing["manager"].eq(name)]
        if len(found) and not replace:
            plans.append(view.kept_entry(name, st.ledger, m))
            kept.append(name)
            continue
        if len(found):
            next_state(_plan_state(st, m, name), "replace", _who(m, name))
        plan = generate(name, master, st.config.plan.standard, m.key, previous[previous["manager"].eq(name)])
        writes.append(PlanWrite(m.key, name, DRAFT, None, _event(STAGE_PLAN, "init", DRAFT, on),
                                plan.customers, plan.actions))
        books.append((out / f"营销动作计划_{m.key}_{_file_name(name)}.xlsx", plan))
        plans.append(view.plan_entry(plan))
    with Staging() as staging:
        for path, plan in books:
            write_plan_book(staging.path(path), plan.actions, plan.customers, plan.not_carried,
                            st.config.plan.standard, month=m, manager=plan.manager, status=DRAFT,
                            company=st.config.company)
        st.ledger.record_plans(writes, datetime.now())
        staging.commit()
    document = {"command": "plan init", "month": m.key, "plans": plans, "outputs": [str(p) for p, _ in books]}
    if json_output:
        emit_json(document)
    else:
        view.print_init(err_console, document, kept)


@app.command("update")
def update(
    ctx: typer.Context,
    file: Path = FileOption,
    day: str | None = DateOption,
    json_output: bool = JsonOption,
) -> None:
    """读回修改后的计划工作簿（增加或删除的营销动作）；只在计划、计划驳回状态下可以修改。"""
    st, on = state(ctx), _day(day)
    found = [(s, _PLAN_LEAD.search(lead)) for s, lead in sheet_leads(file) if s == PLAN_SHEET]
    if not found or found[0][1] is None:
        raise DataError(f"文件 {file.name} 不是 cmtool 写出的营销动作计划工作簿（找不到「{PLAN_SHEET}」工作表中的计划月份和客户经理）",
                        fix="请用 cmtool plan init 写出的「营销动作计划_<月份>_<客户经理>.xlsx」修改后再读入")
    lead = found[0][1]
    m, manager = Month(int(lead.group(1)), int(lead.group(2))), lead.group(3)
    current = _plan_state(st, m, manager)
    next_state(current, "update", _who(m, manager))
    edited = load_table(file, PLAN_EDIT_FIELDS, st.config, sheet=PLAN_SHEET).frame
    before = st.ledger.plan_actions(m.key, manager)
    try:
        actions = apply_edits(before[ACTION_COLUMNS], edited, st.ledger.plan_customers(m.key, manager), m.key)
    except DataError as e:
        raise _located(e, file, PLAN_SHEET) from None
    st.ledger.record_plans([PlanWrite(m.key, manager, current.status, None,
                                      _event(STAGE_PLAN, "update", current.status, on), actions=actions)],
                           datetime.now())
    document = view.update_document(m, manager, current.status, before, actions)
    if json_output:
        emit_json(document)
    else:
        err_console.print(f"{m.label} {manager} 的计划已更新：{len(actions)} 项营销动作（新增 {document['added']} 项，"
                          f"删除 {document['deleted']} 项），状态：{current.status}。", markup=False)


def _move(ctx: typer.Context, event: str, month: str, manager: str, by: str | None, reason: str | None,
          day: str | None, json_output: bool) -> None:
    """submit, approve, reject: one step of the plan, or after `close` of the results."""
    m, st, on = parse_month(month), state(ctx), _day(day)
    current = _plan_state(st, m, manager)
    moved = next_state(current, event, _who(m, manager))
    st.ledger.record_plans([PlanWrite(m.key, manager, moved.status, moved.result_status,
                                      _event(current.stage, event, moved.current, on, by, reason))], datetime.now())
    document = {"command": f"plan {event}", "month": m.key, "manager": manager, "stage": current.stage,
                "status": moved.current, "by": by, "date": on.isoformat(), "outputs": []}
    if json_output:
        emit_json(document)
    else:
        what = "执行结果" if current.stage == STAGE_RESULT else "计划"
        err_console.print(f"{m.label} {manager} 的{what}：{current.current} → {moved.current}"
                          + (f"（{by}，{on.isoformat()}）" if by else "") + (f"；驳回原因：{reason}" if reason else ""),
                          markup=False)


@app.command("submit")
def submit(ctx: typer.Context, month: str = MonthOption, manager: str = ManagerOption, day: str | None = DateOption,
           json_output: bool = JsonOption) -> None:
    """提交计划（计划、计划驳回 → 已提交），或提交被驳回后改好的执行结果。"""
    _move(ctx, "submit", month, manager, None, None, day, json_output)


@app.command("approve")
def approve(ctx: typer.Context, month: str = MonthOption, manager: str = ManagerOption,
            by: str | None = typer.Option(None, "--by", help="审批人（市场经理）", show_default=False),
            day: str | None = DateOption, json_output: bool = JsonOption) -> None:
    """市场经理审批已提交的计划或执行结果（已提交 → 已审批），记录审批人和日期。"""
    require(by=by)
    _move(ctx, "approve", month, manager, by, None, day, json_output)


@app.command("reject")
def reject(ctx: typer.Context, month: str = MonthOption, manager: str = ManagerOption,
           by: str | None = typer.Option(None, "--by", help="审批人（市场经理）", show_default=False),
           reason: str | None = typer.Option(None, "--reason", help="驳回原因（必填）", show_default=False),
           day: str | None = DateOption, json_output: bool = JsonOption) -> None:
    """驳回已提交的计划（→ 计划驳回，可修改后再提交）或执行结果（→ 结果驳回），须写明原因。"""
    require(by=by, reason=reason)
    _move(ctx, "reject", month, manager, by, reason, day, json_output)


def _marks_of(file: Path, sheet: str | None, frame: pd.DataFrame) -> list[Mark]:
    """The rows of a marks table that carry a mark, checked: ★/完成 or ●/未完成; 临时 是/否."""
    marks, problems = [], []
    for r in frame.itertuples():
        at = Problem("", file=str(file), sheet=sheet, row=r.source_row, column="标注", value=r.mark)
        if pd.isna(r.mark) or str(r.mark).strip() in ("", PLANNED):  # not marked (yet)
            continue
        mark = MARK_VALUES.get(str(r.mark).strip())
        flag = "" if pd.isna(r.temporary) else str(r.temporary).strip()
        temporary = TEMPORARY_VALUES.get(flag, False if flag == "" else None)
        if mark is None:
            problems.append(with_fields(at, message="标注只能是 ★（完成）或 ●（未完成）", fix="请改正这一格"))
        elif temporary is None:
            problems.append(with_fields(at, column="临时", value=flag, message="「临时」只能填 是 或 否（或留空）",
                                        fix="请改正这一格"))
        elif pd.isna(r.action) or not str(r.action).strip():
            problems.append(with_fields(at, column="营销动作", value=None, message="有标注但营销动作为空",
                                        fix="请填写营销动作（临时任务同时在「临时」列填「是」）"))
        else:
            where = f"{file.name}{f' 工作表 {sheet}' if sheet else ''} 第 {r.source_row} 行"
            marks.append(Mark(r.customer_id, str(r.action).strip(), mark, temporary,
                              None if pd.isna(r.note) else str(r.note), where, at))
    if problems:
        raise DataError(f"标注文件 {file.name} 有问题，没有记录任何标注", problems)
    return marks


def _read_marks(st: AppState, file: Path, month: Month | None) -> dict[str, list[Mark]]:
    """The marks of `file` per plan month: a day sheet's month is its day's; else --month, else
    the latest month with plans in the ledger."""
    sheets = [(s, lead) for s, lead in sheet_leads(file) if s is None or _MARK_HEADER.search(lead)]
    if not sheets:
        raise DataError(f"文件 {file.name} 中没有标注表（需要列：客户编码、营销动作、标注）",
                        fix="请用 cmtool visit 写出的拜访客户表，或按 客户编码、营销动作、标注、临时、说明 列整理标注文件")
    latest = st.ledger.plans()["month"].max() if month is None else month.key
    by_month: dict[str, list[Mark]] = {}
    for sheet, lead in sheets:
        day = _DAY_LEAD.search(lead)
        key = f"{int(day.group(1)):04d}-{int(day.group(2)):02d}" if day else latest
        if key is None or pd.isna(key):
            raise DataError("台账中还没有任何营销动作计划，无法记录标注", fix="请先运行 cmtool plan init")
        frame = load_table(file, MARK_FIELDS, st.config, sheet=sheet).frame
        by_month.setdefault(key, []).extend(_marks_of(file, sheet, frame))
    if not any(by_month.values()):
        raise DataError(f"文件 {file.name} 中没有任何标注（「标注」列都是空的，或没有「标注」列）",
                        fix="请在「标注」列填 ★（完成）或 ●（未完成）后再运行")
    return by_month


@app.command("mark")
def mark(
    ctx: typer.Context,
    file: Path = FileOption,
    month: str | None = typer.Option(None, "--month", show_default=False,
                                     help="标注文件所属月份（拜访客户表自带日期；默认台账中最近的计划月份）"),
    day: str | None = DateOption,
    json_output: bool = JsonOption,
) -> None:
    """记录标注：填好的拜访客户表或标注文件（客户编码、营销动作、标注 ★/●、临时、说明）；★ 完成后不能再标 ●。"""
    st, on = state(ctx), _day(day)
    by_month = _read_marks(st, file, parse_month(month) if month else None)
    writes, warnings, marked, temporary = [], [], 0, 0
    for key, marks in by_month.items():
        m = Month.parse(key)
        owners = st.ledger.plan_customers(key)
        result = apply_marks(st.ledger.plan_actions(key), owners, marks, key)
        owner_of = dict(zip(owners["customer_id"], owners["manager"]))
        for manager in sorted({owner_of[x.customer_id] for x in marks}):
            current = _plan_state(st, m, manager)
            next_state(current, "mark", _who(m, manager))
            if current.status != APPROVED:
                warnings.append(f"{m.key} {manager} 的计划尚未审批（当前状态：{current.status}），标注已照常记录")
            actions = result.actions[result.actions["manager"].eq(manager)][ACTION_COLUMNS]
            writes.append(PlanWrite(key, manager, current.status, current.result_status,
                                    _event(current.stage, "mark", current.current, on), actions=actions))
        marked, temporary = marked + result.marked, temporary + result.temporary
    st.ledger.record_plans(writes, datetime.now())
    document = {"command": "plan mark", "marked": marked, "temporary": temporary, "warnings": warnings, "outputs": []}
    if json_output:
        emit_json(document)
    else:
        view.print_mark(err_console, document)


@app.command("close")
def close(
    ctx: typer.Context,
    month: str = MonthOption,
    manager: str = ManagerOption,
    day: str | None = DateOption,
    out: Path = OutOption,
    json_output: bool = JsonOption,
) -> None:
    """月末结束：仍为 ☆ 的营销动作记为 ●，写出《客户经理任务执行标注表》并提交执行结果。"""
    m, st, on = parse_month(month), state(ctx), _day(day)
    current = _plan_state(st, m, manager)
    moved = next_state(current, "close", _who(m, manager))
    actions = close_actions(st.ledger.plan_actions(m.key, manager)[ACTION_COLUMNS])
    customers = st.ledger.plan_customers(m.key, manager)[list(PLAN_CUSTOMER_COLUMNS)]
    per_customer, totals = completion(actions)
    approver, approved_on = view.approval(st.ledger.plan_events(m.key, manager))
    header = ResultHeader(st.config.company, manager, m, approver, approved_on)
    stem = f"客户经理任务执行标注表_{m.key}_{_file_name(manager)}"
    outputs = [out / f"{stem}.xlsx", out / f"{stem}.html"]
    with Staging() as staging:
        write_result_books(staging.path(outputs[0]), staging.path(outputs[1]), actions, customers, per_customer,
                           totals, header)
        st.ledger.record_plans([PlanWrite(m.key, manager, moved.status, moved.result_status,
                                          _event(STAGE_RESULT, "close", moved.current, on), actions=actions)],
                               datetime.now())
        staging.commit()
    document = {"command": "plan close", "month": m.key, "manager": manager, "totals": totals,
                "outputs": [str(p) for p in outputs]}
    if json_output:
        emit_json(document)
    else:
        view.print_close(err_console, document, st.calendar, m)


@app.command("status")
def status(ctx: typer.Context, month: str = MonthOption, json_output: bool = JsonOption) -> None:
    """本月每位客户经理的计划与执行结果状态、营销动作数和完成情况。"""
    m, st = parse_month(month), state(ctx)
    document = view.status_document(m, st.ledger)
    if json_output:
        emit_json(document)
    else:
        view.print_status(err_console, document, st.calendar, m)


def register(main: typer.Typer) -> None:
    """Add `plan …` to the app."""
    main.add_typer(app, name="plan")
