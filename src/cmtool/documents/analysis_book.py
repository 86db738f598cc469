"""The workbook of `cmtool analyze` (R-ANA): every table on its own A4 sheet, and for the report
native Excel charts (xlsxwriter's chart API) on a 图表 sheet that reference those tables, so the
manager can restyle them and copy them into his own 分析报告."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cmtool.documents.analysis_report import ReportData
from cmtool.documents.xlsx import (
    ON_DISK_CELLS, Column, Heading, Kind, Styles, Table, add_sheet, new_workbook, set_a4,
    unique_sheet_names, write_table,
)
from cmtool.rules.analysis import DIMENSIONS, group_order, is_share, metric_label
from cmtool.rules.metrics import METRICS

CUSTOMER_COLUMNS = [Column("customer_id", "客户编码"), Column("name", "客户名称"), Column("manager", "客户经理")]
CHART_SHEET = "图表"


def _kind(metric: str) -> Kind:
    if is_share(metric):
        return "share"
    return "count" if metric in ("sku_count", "orders") else "volume"


def groups_tables(groups: pd.DataFrame, dimension: str, metrics: Sequence[str], heading: Heading,
                  notes: Sequence[str] = ()) -> list[Table]:
    """The R-ANA-SINGLE groups: a sheet of counts, totals, shares, 单条值 and the 购进量 mean and
    median; then, when the data gives more metrics, a sheet of every metric's mean and median
    (one sheet would be too wide to read on A4). `notes` (the findings) go under the heading."""
    label = DIMENSIONS[dimension]
    part = heading.of(f"按{label}")
    columns = [
        Column("group", label), Column("customers", "户数", "count"), Column("customer_share", "户数占比", "share"),
        Column("volume", "购进量(条)", "volume"), Column("volume_share", "购进量占比", "share"),
        Column("amount", "购进额(元)", "amount"), Column("amount_share", "购进额占比", "share"),
        Column("unit_value", "单条值(元/条)", "volume"),
        Column("mean_volume", f"户均{metric_label('volume')}", "volume"),
        Column("median_volume", f"{metric_label('volume')}中位数", "volume"),
    ]
    tables = [Table(f"按{label}", part, groups, columns, freeze_cols=1, lead=(part.title, part.subtitle, *notes))]
    others = [m for m in metrics if m != "volume"]
    if others:
        detail = [Column("group", label)]
        for m in others:
            detail.append(Column(f"mean_{m}", f"户均{metric_label(m)}", _kind(m)))
            detail.append(Column(f"median_{m}", f"{metric_label(m)}中位数", _kind(m)))
        more = heading.of(f"按{label}（各指标）")
        tables.append(Table(f"按{label}（各指标）", more, groups, detail, freeze_cols=1,
                            lead=(more.title, more.subtitle, "各指标的户均值与中位数（没有该指标值的客户不计入）")))
    return tables


def cross_table_sheet(cells: pd.DataFrame, rows: str, columns: str, metric: str, heading: Heading) -> Table:
    """The cross table as a sheet: one row per row group, one column per column group, the values."""
    wide = cells.pivot(index="row", columns="column", values="value")
    row_order = group_order(pd.Index(cells["row"].unique()), rows)
    col_order = group_order(pd.Index(cells["column"].unique()), columns)
    wide = wide.reindex(index=row_order, columns=col_order).reset_index()
    cols = [Column("row", f"{DIMENSIONS[rows]}＼{DIMENSIONS[columns]}")]
    cols += [Column(c, str(c), _kind(metric)) for c in col_order]
    wide.columns = ["row", *col_order]
    part = heading.of(f"交叉表：{metric_label(metric)}")
    return Table("交叉表", part, wide, cols, freeze_cols=1,
                 lead=(part.title, part.subtitle, "单条值为格内购进额合计÷购进量合计，其余指标为格内户均值"))


def quadrant_table(placed: pd.DataFrame, x: str, y: str, heading: Heading) -> Table:
    """Each customer's quadrant against its class medians."""
    columns = [*CUSTOMER_COLUMNS, Column("class_name", "综合分类"),
               Column("x", metric_label(x), _kind(x)), Column("x_median", f"同类{METRICS[x]}中位数", _kind(x)),
               Column("y", metric_label(y), _kind(y)), Column("y_median", f"同类{METRICS[y]}中位数", _kind(y)),
               Column("quadrant", "象限"), Column("direction", "改进方向"),
               Column("x_ratio", f"{METRICS[x]}÷同类中位数", "volume"), Column("y_ratio", f"{METRICS[y]}÷同类中位数", "volume")]
    frame = placed.assign(x_ratio=(placed["x"] / placed["x_median"]).where(placed["x_median"] > 0),
                          y_ratio=(placed["y"] / placed["y_median"]).where(placed["y_median"] > 0))
    return Table("象限", heading.of("象限"), frame, columns, freeze_cols=2)


def targets_table(found: pd.DataFrame, metric: str, heading: Heading) -> Table:
    """R-ANA-TARGETS as a sheet."""
    frame = found.assign(order=range(1, len(found) + 1))
    columns = [Column("order", "序号", "int"), *CUSTOMER_COLUMNS, Column("scale", "经营规模"),
               Column("class_name", "综合分类"), Column("value", metric_label(metric), _kind(metric)),
               Column("class_median", "同类中位数", _kind(metric)), Column("gap", "差距", _kind(metric)),
               Column("relative_gap", "相对差距", "share"), Column("direction", "指导方向")]
    part = heading.of("指导经营对象")
    return Table("指导经营对象", part, frame, columns, freeze_cols=3,
                 lead=(part.title, part.subtitle,
                       f"中、小户中{METRICS[metric]}低于本综合分类中位数的客户，按相对差距（差距÷中位数）由大到小排列"))


BRAND_COLUMNS = [*CUSTOMER_COLUMNS, Column("format", "业态"), Column("market", "市场类型"), Column("scale", "经营规模"),
                 Column("class_name", "综合分类"), Column("volume", "购进量(条)", "volume"),
                 Column("unit_value", "单条值(元/条)", "volume")]


def brand_tables(lists: dict[str, pd.DataFrame], heading: Heading, *, per_manager: bool = True) -> list[Table]:
    """R-ANA-BRAND: one sheet per list and 客户经理 (or, not `per_manager`, one per list, by 客户经理)."""
    tables = []
    for name, frame in lists.items():
        if not per_manager:
            tables.append(Table(name, heading.of(f"品牌培育：{name}"), frame, BRAND_COLUMNS, freeze_cols=2))
            continue
        for manager, rows in frame.groupby(frame["manager"].fillna("（未填客户经理）"), sort=True):
            tables.append(Table(f"{manager}-{name}", heading.of(f"{name}　客户经理：{manager}"),
                                rows.reset_index(drop=True), BRAND_COLUMNS, freeze_cols=2))
    return tables


def trend_table(trend: pd.DataFrame, heading: Heading) -> Table:
    """The monthly trend as a sheet."""
    columns = [Column("month", "月份"), Column("volume", "购进量(条)", "volume"),
               Column("amount", "购进额(元)", "amount"), Column("unit_value", "单条值(元/条)", "volume")]
    return Table("月度趋势", heading.of("月度趋势"), trend, columns, landscape=False)


@dataclass(frozen=True)
class Chart:
    """A native chart over one table: `kind` column/bar/line/scatter, the category (or x) column
    and the value columns, by key."""

    kind: str
    title: str
    table: int  # index into the tables written
    category: str
    values: Sequence[str]
    y_title: str = ""
    x_title: str = ""
    percent: bool = False


def _series(chart: Chart, table: Table, sheet: str) -> list[dict[str, object]]:
    keys = [c.key for c in table.columns]
    top = len(table.lead_lines)  # the header row, under the lead lines
    first, last = top + 1, top + len(table.frame)
    cat = keys.index(chart.category)
    out = []
    for key in chart.values:
        col = keys.index(key)
        series: dict[str, object] = {
            "name": [sheet, top, col],
            "categories": [sheet, first, cat, last, cat],
            "values": [sheet, first, col, last, col],
        }
        if chart.kind == "scatter":
            series["marker"] = {"type": "circle", "size": 3}
        else:
            series["data_labels"] = {"value": True, "num_format": "0.0%" if chart.percent else "#,##0.00"}
        out.append(series)
    return out


def write_book(path: Path, tables: Sequence[Table], charts: Sequence[Chart] = (), *,
               heading: Heading | None = None) -> None:
    """Each table on its sheet, then (with `charts`) a 图表 sheet with the charts, two per A4 page."""
    names = unique_sheet_names([*(t.sheet for t in tables), *([CHART_SHEET] if charts else [])])
    cells = sum(len(t.frame) * len(t.columns) for t in tables)
    with new_workbook(path, on_disk=cells > ON_DISK_CELLS) as workbook:
        styles = Styles(workbook)
        for name, table in zip(names, tables):
            write_table(add_sheet(workbook, name), styles, table)
        if not charts:
            return
        sheet = workbook.add_worksheet(names[-1])
        for i, spec in enumerate(charts):
            subtype = {"scatter": {"type": "scatter"}, "bar": {"type": "bar"}, "line": {"type": "line"}}.get(
                spec.kind, {"type": "column"})
            chart = workbook.add_chart(subtype)
            for series in _series(spec, tables[spec.table], names[spec.table]):
                chart.add_series(series)
            chart.set_title({"name": spec.title, "name_font": {"name": "宋体", "size": 12}})
            chart.set_x_axis({"name": spec.x_title, "num_font": {"name": "宋体"}})
            chart.set_y_axis({"name": spec.y_title, "num_format": "0%" if spec.percent else "#,##0",
                              "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
            chart.set_legend({"position": "bottom"} if len(spec.values) > 1 else {"none": True})
            chart.set_size({"width": 720, "height": 340})
            sheet.insert_chart(i * 18, 0, chart)
        set_a4(sheet, heading=(heading or tables[0].heading).of(CHART_SHEET), landscape=False, repeat_rows=None,
               print_area=(0, 0, len(charts) * 18, 11))


def report_tables(data: ReportData, heading: Heading) -> tuple[list[Table], list[Chart]]:
    """R-ANA-REPORT: every table of the report (targets and brand lists in full) and the charts
    over them: scale shares, 单条值 by 业态, the quadrant scatter, the monthly trend."""
    metrics = list(data.metrics)
    tables: list[Table] = []
    at: dict[str, int] = {}

    def add(key: str, *new: Table) -> None:
        at[key] = len(tables)
        tables.extend(new)

    formats = data.groups["format"].sort_values("unit_value", ascending=False, na_position="last", ignore_index=True)
    for key, groups in (("scale", data.groups["scale"]), ("format", formats), ("market", data.groups["market"]),
                        ("manager", data.groups["manager"])):
        add(key, *groups_tables(groups, key, metrics, heading))
    add("cross", cross_table_sheet(data.cross, "market", "format", "unit_value", heading))
    add("quadrants", quadrant_table(data.placed, "volume", "unit_value", heading))
    add("targets", targets_table(data.targets, "volume", heading))
    add("trend", trend_table(data.trend, heading))
    add("brand", *brand_tables(data.brand_lists, heading, per_manager=False))
    charts = [
        Chart("column", "经营规模结构与橄榄型对照", at["scale"], "group", ["customer_share", "volume_share", "amount_share"],
              y_title="占比", percent=True),
        Chart("column", "各业态单条值（元/条）", at["format"], "group", ["unit_value"], y_title="元/条"),
        Chart("scatter", "购进量与单条值（相对本综合分类中位数）", at["quadrants"], "x_ratio", ["y_ratio"],
              x_title="购进量÷同类中位数", y_title="单条值÷同类中位数"),
        Chart("line", "月度购进量趋势（条）", at["trend"], "month", ["volume"], y_title="条"),
    ]
    return tables, charts
