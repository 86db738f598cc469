"""`python -m cmtool`: the same as the `cmtool` command."""

from cmtool.cli import run

run()
