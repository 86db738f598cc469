"""`cmtool dynamic review|notices|restore|signed`: the integrity-agreement measures (R-DYN 1–3).

Reads options, loads the master, the breach records / decisions / signed list and the ledger,
calls rules/dynamic.py and rules/visits.py (the first order day), writes the documents through
`atomic.Staging`, records the ledger in one transaction before the documents are published, prints.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pandas as pd
import typer

from cmtool.commands import _dynamic_view as view
from cmtool.commands.common import (
    AppState, CustomersOption, EncodingOption, JsonOption, OutOption, SheetOption, SkipInvalidOption, emit_json,
    err_console, parse_month, state,
)
from cmtool.commands.group_init import parse_day
from cmtool.config import Config
from cmtool.documents.atomic import Staging
from cmtool.documents.dynamic_books import write_message_book, write_restore_book, write_review_book
from cmtool.documents.dynamic_notices import write_notices
from cmtool.documents.html import filing_order
from cmtool.errors import DataError, Problem
from cmtool.io.dynamic_files import load_breaches, load_decisions, load_signed
from cmtool.io.last_orders import load_last_orders
from cmtool.io.loaders import Loaded, load_customers
from cmtool.periods import Month
from cmtool.rules.dynamic import (
    CANCEL_BRANDS, GROUP_DOWN, CustomerReview, in_month, lower_group, restore_status, review, schedule_measures,
)
from cmtool.rules.visits import first_order_days

app = typer.Typer(
    help="动态组别管理（诚信经营协议）：月末审议违约记录（review）、送达通知书（notices）、"
         "记录签收（signed）、到期恢复（restore）。",
    no_args_is_help=True,
)

DateOption = typer.Option(None, "--date", help="日期，如 2026-12-01（默认今天）", show_default=False)


def _master(st: AppState, path: Path, sheet: str | None, encoding: str | None) -> pd.DataFrame:
    return load_customers(path, st.config, sheet=sheet, encoding=encoding).frame


@app.command("review")
def review_command(
    ctx: typer.Context,
    month: str = typer.Option(..., "--month", help="审议月份，如 2026-10", show_default=False),
    records: Path = typer.Option(..., "--records", help="诚信经营协议违约记录文件", show_default=False),
    customers: Path = CustomersOption,
    day: str | None = typer.Option(None, "--date", help="填报日期，印在审批表上，如 2026-10-26（默认今天）",
                                   show_default=False),
    out: Path = OutOption,
    skip_invalid: bool = SkipInvalidOption,
    sheet: str | None = SheetOption,
    encoding: str | None = EncodingOption,
    json_output: bool = JsonOption,
) -> None:
    """客户动态管理审批表：本月违约客户、违约情况与按处理办法提出的建议措施，留空管理小组决定栏。"""
    m, on = parse_month(month), parse_day(day)
    st = state(ctx)
    cfg = st.config
    master = _master(st, customers, sheet, encoding)
    loaded = load_breaches(records, cfg, set(master["customer_id"]), sheet=sheet, encoding=encoding,
                           skip_invalid=skip_invalid)
    inside, outside = in_month(loaded.frame, m)
    reviews = review(inside, cfg.dynamic.policy, m)
    warnings = _review_warnings(m, on, outside, reviews, loaded, cfg.dynamic.review_from_day)
    notes = _lowest_notes(reviews, master, cfg)
    warnings += [f"客户 {cid}：{note}" for cid, note in notes.items()]
    reviewed = filing_order(master[master["customer_id"].isin({r.customer_id for r in reviews})])
    outputs = [out / f"客户动态管理审批表_{m.key}.xlsx"]
    with Staging() as staging:
        write_review_book(staging.path(outputs[0]), reviews, master, loaded.problems, notes, month=m,
                          company=cfg.company, day=on)
        staging.commit()
    document = view.review_document(m, reviews, reviewed, warnings, outputs)
    if json_output:
        emit_json(document)
    else:
        view.print_review(err_console, document)


def _review_warnings(m: Month, on: date, outside: int, reviews: list[CustomerReview], loaded: Loaded,
                     from_day: int) -> list[str]:
    warnings = []
    if on < date(m.year, m.month, from_day):
        warnings.append(f"{m.label}尚未结束：审议自{from_day}日起进行，{on.isoformat()} 之后的违约记录尚未列入")
    if outside:
        warnings.append(f"违约记录中有 {outside} 条不在{m.label}，未列入审批表")
    warnings += [f"客户 {r.customer_id} 的违约类型「{'、'.join(r.pending)}」处理办法中没有，列为待议" for r in reviews if r.pending]
    if loaded.problems:
        warnings.append(f"跳过 {len(loaded.problems)} 行有问题的违约记录，见审批表的「数据问题」工作表")
    return warnings


def _lowest_notes(reviews: list[CustomerReview], master: pd.DataFrame, cfg: Config) -> dict[str, str]:
    """R-DYN 2 ahead: the customers proposed 组别下调 who are already in the lowest band."""
    groups = master.set_index("customer_id")["group"]
    notes = {}
    for r in reviews:
        group = groups.get(r.customer_id)
        if any(p.measure == GROUP_DOWN for p in r.proposed) and isinstance(group, str):
            moved = lower_group(group, 1, cfg.groups.bands, cfg.groups.on_demand)
            if moved is not None and moved[0] == group:
                notes[r.customer_id] = f"现已是最低组别{group}，组别下调无法执行，请管理小组改用其他措施"
    return notes


@app.command("notices")
def notices_command(
    ctx: typer.Context,
    decisions: Path = typer.Option(..., "--decisions", help="管理小组审议决定文件（客户编码、措施、期限、备注）",
                                   show_default=False),
    month: str = typer.Option(..., "--month", help="审议月份，如 2026-10（措施自下月首个订货日起执行）",
                              show_default=False),
    customers: Path = CustomersOption,
    sales: list[Path] | None = typer.Option(
        None, "--sales", help="订单明细（可省略）：双周客户按最近订货日确定单双周，从而算出首个订货日", show_default=False),
    out: Path = OutOption,
    sheet: str | None = SheetOption,
    encoding: str | None = EncodingOption,
    json_output: bool = JsonOption,
) -> None:
    """动态管理通知书（每项措施一页）、订单采集员留言表，并把措施记入台账（同一月份重复运行会替换）。"""
    m = parse_month(month)
    st = state(ctx)
    cfg = st.config
    master = _master(st, customers, sheet, encoding)
    decided = load_decisions(decisions, cfg, set(master["customer_id"]), sheet=sheet, encoding=encoding)
    people = master[master["customer_id"].isin(set(decided.frame["customer_id"]))]
    last_orders = load_last_orders(sales, cfg, sheet=sheet, encoding=encoding) if sales else None
    days = first_order_days(people, m.next(), st.calendar, st.visit_settings, last_orders)
    measures = schedule_measures(decided.frame, days).merge(master[["customer_id", "name", "department", "manager", "license_no", "group"]],
                              on="customer_id", how="left", validate="many_to_one")
    measures, warnings = _group_moves(measures, decided, decisions, cfg)
    warnings += [
        f"客户 {r.customer_id} {r.name}：{r.fallback}，首个订货日按{m.next().label}第一个工作日 {r.first_order_day} 计"
        for r in measures.drop_duplicates("customer_id").itertuples() if not pd.isna(r.fallback)
    ]
    measures = filing_order(measures).reset_index(drop=True)
    outputs = [out / f"动态管理通知书_{m.key}.html", out / f"订单采集员留言_{m.key}.xlsx"]
    with Staging() as staging:
        write_notices(staging.path(outputs[0]), measures, month=m, company=cfg.company, phones=cfg.manager_phones)
        write_message_book(staging.path(outputs[1]), measures[measures["measure"] == CANCEL_BRANDS], month=m,
                           company=cfg.company)
        st.ledger.record_measures(m.key, _ledger_rows(measures), datetime.now())
        staging.commit()
    document = view.notices_document(m, measures, warnings, outputs)
    if json_output:
        emit_json(document)
    else:
        view.print_notices(err_console, document)


def _group_moves(measures: pd.DataFrame, decided: Loaded, path: Path, cfg: Config) -> tuple[pd.DataFrame, list[str]]:
    """R-DYN 2: from_group/to_group of each 组别下调, never below the lowest band. A customer whose
    group is empty or unknown is an error naming its decision row; one already at the lowest band
    cannot be moved: its 组别下调 is left out (no notice, not recorded) with a warning; one that
    would go below it stops there, with a warning."""
    measures = measures.assign(from_group=measures["group"].where(measures["measure"] == GROUP_DOWN), to_group=None)
    problems, warnings, dropped = [], [], []
    for i, r in measures[measures["measure"] == GROUP_DOWN].iterrows():
        moved = None if pd.isna(r["group"]) else lower_group(str(r["group"]), int(r["steps"]), cfg.groups.bands,
                                                             cfg.groups.on_demand)
        if moved is None:
            problems.append(Problem(
                f"客户组别「{'' if pd.isna(r['group']) else r['group']}」为空或不是配置中的组别，无法组别下调",
                str(path), decided.sheet, int(r["source_row"]), decided.headers.get("measure", "措施"),
                str(r["measure"]), "请先在客户信息中补正该客户的客户组别", r["customer_id"]))
            continue
        to_group, floored = moved
        if to_group == r["group"]:
            dropped.append(i)
            warnings.append(f"客户 {r['customer_id']} {r['name']}：现已是最低组别{to_group}，组别下调无法执行，"
                            "未出通知书、未记入台账；请管理小组改用其他措施")
        elif floored:
            warnings.append(f"客户 {r['customer_id']} {r['name']}：下调{int(r['steps'])}档会低于最低组别，"
                            f"只降至{to_group}（{r['group']} → {to_group}）")
        measures.at[i, "to_group"] = to_group
    if problems:
        raise DataError(f"审议决定文件 {path.name} 中有 {len(problems)} 处问题", problems,
                        fix="请改正后重新运行")
    return measures.drop(index=dropped), warnings


def _ledger_rows(measures: pd.DataFrame) -> pd.DataFrame:
    """The measures as the ledger keeps them (ISO dates)."""
    return pd.DataFrame({
        "customer_id": measures["customer_id"], "measure": measures["measure"],
        "starts_on": [d.isoformat() for d in measures["start"]], "ends_on": [d.isoformat() for d in measures["end"]],
        "name": measures["name"], "manager": measures["manager"], "term": measures["term_text"],
        "notice": measures["notice"], "first_order_day": [d.isoformat() for d in measures["first_order_day"]],
        "deliver_by": [d.isoformat() for d in measures["deliver_by"]], "from_group": measures["from_group"],
        "to_group": measures["to_group"], "remark": measures["remark"],
    })


@app.command("restore")
def restore_command(
    ctx: typer.Context,
    day: str | None = DateOption,
    confirm: bool = typer.Option(False, "--confirm", help="把清单上到期的措施记为已于该日恢复"),
    out: Path = OutOption,
    json_output: bool = JsonOption,
) -> None:
    """管理措施到期恢复清单：到期应恢复（恢复访销、恢复组别、恢复紧俏控制品牌）、执行中、通知书未签收；
    加 --confirm 记入台账。"""
    on = parse_day(day)
    st = state(ctx)
    details = st.ledger.measure_details()
    due, active = restore_status(details, on)
    unsigned = details[details["restored_on"].isna() & details["signed_on"].isna()]
    outputs = [out / f"管理措施到期恢复清单_{on.isoformat()}.xlsx"]
    with Staging() as staging:
        write_restore_book(staging.path(outputs[0]), due, active, unsigned, day=on, company=st.config.company,
                           confirmed=confirm)
        if confirm and len(due):
            st.ledger.record_restores([int(i) for i in due["id"]], on)
        staging.commit()
    document = view.restore_document(on, confirm, due, active, unsigned, outputs)
    if json_output:
        emit_json(document)
    else:
        view.print_restore(err_console, document)


@app.command("signed")
def signed_command(
    ctx: typer.Context,
    file: Path = typer.Option(..., "--file", help="已签收通知书的名单（客户编码，可选：措施、签收日期）",
                              show_default=False),
    day: str | None = typer.Option(None, "--date", help="名单中没有签收日期时记的日期（默认今天）", show_default=False),
    sheet: str | None = SheetOption,
    encoding: str | None = EncodingOption,
    json_output: bool = JsonOption,
) -> None:
    """记录哪些动态管理通知书已由零售客户签字交回；restore 清单列出仍未签收的。"""
    on = parse_day(day)
    st = state(ctx)
    loaded = load_signed(file, st.config, sheet=sheet, encoding=encoding)
    details = st.ledger.measure_details()
    open_ = details[details["restored_on"].isna()]
    signed: dict[int, date] = {}
    problems = []
    for r in loaded.frame.itertuples():
        mine = open_[(open_["customer_id"] == r.customer_id) & (r.measure is None or open_["measure"] == r.measure)]
        if mine.empty:
            problems.append(Problem(
                "台账中没有该客户未恢复的" + (f"「{r.measure}」" if r.measure else "") + "管理措施",
                str(file), loaded.sheet, int(r.source_row), loaded.headers.get("customer_id", "客户编码"),
                r.customer_id, "请核对客户编码和措施，或先运行 cmtool dynamic notices 记录措施", r.customer_id))
        when = on if pd.isna(r.date) else r.date.date()
        signed.update({int(i): when for i, s in zip(mine["id"], mine["signed_on"]) if pd.isna(s)})
    if problems:
        raise DataError(f"签收文件 {file.name} 中有 {len(problems)} 处问题", problems, fix="请改正后重新运行")
    st.ledger.record_signed(signed)
    recorded = st.ledger.measure_details()
    document = view.signed_document(file, recorded[recorded["id"].isin(list(signed))])
    if json_output:
        emit_json(document)
    else:
        view.print_signed(err_console, document)


def register(main: typer.Typer) -> None:
    """Add `dynamic` and its subcommands to the app."""
    main.add_typer(app, name="dynamic")
