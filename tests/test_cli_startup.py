"""Startup (issue 13): `cmtool --help` and `--version` load no data library; every listed command
is registered by its module."""

from __future__ import annotations

import subprocess
import sys

import pytest

from cli_support import cmtool
from cmtool import __version__
from cmtool.cli import _load
from cmtool.commands import COMMANDS

HEAVY = ("pandas", "numpy", "pyarrow", "xlsxwriter", "openpyxl", "jinja2", "python_calamine", "pydantic")


def test_cli_module_imports_no_data_library() -> None:
    code = "import sys, cmtool.cli; print(' '.join(m for m in %r if m in sys.modules))" % (HEAVY,)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


def test_version_renders_nothing_with_rich() -> None:
    code = ("import sys; sys.argv = ['cmtool', '--version']; import cmtool.cli\n"
            "try:\n    cmtool.cli.main()\nexcept SystemExit:\n    pass\n"
            "print('typer.rich_utils' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["cmtool", __version__, "False"]


def test_usage_errors_are_in_chinese(tmp_path) -> None:
    run = cmtool("classify", "--nosuch", cwd=tmp_path)
    assert run.code == 2 and "用法错误" in run.stderr and "查看帮助" in run.stderr


def test_help_lists_every_command_in_order(tmp_path) -> None:
    run = cmtool("--help", cwd=tmp_path)
    assert run.code == 0
    positions = [run.stdout.index(f"│ {name} ") for name in COMMANDS]
    assert positions == sorted(positions)
    assert cmtool("--version", cwd=tmp_path).stdout.startswith("cmtool ")


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_listed_command_is_registered_by_its_module(name: str) -> None:
    command = _load(name)
    assert command.name == name


def test_unknown_command_is_a_usage_error(tmp_path) -> None:
    run = cmtool("nosuch", cwd=tmp_path)
    assert run.code == 2
    assert "nosuch" in run.stderr


def test_command_help_comes_from_the_module(tmp_path) -> None:
    run = cmtool("top5", "history", "--help", cwd=tmp_path)
    assert run.code == 0 and "档案状态" in run.stdout


def test_run_keeps_the_status_of_main_and_leaves_the_objects_to_the_os() -> None:
    """The console script (`cli.run`) exits as main() does, with every object frozen: the
    collection at exit is skipped (issue 13)."""
    code = ("import gc, sys; sys.argv = ['cmtool', 'nosuch']; import cmtool.cli\n"
            "try:\n    cmtool.cli.run()\nexcept SystemExit as e:\n    print(e.code, gc.get_freeze_count() > 0)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["2", "True"]
