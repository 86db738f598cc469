"""Opening a file as a `Table`: its header found, then its rows as raw batches (data.md).

The file's content decides the reader (formats.py): Excel through excel_reader.py, CSV/TXT
through csv_reader.py, Parquet through parquet_reader.py. Each finds the header row (title rows
above it are allowed, headers.py), maps its columns to canonical fields and streams the wanted
fields with the row number each row has in Excel.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from cmtool.errors import os_error
from cmtool.io.csv_reader import open_text
from cmtool.io.excel_reader import open_excel
from cmtool.io.formats import file_kind
from cmtool.io.headers import Shape
from cmtool.io.parquet_reader import open_parquet
from cmtool.io.raw_table import Progress, Table


def open_table(
    path: Path,
    shapes: Sequence[Shape],
    aliases: Mapping[str, Sequence[str]],
    *,
    wanted: set[str] | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
    progress: Progress | None = None,
) -> Table:
    """Find the header of `path` for one of `shapes` and read the `wanted` fields (None: all)."""
    try:
        kind = file_kind(path)
        if kind == "excel":
            return open_excel(path, shapes, aliases, wanted, sheet, progress)
        if kind == "text":
            return open_text(path, shapes, aliases, wanted, encoding, progress)
        return open_parquet(path, shapes, aliases, wanted, progress)
    except OSError as e:  # unreadable: no permission, locked, a folder (errors.os_error)
        raise os_error(e, "读取", path) from None
