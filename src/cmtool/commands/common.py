"""What every command shares: the app state, consoles, period options, JSON output, progress."""

from __future__ import annotations

import itertools
import json
import os
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from json.encoder import encode_basestring  # json.dumps(s, ensure_ascii=False) of a str, in C
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
import typer
from rich.console import Console
from rich.errors import MarkupError
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from cmtool.calendar import WorkCalendar
from cmtool.config import Config, load_config
from cmtool.errors import Problem, os_error
from cmtool.frames import per_distinct, python_values
from cmtool.ledger import Ledger
from cmtool.periods import Month, Quarter
from cmtool.rules.population import Population
from cmtool.rules.visits import VisitSettings
from cmtool.streams import write_text

class _SafeConsole(Console):
    """The terminal summary printed after the run committed must not fail: input strings are
    escaped where printed, and a line rich still cannot parse is printed as plain text."""

    def print(self, *objects: Any, **kwargs: Any) -> None:  # type: ignore[override]
        try:
            super().print(*objects, **kwargs)
        except MarkupError:
            super().print(*objects, **{**kwargs, "markup": False})


err_console = _SafeConsole(stderr=True, highlight=False)


@dataclass
class AppState:
    """Global options, resolved lazily so that a bad config fails inside the command (exit 1)."""

    config_path: Path | None
    db_path: Path
    _config: Config | None = field(default=None, repr=False)

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.config_path)
        return self._config

    @property
    def ledger(self) -> Ledger:
        return Ledger(self.db_path)

    @property
    def calendar(self) -> WorkCalendar:
        return WorkCalendar(self.config.calendar)

    @property
    def visit_settings(self) -> VisitSettings:
        """`[visit]` as the R-VISIT rules take it (the 双周 anchor, the week of 每月 customers)."""
        visit = self.config.visit
        return VisitSettings(biweekly_anchor=visit.biweekly_anchor, monthly_week=visit.monthly_week)


def state(ctx: typer.Context) -> AppState:
    """The AppState the root callback stored."""
    return ctx.find_root().obj


def require(**options: object) -> None:
    """A usage error (exit 2) for the first option left out; for commands that also have
    subcommands, whose options cannot be marked required (`require(quarter="--quarter")`)."""
    for value, flag in ((v, f"--{k.replace('_', '-')}") for k, v in options.items()):
        if value is None:
            raise typer.BadParameter(f"必须给出该选项（缺少 {flag}）", param_hint=flag)


def left_out(pop: Population, listed: list[Problem], first_seen: Callable[[list[str]], pd.DataFrame]) -> list[Problem]:
    """The buyers a ranking left out (R-SCALE 1, R-TOP5 1), as warnings for `skipped`; a buyer
    not in the master is located at its first row in the sales (`SalesLoaded.first_seen`). A
    customer already `listed` (e.g. its master row skipped under --skip-invalid) is not called
    missing."""
    skipped = {p.customer_id for p in listed}
    unknown = [cid for cid in pop.unknown["customer_id"] if cid not in skipped]
    where = first_seen(unknown)
    return [
        Problem(message="销售数据中有该客户，但客户信息中没有，未参加排名", file=at.file, sheet=at.sheet,
                row=None if pd.isna(at.row) else int(at.row), column="客户编码", value=cid, customer_id=cid,
                fix="请核对客户编码，或在客户信息中补上该客户")
        for cid, at in zip(unknown, where.itertuples())
    ] + [
        Problem(message=f"入网日期 {row.joined:%Y-%m-%d} 在统计期末之后，但统计期内有购进，未参加排名；请核对入网日期",
                customer_id=row.customer_id)
        for row in pop.late_buyers.itertuples()
    ]


def parse_quarter(text: str) -> Quarter:
    """A typer callback: `2026Q3`/`2026-Q3`, else a usage error (exit 2)."""
    try:
        return Quarter.parse(text)
    except ValueError as e:
        raise typer.BadParameter(str(e)) from None


def parse_month(text: str) -> Month:
    """A typer callback: `2026-10`/`202610`, else a usage error (exit 2)."""
    try:
        return Month.parse(text)
    except ValueError as e:
        raise typer.BadParameter(str(e)) from None


QuarterOption = typer.Option(..., "--quarter", help="季度，如 2026Q3 或 2026-Q3", show_default=False)
CustomersOption = typer.Option(..., "--customers", help="客户信息文件（V3 导出的 xlsx/xls/csv/parquet）", show_default=False)
SalesOption = typer.Option(..., "--sales", help="销售数据：文件或文件夹，可重复给出", show_default=False)
OutOption = typer.Option(Path("output"), "--out", help="文档输出文件夹，不存在时自动创建")
JsonOption = typer.Option(False, "--json", help="在标准输出打印一个 JSON 文档（进度与提示写到标准错误）")
SkipInvalidOption = typer.Option(False, "--skip-invalid", help="跳过有问题的数据行继续运行，问题行列在「数据问题」工作表中")
SheetOption = typer.Option(None, "--sheet", help="要读取的工作表名（默认：第一个表头匹配的工作表）")
EncodingOption = typer.Option(None, "--encoding", help="CSV 编码（默认自动识别 UTF-8/GBK/GB18030）")


JSON_CHUNK_ROWS = 50_000


def json_records(frame: pd.DataFrame, fields: list[str]) -> list[dict[str, Any]]:
    """Rows of `frame` as JSON-ready dicts: Python numbers and strings, None for missing values."""
    columns = [python_values(frame[name]) for name in fields]
    return [dict(zip(fields, row)) for row in zip(*columns)]


@dataclass(frozen=True)
class JsonRows:
    """The rows of a frame as a list in a JSON document, turned into text a chunk at a time by
    `emit_json`: a province's 500,000 results are never all Python dicts at once."""

    frame: pd.DataFrame
    fields: list[str]


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _value_texts(values: pd.Series) -> list[str]:
    """The JSON text of each value of a column as `json_records` gives it to json.dumps; a
    column of texts is encoded a distinct value at a time (classes and changes repeat)."""
    if isinstance(values.dtype, pd.StringDtype):
        return per_distinct(values, encode_basestring, "null")
    items = python_values(values)
    if values.dtype.kind in "iufb":  # numbers, booleans and null: no text of theirs holds ", "
        return _dumps(items)[1:-1].split(", ") if items else []
    return [encode_basestring(item) if item.__class__ is str else "null" if item is None else _dumps(item)
            for item in items]


def rows_json(frame: pd.DataFrame, fields: list[str]) -> str:
    """`json.dumps(json_records(frame, fields))` without its brackets, built column by column:
    each text by json's C encoder and each number column in one call (issue 13)."""
    row = "{" + ", ".join(_dumps(name).replace("%", "%%") + ": %s" for name in fields) + "}"
    columns = [_value_texts(frame[name]) for name in fields]
    return ", ".join([row % values for values in zip(*columns)])


def _json_pieces(value: Any) -> Iterator[str]:
    """The text of `value` in pieces, exactly as `json.dumps` writes it whole."""
    if isinstance(value, JsonRows):
        rows = value.frame
        texts = (rows_json(rows.iloc[i : i + JSON_CHUNK_ROWS], value.fields) for i in range(0, len(rows), JSON_CHUNK_ROWS))
        yield "["
        for i, text in enumerate(texts):
            yield (", " if i else "") + text
        yield "]"
    elif isinstance(value, dict) and any(isinstance(v, JsonRows) for v in value.values()):
        yield "{"
        for i, (key, item) in enumerate(value.items()):
            yield f"{', ' if i else ''}{_dumps(key)}: "
            yield from _json_pieces(item)
        yield "}"
    else:
        yield _dumps(value)


def render_json(document: dict[str, Any]) -> list[str]:
    """The text of one JSON document in pieces (its `JsonRows` a chunk each), to print later:
    classify renders it while the 统计表 worker writes and prints it once the run is published."""
    return [*_json_pieces(document), "\n"]


def emit_json(document: dict[str, Any] | list[str]) -> None:
    """Print one JSON document (or its `render_json` pieces) to stdout: UTF-8 bytes, not
    ASCII-escaped, its `JsonRows` a chunk at a time. A reader that closed the pipe (`| head`) is
    no error: the run's work is already committed (exit 0)."""
    pieces = document if isinstance(document, list) else itertools.chain(_json_pieces(document), ["\n"])
    try:
        for piece in pieces:
            write_text(sys.stdout, piece)
    except BrokenPipeError:
        _silence_stdout()
    except OSError as e:
        raise os_error(e, "写入标准输出", "（--json 的输出）") from None


def _silence_stdout() -> None:
    """Point stdout at the null device so that the interpreter's last flush cannot fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # not a real file (a test's stream): nothing will flush it
        pass


@contextmanager
def file_progress(description: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr for reading big files; shown only on a terminal."""
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    ) as progress:
        task = progress.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield update


M = TypeVar("M")
S = TypeVar("S")


def load_beside(master: Callable[[], M], sales: Callable[[Callable[[int, int], None]], S]) -> tuple[M, S]:
    """`master()` (the customers) in a thread while `sales(progress)` runs here: the sales reader
    leaves part of a second core idle, and the master costs a tenth of the run before the sales
    could start (issue 13). The master's refusal comes first, as when it was read first: it
    stops the sales at their next progress report, or is raised once they are read."""
    with ThreadPoolExecutor(1, thread_name_prefix="cmtool-master") as pool, file_progress("读取销售数据") as bar:
        pending = pool.submit(master)

        def progress(done: int, total: int) -> None:
            if pending.done() and pending.exception() is not None:
                raise pending.exception()  # type: ignore[misc]
            bar(done, total)

        try:
            bought = sales(progress)
        except BaseException:
            pending.result()  # the master's error, if it has one, in place of the sales'
            raise
        return pending.result(), bought


@contextmanager
def working(description: str) -> Iterator[None]:
    """A spinner on stderr while a slow step runs; shown only on a terminal."""
    if not err_console.is_terminal:
        yield
        return
    with err_console.status(description):
        yield
