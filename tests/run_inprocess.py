"""Running `cmtool` in this process (fast enough for a corpus of hundreds of runs), as `main()`
runs it: the exit status, stdout and stderr as the user would see them."""

from __future__ import annotations

import io
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from cli_support import Run


class _Stream(io.TextIOWrapper):
    """A text stream over bytes, as a real console: `.buffer` holds what was written."""

    def __init__(self) -> None:
        super().__init__(io.BytesIO(), encoding="utf-8", errors="strict", write_through=True)

    def text(self) -> str:
        self.flush()
        return self.buffer.getvalue().decode("utf-8")  # type: ignore[attr-defined]


@contextmanager
def _cwd(path: Path) -> Iterator[None]:
    old = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def run_main(*args: str | Path, cwd: Path) -> Run:
    """`cmtool ARGS` through cli.main() in `cwd`; never raises on a non-zero exit."""
    from cmtool.cli import main

    out, err = _Stream(), _Stream()
    saved = sys.argv, sys.stdout, sys.stderr
    sys.argv, sys.stdout, sys.stderr = ["cmtool", *map(str, args)], out, err
    code = 0
    try:
        with _cwd(cwd):
            main()
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    finally:
        sys.argv, sys.stdout, sys.stderr = saved
    return Run(code, out.text(), err.text())
