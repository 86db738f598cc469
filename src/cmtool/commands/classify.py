"""`cmtool classify --quarter Q` and `cmtool classify explain ID --quarter Q`.

Rules: R-SCALE, R-CLASS, R-STAT, R-NOTICE, R-CAL (see docs/rules.md). This module reads
options, loads, calls the rules, writes the documents and prints; the rules live in rules/.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from pathlib import Path

import pandas as pd
import typer

from cmtool.commands import _classify_view as classify_view
from cmtool.commands.common import (
    AppState, EncodingOption, JsonOption, OutOption, SheetOption, SkipInvalidOption,
    emit_json, err_console, left_out, load_beside, parse_quarter, render_json, require, state, working,
)
from cmtool.errors import DataError, Problem
from cmtool.documents.atomic import Staging
from cmtool.documents.background import Background
from cmtool.io.loaders import load_customers, load_sales
from cmtool.documents.statbook import INPUT_COLUMNS as STAT_INPUT, write_statbook
from cmtool.documents.tables import write_result
from cmtool.periods import Quarter
from cmtool.rules.classes import add_classes
from cmtool.rules.explain import explain_scale
from cmtool.rules.population import quarter_population
from cmtool.rules.previous import Previous, previous_from_ledger, previous_from_master
from cmtool.rules.scale import ADDED_COLUMNS, rank_scale
from cmtool.rules.stat import report_due
from cmtool.commands import COMMANDS


class Scope(str, Enum):
    company = "company"
    department = "department"


class NoticeMode(str, Enum):
    changed = "changed"
    all = "all"
    none = "none"


class ResultFormat(str, Enum):
    xlsx = "xlsx"
    csv = "csv"
    parquet = "parquet"


@dataclass
class Inputs:
    """What classify read: the master, the quarter's population and the rows it left out."""

    customers: pd.DataFrame
    population: pd.DataFrame
    skipped: list[Problem]


_RANK_INPUT = ["customer_id", "volume_h", "amount_c"]
_MASTER_INFO = ["customer_id", "name", "department", "manager", "format", "market"]


def _load(st: AppState, quarter: Quarter, customers: Path, sales: list[Path],
          sheet: str | None, encoding: str | None, skip_invalid: bool) -> Inputs:
    """Load the master and the quarter's sales; build the population of the master (R-SCALE 1)."""
    months = [m.key for m in quarter.months]
    master, bought = load_beside(
        lambda: load_customers(customers, st.config, sheet=sheet, encoding=encoding, skip_invalid=skip_invalid),
        lambda progress: load_sales(sales, st.config, months=set(months), require_months=True, sheet=sheet,
                                    encoding=encoding, skip_invalid=skip_invalid, progress=progress))
    pop = quarter_population(master.frame, bought.monthly, months, quarter.last_day, _MASTER_INFO)
    skipped = master.problems + bought.problems
    skipped += left_out(pop, skipped, bought.first_seen)
    return Inputs(master.frame, pop.frame, skipped)


def _previous(st: AppState, quarter: Quarter, customers: pd.DataFrame, path: Path) -> tuple[pd.DataFrame, str]:
    """R-STAT: the previous quarter from the ledger, else from the master's current columns."""
    recorded = st.ledger.quarter_classes(quarter.prev().key)
    if recorded is not None:
        return previous_from_ledger(recorded).frame, f"台账中的 {quarter.prev().key}"
    previous: Previous = previous_from_master(customers, st.config.codes)
    if not previous.unreadable.empty:
        raise DataError(
            "客户信息中「综合分类」的写法无法识别，无法确定上期分类：",
            [Problem("不是 42 类综合分类名称（如 城镇食杂店大）或分类编码（如 CZ1）", file=str(path),
                     row=int(r.source_row), column="综合分类", value=str(r.class_name), customer_id=r.customer_id)
             for r in previous.unreadable.itertuples()],
            fix="请改正这些单元格，或删除「综合分类」列（此时以「经营规模」列作为上期规模）",
        )
    return previous.frame, "客户信息中的现有分类"


# From this many customers the 统计表 is written in a second process beside the rest (at 60,000:
# 273 sheets, as long as the result, the ledger and the JSON together); below, starting a worker
# costs more than it saves.
BACKGROUND_ROWS = 20_000


def _classify(st: AppState, quarter: Quarter, inputs: Inputs, scope: Scope, path: Path) -> tuple[pd.DataFrame, str]:
    """R-SCALE + R-CLASS: the ranked, classified result frame (docs/architecture.md)."""
    scope_column = "department" if scope is Scope.department else None
    columns = _RANK_INPUT + ([scope_column] if scope_column else [])
    info = [c for c in _MASTER_INFO if c not in columns]  # carried through the ranking, not merged after
    ranked = rank_scale(inputs.population[columns + info], st.config.scale, scope=scope_column)
    ranked = ranked[[*columns, *ADDED_COLUMNS, *info]]
    previous, source = _previous(st, quarter, inputs.customers, path)
    earlier = previous.set_index("customer_id").reindex(ranked["customer_id"])  # refuses duplicate ids
    for column in earlier.columns:  # NA for a customer the previous quarter did not have
        ranked[column] = earlier[column].array
    return add_classes(ranked, st.config.codes), source


def run(
    ctx: typer.Context,
    quarter: str | None = typer.Option(None, "--quarter", help="季度，如 2026Q3（按该季度购进数据排名，结果下季度生效）", show_default=False),
    customers: Path | None = typer.Option(None, "--customers", help="客户信息文件（V3 导出的 xlsx/xls/csv/parquet）", show_default=False),
    sales: list[Path] | None = typer.Option(None, "--sales", help="销售数据：文件或文件夹，可重复给出", show_default=False),
    out: Path = OutOption,
    scope: Scope = typer.Option(Scope.company, "--scope", help="排名范围：company 全市统一排名；department 各营销部分别排名"),
    notices: NoticeMode = typer.Option(NoticeMode.changed, "--notices", help="告知书：changed 仅分类变动的客户；all 全部；none 不出"),
    skip_invalid: bool = SkipInvalidOption,
    result_format: ResultFormat = typer.Option(ResultFormat.xlsx, "--result-format", help="逐户结果的格式：xlsx、csv（带 BOM，Excel 可直接打开）或 parquet"),
    sheet: str | None = SheetOption,
    encoding: str | None = EncodingOption,
    json_output: bool = JsonOption,
) -> None:
    """季度零售客户分类：经营规模排名、42类综合分类、《客户分类情况统计表》与分类结果告知书。"""
    if ctx.invoked_subcommand:
        return
    require(quarter=quarter, customers=customers, sales=sales)
    q = parse_quarter(quarter)
    st = state(ctx)
    cfg = st.config
    effective_from = q.next().first_day
    due = report_due(q, st.calendar)
    inputs = _load(st, q, customers, sales, sheet, encoding, skip_invalid)
    # a city's 统计表 is written by a worker (started early, it imported its writer during the load)
    with Background(len(inputs.customers) >= BACKGROUND_ROWS, warm=(write_statbook.__module__,)) as background:
        result, previous_source = _classify(st, q, inputs, scope, customers)
        chosen = result if notices is NoticeMode.all else result[result["change"] != "不变"]
        outputs: list[Path] = []
        with working("正在写出文档…"), Staging() as staging, background.settled():
            stat_path = out / f"客户分类情况统计表_{q.key}.xlsx"
            stat_input = result[[c for c in STAT_INPUT if c in result.columns]]
            background.write(write_statbook, staging.path(stat_path), stat_input, company=cfg.company, quarter=q,
                             due=due)
            result_path = out / f"客户分类结果_{q.key}.{result_format.value}"
            write_result(staging.path(result_path), result, inputs.skipped, result_format.value, quarter=q,
                         company=cfg.company)
            outputs += [result_path, stat_path]
            if notices is not NoticeMode.none:
                from cmtool.documents.html import notices_html, write_html  # Jinja: only where notices are written

                notice_path = out / f"分类结果告知书_{q.key}.html"
                write_html(staging.path(notice_path), notices_html(
                    chosen, company=cfg.company, quarter=q, effective_from=effective_from, scale=cfg.scale,
                    phones=cfg.manager_phones))
                outputs.append(notice_path)
            # the ledger change joins the run's transaction: committed only by staging.commit()
            st.ledger.record_quarter(q.key, scope.value, effective_from.isoformat(), result, datetime.now())
            document = classify_view.document(q, effective_from, scope.value, result, inputs.skipped, outputs)
            rendered = render_json(document) if json_output else None  # printed once published
            background.wait()
            staging.commit()
    if rendered is not None:
        emit_json(rendered)
    else:
        classify_view.print_summary(err_console, document, result, previous_source, due, len(chosen))


def explain(
    ctx: typer.Context,
    customer_id: str = typer.Argument(..., help="客户编码", show_default=False),
    quarter: str = typer.Option(..., "--quarter", help="已分类的季度，如 2026Q3", show_default=False),
    json_output: bool = JsonOption,
) -> None:
    """说明某个客户为什么是这个经营规模：购进量、购进额、占比、得分、名次、分界线，以及升一档还差多少。"""
    q = parse_quarter(quarter)
    st = state(ctx)
    recorded = st.ledger.quarter_classes(q.key)
    if recorded is None:
        raise DataError(f"台账中没有 {q.key} 的分类结果",
                        fix=f"请先运行 cmtool classify --quarter {q.key}（或用 --db 指定台账文件）")
    ranked = rank_scale(_from_ledger(recorded), st.config.scale, scope="recorded_scope")
    figures = explain_scale(ranked, customer_id, st.config.scale).as_dict()
    document = {"command": "classify explain", "quarter": q.key, **figures}
    if json_output:
        emit_json(document)
    else:
        classify_view.print_explain(err_console, document)


def _from_ledger(recorded: pd.DataFrame) -> pd.DataFrame:
    """The ranking input of a recorded quarter: exact hundredths and cents, and its scopes."""
    return pd.DataFrame({
        "customer_id": recorded["customer_id"],
        "volume_h": (recorded["volume"] * 100).round().astype("int64"),
        "amount_c": (recorded["amount"] * 100).round().astype("int64"),
        "recorded_scope": recorded["scope"],
    })


def register(app: typer.Typer) -> None:
    """Add `classify` and `classify explain` to the app."""
    group = typer.Typer(help=COMMANDS["classify"][1])
    group.callback(invoke_without_command=True)(run)
    group.command("explain")(explain)
    app.add_typer(group, name="classify")
