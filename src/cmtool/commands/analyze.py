"""`cmtool analyze single|assoc|targets|brand|report` (R-ANA, see docs/rules.md).

This module reads options, loads (_analyze_inputs.py), calls the rules (rules/analysis.py,
rules/metrics.py), writes the documents and prints; the JSON and the summary are in
_analyze_view.py, the workbook in documents/analysis_book.py, the report in
documents/analysis_report.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import typer

from cmtool.commands import _analyze_view as view
from cmtool.commands._analyze_inputs import Analysed, load_analysed, period_of
from cmtool.commands.common import (
    EncodingOption, JsonOption, OutOption, SheetOption, SkipInvalidOption, emit_json, err_console, require, state,
    working,
)
from cmtool.documents import analysis_book as book
from cmtool.documents.analysis_report import ReportData, write_report
from cmtool.documents.atomic import Staging
from cmtool.documents.tables import problem_table
from cmtool.documents.xlsx import Heading, Table
from cmtool.errors import DataError
from cmtool.rules import analysis
from cmtool.rules.metrics import METRICS, metric_key
from cmtool.commands import COMMANDS

REPORT_TARGETS = 30  # the report lists the first 30 targets; the workbook has them all


QuarterOpt = typer.Option(None, "--quarter", help="季度，如 2026Q3（与 --month 二选一）", show_default=False)
MonthOpt = typer.Option(None, "--month", help="月份，如 2026-10（与 --quarter 二选一）", show_default=False)
CustomersOpt = typer.Option(None, "--customers", help="客户信息文件（V3 导出的 xlsx/xls/csv/parquet）", show_default=False)
SalesOpt = typer.Option(None, "--sales", help="销售数据：文件或文件夹，可重复给出", show_default=False)
ManagerOpt = typer.Option(None, "--manager", help="只分析该客户经理的客户（同类中位数仍按全市计算）", show_default=False)
DepartmentOpt = typer.Option(None, "--department", help="只分析该营销部的客户（同类中位数仍按全市计算）",
                             show_default=False)


def _metric(text: str, flag: str, analysed: Analysed | None = None) -> str:
    """A metric key from `--x`/`--y`/`--metric` (key or Chinese name); usage error when unknown,
    data error when the data cannot give it."""
    key = metric_key(text)
    if key is None:
        raise typer.BadParameter(f"不认识的指标「{text}」，可用：" + "、".join(f"{k}（{v}）" for k, v in METRICS.items()),
                                 param_hint=flag)
    if analysed is not None and key not in analysed.metrics.available:
        reason = next((w for w in analysed.warnings if w.startswith(METRICS[key])), "")
        raise DataError(f"销售数据算不出指标「{METRICS[key]}」（{flag}）：{reason}",
                        fix="请换一个指标，或提供含所需列的订单明细")
    return key


def _dimension(text: str, flag: str) -> str:
    key = analysis.dimension_key(text)
    if key is None:
        raise typer.BadParameter(
            f"不认识的维度「{text}」，可用：" + "、".join(f"{k}（{v}）" for k, v in analysis.DIMENSIONS.items()),
            param_hint=flag)
    return key


def _load(ctx: typer.Context, quarter: str | None, month: str | None, customers: Path | None,
          sales: list[Path] | None, manager: str | None, department: str | None, sheet: str | None,
          encoding: str | None, skip_invalid: bool) -> Analysed:
    period = period_of(quarter, month)
    require(customers=customers, sales=sales)
    return load_analysed(state(ctx), period, customers, sales, manager=manager, department=department,
                         sheet=sheet, encoding=encoding, skip_invalid=skip_invalid)


def _with_problems(analysed: Analysed, tables: list[Table], heading: Heading) -> list[Table]:
    return tables + ([problem_table(analysed.skipped, heading)] if analysed.skipped else [])


def _write(path: Path, tables: Sequence[Table], heading: Heading) -> None:
    with Staging() as staging, working("正在写入工作簿……"):
        book.write_book(staging.path(path), tables, heading=heading)
        staging.commit()


def _finish(doc: dict[str, Any], json_output: bool, title: str, lines: Sequence[str]) -> None:
    if json_output:
        emit_json(doc)
    else:
        view.print_document(err_console, doc, title, lines)


def _heading(ctx: typer.Context, analysed: Analysed, document: str) -> Heading:
    """What every page says: the company, the document (with the filter, if any), the period."""
    scope = "" if analysed.scope == "全市" else f"（{analysed.scope}）"
    return Heading(state(ctx).config.company, document + scope, analysed.period.label)


def _title(heading: Heading) -> str:
    """The first line of the terminal summary."""
    return f"{heading.company} {heading.document}（{heading.period}）"


def _single(analysed: Analysed, dimension: str, big_max: float) -> tuple[pd.DataFrame, list[str]]:
    """R-ANA-SINGLE groups and findings (for 市场类型 also the 一二类烟占比 gap when known)."""
    metrics = list(analysed.metrics.available)
    groups = analysis.single(analysed.frame, dimension, metrics)
    premium = groups if "premium_share" in metrics else None
    return groups, analysis.single_findings(groups, dimension, big_volume_share_max=big_max, premium_by_market=premium)


def single(
    ctx: typer.Context,
    by: str = typer.Option(..., "--by", help="分析维度：format（业态）、scale（经营规模）、market（市场类型）、"
                                              "manager（客户经理）、class（综合分类）、department（营销部）", show_default=False),
    quarter: str | None = QuarterOpt, month: str | None = MonthOpt,
    customers: Path | None = CustomersOpt, sales: list[Path] | None = SalesOpt,
    manager: str | None = ManagerOpt, department: str | None = DepartmentOpt, out: Path = OutOption,
    skip_invalid: bool = SkipInvalidOption, sheet: str | None = SheetOption, encoding: str | None = EncodingOption,
    json_output: bool = JsonOption,
) -> None:
    """单项分析：按一个维度分组，统计户数、购进量、购进额、单条值及各指标的户均值和中位数，并写出分析结论。"""
    dimension = _dimension(by, "--by")
    analysed = _load(ctx, quarter, month, customers, sales, manager, department, sheet, encoding, skip_invalid)
    groups, findings = _single(analysed, dimension, state(ctx).config.analyze.big_volume_share_max)
    path = out / f"单项分析_{dimension}_{analysed.period.key}.xlsx"
    heading = _heading(ctx, analysed, f"单项分析（按{analysis.DIMENSIONS[dimension]}）")
    tables = book.groups_tables(groups, dimension, analysed.metrics.available, heading, notes=findings)
    _write(path, _with_problems(analysed, tables, heading), heading)
    doc = {**view.head(analysed, "analyze single"), "dimension": dimension,
           "groups": view.groups_json(groups, analysed.metrics.available), "findings": findings,
           **view.tail(analysed, [path])}
    lines = [f"{g['group']}：{g['customers']} 户，购进量占比 {g['shares']['volume'] or 0:.1%}，"
             f"单条值 {g['unit_value'] or 0:.2f} 元/条" for g in doc["groups"]] + findings
    _finish(doc, json_output, _title(heading), lines)


def _assoc(analysed: Analysed, x: str, y: str, rows: str, columns: str) -> dict[str, Any]:
    """R-ANA-ASSOC: correlation over the buyers, the cross table of `y`, the quadrants."""
    frame = analysed.frame
    buyers = frame[frame["volume"] > 0]
    pairs = buyers[[x, y]].dropna()
    placed = analysis.quadrants(frame, x, y, reference=analysed.metrics.frame)
    warnings = []
    if placed.no_purchase:
        warnings.append(f"{placed.no_purchase} 户本期没有购进，未参加象限分析")
    if placed.no_class:
        warnings.append(f"{placed.no_class} 户没有综合分类，未参加象限分析")
    return {"rho": analysis.spearman(pairs[x], pairs[y]), "n": len(pairs),
            "cross": analysis.cross_table(frame, rows, columns, y), "placed": placed.frame,
            "counts": analysis.quadrant_counts(placed.frame), "warnings": warnings}


def _rho_sentence(x: str, y: str, rho: float, n: int) -> str:
    if rho != rho:  # NaN
        return f"{METRICS[x]}与{METRICS[y]}无法计算相关系数（有效客户 {n} 户）。"
    strength = "较强" if abs(rho) >= 0.5 else ("中等" if abs(rho) >= 0.3 else "较弱")
    sign = "正" if rho > 0 else "负"
    return f"{METRICS[x]}与{METRICS[y]}的斯皮尔曼等级相关系数为 {rho:.2f}（{n} 户），呈{strength}的{sign}相关。"


def _quadrant_sentence(counts: dict[str, int]) -> str:
    total = sum(counts.values()) or 1
    parts = "，".join(f"{name}（{direction}）{counts[name]} 户（{counts[name] / total:.1%}）"
                      for name, direction in analysis.QUADRANTS.values())
    return f"与本综合分类中位数相比：{parts}。"


def assoc(
    ctx: typer.Context,
    x: str = typer.Option("volume", "--x", help="横轴（量）指标：volume、amount、unit_value、sku_count、premium_share、"
                                                 "key_brand_share、orders，或其中文名"),
    y: str = typer.Option("unit_value", "--y", help="纵轴（值）指标，同上"),
    rows: str = typer.Option("market", "--rows", help="交叉表的行维度"),
    columns: str = typer.Option("format", "--columns", help="交叉表的列维度"),
    quarter: str | None = QuarterOpt, month: str | None = MonthOpt,
    customers: Path | None = CustomersOpt, sales: list[Path] | None = SalesOpt,
    manager: str | None = ManagerOpt, department: str | None = DepartmentOpt, out: Path = OutOption,
    skip_invalid: bool = SkipInvalidOption, sheet: str | None = SheetOption, encoding: str | None = EncodingOption,
    json_output: bool = JsonOption,
) -> None:
    """关联分析：两个指标的等级相关、两个维度的交叉表，以及每户相对同类中位数所在的象限和改进方向。"""
    _metric(x, "--x")
    _metric(y, "--y")
    row_dim, col_dim = _dimension(rows, "--rows"), _dimension(columns, "--columns")
    analysed = _load(ctx, quarter, month, customers, sales, manager, department, sheet, encoding, skip_invalid)
    x, y = _metric(x, "--x", analysed), _metric(y, "--y", analysed)
    found = _assoc(analysed, x, y, row_dim, col_dim)
    heading = _heading(ctx, analysed, f"关联分析（{METRICS[x]}×{METRICS[y]}）")
    findings = [_rho_sentence(x, y, found["rho"], found["n"]), _quadrant_sentence(found["counts"])]
    path = out / f"关联分析_{x}_{y}_{analysed.period.key}.xlsx"
    tables = [book.cross_table_sheet(found["cross"], row_dim, col_dim, y, heading),
              book.quadrant_table(found["placed"], x, y, heading)]
    _write(path, _with_problems(analysed, tables, heading), heading)
    cross = found["cross"]
    doc = {
        **view.head(analysed, "analyze assoc"), "x": x, "y": y,
        "correlation": {"method": "spearman", "rho": view.number(found["rho"]), "n": int(found["n"])},
        "cross": {"rows": row_dim, "columns": col_dim, "metric": y,
                  "cells": [{"row": str(r.row), "column": str(r.column), "value": view.number(r.value),
                             "customers": int(r.customers)} for r in cross.itertuples()]},
        "quadrants": found["counts"],
        "customers": view.records(found["placed"], ["customer_id", "class_name", "x", "y", "x_median", "y_median",
                                                    "quadrant", "direction"]),
        "findings": findings,
        **view.tail(analysed, [path], found["warnings"]),
    }
    _finish(doc, json_output, _title(heading), findings)


def targets(
    ctx: typer.Context,
    metric: str = typer.Option("volume", "--metric", help="比较的指标（默认 volume 购进量）"),
    top: int | None = typer.Option(None, "--top", min=1, help="只列出相对差距最大的前 N 户", show_default=False),
    quarter: str | None = QuarterOpt, month: str | None = MonthOpt,
    customers: Path | None = CustomersOpt, sales: list[Path] | None = SalesOpt,
    manager: str | None = ManagerOpt, department: str | None = DepartmentOpt, out: Path = OutOption,
    skip_invalid: bool = SkipInvalidOption, sheet: str | None = SheetOption, encoding: str | None = EncodingOption,
    json_output: bool = JsonOption,
) -> None:
    """指导经营对象：中、小户中该指标低于本综合分类中位数的客户，按相对差距由大到小排列。"""
    _metric(metric, "--metric")
    analysed = _load(ctx, quarter, month, customers, sales, manager, department, sheet, encoding, skip_invalid)
    key = _metric(metric, "--metric", analysed)
    everyone = analysis.targets(analysed.frame, key, reference=analysed.metrics.frame)
    found = everyone if top is None else everyone.head(top)
    heading = _heading(ctx, analysed, "指导经营对象")
    path = out / f"指导经营对象_{analysed.period.key}.xlsx"
    _write(path, _with_problems(analysed, [book.targets_table(found, key, heading)], heading), heading)
    doc = {**view.head(analysed, "analyze targets"), "metric": key, "targets": view.records(found, view.TARGET_FIELDS),
           **view.tail(analysed, [path])}
    lines = [f"中、小户中{METRICS[key]}低于本综合分类中位数的共 {len(everyone)} 户"
             + (f"，列出相对差距最大的前 {len(found)} 户" if top else "")] + [
        f"{r.customer_id} {r.name or ''} {r.class_name}：{r.value:,.2f}，同类中位数 {r.class_median:,.2f}，"
        f"相对差距 {r.relative_gap:.1%}" for r in found.head(10).itertuples()]
    _finish(doc, json_output, _title(heading), lines)


def _brand_doc(lists: dict[str, pd.DataFrame]) -> dict[str, list[dict[str, Any]]]:
    return {name: view.records(frame, ["customer_id", "name", "manager", "format", "scale", "class_name", "unit_value"])
            for name, frame in lists.items()}


def brand(
    ctx: typer.Context,
    quarter: str | None = QuarterOpt, month: str | None = MonthOpt,
    customers: Path | None = CustomersOpt, sales: list[Path] | None = SalesOpt,
    manager: str | None = ManagerOpt, department: str | None = DepartmentOpt, out: Path = OutOption,
    skip_invalid: bool = SkipInvalidOption, sheet: str | None = SheetOption, encoding: str | None = EncodingOption,
    json_output: bool = JsonOption,
) -> None:
    """品牌培育客户名单：高档新品（商场、超市、烟酒商店）和重点品牌扩张（便利店、娱乐服务类），每位客户经理一份。"""
    analysed = _load(ctx, quarter, month, customers, sales, manager, department, sheet, encoding, skip_invalid)
    lists = analysis.brand_lists(analysed.frame)
    heading = _heading(ctx, analysed, "品牌培育客户名单")
    path = out / f"品牌培育客户名单_{analysed.period.key}.xlsx"
    _write(path, _with_problems(analysed, book.brand_tables(lists, heading), heading), heading)
    doc = {**view.head(analysed, "analyze brand"), "lists": _brand_doc(lists), **view.tail(analysed, [path])}
    lines = [f"{name}：{len(frame)} 户（{frame['manager'].nunique()} 位客户经理）" for name, frame in lists.items()]
    _finish(doc, json_output, _title(heading), lines)


def _report_data(ctx: typer.Context, analysed: Analysed) -> ReportData:
    """Everything the report shows: single analyses by 规模, 业态, 市场类型, 客户经理; 量×值 assoc;
    the targets; the brand lists; the monthly trend; the findings of each."""
    config = state(ctx).config
    singles = {d: _single(analysed, d, config.analyze.big_volume_share_max)
               for d in ("scale", "format", "market", "manager")}
    found = _assoc(analysed, "volume", "unit_value", "market", "format")
    chosen = analysis.targets(analysed.frame, "volume", reference=analysed.metrics.frame)
    lists = analysis.brand_lists(analysed.frame)
    findings = [*singles["scale"][1], *singles["format"][1], *singles["market"][1],
                _rho_sentence("volume", "unit_value", found["rho"], found["n"]), _quadrant_sentence(found["counts"]),
                f"中、小户中购进量低于本综合分类中位数的有 {len(chosen)} 户，可作为指导经营的重点对象（名单见附表）。",
                *(f"品牌培育：{name}名单 {len(frame)} 户。" for name, frame in lists.items())]
    return ReportData(
        company=config.company, period_label=analysed.period.label, scope=analysed.scope,
        class_source=analysed.class_source, metrics=analysed.metrics.available,
        groups={d: g for d, (g, _) in singles.items()}, findings=findings,
        warnings=[*analysed.warnings, *found["warnings"]], cross=found["cross"], placed=found["placed"],
        quadrant_counts=found["counts"], targets=chosen, brand_lists=lists, trend=analysed.trend,
        big_volume_share_max=config.analyze.big_volume_share_max, report_targets=REPORT_TARGETS,
    )


def report(
    ctx: typer.Context,
    quarter: str | None = QuarterOpt, month: str | None = MonthOpt,
    customers: Path | None = CustomersOpt, sales: list[Path] | None = SalesOpt,
    manager: str | None = ManagerOpt, department: str | None = DepartmentOpt, out: Path = OutOption,
    skip_invalid: bool = SkipInvalidOption, sheet: str | None = SheetOption, encoding: str | None = EncodingOption,
    json_output: bool = JsonOption,
) -> None:
    """零售客户分析报告：分析结论、各项分析表和图表（A4 网页），以及带 Excel 原生图表的工作簿。"""
    analysed = _load(ctx, quarter, month, customers, sales, manager, department, sheet, encoding, skip_invalid)
    data = _report_data(ctx, analysed)
    key = analysed.period.key
    html_path, xlsx_path = out / f"零售客户分析报告_{key}.html", out / f"零售客户分析_{key}.xlsx"
    heading = _heading(ctx, analysed, "零售客户分析")
    tables, charts = book.report_tables(data, heading)
    with Staging() as staging, working("正在写入分析报告……"):
        write_report(staging.path(html_path), data)
        book.write_book(staging.path(xlsx_path), _with_problems(analysed, tables, heading), charts, heading=heading)
        staging.commit()
    doc = {**view.head(analysed, "analyze report"), "findings": data.findings,
           **view.tail(analysed, [html_path, xlsx_path], data.warnings[len(analysed.warnings):])}
    _finish(doc, json_output, _title(heading), data.findings)


def register(app: typer.Typer) -> None:
    """Add `analyze single|assoc|targets|brand|report` to the app."""
    group = typer.Typer(help=COMMANDS["analyze"][1], no_args_is_help=True)
    for name, fn in (("single", single), ("assoc", assoc), ("targets", targets), ("brand", brand), ("report", report)):
        group.command(name)(fn)
    app.add_typer(group, name="analyze")
