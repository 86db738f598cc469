"""R-ANA-REPORT: the HTML report `零售客户分析报告_<period>.html` (A4, the findings written out,
the tables, and the charts as inline SVG from documents/svg_charts.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from markupsafe import Markup

from cmtool.documents import svg_charts
from cmtool.documents.cn_text import figure_text
from cmtool.documents.html import render, write_html
from cmtool.rules.analysis import DIMENSIONS, QUADRANTS, group_order

TEMPLATE = "analysis_report.html.j2"
SCATTER_LIMITS = (3.0, 2.0)  # 购进量 up to 3×, 单条值 up to 2× the class median
SCATTER_POINTS = 4000  # more customers than this are drawn as an evenly spaced sample


@dataclass(frozen=True)
class ReportData:
    """What the report and its workbook show (frames from rules/analysis.py)."""

    company: str
    period_label: str
    scope: str
    class_source: str
    metrics: Sequence[str]  # the metrics the data gives
    groups: dict[str, pd.DataFrame]  # rules.analysis.single() by scale, format, market, manager
    findings: Sequence[str]
    warnings: Sequence[str]
    cross: pd.DataFrame  # 单条值 by 市场类型 × 业态
    placed: pd.DataFrame  # rules.analysis.quadrants() of 购进量 × 单条值
    quadrant_counts: dict[str, int]
    targets: pd.DataFrame  # rules.analysis.targets() on 购进量
    brand_lists: dict[str, pd.DataFrame]
    trend: pd.DataFrame  # month, volume, amount, unit_value
    big_volume_share_max: float
    report_targets: int  # how many targets the report lists (the workbook has all)


def _num(value: Any, digits: int = 2) -> str:
    return "" if value is None or pd.isna(value) else f"{float(value):,.{digits}f}"


def _volume(value: Any) -> str:
    return "" if value is None or pd.isna(value) else figure_text(float(value))


def _pct(value: Any) -> str:
    return "" if value is None or pd.isna(value) else f"{float(value) * 100:.1f}%"


def _group_rows(groups: pd.DataFrame) -> list[dict[str, str]]:
    return [
        {"group": str(r["group"]), "customers": f"{int(r['customers']):,}", "customer_share": _pct(r["customer_share"]),
         "volume": _volume(r["volume"]), "volume_share": _pct(r["volume_share"]), "amount": _num(r["amount"]),
         "amount_share": _pct(r["amount_share"]), "unit_value": _num(r["unit_value"]),
         "mean_volume": _num(r["mean_volume"]), "median_volume": _volume(r["median_volume"])}
        for r in groups.to_dict("records")
    ]


def _scale_chart(data: ReportData) -> Markup:
    g = data.groups["scale"].set_index("group").reindex([s for s in ("大", "中", "小")]).dropna(subset=["customers"])
    return svg_charts.bar_chart(
        "经营规模结构与橄榄型对照", list(g.index),
        {"户数占比": g["customer_share"].tolist(), "购进量占比": g["volume_share"].tolist(),
         "购进额占比": g["amount_share"].tolist()},
        lambda v: f"{v * 100:.0f}%",
        reference=(data.big_volume_share_max, f"大户购进量占比控制线 {data.big_volume_share_max * 100:g}%"),
    )


def _format_chart(data: ReportData) -> Markup:
    g = data.groups["format"]
    g = g[g["unit_value"].notna() & (g["group"] != "（未填）")].sort_values("unit_value", ascending=False)
    return svg_charts.bar_chart("各业态单条值（元/条）", g["group"].tolist(), {"单条值": g["unit_value"].tolist()},
                                lambda v: f"{v:,.0f}")


def _scatter(data: ReportData) -> Markup:
    p, title = data.placed, "购进量与单条值象限分布（相对本综合分类中位数）"
    if len(p) > SCATTER_POINTS:
        p = p.iloc[[i * len(p) // SCATTER_POINTS for i in range(SCATTER_POINTS)]]
        title = f"购进量与单条值象限分布（相对本综合分类中位数，等距抽取 {SCATTER_POINTS} 户）"
    x = (p["x"] / p["x_median"]).where(p["x_median"] > 0)
    y = (p["y"] / p["y_median"]).where(p["y_median"] > 0)
    sets = {}
    for name, _ in QUADRANTS.values():
        chosen = (p["quadrant"] == name) & x.notna() & y.notna()
        sets[f"{name}（{data.quadrant_counts[name]}户）"] = (x[chosen].tolist(), y[chosen].tolist())
    return svg_charts.scatter_chart(title, sets,
                                    "购进量÷同类中位数", "单条值÷同类中位数", SCATTER_LIMITS)


def _trend_charts(data: ReportData) -> list[Markup]:
    t = data.trend
    labels = [f"{int(m[5:])}月" for m in t["month"]]
    return [svg_charts.line_chart("月度购进量趋势（条）", labels, {"购进量": t["volume"].tolist()}, lambda v: f"{v:,.0f}"),
            svg_charts.line_chart("月度单条值趋势（元/条）", labels, {"单条值": t["unit_value"].tolist()},
                                  lambda v: f"{v:,.0f}")]


def _cross(data: ReportData) -> dict[str, Any]:
    cells = data.cross
    rows = group_order(pd.Index(cells["row"].unique()), "market")
    columns = group_order(pd.Index(cells["column"].unique()), "format")
    wide = cells.pivot(index="row", columns="column", values="value").reindex(index=rows, columns=columns)
    return {"columns": columns, "rows": [{"name": r, "values": [_num(v) for v in wide.loc[r]]} for r in rows]}


def _targets(data: ReportData) -> list[dict[str, str]]:
    return [
        {"customer_id": str(r.customer_id), "name": "" if pd.isna(r.name) else str(r.name),
         "manager": "" if pd.isna(r.manager) else str(r.manager), "class_name": str(r.class_name),
         "value": _volume(r.value), "median": _volume(r.class_median), "relative_gap": _pct(r.relative_gap)}
        for r in data.targets.head(data.report_targets).itertuples()
    ]


def _brand_counts(data: ReportData) -> dict[str, Any]:
    names = list(data.brand_lists)
    counts = pd.DataFrame({name: frame["manager"].fillna("（未填）").value_counts()
                           for name, frame in data.brand_lists.items()}).fillna(0).astype(int).sort_index()
    return {"names": names, "rows": [{"manager": m, "counts": [int(counts.at[m, n]) for n in names]}
                                     for m in counts.index]}


def report_html(data: ReportData) -> str:
    """The report as one HTML document."""
    counts, total = data.quadrant_counts, sum(data.quadrant_counts.values()) or 1
    return render(
        TEMPLATE,
        company=data.company, period=data.period_label, scope=data.scope, class_source=data.class_source,
        findings=data.findings, warnings=data.warnings,
        groups={d: _group_rows(g) for d, g in data.groups.items()}, labels=DIMENSIONS,
        charts={"scale": _scale_chart(data), "format": _format_chart(data), "scatter": _scatter(data),
                "trend": _trend_charts(data)},
        cross=_cross(data),
        quadrants=[{"name": n, "direction": d, "customers": f"{counts[n]:,}", "share": _pct(counts[n] / total)}
                   for n, d in QUADRANTS.values()],
        targets=_targets(data), targets_total=len(data.targets), brand=_brand_counts(data),
        trend=[{"month": r.month, "volume": _volume(r.volume), "amount": _num(r.amount), "unit_value": _num(r.unit_value)}
               for r in data.trend.itertuples()],
    )


def write_report(path: Path, data: ReportData) -> None:
    """Write the report to `path` (wrap in atomic.Staging for an atomic publish)."""
    write_html(path, report_html(data))
