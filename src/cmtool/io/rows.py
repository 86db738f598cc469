"""From raw batches to checked rows: blank and total rows dropped, fields parsed, bad rows reported.

A row is a total row when its code cell starts with 合计/总计/小计/汇总, or its code cell is empty
and its first cell starts with one (a shop named 汇总便利店 in the first column is kept).
Bad rows become `Problem`s located as the user sees them in Excel. Without `skip_invalid`
a file's problems (up to STRICT_LIMIT) end the run when the file is read; with it, the rows are
dropped and the problems kept for the 数据问题 sheet (up to SKIP_LIMIT, then the run ends).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cmtool.errors import DataError, Problem, ProblemLog
from cmtool.fields import TOTAL_ROW_MARKERS, Field
from cmtool.io.columns import Parsed, distinct, is_text, parse_column
from cmtool.io.digit_codes import all_digits
from cmtool.io.raw_table import FIRST, RawBatch, Table

STRICT_LIMIT = 200
SKIP_LIMIT = 100_000
SOURCE_ROW = "source_row"
OTHERS_NAMED = 5  # rows named in a duplicate's message (thousands of copies must not make it huge)
SKIP_FIX = "请改正后重新运行，或加 --skip-invalid 跳过这些行"


class RowProblems:
    """The row problems of one load, failing per file or kept as skipped rows."""

    def __init__(self, skip_invalid: bool):
        self.skip_invalid = skip_invalid
        self.skipped: list[Problem] = []
        self._file = ProblemLog(limit=STRICT_LIMIT)
        self._file_skipped = 0  # skipped[_file_skipped:] are the current file's

    def add(self, problem: Problem) -> None:
        if self.skip_invalid:
            self.skipped.append(problem)
            if len(self.skipped) > SKIP_LIMIT:
                raise DataError(
                    f"有问题的行超过 {SKIP_LIMIT} 行，已停止读取",
                    self.skipped[:STRICT_LIMIT],
                    fix="问题太多，多半是选错了文件或列；请先检查文件",
                )
            return
        self._file.add(problem)
        if len(self._file.problems) >= STRICT_LIMIT:
            raise self._failure(f"中的数据问题已达 {STRICT_LIMIT} 处，已停止读取")

    def rows_read(self) -> None:
        """The file's row problems in row order: which batch a row's problem arrives with depends on
        the path that read the file (the fast path that gave up, or the careful one from the start)."""
        self._file.problems.sort(key=_row_order)
        self.skipped[self._file_skipped :] = sorted(self.skipped[self._file_skipped :], key=_row_order)

    def end_file(self) -> None:
        """Fail if the file just read had problems (not under skip_invalid)."""
        self._file_skipped = len(self.skipped)
        if self._file:
            raise self._failure(f"中有 {len(self._file.problems)} 处数据问题")

    def _failure(self, summary: str) -> DataError:
        files = sorted({Path(p.file).name for p in self._file.problems if p.file})
        return DataError(f"{'、'.join(files)} {summary}", list(self._file.problems), fix=SKIP_FIX)


def _row_order(problem: Problem) -> tuple[bool, int]:
    return problem.row is None, problem.row or 0


def _decoded(values: pa.Array) -> pa.Array:
    return values.dictionary_decode() if pa.types.is_dictionary(values.type) else values


def _blank(values: pa.Array) -> np.ndarray:
    """Empty or spaces only."""
    values = _decoded(values)
    if is_text(values):
        blank = pc.fill_null(pc.equal(pc.utf8_trim_whitespace(values), ""), True)
    else:
        blank = pc.is_null(values)
    return blank.to_numpy(zero_copy_only=False)


def _total(values: pa.Array) -> np.ndarray:
    """Starts with 合计/总计/小计/汇总 (after spaces)."""
    values = _decoded(values)
    if not is_text(values):
        return np.zeros(len(values), bool)
    trimmed = pc.utf8_trim_whitespace(values)
    hits = np.zeros(len(values), bool)
    for marker in TOTAL_ROW_MARKERS:
        hits |= pc.fill_null(pc.starts_with(trimmed, marker), False).to_numpy(zero_copy_only=False)
    return hits


def _data_rows(batch: RawBatch, id_field: str) -> np.ndarray:
    """Rows that are neither blank nor totals; the code column is checked per distinct value
    and the other columns only where the code is empty."""
    uniques, index = distinct(batch.columns[id_field])
    if all_digits(uniques):  # the usual export: no code is blank or a total
        return np.ones(len(index), bool)
    blank_code = _blank(uniques)[index]
    drop = _total(uniques)[index]
    if blank_code.any():
        where = np.flatnonzero(blank_code)
        picked = pa.array(where)
        blank = np.ones(len(where), bool)
        for values in batch.columns.values():
            blank &= _blank(values.take(picked))
        drop[where] = blank | _total(batch.columns[FIRST].take(picked))
    return ~drop


def count_data_rows(table: Table) -> int:
    """How many data rows `table` has (blank and total rows not counted); consumes its batches."""
    id_field = table.shape[0].name
    return sum(int(_data_rows(b, id_field).sum()) + len(b.broken) for b in table.batches)


def read_rows(
    table: Table, fields: Sequence[Field], problems: RowProblems
) -> Iterator[pa.Table]:
    """Checked rows of `table`: the parsed `fields` plus SOURCE_ROW, good rows only. Row problems
    go to `problems`, in row order once all rows are read; the caller ends the file (`problems.end_file()`) once it has checked it all."""
    id_field = table.shape[0].name
    seen = 0
    for batch in table.batches:
        for row, text in batch.broken:
            problems.add(Problem(
                "这一行的列数与表头不一致", str(table.path), table.sheet, row, value=text,
                fix="请检查该行是否多了或少了分隔符（如逗号），或从 V3 重新导出",
            ))
        seen += len(batch.broken)
        keep = _data_rows(batch, id_field)
        seen += int(keep.sum())
        for position, cell_problems in batch.bad_cells.items():
            if keep[position]:
                for problem in cell_problems:
                    problems.add(problem)
                keep[position] = False
        if not keep.any():
            continue
        rows, columns = batch.rows, batch.columns
        if not keep.all():
            mask = pa.array(keep)
            rows, columns = rows[keep], {name: values.filter(mask) for name, values in columns.items()}
        parsed = {fd.name: parse_column(columns[fd.name], fd) for fd in fields}
        bad = np.zeros(len(rows), bool)
        for column in parsed.values():
            bad |= column.bad
        for i in np.flatnonzero(bad):
            _report(table, parsed, int(i), int(rows[i]), id_field, problems)
        if bad.all():
            continue
        out = {name: column.values for name, column in parsed.items()}
        out[SOURCE_ROW] = pa.array(rows)
        yield pa.table(out).filter(pa.array(~bad)) if bad.any() else pa.table(out)
    problems.rows_read()
    if seen == 0:
        raise DataError(
            f"文件 {table.path.name} 只有表头，没有数据行",
            [Problem("没有数据行", str(table.path), table.sheet, table.header_row)],
            fix="请确认导出时选择了正确的条件和期间",
        )


def _report(table: Table, parsed: dict[str, Parsed], i: int, row: int, id_field: str, problems: RowProblems) -> None:
    code = parsed[id_field]
    customer_id = None if code.bad[i] else code.values[i].as_py()
    for name, column in parsed.items():
        if column.bad[i]:
            value, issue = column.explain(i)
            problems.add(Problem(
                issue.message, str(table.path), table.sheet, row, table.header(name), value,
                issue.fix, customer_id,
            ))


def report_duplicates(
    frame: pd.DataFrame, keys: list[str], table: Table, problems: RowProblems, what: str
) -> pd.DataFrame:
    """Rows sharing `keys` are problems, each naming the other rows; all of them are left out."""
    twice = frame.duplicated(keys, keep=False)
    if not twice.any():
        return frame
    column = table.header(keys[0])
    for _, group in frame[twice].groupby(keys, sort=False):
        rows = group[SOURCE_ROW].tolist()
        for row, code in zip(rows, group[keys[0]]):
            named = [r for r in rows[: OTHERS_NAMED + 1] if r != row][:OTHERS_NAMED]
            others = "、".join(f"第 {r} 行" for r in named)
            if len(rows) - 1 > len(named):
                others += f"等 {len(rows) - 1} 行"
            problems.add(Problem(
                f"{what}重复：与{others}重复", str(table.path), table.sheet, int(row), column, code,
                "请删除或合并重复的行", code,
            ))
    return frame[~twice]
