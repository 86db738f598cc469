"""The per-customer classification result as a document: `客户分类结果_<Q>.xlsx|csv|parquet`.

The same columns in every format (cli.md `--result-format`). xlsx adds a `数据问题` sheet when
rows were skipped; csv is UTF-8 with BOM for Excel, with text cells that Excel would run as a
formula prefixed by `'`; parquet keeps the types (ids stay strings).
"""

from __future__ import annotations

import codecs
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Literal

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from cmtool.errors import Problem
from cmtool.documents.xlsx import Column, Heading, Table, column_values, write_tables
from cmtool.periods import Quarter

ResultFormat = Literal["xlsx", "csv", "parquet"]

RESULT_SHEET = "分类结果"
PROBLEM_SHEET = "数据问题"

RESULT_COLUMNS: tuple[Column, ...] = (
    Column("customer_id", "客户编码"),
    Column("name", "客户名称"),
    Column("department", "营销部"),
    Column("manager", "客户经理"),
    Column("format", "经营业态"),
    Column("market", "市场类型"),
    Column("volume", "购进量(条)", "volume"),
    Column("amount", "购进额(元)", "amount"),
    Column("volume_share", "量占比", "fine_share"),
    Column("amount_share", "额占比", "fine_share"),
    Column("score", "得分", "fine_share"),
    Column("rank", "排名", "int"),
    Column("n", "排名范围户数", "int"),
    Column("scale", "经营规模"),
    Column("class_name", "综合分类"),
    Column("class_code", "分类编码"),
    Column("previous_class", "上期分类"),
    Column("change", "变动"),
)

PROBLEM_COLUMNS: tuple[Column, ...] = (
    Column("file", "文件"),
    Column("sheet", "工作表"),
    Column("row", "行号", "int"),
    Column("column", "列"),
    Column("value", "值"),
    Column("customer_id", "客户编码"),
    Column("problem", "问题"),
)

# Excel runs a cell typed with one of these first characters as a formula (OWASP CSV injection):
# = + - @, a tab or a carriage return (an RE2 pattern, for pyarrow).
_FORMULA_START = r"^[=+\-@\t\r]"


def problems_frame(problems: Sequence[Problem]) -> pd.DataFrame:
    """One row per problem: where it is (file name as the user sees it) and what is wrong."""
    rows = [
        {
            "file": Path(p.file).name if p.file else None,
            "sheet": p.sheet,
            "row": p.row,
            "column": p.column,
            "value": p.value,
            "customer_id": p.customer_id,
            "problem": replace(p, file=None, sheet=None, row=None, column=None, value=None).render(),
        }
        for p in problems
    ]
    return pd.DataFrame(rows, columns=[c.key for c in PROBLEM_COLUMNS])


def problem_table(problems: Sequence[Problem], heading: Heading) -> Table:
    """The 数据问题 sheet of a document: each problem with its file, sheet, row, column and value."""
    part = heading.of(PROBLEM_SHEET)
    return Table(PROBLEM_SHEET, part, problems_frame(problems), PROBLEM_COLUMNS,
                 lead=(part.title, f"{part.subtitle}：共 {len(problems):,} 条，请按「问题」一栏核对原始文件"))


def labelled(frame: pd.DataFrame, columns: Sequence[Column]) -> pd.DataFrame:
    """`frame` with the given columns in order under their Chinese headers (missing ones blank)."""
    out = {}
    for col in columns:
        values = column_values(frame, col.key)
        if col.kind == "text":
            out[col.header] = values.astype(object).where(values.notna(), None)
        elif col.kind == "int":
            out[col.header] = values.astype("Int64")
        else:
            out[col.header] = values.astype("float64")
    return pd.DataFrame(out, index=frame.index).reset_index(drop=True)


def defuse_formulas(texts: pa.Array) -> pa.Array:
    """Prefix `'` to each text that Excel would otherwise run as a formula."""
    risky = pc.fill_null(pc.match_substring_regex(texts, _FORMULA_START), False)
    if not pc.any(risky).as_py():  # the usual column: nothing to prefix, nothing to copy
        return texts
    return pc.if_else(risky, pc.binary_join_element_wise("'", texts, ""), texts)


def _arrow_column(values: pd.Series, col: Column) -> pa.Array:
    """A column as the CSV writes it: text (defused), whole numbers or floats; missing is empty."""
    if col.kind == "text":
        return defuse_formulas(pa.array(values.astype("string"), pa.string(), from_pandas=True))
    if col.kind == "int":
        return pa.array(values.astype("Int64"), pa.int64(), from_pandas=True)
    return pa.array(values.astype("float64"), pa.float64(), from_pandas=True)


CSV_CHUNK_ROWS = 50_000  # rows converted at a time: a province's result is not copied whole


def write_csv(path: Path, frame: pd.DataFrame, columns: Sequence[Column]) -> None:
    """UTF-8 with BOM and CRLF, so Excel/WPS on Windows open it right; text columns defused."""
    schema = pa.schema([(col.header, pa.string() if col.kind == "text" else pa.int64() if col.kind == "int"
                         else pa.float64()) for col in columns])
    with path.open("wb") as stream:
        stream.write(codecs.BOM_UTF8)
        with pa_csv.CSVWriter(stream, schema, write_options=pa_csv.WriteOptions(quoting_style="needed",
                                                                                eol="\r\n")) as writer:
            for start in range(0, len(frame), CSV_CHUNK_ROWS):
                chunk = frame.iloc[start : start + CSV_CHUNK_ROWS]
                writer.write_table(pa.table([_arrow_column(column_values(chunk, c.key), c) for c in columns],
                                            schema=schema))


def write_parquet(path: Path, frame: pd.DataFrame, columns: Sequence[Column]) -> None:
    """Parquet (pyarrow) with the same headers; text columns are strings, ids keep leading zeros."""
    table = labelled(frame, columns)
    for col in columns:
        if col.kind == "text":
            table[col.header] = table[col.header].astype("string")
    table.to_parquet(path, index=False, engine="pyarrow")


def write_result(
    path: Path,
    result: pd.DataFrame,
    problems: Sequence[Problem] = (),
    fmt: ResultFormat = "xlsx",
    *,
    quarter: Quarter,
    company: str,
) -> None:
    """Write the classification result (architecture.md frame) to `path` in `fmt`.

    xlsx: sheet 分类结果 under the title, company and quarter, plus 数据问题 when `problems` are
    given (rows skipped under --skip-invalid, customers left out of the ranking). csv and
    parquet hold the result table only. `path` is written directly: wrap the call in
    `atomic.Staging` (or `atomic_path`) for an atomic publish.
    """
    if fmt == "csv":
        write_csv(path, result, RESULT_COLUMNS)
    elif fmt == "parquet":
        write_parquet(path, result, RESULT_COLUMNS)
    else:
        heading = Heading(company, "零售客户分类结果", quarter.label)
        tables = [Table(RESULT_SHEET, heading, result, RESULT_COLUMNS, freeze_cols=2,
                        lead=(heading.title, f"{quarter.label}　共 {len(result):,} 户"))]
        if problems:
            tables.append(problem_table(problems, heading))
        write_tables(path, tables)
