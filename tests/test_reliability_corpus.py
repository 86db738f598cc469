"""Issue 8: the bad-input corpus (tests/corpus.py) against every command that reads each kind of
file. A refused case: exit 1, a Chinese message naming what is wrong (file, row, column, value),
no traceback and no 内部错误, stdout empty, the output folder and the ledger byte for byte as
before. A case that must be read: exit 0 and the JSON shows it was read correctly."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from corpus import CASES, COMMANDS, REPORTS, arguments, base_inputs, outcome, pairs
from run_inprocess import run_main

from cmtool.io import csv_reader


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under `folder` (hidden ones too) → its SHA-256."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> tuple[dict[str, Path], Path]:
    """The base company, and a work folder whose ledger and output hold a run of every command."""
    root = tmp_path_factory.mktemp("corpus")
    inputs = base_inputs(root / "in")
    work = root / "seed"
    work.mkdir()
    for name in COMMANDS:
        run = run_main(*arguments(name, inputs, None, None, work), cwd=work)
        assert run.code == 0, (name, run.stderr)
    return inputs, work


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """Every case's file, built once."""
    root = tmp_path_factory.mktemp("cases")
    out = {}
    for case in CASES:
        folder = root / case.name
        folder.mkdir()
        out[case.name] = case.build(folder)
    return out


def test_the_corpus_covers_every_kind_of_input_and_both_outcomes():
    kinds = {(c.replaces, c.expect) for c in CASES}
    assert kinds >= {("customers", "refuse"), ("customers", "read"), ("sales", "refuse"), ("sales", "read"),
                     ("config", "refuse")}
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize(("case", "command"), pairs(), ids=[f"{c.name}-{n}" for c, n in pairs()])
def test_corpus_case(case, command, seeded, built, tmp_path, monkeypatch):
    inputs, seed = seeded
    if case.block_size:
        monkeypatch.setattr(csv_reader, "BLOCK_SIZE", case.block_size)
    work = tmp_path / "work"
    shutil.copytree(seed, work)
    before = snapshot(work)
    run = run_main(*arguments(command, inputs, case, built[case.name], work), cwd=work)
    result = outcome(case, command, run)
    assert result == ("refused" if case.expect == "refuse" else "read"), (result, run.stderr[-2000:])
    if case.expect == "refuse" and command in REPORTS:  # the report lists the problem; the ledger holds
        assert snapshot(work)["cmtool.db"] == before["cmtool.db"]
    elif case.expect == "refuse":
        assert snapshot(work) == before
        assert any("\u4e00" <= ch <= "\u9fff" for ch in run.stderr)
    else:
        assert not (work / "output" / ".cmtool-staging").exists()
