"""R-TOP5: the workbook `月销量排名前5%客户档案_<M>.xlsx`.

Sheets: 名单, 新进入, 退出, 异常监控 (the last three only when they have rows; tables: `xlsx.write_table` under the title
《<company>月销量排名前5%客户档案》 and a line saying what the sheet holds); 档案 (one file a
customer, one A4 portrait page each: basic info, 12 months of volume, amount and rank, the
month's cigarette structure, the anomaly sentences and an empty 书面分析 box); then 过期档案 and
数据问题 when there are any. Excel allows 1023 page breaks a sheet, so the files continue on
档案(2), 档案(3)… after every FILES_PER_SHEET files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
from xlsxwriter.format import Format

from cmtool.errors import Problem
from cmtool.documents.background import Background
from cmtool.documents.cn_text import cn_date, display_width
from cmtool.documents.tables import problem_table
from cmtool.documents.xlsx import (
    ON_DISK_CELLS, Column, Heading, Kind, Styles, Table, add_sheet, lines_needed, new_workbook,
    row_height, set_a4, unique_sheet_names, write_table,
)
from cmtool.documents.xlsx_rows import RowSheet, Spooled
from cmtool.periods import Month

DOCUMENT = "月销量排名前5%客户档案"
FILES_PER_SHEET = 1000
DOSSIER_CELLS = 115  # cells of a file (档案) on its page, about: to weigh files against table cells
WIDTHS = (13, 17, 13, 17, 13, 17)  # 档案: label, value, label, value, label, value
LAST = len(WIDTHS) - 1
ANALYSIS_LINES = 12
HANDWRITTEN = {"cause", "measure"}  # columns the manager fills in on paper
HANDWRITTEN_WIDTH = 24
SPANS = {1: [(0, 1, LAST)], 2: [(0, 1, 1), (2, 3, LAST)], 3: [(0, 1, 1), (2, 3, 3), (4, 5, 5)]}  # label, value from, to
ANALYSIS_TOPICS = "围绕卷烟流向、库存价格、卷烟结构、重点品牌等情况书面分析；对异常情况要查明原因，写明采取的措施"

MEMBER_COLUMNS = (
    Column("rank", "名次", "int"), Column("customer_id", "客户编码"), Column("name", "客户名称"),
    Column("department", "营销部"), Column("manager", "客户经理"), Column("format", "经营业态"),
    Column("market", "市场类型"), Column("volume", "购进量(条)", "volume"), Column("amount", "购进额(元)", "amount"),
    Column("unit_value", "单条值(元/条)", "amount"), Column("status", "名单状态"),
    Column("previous_rank", "上月名次", "int"), Column("file_action", "档案"), Column("flags", "异常提示"),
)
ENTERED_COLUMNS = (
    Column("rank", "名次", "int"), Column("customer_id", "客户编码"), Column("name", "客户名称"),
    Column("manager", "客户经理"), Column("volume", "购进量(条)", "volume"),
    Column("previous_volume", "上月购进量(条)", "volume"), Column("previous_month_rank", "上月全市名次", "int"),
    Column("file_action", "档案处理"),
)
EXITED_COLUMNS = (
    Column("previous_rank", "上月名次", "int"), Column("customer_id", "客户编码"), Column("name", "客户名称"),
    Column("manager", "客户经理"), Column("previous_volume", "上月购进量(条)", "volume"),
    Column("volume", "本月购进量(条)", "volume"), Column("rank", "本月全市名次", "int"), Column("reason", "退出原因"),
    Column("archived_on", "归档日期", "date"), Column("retain_until", "档案保存至", "date"),
)
ANOMALY_COLUMNS = (
    Column("rank", "名次", "int"), Column("customer_id", "客户编码"), Column("name", "客户名称"),
    Column("manager", "客户经理"), Column("label", "异常类型"), Column("detail", "情况说明"),
    Column("cause", "原因核查（客户经理填写）"), Column("measure", "采取措施"),
)
EXPIRED_COLUMNS = (
    Column("customer_id", "客户编码"), Column("name", "客户名称"), Column("manager", "客户经理"),
    Column("opened_on", "建档日期", "date"), Column("archived_on", "归档日期", "date"),
    Column("retain_until", "保存至", "date"),
    Column("state", "状态"),
)
HISTORY_COLUMNS: tuple[tuple[str, str, Kind], ...] = (
    ("month", "月份", "text"), ("volume", "购进量(条)", "volume"), ("amount", "购进额(元)", "amount"),
    ("unit_value", "单条值(元/条)", "amount"), ("rank", "全市名次", "int"), ("on_list", "是否在前5%名单", "text"),
)


@dataclass(frozen=True)
class Dossier:
    """One customer's file (档案) as printed: every value already in words or numbers."""

    heading: str  # e.g. `黄田坝百货商场（客户编码 510105100554）`
    info: list[list[tuple[str, str]]]  # rows of (label, value) pairs: 1, 2 or 3 pairs a row
    history: list[tuple[object, ...]]  # HISTORY_COLUMNS values of each month, oldest first; None = empty
    structure: list[list[tuple[str, str]]]  # like info
    structure_note: str | None  # why the structure is missing, else None
    anomalies: list[str]


@dataclass(frozen=True)
class Top5Book:
    """What the workbook shows: the frames of the list sheets (keys of the *_COLUMNS) and the files."""

    company: str
    month: Month
    published: date
    scope: str  # `全市` or `客户经理 张三`
    members: pd.DataFrame
    entered: pd.DataFrame
    exited: pd.DataFrame
    anomalies: pd.DataFrame
    dossiers: list[Dossier]
    expired: pd.DataFrame = field(default_factory=pd.DataFrame)
    problems: Sequence[Problem] = ()

    @property
    def heading(self) -> Heading:
        return Heading(self.company, DOCUMENT, self.month.label, self.scope)

    @property
    def title(self) -> str:
        return self.heading.title


class DossierFormats:
    """The formats of the 档案 sheets, made once a workbook."""

    def __init__(self, styles: Styles):
        self.title = styles(bold=True, font_size=14, align="center")
        self.heading = styles(bold=True, font_size=12)
        self.section = styles(bold=True, font_size=11)
        self.label = styles.cell("text", bold=True, bg_color="#F2F2F2", align="center", text_wrap=True)
        self.value = styles.cell("text", text_wrap=True)
        self.header = styles.header()
        self.cells = [styles.cell(kind, align="center") if kind == "text" else styles.cell(kind)
                      for _, _, kind in HISTORY_COLUMNS]
        self.whole = [styles.figure(kind, 1) if kind == "volume" else fmt
                      for (_, _, kind), fmt in zip(HISTORY_COLUMNS, self.cells)]
        self.plain = styles(text_wrap=True, valign="top")
        self.unwrapped = styles()
        self.boxed = styles(text_wrap=True, valign="top", border=1)
        self.hint = styles(text_wrap=True, valign="top", italic=True, font_color="#595959")

    def resolve(self) -> None:
        """Give every format its index in the workbook now, so that a sheet written in another
        process (`dossier_rows`) finds the same indexes."""
        for fmt in (self.title, self.heading, self.section, self.label, self.value, self.header, *self.cells,
                    *self.whole, self.plain, self.unwrapped, self.boxed, self.hint):
            fmt._get_xf_index()


class DossierWriter:
    """Writes the files one under the other on a 档案 sheet, a page break after each.

    Thousands of files make a city's workbook, so the sheet is a `RowSheet` (each file's rows
    written out once it is done), formats are made once, short titles are written in column A
    only (they run on over the empty cells) and the analysis box is one tall merged row.
    """

    def __init__(self, sheet: RowSheet, formats: DossierFormats, title: str):
        """`title`: the document's title and month, repeated on every page."""
        self.ws, self.row, self.f = sheet, 0, formats
        self.breaks: list[int] = []
        sheet.height(0, 24)
        self.merged(0, LAST, title, formats.title)
        self.row = 1

    def merged(self, first: int, last: int, value: str, fmt: Format) -> None:
        """Text (never a formula) in the current row, merged over columns first..last."""
        self.ws.merged(self.row, first, self.row, last, value, fmt)

    def fit(self, texts: list[tuple[str, int, int]]) -> None:
        """The current row tall enough for its wrapped texts (merged cells never autofit); called
        before the row is written, as a RowSheet requires."""
        lines = max(1 if 2 * len(t) < sum(WIDTHS[a : b + 1]) else lines_needed(display_width(t), sum(WIDTHS[a : b + 1]))
                    for t, a, b in texts)  # a text under half the width fits whatever its characters
        if lines > 1:
            self.ws.height(self.row, row_height(lines))

    def line(self, text: str, fmt: Format) -> None:
        """A short line in column A."""
        self.ws.text(self.row, 0, text, fmt)
        self.row += 1

    def pairs(self, rows: list[list[tuple[str, str]]]) -> None:
        """Label/value pairs: three a row in columns A–F; fewer pairs get wider value cells."""
        for pairs in rows:
            placed = list(zip(pairs, SPANS[len(pairs)]))
            self.fit([t for (text, content), (at, first, last) in placed
                      for t in ((text, at, at), (content, first, last))])
            for (text, content), (at, first, last) in placed:
                self.ws.text(self.row, at, text, self.f.label)
                self.merged(first, last, content, self.f.value)
            self.row += 1

    def history(self, rows: list[tuple[object, ...]]) -> None:
        """R-TOP5 4: the 12 months table; None is an empty cell."""
        for c, (_, header, _) in enumerate(HISTORY_COLUMNS):
            self.ws.text(self.row, c, header, self.f.header)
        self.row += 1
        for values in rows:
            for c, (value, fmt, whole) in enumerate(zip(values, self.f.cells, self.f.whole)):
                if value is None:
                    self.ws.blank(self.row, c, fmt)
                elif isinstance(value, str):
                    self.ws.text(self.row, c, value, fmt)
                else:
                    self.ws.number(self.row, c, value, whole if float(value).is_integer() else fmt)
            self.row += 1

    def note(self, text: str, fmt: Format) -> None:
        """A full-width wrapped line."""
        self.fit([(text, 0, LAST)])
        self.merged(0, LAST, text, fmt)
        self.row += 1

    def dossier(self, d: Dossier, month: Month) -> None:
        """One file: heading, basic info, history, structure, anomalies, the analysis box."""
        f = self.f
        if self.breaks:  # the first file sits under the sheet's own title row
            self.row += 1
        self.line(d.heading, f.heading)
        self.line("一、基本信息", f.section)
        self.pairs(d.info)
        self.line(f"二、近12个月购进情况（至{month.label}）", f.section)
        self.history(d.history)
        self.line(f"三、卷烟结构（{month.label}）", f.section)
        self.pairs(d.structure)
        if d.structure_note:
            self.note(d.structure_note, f.plain)
        self.line("四、异常情况", f.section)
        for i, sentence in enumerate(d.anomalies, start=1):
            self.note(f"{i}. {sentence}", f.boxed)
        if not d.anomalies:
            self.note("本月未发现异常。", f.boxed)
        self.line("五、书面分析", f.section)
        self.note(ANALYSIS_TOPICS, f.hint)
        self.ws.height(self.row, row_height(ANALYSIS_LINES))
        self.merged(0, LAST, "", f.boxed)
        self.row += 1
        self.line(f"客户经理（签名）：________________　　填写日期：{cn_date(None)}", f.unwrapped)
        self.breaks.append(self.row)
        self.ws.flush(self.row)


@dataclass(frozen=True)
class DossierSheet:
    """A 档案 sheet's rows written (here or by `dossier_rows` elsewhere), with its page breaks."""

    rows: Spooled | None  # None: written into the workbook's own sheet
    breaks: list[int]
    last_row: int


def _write_dossiers(writer: DossierWriter, dossiers: list[Dossier], month: Month) -> DossierSheet:
    for dossier in dossiers:
        writer.dossier(dossier, month)
    return DossierSheet(None, writer.breaks, writer.row)


def dossier_rows(spool: Path, indexes: dict[str, int], title: str, month: Month, dossiers: list[Dossier]) -> DossierSheet:
    """A 档案 sheet written to `spool` outside its workbook (in the worker, documents/background.py),
    with the format indexes the workbook gave (`DossierFormats.resolve`); `RowSheet.adopt` takes it in."""
    scratch = new_workbook(spool)  # never closed: only its formats are used, with the workbook's indexes
    scratch.xf_format_indices.update(indexes)
    sheet = RowSheet(spool=spool)
    written = _write_dossiers(DossierWriter(sheet, DossierFormats(Styles(scratch)), title), dossiers, month)
    if len(scratch.xf_format_indices) != len(indexes):
        raise RuntimeError("档案格式与工作簿不一致")  # a format the workbook did not resolve
    return DossierSheet(sheet.spooled(), written.breaks, written.last_row)


def _finish(sheet: RowSheet, written: DossierSheet, book: Top5Book) -> None:
    """The sheet's columns and page set-up: a page each file."""
    if written.rows is not None:
        sheet.adopt(written.rows)
    for c, width in enumerate(WIDTHS):
        sheet.set_column(c, c, width)
    sheet.set_h_pagebreaks(written.breaks[:-1])
    set_a4(sheet, heading=book.heading.of(f"{book.scope}　每户一页"), landscape=False, repeat_rows=(0, 0),
           print_area=(0, 0, max(written.last_row - 1, 0), LAST), page_numbers=False)  # each page is a file of its own


def _handed_over(chunks: list[list[Dossier]], table_cells: int) -> int:
    """How many of the last 档案 sheets a worker writes while this process writes the rest and
    the tables: the split that evens out the two (a file is some DOSSIER_CELLS cells)."""
    own = table_cells / DOSSIER_CELLS
    sizes = [len(c) for c in chunks]
    return min(range(len(sizes) + 1), key=lambda k: max(own + sum(sizes[: len(sizes) - k]), sum(sizes[len(sizes) - k :])))


def _tables(book: Top5Book) -> list[Table]:
    """名单, then 新进入, 退出 and 异常监控 where they have rows (an empty sheet would print as a
    page of its own; the 名单 sheet says which are empty), each under the document's title and
    a line saying what it holds."""
    period = f"{book.month.label}（{book.scope}）"

    def table(sheet: str, what: str, frame: pd.DataFrame, columns: tuple[Column, ...]) -> Table:
        return Table(sheet, book.heading.of(f"{book.scope}　{sheet}"), frame, columns, freeze_cols=3,
                     lead=(book.title, f"{period}{what}"))

    side = [
        table("新进入", "新进入名单的客户：新建档案，或重新启用保存期内的原档案", book.entered, ENTERED_COLUMNS),
        table("退出", "退出名单的客户：档案归档，保存至年底", book.exited, EXITED_COLUMNS),
        table("异常监控", "异常情况：请查明原因，填写「原因核查」「采取措施」两栏", book.anomalies, ANOMALY_COLUMNS),
    ]
    empty = "、".join(t.sheet for t in side if t.frame.empty)
    note = f"；本月没有{empty}的客户" if empty else ""
    listed = table("名单", f"月销量排名前5%客户名单，{cn_date(book.published)}发布{note}", book.members, MEMBER_COLUMNS)
    return [listed, *(t for t in side if not t.frame.empty)]


def write_top5book(path: Path, book: Top5Book, background: Background | None = None) -> None:
    """Write the R-TOP5 workbook to `path` (wrap in `atomic.Staging` for an atomic publish). With
    a `background` using a worker, the last 档案 sheets are written there meanwhile."""
    tables = _tables(book)
    trailing = []
    if not book.expired.empty:
        trailing.append(Table("过期档案", book.heading.of("保存期已过的档案"), book.expired, EXPIRED_COLUMNS))
    if book.problems:
        trailing.append(problem_table(book.problems, book.heading))
    chunks = [book.dossiers[i : i + FILES_PER_SHEET] for i in range(0, len(book.dossiers), FILES_PER_SHEET)] or [[]]
    names = unique_sheet_names([*(t.sheet for t in tables), *(["档案"] * len(chunks)), *(t.sheet for t in trailing)])
    cells = sum(len(t.frame) * len(t.columns) for t in [*tables, *trailing])  # the 档案 sheets stream their rows
    title = f"{book.title}{book.month.label}"
    with new_workbook(path, on_disk=cells > ON_DISK_CELLS) as workbook:
        styles = Styles(workbook)
        formats = DossierFormats(styles)
        formats.resolve()  # first, so that a sheet written elsewhere gets the same indexes
        handed = _handed_over(chunks, cells) if background is not None and background.uses_worker else 0
        mine = len(chunks) - handed
        elsewhere = [background.write(dossier_rows, path.with_name(f"{path.name}.{i}.rows"),
                                      dict(workbook.xf_format_indices), title, book.month, chunk)
                     for i, chunk in enumerate(chunks[mine:], start=mine)] if handed else []
        for name, table in zip(names, tables):
            sheet = add_sheet(workbook, name)
            write_table(sheet, styles, table)
            for c, col in enumerate(table.columns):
                if col.key in HANDWRITTEN:
                    sheet.set_column(c, c, HANDWRITTEN_WIDTH)
        sheets = [add_sheet(workbook, name) for name in names[len(tables) : len(tables) + len(chunks)]]
        written = [_write_dossiers(DossierWriter(sheet, formats, title), chunk, book.month)
                   for sheet, chunk in zip(sheets, chunks[:mine])]
        for name, table in zip(names[len(tables) + len(chunks) :], trailing):
            write_table(add_sheet(workbook, name), styles, table)
        written += [future.result() for future in elsewhere]
        for sheet, sheet_written in zip(sheets, written):
            _finish(sheet, sheet_written, book)
