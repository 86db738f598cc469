"""R-STAT: the workbook `客户分类情况统计表_<Q>.xlsx`.

Sheets, in the order a market manager reads them: 全公司汇总 first, then for each 营销部 its
summary (`<营销部>汇总`, left out when there is only one 营销部) followed by the sheets of its
客户经理 (a manager goes under the department of most of their customers). Each sheet: title,
填报 lines and the due date, the 14 × 3 grid with subtotals and shares, the movement against
the previous quarter, and the customers whose 综合分类 changed. A4 portrait, one page wide; every
page's header names the company, the quarter and the sheet's scope, the list's headings repeat on
its continuation pages and each sheet numbers its own pages.

The figures of all sheets come from one pass over the result per partition (company, 营销部,
客户经理), and the changed customers' texts are made once and shared by the sheets listing them.
Cells are cheap to write but merges are not, so the ~15,000 rows of changed customers of a city
merge only where a text wraps (see SheetFormats.changed_texts).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from xlsxwriter.format import Format

from cmtool.fields import SCALES
from cmtool.documents.cn_text import cn_date, display_width, display_widths, max_display_width
from cmtool.documents.xlsx import (
    FLUSH_ROWS,
    Heading,
    Styles,
    add_sheet,
    column_values,
   
    lines_needed,
    lines_needed_each,
    new_workbook,
    row_height,
    set_a4,
    text_values,
    unique_sheet_names,
)
from cmtool.documents.xlsx_rows import RowSheet
from cmtool.periods import Quarter
from cmtool.rules.stat import (
    DUE_WORKDAY,
    GRID_COUNTS,
    GRID_ROWS,
    SUBTOTAL,
    TOTAL,
    Grid,
    Movement,
    changed_rows,
    class_grids,
    movements,
)

COMPANY_SHEET = "全公司汇总"
NO_DEPARTMENT = "未分营销部"
NO_MANAGER = "未填客户经理"
BLANK = "________"
LAST_COL = 9  # columns A..J: A 市场类型 / 变动, B 业态 / 客户编码, C..J 户数 and 占比 of 大 中 小 合计
SHADE = "#F2F2F2"
MOVEMENT_NOTE = (
    "注：不变指规模和分类都没有变化；调整指规模不变，业态或市场类型变化；新增指上季度没有分类。"
)
CHANGED_COLUMNS = (  # R-STAT (c): field, header, first and last column
    ("change", "变动", 0, 0),
    ("customer_id", "客户编码", 1, 1),
    ("name", "客户名称", 2, 4),
    ("manager", "客户经理", 5, 5),
    ("previous_class", "上期分类", 6, 7),
    ("class_name", "本期分类", 8, 9),
)


def column_widths(id_width: int) -> tuple[int, ...]:
    """Widths of columns A..J: 客户编码 fits in B, the figures in C..J."""
    return (10, max(14, id_width + 2), *[9] * 8)


@dataclass(frozen=True)
class Part:
    """The figures of one part of the result: its grid, its movement and its changed customers
    (positions in the ChangedList, in list order)."""

    grid: Grid
    moved: Movement
    changed: np.ndarray

    @property
    def population(self) -> int:
        return int(self.grid.counts[-1, -1])


@dataclass(frozen=True)
class StatSheet:
    """One sheet to write: its wanted name, who fills it in, what it covers, and its figures."""

    name: str
    filler: str | None  # the 客户经理; None on summaries (the market manager signs by hand)
    scope: str  # e.g. `客户经理 张三`, `营销部 城区营销部`, `全公司`
    part: Part


@dataclass(frozen=True)
class ChangedList:
    """R-STAT (c): the texts of every changed customer, made once, and the height of rows that wrap."""

    rows: list[tuple[str, ...]]  # one text per CHANGED_COLUMNS
    heights: dict[int, float]  # position in `rows` → row height, where a text wraps

    @classmethod
    def of(cls, result: pd.DataFrame, positions: np.ndarray, widths: tuple[int, ...]) -> ChangedList:
        """The changed rows at `positions` of `result`, laid out in columns of `widths`."""
        picked = result.iloc[positions]
        texts, lines = [], pd.Series(1, index=range(len(picked)), dtype="int64")
        for key, _, c1, c2 in CHANGED_COLUMNS:
            values = column_values(picked, key).reset_index(drop=True)
            texts.append([v or "" for v in text_values(values)])
            lines = lines.clip(lower=lines_needed_each(display_widths(values), sum(widths[c1 : c2 + 1])))
        heights = {i: row_height(n) for i, n in enumerate(lines.tolist()) if n > 1}
        return cls(list(zip(*texts)), heights)


def _split(groups: np.ndarray, size: int) -> list[np.ndarray]:
    """Positions of each group's members 0 … size−1, each in their original order."""
    order = np.argsort(groups, kind="stable")
    return np.split(order, np.cumsum(np.bincount(groups, minlength=size))[:-1])


def _parts(result: pd.DataFrame, groups: np.ndarray, size: int, changed: np.ndarray) -> list[Part]:
    """The figures of each of `size` parts; `groups` is each row's part, `changed` the changed rows."""
    grids = class_grids(result, groups, size)
    moved = movements(result, groups, size)
    return [Part(*figures) for figures in zip(grids, moved, _split(groups[changed], size))]


def plan_sheets(result: pd.DataFrame, changed: np.ndarray) -> list[StatSheet]:
    """全公司汇总, then per 营销部 its summary (only when there are several) and its managers;
    `changed` are the positions of the changed customers in list order (rules.stat.changed_rows)."""
    dept_codes, depts = pd.factorize(column_values(result, "department").fillna(NO_DEPARTMENT), sort=True)
    mgr_codes, managers = pd.factorize(result["manager"].fillna(NO_MANAGER), sort=True)
    pairs = np.bincount(mgr_codes * len(depts) + dept_codes, minlength=len(managers) * len(depts))
    home = pairs.reshape(len(managers), len(depts)).argmax(axis=1)  # ties: the first 营销部
    company = _parts(result, np.zeros(len(result), np.int64), 1, changed)[0]
    by_dept = _parts(result, dept_codes.astype(np.int64), len(depts), changed)
    by_manager = _parts(result, mgr_codes.astype(np.int64), len(managers), changed)
    sheets = [StatSheet(COMPANY_SHEET, None, "全公司", company)]
    for d, dept in enumerate(depts):
        if len(depts) > 1:
            sheets.append(StatSheet(f"{dept}汇总", None, f"营销部 {dept}", by_dept[d]))
        for m in np.flatnonzero(home == d):
            sheets.append(StatSheet(managers[m], managers[m], f"客户经理 {managers[m]}", by_manager[m]))
    return sheets


class SheetFormats:
    """The cell formats of the statistics sheets, made once per workbook."""

    def __init__(self, st: Styles):
        self.title = st(bold=True, font_size=16, align="center")
        self.left, self.right = st(align="left", text_wrap=True), st(align="right", text_wrap=True)
        self.section, self.note = st(bold=True, font_size=11), st(font_size=9)
        self.header = st.header()
        self.label = st.cell("text", bold=True, align="center")
        self.centred, self.body = st.cell("text", align="center"), st.cell("text", text_wrap=True)
        # A changed-list row whose texts fit on one line: a text spanning several columns runs on
        # over blank cells, outlined as one cell (cheaper than a merge on 15,000 rows).
        first, middle = st(top=1, bottom=1, left=1, num_format="@"), st(top=1, bottom=1)
        last = st(top=1, bottom=1, right=1)
        self.changed_texts = [(c1, self.centred if c1 == 0 else self.body if c1 == c2 else first)
                              for _, _, c1, c2 in CHANGED_COLUMNS]
        self.changed_blanks = [(c, last if c == c2 else middle)
                               for _, _, c1, c2 in CHANGED_COLUMNS for c in range(c1 + 1, c2 + 1)]
        figures = (("text", {"align": "center"}), ("count", {}), ("share", {}))
        self.shaded = {  # bold: (label, count, share); the grid's 小计 and 合计 rows are bold and shaded
            bold: tuple(st.cell(kind, bold=bold, **({"bg_color": SHADE} if bold else {}), **extra)
                        for kind, extra in figures)
            for bold in (False, True)
        }
        self.plain = {bold: tuple(st.cell(kind, bold=bold, **extra) for kind, extra in figures)
                      for bold in (False, True)}


class SheetWriter:
    """Writes one statistics sheet top to bottom, keeping the current row."""

    def __init__(self, sheet: RowSheet, formats: SheetFormats, widths: tuple[int, ...]):
        self.ws, self.fm, self.widths, self.row = sheet, formats, widths, 0
        for c, width in enumerate(widths):
            sheet.set_column(c, c, width)

    def put(self, r: int, c: int, value: str | float, fmt: Format, to: tuple[int, int] | None = None) -> None:
        """A string (text, never a formula: see xlsx.new_workbook) or a number at (r, c), merged
        down/right to `to`."""
        self.ws.merged(r, c, *(to or (r, c)), value, fmt)

    def line(self, text: str, fmt: Format) -> None:
        """A line of text at column A, unbordered: it runs on over the empty cells to its right."""
        self.ws.text(self.row, 0, text, fmt)
        self.row += 1

    def heading(self, quarter: Quarter, company: str, sheet: StatSheet, due: date) -> None:
        """Title and the 填报 lines (A..E); the due date on the right (F..J)."""
        fm, split = self.fm, 5
        self.ws.height(0, 30)
        self.put(0, 0, f"客户分类情况统计表（{quarter.label}）", fm.title, to=(0, LAST_COL))
        lines = [
            (f"填报单位：{company}", f"报送截止：{cn_date(due)}（第{DUE_WORKDAY}个工作日）"),
            (f"填报人：{sheet.filler or BLANK}", f"填报日期：{cn_date(None)}"),
            (f"统计范围：{sheet.scope}（共 {sheet.part.population:,} 户）", f"审核人：{BLANK}"),
        ]
        for r, (a, b) in enumerate(lines, start=1):
            self.put(r, 0, a, fm.left, to=(r, split - 1))
            self.put(r, split, b, fm.right, to=(r, LAST_COL))
            tall = max(lines_needed(display_width(a), sum(self.widths[:split])),
                       lines_needed(display_width(b), sum(self.widths[split:])))
            if tall > 1:  # merged cells never autofit
                self.ws.height(r, row_height(tall))
        self.row = len(lines) + 2

    def grid(self, grid: Grid) -> None:
        """R-STAT (a): the 市场类型 × 业态 by 经营规模 grid with counts and shares."""
        fm, r = self.fm, self.row
        self.put(r, 0, "市场类型", fm.header, to=(r + 1, 0))
        self.put(r, 1, "经营业态", fm.header, to=(r + 1, 1))
        for j, label in enumerate(GRID_COUNTS):
            self.put(r, 2 + 2 * j, f"规模{label}" if label in SCALES else label, fm.header, to=(r, 3 + 2 * j))
            self.ws.text(r + 1, 2 + 2 * j, "户数", fm.header)
            self.ws.text(r + 1, 3 + 2 * j, "占比", fm.header)
        first = r = r + 2
        figures = zip(GRID_ROWS, grid.counts.tolist(), grid.shares.tolist())
        for i, (row, counts, shares) in enumerate(figures, r):
            label, count, share = fm.shaded[row.level != "detail"]
            if row.level == "total":
                self.put(i, 0, row.market, label, to=(i, 1))
            else:
                self.ws.text(i, 1, row.format, label)
            if row.level == "subtotal":
                self.put(first, 0, row.market, fm.label, to=(i, 0))
                first = i + 1
            for j, (n, s) in enumerate(zip(counts, shares)):
                self.ws.number(i, 2 + 2 * j, n, count)
                self.ws.number(i, 3 + 2 * j, s, share)
        self.row = r + len(GRID_ROWS) + 1

    def movement(self, moved: Movement) -> None:
        """R-STAT (b): 上调 and 下调 by scale pair with their 小计, then 不变, 调整, 新增 and the
        合计; each with its 户数 and 占比 row."""
        fm, r = self.fm, self.row
        self.put(r, 0, "变动情况", fm.header, to=(r + 1, 1))
        self.put(r, 2, "上调", fm.header, to=(r, 5))
        self.put(r, 6, "下调", fm.header, to=(r, LAST_COL))
        moves = [*moved.up.items(), (SUBTOTAL, moved.up_total), *moved.down.items(), (SUBTOTAL, moved.down_total)]
        for c, (label, _) in enumerate(moves, 2):
            self.ws.text(r + 1, c, label, fm.header)
        self.movement_figures(r + 2, moved, [(n, c, c, label == SUBTOTAL) for c, (label, n) in enumerate(moves, 2)])
        r += 4
        rest = [("不变", moved.unchanged), ("调整", moved.adjusted), ("新增", moved.new), (TOTAL, moved.population)]
        spans = [(c, c + 1) for c in range(2, LAST_COL, 2)]
        self.put(r, 0, "变动情况", fm.header, to=(r, 1))
        for (label, _), (c1, c2) in zip(rest, spans):
            self.put(r, c1, label, fm.header, to=(r, c2))
        self.movement_figures(r + 1, moved, [(n, *span, label == TOTAL) for (label, n), span in zip(rest, spans)])
        self.row = r + 3
        self.line(MOVEMENT_NOTE, fm.note)
        self.row += 1

    def movement_figures(self, r: int, moved: Movement, cells: list[tuple[int, int, int, bool]]) -> None:
        """The 户数 row and the 占比 row under a movement header; `cells` are (count, first and
        last column, bold)."""
        fm = self.fm
        for row, (label, kind) in enumerate((("户数", 1), ("占比", 2)), r):
            self.put(row, 0, label, fm.label, to=(row, 1))
            for count, c1, c2, bold in cells:
                self.put(row, c1, count if kind == 1 else moved.share(count), fm.plain[bold][kind], to=(row, c2))

    def changed(self, listed: ChangedList, positions: np.ndarray) -> None:
        """R-STAT (c): customers whose 综合分类 changed, old and new side by side."""
        fm = self.fm
        for _, header, c1, c2 in CHANGED_COLUMNS:
            self.put(self.row, c1, header, fm.header, to=(self.row, c2))
        self.row += 1
        if not len(positions):
            self.put(self.row, 0, "本季度没有分类变动的客户", fm.centred, to=(self.row, LAST_COL))
            self.row += 1
            return
        ws, texts, blanks = self.ws, fm.changed_texts, fm.changed_blanks
        for r, i in enumerate(positions.tolist(), start=self.row):
            if i in listed.heights:
                self.wrapped_row(r, listed.rows[i], listed.heights[i])
                continue
            for text, (c, fmt) in zip(listed.rows[i], texts):
                ws.text(r, c, text, fmt)
            for c, fmt in blanks:
                ws.blank(r, c, fmt)
            if r % FLUSH_ROWS == 0:
                ws.flush(r + 1)
        self.row += len(positions)

    def wrapped_row(self, r: int, texts: tuple[str, ...], height: float) -> None:
        """A changed-list row with a text too long for one line: merged, wrapped cells."""
        self.ws.height(r, height)
        for text, (_, _, c1, c2) in zip(texts, CHANGED_COLUMNS):
            self.put(r, c1, text, self.fm.centred if c1 == 0 else self.fm.body, to=(r, c2))


def write_sheet(writer: SheetWriter, sheet: StatSheet, listed: ChangedList, *,
                quarter: Quarter, company: str, due: date) -> None:
    """One whole statistics sheet, with its print set-up."""
    writer.heading(quarter, company, sheet, due)
    writer.line("一、分类情况", writer.fm.section)
    writer.grid(sheet.part.grid)
    writer.line("二、与上季度比较", writer.fm.section)
    writer.movement(sheet.part.moved)
    writer.line(f"三、分类变动客户明细（共 {len(sheet.part.changed):,} 户）", writer.fm.section)
    list_header = writer.row
    writer.changed(listed, sheet.part.changed)
    set_a4(
        writer.ws,
        heading=Heading(company, "客户分类情况统计表", quarter.label, sheet.scope),
        landscape=False,
        repeat_rows=(list_header, list_header),  # the list's headings on its continuation pages
        print_area=(0, 0, writer.row - 1, LAST_COL),
    )


# the columns of the result write_statbook reads: a worker is sent these alone
INPUT_COLUMNS = ("customer_id", "name", "department", "manager", "market", "format", "scale", "class_name",
                 "previous_scale", "previous_class", "change")


def write_statbook(path: Path, result: pd.DataFrame, *, quarter: Quarter, company: str, due: date) -> None:
    """Write `客户分类情况统计表` for `quarter` from the classification result (R-STAT).

    `due` is the deadline printed on every sheet: `rules.stat.report_due(quarter, calendar)`.
    `path` is written directly: wrap the call in `atomic.Staging` for an atomic publish.
    """
    changed = changed_rows(result)
    sheets = plan_sheets(result, changed)
    widths = column_widths(max_display_width(result["customer_id"].iloc[changed]))  # B shows them in the list
    listed = ChangedList.of(result, changed, widths)
    with new_workbook(path) as workbook:
        formats = SheetFormats(Styles(workbook))
        for name, sheet in zip(unique_sheet_names(s.name for s in sheets), sheets):
            writer = SheetWriter(add_sheet(workbook, name), formats, widths)
            write_sheet(writer, sheet, listed, quarter=quarter, company=company, due=due)
