"""What every `cmtool analyze` subcommand reads: the period, the master with the scale and class
in force, the metrics of each customer (rules/metrics.py), the monthly trend, and the filters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import typer

from cmtool.commands.common import AppState, file_progress, left_out, parse_month, parse_quarter
from cmtool.errors import DataError, Problem
from cmtool.io.loaders import load_customers, load_sales
from cmtool.periods import Month, Quarter
from cmtool.rules.classes import class_name
from cmtool.rules.metrics import Metrics, customer_metrics
from cmtool.rules.population import quarter_population
from cmtool.rules.previous import previous_from_master

TREND_MONTHS = 12  # the report's monthly trend: up to 12 months ending with the period


@dataclass(frozen=True)
class Period:
    """A quarter or a month: its JSON key, its months and its Chinese label."""

    kind: str  # "quarter" or "month"
    key: str
    label: str
    months: tuple[str, ...]
    last_day: date
    quarter: str  # the quarter the period falls in (for the classes in force)
    last_month: Month


def period_of(quarter: str | None, month: str | None) -> Period:
    """`--quarter` or `--month`, exactly one (a usage error otherwise)."""
    if (quarter is None) == (month is None):
        raise typer.BadParameter("请给出 --quarter 或 --month 其中之一", param_hint="--quarter/--month")
    if quarter is not None:
        q: Quarter = parse_quarter(quarter)
        return Period("quarter", q.key, q.label, tuple(m.key for m in q.months), q.last_day, q.key, q.months[-1])
    m = parse_month(month or "")
    return Period("month", m.key, m.label, (m.key,), m.last_day, m.quarter.key, m)


@dataclass
class Analysed:
    """The customers analysed (after the filters), with every metric the data gives."""

    period: Period
    metrics: Metrics  # the whole company (class medians are the company's)
    frame: pd.DataFrame  # the customers after --manager / --department
    trend: pd.DataFrame  # month, volume, amount, unit_value of the filtered customers
    class_source: str
    scope: str  # 全市, or the filter in words
    warnings: list[str]
    skipped: list[Problem]


def _classes(st: AppState, period: Period, customers: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """customer_id, scale, class_name in force: the latest classified quarter in the ledger at or
    before the period (cli.md), else the master's 综合分类 / 经营规模."""
    quarter = st.ledger.latest_quarter(period.quarter)
    if quarter is not None:
        recorded = st.ledger.quarter_classes(quarter)
        if recorded is not None:
            return recorded[["customer_id", "scale", "class_name"]], f"台账中 {quarter} 的分类结果"
    prev = previous_from_master(customers, st.config.codes).frame.dropna(subset=["previous_scale"])
    names = [class_name(m, f, s) for m, f, s in
             zip(prev["previous_market"], prev["previous_format"], prev["previous_scale"])]
    frame = pd.DataFrame({"customer_id": prev["customer_id"], "scale": prev["previous_scale"], "class_name": names})
    return frame, "客户信息中的综合分类/经营规模（台账中没有已分类的季度）"


def _check_filter(customers: pd.DataFrame, column: str, value: str | None, label: str, flag: str) -> None:
    names = set(customers[column].dropna())
    if value is not None and value not in names:
        raise DataError(f"客户信息中没有{label}「{value}」",
                        fix=f"客户信息中的{label}：{'、'.join(sorted(names)) or '无'}。请检查 {flag} 的写法")


def _trend(frame: pd.DataFrame, monthly: pd.DataFrame) -> pd.DataFrame:
    """The monthly purchases of the customers of `frame` over the months loaded."""
    mine = monthly[monthly["customer_id"].isin(set(frame["customer_id"]))]
    sums = mine.groupby("month", sort=True)[["volume_h", "amount_c"]].sum()
    out = pd.DataFrame({"volume": sums["volume_h"] / 100, "amount": sums["amount_c"] / 100})
    out["unit_value"] = (out["amount"] / out["volume"]).where(out["volume"] > 0)
    return out.rename_axis("month").reset_index()


def load_analysed(
    st: AppState, period: Period, customers: Path, sales: list[Path], *, manager: str | None,
    department: str | None, sheet: str | None, encoding: str | None, skip_invalid: bool,
) -> Analysed:
    """Load the master and the purchases (the period required; up to 12 months for the trend;
    SKU detail for the period), place the scale and class in force, compute the metrics."""
    master = load_customers(customers, st.config, sheet=sheet, encoding=encoding, skip_invalid=skip_invalid)
    manager, department = (manager or "").strip() or None, (department or "").strip() or None
    _check_filter(master.frame, "manager", manager, "客户经理", "--manager")
    _check_filter(master.frame, "department", department, "营销部", "--department")
    window = {period.last_month.shift(-i).key for i in range(TREND_MONTHS)}
    with file_progress("读取销售数据") as progress:
        bought = load_sales(sales, st.config, months=window, detail_months=set(period.months), sheet=sheet,
                            encoding=encoding, skip_invalid=skip_invalid, progress=progress)
    present = set(bought.monthly["month"])
    missing = [m for m in period.months if m not in present]
    if missing:
        raise DataError(f"销售数据中没有 {'、'.join(missing)} 的数据（所选期间 {period.label}）",
                        fix=f"数据中的月份：{'、'.join(sorted(present)) or '无'}。请补齐销售文件，或检查 --quarter/--month")
    found = quarter_population(master.frame, bought.monthly, period.months, period.last_day)
    classes, source = _classes(st, period, master.frame)
    population = found.frame.drop(columns=["scale", "class_name"]).merge(classes, on="customer_id", how="left")
    metrics = customer_metrics(population, bought.monthly, bought.detail(), period.months)
    frame = metrics.frame
    scope = []
    if department is not None:
        frame, scope = frame[frame["department"] == department], scope + [f"营销部：{department}"]
    if manager is not None:
        frame, scope = frame[frame["manager"] == manager], scope + [f"客户经理：{manager}"]
    warnings = list(metrics.warnings)
    unclassed = int(frame["class_name"].isna().sum())
    if unclassed:
        warnings.append(f"{unclassed} 户没有经营规模/综合分类（{source}），不参加按规模、分类的分析")
    skipped = master.problems + bought.problems
    return Analysed(period, metrics, frame.reset_index(drop=True), _trend(frame, bought.monthly), source,
                    "，".join(scope) or "全市", warnings, skipped + left_out(found, skipped, bought.first_seen))
