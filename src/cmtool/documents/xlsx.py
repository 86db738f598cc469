"""A small xlsx table writer on xlsxwriter, set up for Chinese offices (Excel / WPS, A4 paper).

Cells written from input can never become formulas or links: the workbook is opened with
`strings_to_formulas/urls/numbers` off and text goes through `write_string`, so a customer named
`=1+2` stays text. Widths are fitted to CJK text (two columns a character); every sheet prints on
A4, one page wide, header row repeated. Every printed page carries its `Heading` (company,
document, period and part) in the page header, and the sheet's own page number in the footer:
a sheet signed on its own numbers its own pages. A figure keeps its decimals only where it has
them (1,717 条, 17.50 条); long headings break before their unit, never inside it.
"""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import xlsxwriter
import xlsxwriter.workbook
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from cmtool.documents.cn_text import display_width, display_widths, max_display_width
from cmtool.documents.xlsx_rows import RowSheet

Kind = Literal["text", "int", "count", "volume", "amount", "share", "fine_share", "date"]

# Excel's number format of each kind, and the same in Python (to measure the widest value).
NUMBER_FORMATS: dict[str, tuple[str, str]] = {
    "text": ("@", "{}"),
    "int": ("0", "{:.0f}"),
    "count": ("#,##0", "{:,.0f}"),
    "volume": ("#,##0.00", "{:,.2f}"),  # 条; a whole value is written as a count (Styles.figure)
    "amount": ("#,##0.00", "{:,.2f}"),  # 元
    "share": ("0.00%", "{:.2%}"),
    "fine_share": ("0.0000%", "{:.4%}"),  # per-customer shares: 1/6000 of a city is 0.0167 %
    "date": ('yyyy"年"m"月"d"日"', "2026年12月31日"),  # the widest a Chinese date gets
}
EDITABLE_FILL = "#FFF2CC"  # light yellow: the cells a user may fill in or change
CENTRED_KINDS = frozenset({"int", "date"})  # ranks and row numbers do not touch a left-aligned code
FONT = "宋体"  # SimSun: on every Chinese Windows, and WPS maps it everywhere
MAX_WIDTH = 30  # wider text wraps
FILTER_BUTTON = 3  # the autofilter arrow covers about this much of a header cell
LINE_HEIGHT = 13.5  # points per line of 10-point 宋体
# Above this many cells, each sheet's XML goes to a temporary file before it is zipped (the
# rows of a RowSheet always do once flushed); below it, it is assembled in memory.
ON_DISK_CELLS = 1_500_000
FLUSH_ROWS = 4096  # a table's rows held before they are written out
PAGE_FOOTER = "&C第 &P 页"  # &N would count the whole workbook's pages in LibreOffice and WPS
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\\x00-\x1f]")


@dataclass(frozen=True)
class Heading:
    """What every printed page of a sheet says: the company that issued it, what the document is,
    the period it covers and, where a workbook has several, the part (a 营销部, a manager, a list)."""

    company: str
    document: str  # e.g. 客户分类情况统计表
    period: str  # e.g. 2026年第3季度, 2026年10月, 2026年11月2日
    part: str = ""

    @property
    def title(self) -> str:
        """The first line of a sheet: 《<company><document>》."""
        return f"《{self.company}{self.document}》"

    @property
    def subtitle(self) -> str:
        return "　".join(s for s in (self.period, self.part) if s)

    @property
    def page_header(self) -> str:
        """The page header: company, document, period and part on one line."""
        return "　".join(s for s in (self.company, self.document, self.period, self.part) if s)

    def of(self, part: str) -> Heading:
        """The same document's heading for another part."""
        return Heading(self.company, self.document, self.period, part)


def header_lines(header: str) -> list[str]:
    """A column heading as printed: a unit in brackets goes on a line of its own, so a heading
    never wraps inside its unit ("预计每次订货量" / "(条/次)")."""
    head, bracket, unit = header.partition("(")
    return [head, bracket + unit] if head and bracket else [header]


@dataclass(frozen=True)
class Column:
    """One column of a table: the frame column `key`, its Chinese `header` and its kind."""

    key: str
    header: str
    kind: Kind = "text"
    editable: bool = False  # a cell the user fills in: shaded, so the workbook shows what may be edited


@dataclass(frozen=True)
class Table:
    """One sheet: a frame shown as a bordered table with a frozen, filterable header row."""

    sheet: str
    heading: Heading  # printed in the page header of every page
    frame: pd.DataFrame
    columns: Sequence[Column]
    freeze_cols: int = 0
    landscape: bool = True
    lead: Sequence[str] = ()  # lines above the table: a title (bold), then notes such as due dates;
    # without them the sheet opens with the heading's title and subtitle

    @property
    def lead_lines(self) -> Sequence[str]:
        return self.lead or (self.heading.title, self.heading.subtitle)


ZIP_LEVEL = 1  # deflate level of every workbook's parts: a quarter of level 6's time, a third larger


class _QuickZip(zipfile.ZipFile):
    """The zip file xlsxwriter writes a workbook into, at ZIP_LEVEL: xlsxwriter opens it with no
    level and hands over its in-memory parts as ZipInfo objects, which carry none either."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, compresslevel=ZIP_LEVEL, **kwargs)

    def writestr(self, zinfo_or_arcname: Any, data: Any, compress_type: int | None = None,
                 compresslevel: int | None = None) -> None:
        super().writestr(zinfo_or_arcname, data, compress_type, ZIP_LEVEL if compresslevel is None else compresslevel)


xlsxwriter.workbook.ZipFile = _QuickZip  # type: ignore[misc]  # xlsxwriter has no option for the level


def new_workbook(path: Path, *, on_disk: bool = False) -> xlsxwriter.Workbook:
    """A workbook that writes every string as text: never a formula, a link or a number. Add
    its sheets with `add_sheet`.

    Unless it is large (`on_disk`), the sheets' XML is assembled in memory rather than in
    temporary files: several times faster to close on a workbook of many sheets."""
    return xlsxwriter.Workbook(
        str(path),
        {
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "in_memory": not on_disk,
            "tmpdir": str(Path(path).parent),  # scratch files beside the staged file (atomic.py), not in %TEMP%
        },
    )


def add_sheet(workbook: xlsxwriter.Workbook, name: str) -> RowSheet:
    """A new sheet whose cells are written as XML at once (xlsx_rows.RowSheet)."""
    sheet = workbook.add_worksheet(name, worksheet_class=RowSheet)
    assert isinstance(sheet, RowSheet)
    return sheet


class Styles:
    """Cell formats of one workbook, created once per distinct set of properties."""

    BASE: dict[str, Any] = {"font_name": FONT, "font_size": 10, "valign": "vcenter"}

    def __init__(self, workbook: xlsxwriter.Workbook):
        self._workbook = workbook
        self._cache: dict[tuple[tuple[str, Any], ...], Format] = {}

    def __call__(self, **props: Any) -> Format:
        """The format with BASE plus `props` (xlsxwriter property names)."""
        key = tuple(sorted(props.items()))
        if key not in self._cache:
            self._cache[key] = self._workbook.add_format({**self.BASE, **props})
        return self._cache[key]

    def cell(self, kind: Kind, **props: Any) -> Format:
        """A bordered body cell of `kind`, padded one character from its border (a right-aligned
        figure never touches the text beside it); ranks and dates centred."""
        if "align" not in props:
            props.update(align="center") if kind in CENTRED_KINDS else props.update(
                align="left" if kind == "text" else "right", indent=1)
        return self(border=1, num_format=NUMBER_FORMATS[kind][0], **props)

    def figure(self, kind: Kind, value: float, **props: Any) -> Format:
        """The cell format of one number: a whole volume prints without decimals (1,717 条)."""
        whole = kind == "volume" and float(value).is_integer()
        return self.cell("count" if whole else kind, **props)

    def header(self, **props: Any) -> Format:
        """A bordered, bold, shaded header cell."""
        return self(border=1, bold=True, bg_color="#DDEBF7", align="center", text_wrap=True, **props)


def escape_header_footer(text: str) -> str:
    """`text` for a page header/footer: `&` starts a control code there, so double it."""
    return text.replace("&", "&&")


def set_a4(
    sheet: Worksheet,
    *,
    heading: Heading,
    landscape: bool,
    repeat_rows: tuple[int, int] | None,
    print_area: tuple[int, int, int, int],
    page_numbers: bool = True,
) -> None:
    """A4, one page wide, `repeat_rows` on every page after the one they are on, the heading in
    the page header, the sheet's own page numbers (from 1) in the footer unless `page_numbers`
    is off (a sheet of one-page files, each its own document)."""
    sheet.set_paper(9)
    if landscape:
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    sheet.fit_to_pages(1, 0)
    if repeat_rows is not None:
        sheet.repeat_rows(*repeat_rows)
    sheet.print_area(*print_area)
    sheet.center_horizontally()
    sheet.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.75)
    sheet.set_header(f"&C{escape_header_footer(heading.page_header)}", {"margin": 0.3})
    if page_numbers:
        sheet.set_start_page(1)
        sheet.set_footer(PAGE_FOOTER, {"margin": 0.3})


def unique_sheet_names(names: Iterable[str]) -> list[str]:
    """Valid, distinct Excel sheet names: ≤ 31 characters, none of []:*?/\\, unique ignoring case."""
    taken: set[str] = set()
    result = []
    for name in names:
        base = _BAD_SHEET_CHARS.sub("_", str(name)).strip().strip("'") or "Sheet"
        if base.lower() == "history":  # reserved by Excel
            base += "_"
        candidate, n = base[:31], 2
        while candidate.lower() in taken:
            suffix = f"({n})"
            candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
        taken.add(candidate.lower())
        result.append(candidate)
    return result


def column_values(frame: pd.DataFrame, key: str) -> pd.Series:
    """`frame[key]`, or an all-missing column when the frame lacks it (e.g. no previous quarter)."""
    if key in frame.columns:
        return frame[key]
    return pd.Series(None, index=frame.index, dtype=object)


def body_width(values: pd.Series, kind: Kind) -> int:
    """The display width of the widest value of a column, as Excel will show it."""
    if kind == "text":
        return max_display_width(values)
    if kind == "date":
        return display_width(NUMBER_FORMATS["date"][1])
    numbers = pd.to_numeric(values, errors="coerce").abs()
    top = float(numbers.max()) if numbers.notna().any() else 0.0
    return len(NUMBER_FORMATS[kind][1].format(top))


def column_width(header: str, body: int) -> float:
    """Wide enough for the widest value and the header's widest line (`header_lines`); a header
    of one long line may wrap onto two; capped."""
    lines = header_lines(header)
    widest = max(display_width(line) for line in lines)
    header_fits = (widest if len(lines) > 1 else math.ceil(widest / 2)) + FILTER_BUTTON
    return min(max(body + 2, header_fits), MAX_WIDTH)


def _usable(column: float) -> float:
    return max(column - 1, 1)


def lines_needed(width: int, column: float) -> int:
    """Lines a wrapped text of display width `width` takes in a column `column` wide."""
    return max(1, math.ceil(width / _usable(column)))


def lines_needed_each(widths: pd.Series, column: float) -> pd.Series:
    """`lines_needed` of each width of a column (vectorised)."""
    return np.ceil(widths / _usable(column)).clip(lower=1).astype("int64")


def row_height(lines: int) -> float:
    """Row height in points for `lines` lines of 10-point text (merged and wrapped cells never
    autofit in Excel, so rows with wrapped text get an explicit height)."""
    return LINE_HEIGHT * lines + 3


def text_values(values: pd.Series) -> list[str | None]:
    """Strings of a column, None where missing."""
    arr = values.to_numpy(dtype=object)
    missing = pd.isna(arr)
    out = arr.astype(str).astype(object)
    out[missing] = None
    return out.tolist()


def number_values(values: pd.Series) -> list[float | None]:
    """Floats of a column, None where missing or not finite."""
    arr = pd.to_numeric(values).to_numpy(dtype="float64", na_value=np.nan)
    out = arr.astype(object)
    out[~np.isfinite(arr)] = None
    return out.tolist()


def write_lead(sheet: RowSheet, styles: Styles, lines: Sequence[str], width: float, last_col: int) -> None:
    """The lines above a table, each merged across its columns: the first bold and larger."""
    for r, text in enumerate(lines):
        fmt = styles(bold=True, font_size=14, align="center") if r == 0 else styles(text_wrap=True)
        sheet.height(r, 22 if r == 0 else row_height(lines_needed(display_width(text), width)))
        sheet.merged(r, 0, r, last_col, text, fmt)


def date_values(values: pd.Series) -> list[Any]:
    """Dates of a column (ISO text, dates or timestamps) as datetimes, None where missing."""
    days = pd.to_datetime(values, errors="coerce")
    return [None if pd.isna(d) else d.to_pydatetime() for d in days]


class ColumnWriter:
    """How one column's cells are written: the values, the write method and the format(s)."""

    def __init__(self, sheet: RowSheet, styles: Styles, col: Column, values: pd.Series):
        fill = {"bg_color": EDITABLE_FILL} if col.editable else {}
        self.fmt = styles.cell(col.kind, text_wrap=True, **fill) if col.kind == "text" else styles.cell(col.kind, **fill)
        self.whole = styles.figure(col.kind, 1, **fill) if col.kind == "volume" else None
        if col.kind == "text":
            self.values: list[Any] = text_values(values)
            self.write: Callable[[int, int, Any, Format], None] = sheet.text
        elif col.kind == "date":
            self.values, self.write = date_values(values), sheet.date
        else:
            self.values, self.write = number_values(values), sheet.number

    def format_of(self, value: Any) -> Format:
        """The cell's format: a whole volume prints without decimals."""
        if self.whole is not None and float(value).is_integer():
            return self.whole
        return self.fmt


def write_table(sheet: RowSheet, styles: Styles, table: Table) -> None:
    """Write `table` below its lead lines: header, bordered body, widths, freeze, filter, A4
    print set-up with the header row repeated on every page."""
    frame, columns, lead = table.frame, table.columns, table.lead_lines
    top = len(lead)
    writers: list[ColumnWriter] = []
    column_widths: list[float] = []
    header_rows = 1
    body_lines = pd.Series(1, index=range(len(frame)), dtype="int64")
    for c, col in enumerate(columns):
        values = column_values(frame, col.key)
        width = column_width(col.header, body_width(values, col.kind))
        sheet.set_column(c, c, width)
        column_widths.append(width)
        header_rows = max(header_rows, sum(lines_needed(display_width(line) + FILTER_BUTTON, width)
                                           for line in header_lines(col.header)))
        if col.kind == "text":
            widths = display_widths(values).reset_index(drop=True)
            body_lines = body_lines.clip(lower=lines_needed_each(widths, width))
        writers.append(ColumnWriter(sheet, styles, col, values))
    last_row, last_col = top + len(frame), max(len(columns) - 1, 0)
    write_lead(sheet, styles, lead, sum(column_widths), last_col)
    sheet.height(top, row_height(header_rows))
    for c, col in enumerate(columns):
        sheet.text(top, c, "\n".join(header_lines(col.header)), styles.header())
    tall = {r: row_height(n) for r, n in enumerate(body_lines.tolist(), start=top + 1) if n > 1}
    rows = zip(*(w.values for w in writers)) if writers else iter(())
    for r, row in enumerate(rows, start=top + 1):
        if r in tall:
            sheet.height(r, tall[r])
        for c, (value, w) in enumerate(zip(row, writers)):
            if value is None:
                sheet.blank(r, c, w.fmt)
            else:
                w.write(r, c, value, w.format_of(value))
        if r % FLUSH_ROWS == 0:
            sheet.flush(r + 1)
    sheet.freeze_panes(top + 1, table.freeze_cols)
    sheet.autofilter(top, 0, last_row, last_col)
    set_a4(
        sheet,
        heading=table.heading,
        landscape=table.landscape,
        repeat_rows=(top, top),
        print_area=(0, 0, last_row, last_col),
    )


def write_tables(path: Path, tables: Sequence[Table]) -> None:
    """Write each table on its own sheet (names made valid and unique) into the xlsx at `path`."""
    cells = sum(len(t.frame) * len(t.columns) for t in tables)
    names = unique_sheet_names(t.sheet for t in tables)
    with new_workbook(path, on_disk=cells > ON_DISK_CELLS) as workbook:
        styles = Styles(workbook)
        for name, table in zip(names, tables):
            write_table(add_sheet(workbook, name), styles, table)
