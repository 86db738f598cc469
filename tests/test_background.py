"""documents/background.py (issue 13): a document written in a worker process is the same file,
its errors reach the command, and a small run writes in place."""

from __future__ import annotations

import gc
import os
import sys
import time
from pathlib import Path

import pytest

from cmtool.documents.background import Background

two_cores = pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="a worker is used only with a second core")


def write_pid(path: Path, text: str) -> None:
    path.write_text(f"{text} {os.getpid()}", encoding="utf-8")


def slow_write(path: Path, text: str) -> None:
    time.sleep(0.5)
    write_pid(path, text)


def report_module(path: Path, name: str) -> None:
    path.write_text(str(name in sys.modules), encoding="utf-8")


def report_frozen(path: Path) -> int:
    return gc.get_freeze_count()


def fail(path: Path) -> None:
    raise OSError(28, "No space left on device", str(path))


def fail_in_xlsxwriter(path: Path) -> None:
    from xlsxwriter.exceptions import FileCreateError

    raise FileCreateError(OSError(28, "No space left on device", str(path)))


@two_cores
def test_a_worthwhile_document_is_written_by_another_process(tmp_path: Path) -> None:
    target = tmp_path / "统计表.xlsx"
    with Background(worthwhile=True) as background:
        background.write(write_pid, target, "统计表")
        background.wait()
        text, pid = target.read_text(encoding="utf-8").split()
    assert text == "统计表" and int(pid) != os.getpid()


@two_cores
def test_what_a_write_leaves_in_the_worker_is_frozen_so_the_worker_ends_at_once(tmp_path: Path) -> None:
    """A spawned worker ends with the interpreter's shutdown; frozen objects are not collected."""
    with Background(worthwhile=True) as background:
        background.write(write_pid, tmp_path / "a.txt", "a").result()
        frozen = background.write(report_frozen, tmp_path / "b.txt").result()
    assert frozen > 0


def test_a_small_document_is_written_in_place(tmp_path: Path) -> None:
    target = tmp_path / "统计表.xlsx"
    with Background(worthwhile=False) as background:
        background.write(write_pid, target, "统计表")
        assert int(target.read_text(encoding="utf-8").split()[1]) == os.getpid()  # before wait()


@two_cores
def test_the_workers_error_is_raised_by_wait(tmp_path: Path) -> None:
    with Background(worthwhile=True) as background:
        background.write(fail, tmp_path / "x.xlsx")
        with pytest.raises(OSError) as raised:
            background.wait()
    assert raised.value.errno == 28 and raised.value.filename == str(tmp_path / "x.xlsx")


@two_cores
def test_a_wrapped_os_error_from_the_worker_still_gets_its_chinese_message(tmp_path: Path) -> None:
    """xlsxwriter wraps a full disk in FileCreateError; across the process boundary the OSError
    is still found, so the user reads 磁盘空间不足 and the path (errors.found_os_error)."""
    from cmtool.errors import found_os_error, os_error

    with Background(worthwhile=True) as background:
        background.write(fail_in_xlsxwriter, tmp_path / "统计表.xlsx")
        with pytest.raises(Exception) as raised:
            background.wait()
    found = found_os_error(raised.value)
    assert found is not None and found.errno == 28
    assert "磁盘空间不足" in os_error(found).render() and "统计表.xlsx" in os_error(found).render()


def _statbook_values(path: Path) -> list[list[object]]:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    return [[ws.title, *[tuple(row) for row in ws.iter_rows(values_only=True)]] for ws in book.worksheets]


@two_cores
def test_classify_writes_the_same_statbook_in_a_worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from cli_support import SAMPLE
    from cmtool.cli import app
    from cmtool.commands import classify

    books = []
    for rows in (0, 10**9):  # every run in a worker; none
        monkeypatch.setattr(classify, "BACKGROUND_ROWS", rows)
        out = tmp_path / str(rows)
        run = CliRunner().invoke(app, ["--db", str(out / "cmtool.db"), "classify", "--quarter", "2026Q3",
                                       "--customers", str(SAMPLE / "客户信息.xlsx"), "--sales", str(SAMPLE / "sales"),
                                       "--notices", "none", "--out", str(out)])
        assert run.exit_code == 0, run.output
        books.append(_statbook_values(out / "客户分类情况统计表_2026Q3.xlsx"))
        assert not list(out.glob(".*tmp*"))
    assert books[0] == books[1] and len(books[0]) > 10


@two_cores
def test_a_warm_worker_has_imported_its_modules_before_the_write(tmp_path: Path) -> None:
    target = tmp_path / "modules.txt"
    with Background(worthwhile=True, warm=("xml.dom.minidom",)) as background:
        background.write(report_module, target, "xml.dom.minidom")
        background.wait()
    assert target.read_text(encoding="utf-8") == "True"


@two_cores
def test_a_failing_block_ends_only_once_the_worker_has_finished(tmp_path: Path) -> None:
    """The staged path is removed when the Staging block ends: the worker must be done by then."""
    target = tmp_path / "统计表.xlsx"
    with Background(worthwhile=True) as background:
        with pytest.raises(RuntimeError), background.settled():
            background.write(slow_write, target, "统计表")
            raise RuntimeError("the run failed")
        assert target.exists()


@two_cores
def test_a_worker_started_early_is_taken_over_with_its_imports(tmp_path: Path) -> None:
    from cmtool.documents import background as module

    module.start_early(("xml.dom.minidom",))
    first, second = tmp_path / "pid.txt", tmp_path / "modules.txt"
    with Background(worthwhile=True) as background:
        background.write(write_pid, first, "统计表")
        background.write(report_module, second, "xml.dom.minidom")
        background.wait()
    assert module._early is None and int(first.read_text(encoding="utf-8").split()[1]) != os.getpid()
    assert second.read_text(encoding="utf-8") == "True"


def test_a_worker_started_early_is_let_go_when_the_run_is_small(tmp_path: Path) -> None:
    from cmtool.documents import background as module

    module.start_early(("xml.dom.minidom",))
    target = tmp_path / "统计表.xlsx"
    with Background(worthwhile=False) as background:
        background.write(write_pid, target, "统计表")
    assert module._early is None and int(target.read_text(encoding="utf-8").split()[1]) == os.getpid()


def test_classify_starts_its_worker_early_only_for_a_large_customer_file(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """cli.py starts the worker before importing the command (commands.EARLY_WORKERS), from the
    size of the file the option names, in either spelling; never for a help or a missing file."""
    from cmtool import cli
    from cmtool.commands import EARLY_WORKERS
    from cmtool.documents import background as module
    from cmtool.documents.statbook import write_statbook

    option, size, modules = EARLY_WORKERS["classify"]
    assert modules == (write_statbook.__module__,)
    started: list[tuple[str, ...]] = []
    monkeypatch.setattr(module, "start_early", started.append)
    large, small = tmp_path / "large.csv", tmp_path / "small.csv"
    large.write_bytes(b"x" * size)
    small.write_bytes(b"x" * (size - 1))
    for args in (["--customers", str(large)], [f"--customers={large}", "--quarter", "2026Q3"]):
        cli._start_worker(option, size, modules, args)
    for args in (["--customers", str(small)], ["--customers", str(tmp_path / "missing.csv")],
                 ["--customers", str(large), "--help"], ["--sales", str(large)]):
        cli._start_worker(option, size, modules, args)
    assert started == [modules, modules]


def test_the_worker_takes_the_last_dossier_sheets_that_even_out_the_work() -> None:
    from cmtool.documents.top5book import DOSSIER_CELLS, _handed_over

    sheets = lambda *sizes: [[None] * n for n in sizes]  # noqa: E731 - files (档案) a sheet
    assert _handed_over(sheets(1000, 1000, 949), 0) == 2  # 1,000 here against 1,949 there
    assert _handed_over(sheets(1000, 1000, 949), 2000 * DOSSIER_CELLS) == 3  # tables as large as 2,000 files
    assert _handed_over(sheets(300), 0) == 0  # a tie stays here
    assert _handed_over(sheets(1000, 1000, 1000, 1000), 0) == 2


@two_cores
def test_top5_writes_the_same_workbook_with_the_worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The last 档案 sheets written by the worker (dossier_rows, RowSheet.adopt) make the same
    workbook, part for part, as all of them written in place."""
    import zipfile

    from typer.testing import CliRunner

    from cli_support import SAMPLE
    from cmtool.cli import app
    from cmtool.commands import top5
    from cmtool.documents import top5book

    monkeypatch.setattr(top5book, "FILES_PER_SHEET", 30)  # the sample's files on several sheets
    parts = []
    for files in (0, 10**9):  # with a worker; in place
        monkeypatch.setattr(top5, "FILES_PER_SHEET", files)
        out = tmp_path / str(files)
        run = CliRunner().invoke(app, ["--db", str(out / "cmtool.db"), "top5", "--month", "2026-09",
                                       "--customers", str(SAMPLE / "客户信息.xlsx"), "--sales", str(SAMPLE / "sales"),
                                       "--out", str(out)])
        assert run.exit_code == 0, run.output
        with zipfile.ZipFile(out / "月销量排名前5%客户档案_2026-09.xlsx") as z:
            parts.append({n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"})
        assert [p.name for p in out.iterdir()] and not list(out.rglob("*.rows"))
    assert parts[0] == parts[1] and sum(n.startswith("xl/worksheets/sheet") for n in parts[0]) > 4
