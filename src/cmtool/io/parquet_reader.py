"""Reading Parquet files through pyarrow, column types kept; the header counts as row 1."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from cmtool.errors import DataError, Problem
from cmtool.io.headers import Shape
from cmtool.io.raw_table import Progress, RawBatch, Table, locate, used_columns

PARQUET_BATCH_ROWS = 1 << 20


def open_parquet(
    path: Path, shapes: Sequence[Shape], aliases: Mapping[str, Sequence[str]], wanted: set[str] | None,
    progress: Progress | None,
) -> Table:
    """A Parquet file: its column names are the header."""
    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowException, OSError):
        raise DataError(f"无法读取 Parquet 文件 {path.name}", [Problem("文件已损坏", str(path))],
                        fix="请重新导出该文件") from None
    names = parquet.schema_arrow.names
    match = locate(path, None, [names], shapes, aliases)
    return Table(path, None, 1, match, _parquet_batches(path, parquet, names, used_columns(match, wanted), progress))


def _parquet_batches(
    path: Path, parquet: pq.ParquetFile, names: list[str], used: dict[str, int], progress: Progress | None
) -> Iterator[RawBatch]:
    size, total = path.stat().st_size, max(parquet.metadata.num_rows, 1)
    wanted = sorted(set(used.values()))
    start = 0
    for batch in parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS, columns=[names[i] for i in wanted]):
        by_index = dict(zip(wanted, batch.columns))
        rows = np.arange(start + 2, start + 2 + batch.num_rows, dtype=np.int64)
        start += batch.num_rows
        yield RawBatch({name: by_index[i] for name, i in used.items()}, rows)
        if progress:
            progress(size * start // total, size)
