"""Monthly sales summaries (销售汇总), each month in its own format and with its own quirks."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from cmtool.periods import Month
from cmtool.samplegen.company import Company
from cmtool.samplegen.excel import XLS_MAX_ROWS, Cell, write_xls, write_xlsx

FULLWIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")
FULLWIDTH_SHARE = 0.01  # of the rows of the numbers-as-text file


@dataclass(frozen=True)
class SummaryStyle:
    """How one monthly summary file looks: its format, its headers (customer_id, name, month,
    volume, amount, orders; None = column absent) and its quirks."""

    ext: str
    headers: tuple[str | None, ...]
    month_as: str  # dash 2026-01 | number 202601 | text 202601 | chinese 2026年1月 | date
    note: str
    codes_as_numbers: bool = False
    thousands: bool = False
    zero_rows: bool = False
    numbers_as_text: bool = False
    titled: bool = False


STANDARD = ("客户编码", "客户名称", "月份", "购进量", "购进额", "订货次数")
WITH_UNITS = ("客户编码", "客户名称", "年月", "购进量(条)", "购进额(元)", None)
STYLES: tuple[SummaryStyle, ...] = (
    SummaryStyle("xlsx", STANDARD, "dash", "标准格式"),
    SummaryStyle("xlsx", ("客户编码", "客户名称", "年月", "购进量(条)", "购进额（元）", None), "number",
                 "表头带单位，年月是数字 202511，没有订货次数列"),
    SummaryStyle("xls", ("零售户编码", "零售户名称", "统计月份", "销量", "销售额", "订货次数"), "chinese",
                 "老式 .xls（Excel 97-2003）；客户编码被存成数字（以 0 开头的仍是文本）；"
                 "统计月份写作“2025年12月”", codes_as_numbers=True),
    SummaryStyle("xlsx", ("客户编码", None, "月份", "购进量（条）", "购进额（元）", "订货次数"), "date",
                 "月份是日期单元格（每月 1 日），没有客户名称列"),
    SummaryStyle("csv", WITH_UNITS, "dash", "GBK 编码的 CSV（Windows 默认）；金额带千分位，如“1,234.50”",
                 thousands=True),
    SummaryStyle("xlsx", STANDARD, "dash", "本月没有购进的客户也列出，购进量、购进额、订货次数留空",
                 zero_rows=True),
    SummaryStyle("xls", WITH_UNITS, "dash", "老式 .xls（Excel 97-2003）"),
    SummaryStyle("xlsx", ("客户编码", "客户名称", "统计月份", "购进量", "购进额", "订货次数"), "text",
                 "数字都存成文本，有几行的购进量是全角数字；统计月份是文本 202605", numbers_as_text=True),
)
TITLED = SummaryStyle("xlsx", STANDARD, "dash", "上方有标题行“销售汇总查询”和导出时间行，末尾有“合计”行",
                      titled=True)


def summary_style(index: int, count: int) -> SummaryStyle:
    """The style of the index-th of `count` monthly summaries: the last is titled, the others
    cycle through STYLES."""
    return TITLED if index == count - 1 else STYLES[index % len(STYLES)]


def write_summary(
    company: Company, month: Month, folder: Path, style: SummaryStyle, rng: np.random.Generator
) -> tuple[Path, str]:
    """One monthly summary file in its style: its path and what is special about it. An .xls
    style with more rows than .xls holds is written as .xlsx."""
    header = [h for h in style.headers if h is not None]
    rows = _rows(company, month, style, rng)
    ext, note = style.ext, style.note
    if ext == "xls" and len(rows) >= XLS_MAX_ROWS:
        ext, note = "xlsx", f"{note}（行数超过 .xls 上限，改存 .xlsx）"
    path = folder / f"销售汇总_{month.key}.{ext}"
    if ext == "csv":
        pd.DataFrame(rows, columns=header).to_csv(path, index=False, encoding="gbk")
    elif ext == "xls":
        write_xls(path, "销售汇总", header, rows)
    elif style.titled:
        titles = ("销售汇总查询", f"导出时间：{month.next().key}-02 09:13")
        write_xlsx(path, "销售汇总", header, [*rows, _total(header, rows)], titles=titles, text_columns=(0,))
    else:
        write_xlsx(path, "销售汇总", header, rows, text_columns=(0,))
    return path, note


def _total(header: list[str], rows: list[list[Cell]]) -> list[Cell]:
    """The 合计 row under a standard summary."""
    volume, amount = header.index("购进量"), header.index("购进额")
    total: list[Cell] = [None] * len(header)
    total[0] = "合计"
    total[volume] = sum(int(r[volume]) for r in rows)
    total[amount] = round(sum(float(r[amount]) for r in rows), 2)
    return total


def _month_value(month: Month, how: str) -> Cell:
    return {
        "dash": month.key,
        "number": month.year * 100 + month.month,
        "text": f"{month.year}{month.month:02d}",
        "chinese": month.label,
        "date": month.first_day,
    }[how]


def _rows(company: Company, month: Month, style: SummaryStyle, rng: np.random.Generator) -> list[list[Cell]]:
    """The data rows of a monthly summary in `style`."""
    frame = company.monthly_summary(month)
    names = dict(zip(company.customers["customer_id"], company.customers["name"]))
    if style.zero_rows:
        joined = company.customers["joined"] <= pd.Timestamp(month.last_day)
        frame = company.customers.loc[joined, ["customer_id"]].merge(frame, on="customer_id", how="left")
    wide = rng.random(len(frame)) < FULLWIDTH_SHARE
    rows = []
    for i, r in enumerate(frame.itertuples(index=False)):
        bought = not pd.isna(r.volume)
        volume: Cell = int(r.volume) if bought else None
        amount: Cell = round(r.amount_c / 100, 2) if bought else None
        orders: Cell = int(r.orders) if bought else None
        if style.thousands and bought:
            amount = f"{amount:,.2f}"
        if style.numbers_as_text and bought:
            volume, amount, orders = str(volume), f"{amount:.2f}", str(orders)
            if wide[i]:
                volume = volume.translate(FULLWIDTH)
        code: Cell = r.customer_id
        if style.codes_as_numbers and not r.customer_id.startswith("0"):
            code = int(r.customer_id)
        values = (code, names[r.customer_id], _month_value(month, style.month_as), volume, amount, orders)
        rows.append([v for v, h in zip(values, style.headers) if h is not None])
    return rows
