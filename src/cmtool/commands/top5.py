"""`cmtool top5 --month M` and `cmtool top5 history ID`.

Rules: R-TOP5, R-CAL (see docs/rules.md). This module reads options, loads, calls the
rules, writes the workbook and records the month; the rules live in rules/top5.py,
rules/top5_archive.py and rules/anomalies.py, the JSON, the terminal summary and the workbook's
content in _top5_view.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import typer

from cmtool.commands import _top5_view as top5_view
from cmtool.commands.common import (
    AppState, CustomersOption, EncodingOption, JsonOption, OutOption, SalesOption, SheetOption, SkipInvalidOption,
    emit_json, err_console, left_out, load_beside, parse_month, require, state,
)
from cmtool.errors import DataError, Problem
from cmtool.documents.atomic import Staging
from cmtool.documents.background import Background
from cmtool.documents.top5book import FILES_PER_SHEET, write_top5book
from cmtool.io.loaders import Loaded, SalesLoaded, load_customers, load_sales
from cmtool.periods import Month
from cmtool.rules.anomalies import find_anomalies
from cmtool.rules.population import quarter_population
from cmtool.rules.top5 import Movement, Top5List, compare, monthly_history, publish_date, structure, top5_list
from cmtool.rules.top5_archive import EXPIRED, Archive, ListedMonth, expired, rebuild_archive
from cmtool.commands import COMMANDS

HISTORY_MONTHS = 12  # R-TOP5 4: the 档案 shows M−11..M
RANKED_COLUMNS = ["customer_id", "name", "department", "manager", "format", "market", "volume_h", "amount_c"]
MASTER_COLUMNS = RANKED_COLUMNS[:-2]  # of the master, in the population


@dataclass
class Inputs:
    """What top5 read: the master, the purchases of M−11..M and of M per SKU, rows left out."""

    customers: pd.DataFrame
    sales: SalesLoaded  # `sales.detail(ids)`: M per SKU, None when M has no order lines
    skipped: list[Problem]

    @property
    def monthly(self) -> pd.DataFrame:
        return self.sales.monthly


@dataclass
class MonthResult:
    """Everything the rules found for month M; the view turns it into JSON, summary and workbook."""

    month: Month
    published: date
    population: pd.DataFrame  # the active customers: RANKED_COLUMNS and the class_name in force
    listed: Top5List
    movement: Movement
    previous_source: str
    class_source: str
    anomalies: pd.DataFrame  # customer_id, rule, detail
    unchecked: list[str]  # anomaly rules the data did not allow to check, and why
    structure: pd.DataFrame  # rules.top5.structure of the members (empty without order lines)
    history: pd.DataFrame  # rules.top5.monthly_history of the members
    archive: Archive
    expired: pd.DataFrame  # files past retention
    purged: bool
    skipped: list[Problem]  # rows left out (--skip-invalid) and buyers missing from the master


def _window(month: Month) -> list[str]:
    return [month.shift(-i).key for i in range(HISTORY_MONTHS - 1, -1, -1)]


def _load(st: AppState, month: Month, customers: Path, sales: list[Path], manager: str | None, sheet: str | None,
          encoding: str | None, skip_invalid: bool) -> Inputs:
    """The master (checked for `--manager`), the purchases of M−11..M (M required) and, in the
    same pass, M per SKU."""
    window = _window(month)

    def load_master() -> Loaded:
        master = load_customers(customers, st.config, sheet=sheet, encoding=encoding, skip_invalid=skip_invalid)
        _check_manager(master.frame, manager)
        return master

    master, bought = load_beside(load_master, lambda progress: load_sales(
        sales, st.config, months=set(window), detail_months={month.key}, sheet=sheet, encoding=encoding,
        skip_invalid=skip_invalid, progress=progress))
    monthly = bought.monthly
    if not (monthly["month"] == month.key).any():
        found = sorted(set(monthly["month"]))
        raise DataError(
            f"销售数据中没有 {month.key} 的数据",
            fix=f"{window[0]} 至 {month.key} 之间数据中的月份：{'、'.join(found) or '无'}。"
                f"请补上 {month.key} 的销售文件，或检查 --month",
        )
    return Inputs(master.frame, bought, master.problems + bought.problems)


def _previous(st: AppState, month: Month, inputs: Inputs) -> tuple[pd.DataFrame | None, str]:
    """R-TOP5 3: the list of M−1 from the ledger, else computed from the sales data, else None."""
    prev = month.prev()
    if prev.key in set(st.ledger.top5_months()["month"]):
        return st.ledger.top5_members(month=prev.key)[["customer_id", "rank", "volume"]], "取自台账"
    if (inputs.monthly["month"] == prev.key).any():
        earlier = quarter_population(inputs.customers, inputs.monthly, [prev.key], prev.last_day,
                                     MASTER_COLUMNS).frame
        listed = top5_list(earlier, st.config.top5.share)
        return listed.members[["customer_id", "rank", "volume"]], "按销售数据计算"
    return None, "台账和销售数据中都没有，名单上的客户都按新进入处理"


def _classes(st: AppState, month: Month) -> tuple[pd.DataFrame, str]:
    """R-TOP5 5: the 综合分类 in force in month M (ledger), else none (市场类型 + 业态 is used)."""
    quarter = st.ledger.quarter_in_force(month.first_day.isoformat())
    if quarter is None:
        return pd.DataFrame(columns=["customer_id", "class_name"]), "市场类型+业态（台账中没有本月执行的综合分类）"
    classes = st.ledger.quarter_classes(quarter)[["customer_id", "class_name"]]
    return classes, f"综合分类（台账中 {quarter} 的分类结果）"


def _archive(st: AppState, month: Month, published: date, members: pd.Series) -> Archive:
    """R-TOP5 3: the files replayed from the recorded lists, this month's list in place of any
    earlier run of it."""
    recorded = st.ledger.top5_members()
    lists = [
        ListedMonth(row.month, date.fromisoformat(row.publish_date),
                    frozenset(recorded.loc[recorded["month"] == row.month, "customer_id"]))
        for row in st.ledger.top5_months().itertuples() if row.month != month.key
    ]
    lists.append(ListedMonth(month.key, published, frozenset(members)))
    return rebuild_archive(lists, month.key, st.ledger.top5_purged())


def _flags(st: AppState, month: Month, inputs: Inputs, listed: Top5List,
           population: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """R-TOP5 4–5: the anomalies, the members' cigarette structure, and the rules the data did not
    allow to check (no M−1 in the sales data; no order lines for M)."""
    prev = month.prev().key
    unchecked = []
    previous_h = None
    if (inputs.monthly["month"] == prev).any():
        previous_h = inputs.monthly.loc[inputs.monthly["month"] == prev].set_index("customer_id")["volume_h"]
    else:
        unchecked.append(f"销量突增（销售数据中没有上月 {prev} 的数据）")
    detail = inputs.sales.detail(listed.members["customer_id"], last=True)
    lines = None if detail is None else structure(detail)
    if lines is None:
        unchecked.append(f"单品规集中（{month.key} 的销售数据不是订单明细，没有规格）")
    anomalies = find_anomalies(listed.members, previous_h=previous_h, structure=lines, peers=population,
                               config=st.config.top5)
    return anomalies, structure(pd.DataFrame()) if lines is None else lines, unchecked


def _evaluate(st: AppState, month: Month, published: date, inputs: Inputs, purge: bool) -> MonthResult:
    """R-TOP5: the list, its movement, the anomalies, the 档案 figures and the files."""
    share = st.config.top5.share
    classes, class_source = _classes(st, month)
    found = quarter_population(inputs.customers, inputs.monthly, [month.key], month.last_day, MASTER_COLUMNS)
    population = found.frame[RANKED_COLUMNS].merge(classes, on="customer_id", how="left")
    listed = top5_list(population, share)
    previous, previous_source = _previous(st, month, inputs)
    anomalies, lines, unchecked = _flags(st, month, inputs, listed, population)
    ids = listed.members["customer_id"]
    archive = _archive(st, month, published, ids)
    return MonthResult(
        month=month, published=published, population=population, listed=listed,
        movement=compare(listed.members, previous), previous_source=previous_source, class_source=class_source,
        anomalies=anomalies, unchecked=unchecked, structure=lines,
        history=monthly_history(population, inputs.monthly, inputs.monthly["month"].unique(), share, keep=ids),
        archive=archive, expired=expired(archive.files), purged=purge, skipped=inputs.skipped + left_out(found, inputs.skipped, inputs.sales.first_seen),
    )


def _check_manager(customers: pd.DataFrame, manager: str | None) -> None:
    """`--manager` must name a 客户经理 of the master."""
    names = set(customers["manager"].dropna())
    if manager is not None and manager not in names:
        raise DataError(f"客户信息中没有客户经理「{manager}」",
                        fix=f"客户信息中的客户经理：{'、'.join(sorted(names))}。请检查 --manager 的写法")


def _manager_scope(customers: pd.DataFrame, manager: str | None) -> set[str] | None:
    """The customers of `--manager` (the documents are limited to them), or None for all."""
    return None if manager is None else set(customers.loc[customers["manager"] == manager, "customer_id"])


def _record(st: AppState, result: MonthResult) -> None:
    """R-TOP5: the month's list and the files into the ledger (expired files dropped on --purge)."""
    files = result.archive.files
    if result.purged:
        files = files[files["state"] != EXPIRED]
    dates = ["opened_on", "archived_on", "reopened_on", "retain_until"]
    files = files.assign(**{c: files[c].map(lambda d: d.isoformat() if isinstance(d, date) else None) for c in dates})
    listed = result.listed
    month = {
        "month": result.month.key, "publish_date": result.published.isoformat(), "population": listed.population,
        "cutoff": listed.cutoff, "threshold_volume": listed.threshold_volume,
        "recorded_at": datetime.now().isoformat(timespec="seconds"),
    }
    st.ledger.record_top5(month, result.movement.members[["customer_id", "rank", "volume", "amount", "status"]], files)


def run(
    ctx: typer.Context,
    month: str | None = typer.Option(None, "--month", help="月份，如 2026-10（按该月购进量排名，下月第一个工作日发布）",
                                     show_default=False),
    customers: Path | None = typer.Option(None, "--customers", help=CustomersOption.help, show_default=False),
    sales: list[Path] | None = typer.Option(None, "--sales", help=SalesOption.help, show_default=False),
    out: Path = OutOption,
    manager: str | None = typer.Option(None, "--manager", help="只出该客户经理的客户的文档（排名仍是全市）",
                                       show_default=False),
    purge: bool = typer.Option(False, "--purge", help="删除台账中保存期已过（已过期）的档案，并在输出中列出"),
    skip_invalid: bool = SkipInvalidOption,
    sheet: str | None = SheetOption,
    encoding: str | None = EncodingOption,
    json_output: bool = JsonOption,
) -> None:
    """月销量排名前5%客户名单与档案：名单、新进入、退出、异常监控和每户档案（工作簿），并记入台账。"""
    if ctx.invoked_subcommand:
        return
    require(month=month, customers=customers, sales=sales)
    m = parse_month(month)
    st = state(ctx)
    published = publish_date(m, st.calendar)
    manager = manager.strip() if manager else None
    inputs = _load(st, m, customers, sales, manager, sheet, encoding, skip_invalid)
    scope = _manager_scope(inputs.customers, manager)
    result = _evaluate(st, m, published, inputs, purge)
    path = out / f"月销量排名前5%客户档案_{m.key}.xlsx"
    with Staging() as staging, err_console.status("正在写入工作簿……"):
        book = top5_view.book(result, inputs.customers, result.skipped, company=st.config.company,
                              manager=manager, scope=scope)
        # a city's 档案 fill several sheets: a worker writes the last ones meanwhile
        with (Background(len(book.dossiers) > FILES_PER_SHEET, warm=(write_top5book.__module__,)) as background,
              background.settled()):
            write_top5book(staging.path(path), book, background)
        _record(st, result)
        staging.commit()
    document = top5_view.document(result, scope, [path])
    if json_output:
        emit_json(document)
        top5_view.print_purge(err_console, result)
    else:
        top5_view.print_summary(err_console, document, result, len(result.skipped), manager)


def history(
    ctx: typer.Context,
    customer_id: str = typer.Argument(..., help="客户编码", show_default=False),
    json_output: bool = JsonOption,
) -> None:
    """某个客户在台账中的前5%记录：上榜月份、名次，以及档案状态（建档、归档、重新启用、保存期限）。"""
    st = state(ctx)
    months = st.ledger.top5_months()
    if months.empty:
        raise DataError("台账中还没有前5%名单",
                        fix="请先运行 cmtool top5 --month 月份 --customers 客户信息 --sales 销售数据"
                            "（或用 --db 指定台账文件）")
    cid = customer_id.strip()
    rows, files = st.ledger.top5_members(customer_id=cid), st.ledger.top5_files(cid)
    document = top5_view.history_document(cid, months, rows, files)
    if json_output:
        emit_json(document)
    else:
        top5_view.print_history(err_console, document)


def register(app: typer.Typer) -> None:
    """Add `top5` and `top5 history` to the app."""
    group = typer.Typer(help=COMMANDS["top5"][1])
    group.callback(invoke_without_command=True)(run)
    group.command("history")(history)
    app.add_typer(group, name="top5")
