"""R-STAT: the workbook `客户分类情况统计表_<Q>.xlsx`.

Sheets, in the order a market manager reads them: 全公司汇总 first, then for each 营销部 its
summary (`<营销部>汇总`, left out when there is only one 营销部) followed by the sheets of its
客户经理 (a manager goes under the department of most of their customers). Each sheet: title,
填报 lines and the due date, the 14 × 3 grid with subtotals and shares, the movement against
the previous quarter, and the customers whose 综合分类 changed. A4 portrait, one page wide.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from cmtool.fields import SCALES
from cmtool.io.cn_text import cn_date, display_width, max_display_width
from cmtool.io.xlsx import Styles, column_values, lines_needed, new_workbook, row_height, set_a4, unique_sheet_names
from cmtool.periods import Quarter
from cmtool.rules.stat import (
    DUE_WORKDAY,
    GRID_COUNTS,
    GRID_SHARES,
    Movement,
    changed_customers,
    class_grid,
    movement,
)

COMPANY_SHEET = "全公司汇总"
NO_DEPARTMENT = "未分营销部"
NO_MANAGER = "未填客户经理"
BLANK = "________"
LAST_COL = 9  # columns A..J: A 市场类型 / 变动, B 业态 / 客户编码, C..J 户数 and 占比 of 大 中 小 合计


@dataclass(frozen=True)
class StatSheet:
    """One sheet to write: its wanted name, who fills it in, what it covers, and its rows."""

    name: str
    filler: str | None  # the 客户经理; None on summaries (the market manager signs by hand)
    scope: str  # e.g. `客户经理 张三`, `营销部 城区营销部`, `全公司`
    frame: pd.DataFrame


def plan_sheets(result: pd.DataFrame) -> list[StatSheet]:
    """全公司汇总, then per 营销部 its summary (only when there are several) and its managers."""
    department = column_values(result, "department").fillna(NO_DEPARTMENT)
    manager = result["manager"].fillna(NO_MANAGER)
    home = department.groupby(manager).agg(lambda s: s.mode().iloc[0])
    summaries = department.nunique() > 1
    sheets = [StatSheet(COMPANY_SHEET, None, "全公司", result)]
    for dept in sorted(home.unique()):
        if summaries:
            sheets.append(StatSheet(f"{dept}汇总", None, f"营销部 {dept}", result[department == dept]))
        for name in sorted(home.index[home == dept]):
            sheets.append(StatSheet(name, name, f"客户经理 {name}", result[manager == name]))
    return sheets


class SheetWriter:
    """Writes one statistics sheet top to bottom, keeping the current row."""

    def __init__(self, sheet: Worksheet, styles: Styles, id_width: int):
        self.ws, self.st, self.row = sheet, styles, 0
        self.widths = (10, max(14, id_width + 2), *[9] * 8)
        for c, width in enumerate(self.widths):
            sheet.set_column(c, c, width)

    def put(self, r: int, c: int, value: str | float, fmt: Format, to: tuple[int, int] | None = None) -> None:
        """A string (never a formula) or a number at (r, c), merged down/right to `to`."""
        if to is not None and to != (r, c):
            self.ws.merge_range(r, c, *to, "", fmt)
        if isinstance(value, str):
            self.ws.write_string(r, c, value, fmt)
        else:
            self.ws.write_number(r, c, value, fmt)

    def fit_row(self, cells: list[tuple[str, int, int]]) -> None:
        """Make the current row tall enough for its wrapped texts (merged cells never autofit)."""
        lines = max(lines_needed(display_width(t), sum(self.widths[c1 : c2 + 1])) for t, c1, c2 in cells)
        if lines > 1:
            self.ws.set_row(self.row, row_height(lines))

    def heading(self, quarter: Quarter, company: str, sheet: StatSheet, due: date) -> None:
        """Title and the 填报 lines; the due date on the right."""
        st = self.st
        self.ws.set_row(0, 30)
        title = f"客户分类情况统计表（{quarter.label}）"
        self.put(0, 0, title, st(bold=True, font_size=16, align="center"), to=(0, LAST_COL))
        left, right = st(align="left", text_wrap=True), st(align="right", text_wrap=True)
        lines = [
            (f"填报单位：{company}", f"报送截止：{cn_date(due)}（第{DUE_WORKDAY}个工作日）"),
            (f"填报人：{sheet.filler or BLANK}", f"填报日期：{cn_date(None)}"),
            (f"统计范围：{sheet.scope}（共 {len(sheet.frame):,} 户）", f"审核人：{BLANK}"),
        ]
        for offset, (a, b) in enumerate(lines, start=1):
            self.row = offset
            self.put(self.row, 0, a, left, to=(self.row, 4))
            self.put(self.row, 5, b, right, to=(self.row, LAST_COL))
            self.fit_row([(a, 0, 4), (b, 5, LAST_COL)])
        self.row += 2

    def section(self, title: str) -> None:
        self.put(self.row, 0, title, self.st(bold=True, font_size=11), to=(self.row, LAST_COL))
        self.row += 1

    def grid(self, frame: pd.DataFrame) -> None:
        """R-STAT (a): the 市场类型 × 业态 by 经营规模 grid with counts and shares."""
        st, r = self.st, self.row
        head = st.header()
        self.put(r, 0, "市场类型", head, to=(r + 1, 0))
        self.put(r, 1, "经营业态", head, to=(r + 1, 1))
        for j, label in enumerate(GRID_COUNTS):
            self.put(r, 2 + 2 * j, f"规模{label}" if label in SCALES else label, head, to=(r, 3 + 2 * j))
            self.put(r + 1, 2 + 2 * j, "户数", head)
            self.put(r + 1, 3 + 2 * j, "占比", head)
        r += 2
        grid = class_grid(frame)
        for i, rec in enumerate(grid.to_dict("records")):
            bold = rec["level"] != "detail"
            fill = {"bg_color": "#F2F2F2"} if bold else {}
            label = st.cell("text", bold=bold, align="center", **fill)
            if rec["level"] == "total":
                self.put(r + i, 0, rec["market"], label, to=(r + i, 1))
            else:
                self.put(r + i, 1, rec["format"], label)
            for j, (count, share) in enumerate(zip(GRID_COUNTS, GRID_SHARES)):
                self.put(r + i, 2 + 2 * j, rec[count], st.cell("count", bold=bold, **fill))
                self.put(r + i, 3 + 2 * j, rec[share], st.cell("share", bold=bold, **fill))
        markets = grid[grid["level"] != "total"].groupby("market", sort=False).groups
        for market, rows in markets.items():
            self.put(r + rows.min(), 0, str(market), st.cell("text", bold=True, align="center"), to=(r + rows.max(), 0))
        self.row = r + len(grid) + 1

    def movement(self, moved: Movement) -> None:
        """R-STAT (b): 上调/下调 by scale pair with subtotals, 不变, 调整, 新增 and the total."""
        st, r = self.st, self.row
        spans = ((0, 1), (2, 5), (6, 7), (8, 9))  # 变动情况, 明细, 户数, 占比
        for label, (c1, c2) in zip(("变动情况", "明细", "户数", "占比"), spans):
            self.put(r, c1, label, st.header(), to=(r, c2))
        r += 1
        groups = [
            ("上调", [*moved.up.items(), ("小计", moved.up_total)]),
            ("下调", [*moved.down.items(), ("小计", moved.down_total)]),
            ("不变", [("规模和分类都没有变化", moved.unchanged)]),
            ("调整", [("规模不变，业态或市场类型变化", moved.adjusted)]),
            ("新增", [("上季度没有分类", moved.new)]),
            ("合计", [("", moved.population)]),
        ]
        for label, details in groups:
            first = r
            for detail, count in details:
                bold = detail == "小计" or label == "合计"
                self.put(r, 2, detail, st.cell("text", bold=bold, align="center"), to=(r, 5))
                self.put(r, 6, count, st.cell("count", bold=bold), to=(r, 7))
                self.put(r, 8, moved.share(count), st.cell("share", bold=bold), to=(r, 9))
                r += 1
            self.put(first, 0, label, st.cell("text", bold=True, align="center"), to=(r - 1, 1))
        self.row = r + 1

    def changed(self, changed: pd.DataFrame) -> None:
        """R-STAT (c): customers whose 综合分类 changed, old and new side by side."""
        st = self.st
        columns = (  # field, header, first and last column
            ("change", "变动", 0, 0),
            ("customer_id", "客户编码", 1, 1),
            ("name", "客户名称", 2, 4),
            ("manager", "客户经理", 5, 5),
            ("previous_class", "上期分类", 6, 7),
            ("class_name", "本期分类", 8, 9),
        )
        for _, header, c1, c2 in columns:
            self.put(self.row, c1, header, st.header(), to=(self.row, c2))
        self.row += 1
        if changed.empty:
            self.put(self.row, 0, "本季度没有分类变动的客户", st.cell("text", align="center"), to=(self.row, LAST_COL))
            self.row += 1
            return
        body, centred = st.cell("text", text_wrap=True), st.cell("text", align="center")
        for values in changed.reindex(columns=[key for key, *_ in columns]).itertuples(index=False):
            cells = [("" if pd.isna(v) else str(v), c1, c2) for v, (_, _, c1, c2) in zip(values, columns)]
            for text, c1, c2 in cells:
                self.put(self.row, c1, text, centred if c1 == 0 else body, to=(self.row, c2))
            self.fit_row(cells)
            self.row += 1


def write_sheet(writer: SheetWriter, sheet: StatSheet, *, quarter: Quarter, company: str, due: date) -> None:
    """One whole statistics sheet, with its print set-up."""
    writer.heading(quarter, company, sheet, due)
    writer.ws.freeze_panes(writer.row - 1, 0)  # the title and 填报 lines stay in view
    writer.section("一、分类情况")
    writer.grid(sheet.frame)
    writer.section("二、与上季度比较")
    writer.movement(movement(sheet.frame))
    changed = changed_customers(sheet.frame)
    writer.section(f"三、分类变动客户明细（共 {len(changed):,} 户）")
    writer.changed(changed)
    set_a4(
        writer.ws,
        title=f"{company}　{sheet.scope}",
        landscape=False,
        repeat_rows=(0, 0),
        print_area=(0, 0, writer.row - 1, LAST_COL),
    )


def write_statbook(path: Path, result: pd.DataFrame, *, quarter: Quarter, company: str, due: date) -> None:
    """Write `客户分类情况统计表` for `quarter` from the classification result (R-STAT).

    `due` is the deadline printed on every sheet: `rules.stat.report_due(quarter, calendar)`.
    `path` is written directly: wrap the call in `atomic.Staging` for an atomic publish.
    """
    sheets = plan_sheets(result)
    id_width = max_display_width(result["customer_id"])
    with new_workbook(path) as workbook:
        styles = Styles(workbook)
        for name, sheet in zip(unique_sheet_names(s.name for s in sheets), sheets):
            writer = SheetWriter(workbook.add_worksheet(name), styles, id_width)
            write_sheet(writer, sheet, quarter=quarter, company=company, due=due)
