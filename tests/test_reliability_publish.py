"""Issue 8: a run is all or nothing (documents/atomic.py). The n-th rename or write failing, the
ledger commit failing, a target open (locked) or taken by a folder, an unwritable folder: exit 1
with a Chinese message, and the ledger and the output folder byte for byte as before. A run
killed with kill -9 at random moments: the ledger passes PRAGMA integrity_check, the next run
removes the leftovers and puts back what the dead run renamed unless its ledger commit happened."""

from __future__ import annotations

import errno
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import xlsxwriter.workbook
from xlsxwriter.exceptions import FileCreateError

from cli_support import ROOT
from corpus import arguments, base_inputs, sales_csv, sales_rows
from run_inprocess import run_main
from test_reliability_corpus import snapshot

from cmtool.documents import atomic
from cmtool.errors import CmtoolError


@pytest.fixture()
def company(tmp_path) -> tuple[dict[str, Path], Path]:
    """The corpus company classified once: its ledger and documents are the state to keep."""
    inputs = base_inputs(tmp_path / "in")
    run = run_main(*arguments("classify", inputs, None, None, tmp_path), cwd=tmp_path)
    assert run.code == 0, run.stderr
    inputs["sales"] = sales_csv(tmp_path / "in" / "销售_新.csv", sales_rows(lambda c, m: (c + 1) * 30 + m))
    return inputs, tmp_path


def classify(inputs: dict[str, Path], work: Path):
    return run_main(*arguments("classify", inputs, None, None, work), cwd=work)


def assert_untouched(run, work: Path, before: dict[str, str], *words: str) -> None:
    assert run.code == 1, run.stderr
    assert "Traceback" not in run.stderr and "内部错误" not in run.stderr and run.stdout == ""
    for w in words:
        assert w in run.stderr, run.stderr
    assert snapshot(work) == before
    assert not (work / "output" / atomic.STAGING_DIR).exists()


@pytest.mark.parametrize("n", range(1, 7))
def test_the_nth_rename_failing_publishes_nothing(company, monkeypatch, n):
    """Three documents replace three: six renames (old → backup, new → target); any may fail."""
    inputs, work = company
    before = snapshot(work)
    real, calls = os.replace, []

    def replace(src, dst):
        calls.append(dst)
        if len(calls) == n:
            raise PermissionError(errno.EACCES, "Permission denied", str(dst))
        return real(src, dst)

    monkeypatch.setattr(atomic.os, "replace", replace)
    run = classify(inputs, work)
    assert len(calls) >= n
    assert_untouched(run, work, before, "无法替换", "台账没有改动")


@pytest.mark.parametrize("n", [1, 2])
def test_the_nth_workbook_write_failing_on_a_full_disk_publishes_nothing(company, monkeypatch, n):
    inputs, work = company
    before = snapshot(work)
    real, calls = xlsxwriter.workbook.Workbook.close, []

    def close(self):
        calls.append(self)
        if len(calls) == n:
            raise FileCreateError(OSError(errno.ENOSPC, "No space left on device", self.filename))
        return real(self)

    monkeypatch.setattr(xlsxwriter.workbook.Workbook, "close", close)
    run = classify(inputs, work)
    assert_untouched(run, work, before, "磁盘空间不足")


def test_the_html_write_failing_publishes_nothing(company, monkeypatch):
    inputs, work = company
    before = snapshot(work)

    def write_text(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(self))

    monkeypatch.setattr(Path, "write_text", write_text)
    assert_untouched(classify(inputs, work), work, before, "磁盘空间不足")


def test_the_ledger_commit_failing_puts_the_documents_back(company, monkeypatch):
    from cmtool import ledger

    inputs, work = company
    before = snapshot(work)

    def commit(self, token):
        self.con.close()
        raise CmtoolError("台账文件 x 无法使用：所在磁盘空间不足", fix="请清理磁盘空间后重新运行；台账没有改动")

    monkeypatch.setattr(ledger._Transaction, "commit", commit)
    assert_untouched(classify(inputs, work), work, before, "磁盘空间不足")


def test_a_target_taken_by_a_folder_is_refused_before_anything_changes(company):
    inputs, work = company
    target = work / "output" / "客户分类结果_2026Q3.xlsx"
    target.unlink()
    target.mkdir()
    before = snapshot(work)
    assert_untouched(classify(inputs, work), work, before, "文件夹", str(target))


def _chattr(flag: str, path: Path) -> bool:
    if shutil.which("chattr") is None:
        return False
    return subprocess.run(["chattr", flag, str(path)], capture_output=True).returncode == 0


def test_a_document_open_in_excel_is_named_and_nothing_is_published(company):
    """On Windows Excel locks an open file; `chattr +i` does the same here (skipped without it)."""
    inputs, work = company
    locked = work / "output" / "客户分类情况统计表_2026Q3.xlsx"
    if not _chattr("+i", locked):
        pytest.skip("chattr +i is not available here")
    try:
        before = snapshot(work)
        assert_untouched(classify(inputs, work), work, before, str(locked), "关闭", "台账没有改动")
    finally:
        _chattr("-i", locked)


def test_a_locked_output_folder_is_named(company):
    inputs, work = company
    folder = work / "output"
    if not _chattr("+i", folder):
        pytest.skip("chattr +i is not available here")
    try:
        before = snapshot(work)
        run = classify(inputs, work)
        assert run.code == 1 and "内部错误" not in run.stderr
        assert str(folder) in run.stderr and "只读" in run.stderr
        assert snapshot(work) == before
    finally:
        _chattr("-i", folder)


@pytest.mark.parametrize("where", ["out_is_a_file", "out_under_a_file"])
def test_out_that_is_a_file_is_named(company, where):
    inputs, work = company
    (work / "plain").write_text("x", encoding="utf-8")
    out = work / "plain" if where == "out_is_a_file" else work / "plain" / "sub"
    args = arguments("classify", inputs, None, None, work)
    args[args.index("--out") + 1] = str(out)
    before = snapshot(work)
    run = run_main(*args, cwd=work)
    assert run.code == 1 and "是一个文件" in run.stderr and "内部错误" not in run.stderr
    assert snapshot(work) == before


def test_a_ledger_locked_by_another_program_gets_a_chinese_message(company, monkeypatch):
    from cmtool import ledger

    inputs, work = company
    monkeypatch.setattr(ledger, "LOCK_TIMEOUT", 0.1)
    holder = sqlite3.connect(work / "cmtool.db")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        before = snapshot(work)
        run = classify(inputs, work)
    finally:
        holder.rollback()
        holder.close()
    assert run.code == 1 and "占用" in run.stderr and "database is locked" not in run.stderr and "备份" not in run.stderr
    assert snapshot(work) == before


def test_a_dead_runs_leftovers_are_put_back_by_the_next_run(company):
    """A run killed between its renames and its ledger commit: the next run restores the old
    documents (the ledger does not hold the dead run's token) and removes its staging folder."""
    inputs, work = company
    out = work / "output"
    before = snapshot(work)
    dead = atomic.Staging()
    with dead:
        dead.path(out / "客户分类结果_2026Q3.xlsx").write_bytes(b"new, half published")
        dead.path(out / "新文件.txt").write_bytes(b"new")
        dead._check_targets()
        dead._write_manifests()
        for entry in dead._entries:
            dead._publish(entry)
        for run_folder in dead._folders.values():  # as if killed: the lock goes with the process
            run_folder.close()
        dead._folders.clear()
        dead._entries.clear()
    assert (out / atomic.STAGING_DIR).exists() and (out / "新文件.txt").exists()
    atomic.recover(out)
    assert snapshot(work) == before


def _integrity(db: Path) -> str:
    with sqlite3.connect(db) as con:
        return con.execute("PRAGMA integrity_check").fetchone()[0]


def _publishes(db: Path) -> int:
    with sqlite3.connect(db) as con:
        return con.execute("SELECT COUNT(*) FROM publishes").fetchone()[0]


def test_kill_9_at_random_moments_leaves_all_or_nothing(company):
    inputs, work = company
    out = work / "output"
    docs = sorted(p.name for p in out.iterdir() if p.is_file())
    env = {k: v for k, v in os.environ.items() if not k.startswith("CMTOOL_")}
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    command = [sys.executable, "-m", "cmtool", *arguments("classify", inputs, None, None, work)]
    start = time.monotonic()
    subprocess.run(command, cwd=work, env=env, capture_output=True, check=True)  # how long a run takes
    took = time.monotonic() - start
    rng = random.Random(8)
    for i in range(1, 6):
        old = {name: (out / name).read_bytes() for name in docs}
        published = _publishes(work / "cmtool.db")
        # another customer is the biggest each time: every document differs from the last
        sales_csv(inputs["sales"], sales_rows(lambda c, m: ((c + i) % 6 + 1) * 30 + m))
        proc = subprocess.Popen(command, cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, took))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert _integrity(work / "cmtool.db") == "ok"
        next_run = run_main(*arguments("group-init", inputs, None, None, work), cwd=work)
        assert next_run.code == 0, next_run.stderr
        assert not (out / atomic.STAGING_DIR).exists()
        changed = [name for name in docs if (out / name).read_bytes() != old[name]]
        committed = _publishes(work / "cmtool.db") == published + 1
        assert changed == (docs if committed else []), (committed, changed)


def test_an_unreadable_input_is_named_as_not_readable(company, monkeypatch):
    """Permission denied (or a file locked by another program) while reading --customers: a
    Chinese message that says reading, names the file, exit 1 (not a usage error, not "写入")."""
    inputs, work = company
    real = Path.open

    def open_(self, mode="r", *args, **kwargs):
        if self.name == "客户信息.csv":
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real(self, mode, *args, **kwargs)

    before = snapshot(work)
    monkeypatch.setattr(Path, "open", open_)
    run = classify(inputs, work)
    monkeypatch.undo()
    assert run.code == 1 and "无法读取" in run.stderr and "客户信息.csv" in run.stderr and "写入" not in run.stderr
    assert snapshot(work) == before


def test_a_read_only_ledger_gets_a_chinese_message(company, monkeypatch):
    import sqlite3 as sqlite

    from cmtool import ledger

    inputs, work = company
    real = sqlite.connect

    def connect(path, *args, **kwargs):
        con = real(f"file:{path}?mode=ro", *args, uri=True, **kwargs)
        return con

    before = snapshot(work)
    monkeypatch.setattr(ledger.sqlite3, "connect", connect)
    run = classify(inputs, work)
    monkeypatch.undo()
    assert run.code == 1 and "只读" in run.stderr and "readonly" not in run.stderr, run.stderr
    assert snapshot(work) == before


def test_two_runs_at_once_on_one_ledger_and_folder(company):
    """Both finish, or one is refused with a Chinese message; the ledger is intact and no
    staging folder is left."""
    inputs, work = company
    env = {k: v for k, v in os.environ.items() if not k.startswith("CMTOOL_")}
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    command = [sys.executable, "-m", "cmtool", *arguments("classify", inputs, None, None, work)]
    procs = [subprocess.Popen(command, cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
             for _ in range(2)]
    results = [(p.wait(), p.stderr.read().decode("utf-8")) for p in procs]
    for code, stderr in results:
        assert code in (0, 1) and "Traceback" not in stderr and "内部错误" not in stderr, stderr
        assert code == 0 or "台账" in stderr
    assert _integrity(work / "cmtool.db") == "ok"
    assert not (work / "output" / atomic.STAGING_DIR).exists()


def test_a_full_disk_names_the_document_and_leaves_no_new_folder(company, monkeypatch):
    inputs, work = company
    args = arguments("classify", inputs, None, None, work)
    new_out = work / "新文件夹" / "output"
    args[args.index("--out") + 1] = str(new_out)
    real = xlsxwriter.workbook.Workbook.close

    def close(self):
        real(self)
        raise FileCreateError(OSError(errno.ENOSPC, "No space left on device"))

    monkeypatch.setattr(xlsxwriter.workbook.Workbook, "close", close)
    run = run_main(*args, cwd=work)
    # the 统计表 is the first workbook classify writes (it may go to a worker on a big run)
    assert run.code == 1 and "磁盘空间不足" in run.stderr and "客户分类情况统计表_2026Q3.xlsx" in run.stderr, run.stderr
    assert not (work / "新文件夹").exists()
