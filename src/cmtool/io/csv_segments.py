"""The fast path of the CSV reader: a text file cut into segments of whole lines, each parsed by
pyarrow on every core (issue 13).

pyarrow's streaming reader parses on one core; `read_csv` over a buffer uses them all. A
segment is SEGMENT_BYTES of the file cut after its last line break, which is a record boundary
only while no quote is open, so the fast path takes files whose segments hold no quote at all
(V3 exports of order lines have none). Numbers are read as float64 inside the reader's threads,
and the dates of a file whose first lines write them as 2026-07-01 as dates (csv_reader).
Anything unusual stops the fast path with `NotPlain` before its segment is given out: a quote,
a row of the wrong width, a number or date pyarrow does not read, or one that is negative, not finite
or beyond MAX_QUANTITY (so that a message quotes the cell as written); the reader then goes on
with its careful path from the rows already given. The encoding check of issue 8 is done here
too, a segment at a time (`ForeignLine`), on the pages the parse reads anyway.
"""

from __future__ import annotations

import contextlib
import mmap
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from cmtool.io.textfile import foreign_line
from cmtool.io.values import MAX_QUANTITY

FIRST_SEGMENT_BYTES = 1 << 20
SEGMENT_BYTES = 32 << 20


class ForeignLine(Exception):
    """A line not in the file's encoding: the `line`-th from byte `offset` on, and why."""

    def __init__(self, offset: int, line: int, why: str):
        super().__init__(offset, line, why)
        self.offset, self.line, self.why = offset, line, why


class NotPlain(Exception):
    """The rest of the file needs the careful reader; `wrong_width`: a row of the wrong width."""

    def __init__(self, wrong_width: bool = False):
        super().__init__()
        self.wrong_width = wrong_width


@dataclass(frozen=True)
class SegmentLayout:
    """How to parse a segment (see csv_reader._CsvLayout for the fields)."""

    path: Path
    encoding: str  # a Python codec name, ASCII-compatible
    delimiter: str
    skip_rows: int  # of the first segment: the title rows and the header
    names: list[str]
    include: list[str]
    types: dict[str, pa.DataType]  # numbers as float64, ISO dates as date32
    numbers: frozenset[str]
    block_size: int
    check_lines: bool = False  # every segment's lines checked against the encoding (textfile.foreign_line)
    utf8_is_foreign: bool = False


def _records(path: Path) -> Iterator[tuple[pa.Buffer, bool, int]]:
    """The file in segments of whole lines, each with whether it may hold a quote and the file
    offset after it. The file is mapped, not read: a segment is a view of it, since copying
    costs as much as parsing on a small machine. The first segment is small (the title rows and
    header, which may need transcoding)."""
    with path.open("rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        if not size:
            return
        mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    whole = pa.py_buffer(mapped)
    try:
        start, step = 0, FIRST_SEGMENT_BYTES
        while start < size:
            end = min(start + step, size)
            if end < size:  # after the last line break, or the first after a very long line
                cut = mapped.rfind(b"\n", start, end) + 1
                end = cut if cut > start else (mapped.find(b"\n", end) + 1 or size)
            yield whole.slice(start, end - start), mapped.find(b'"', start, end) >= 0, end
            _release(mapped, start, end)
            start, step = end, SEGMENT_BYTES
    finally:
        del whole
        with contextlib.suppress(BufferError):  # a view still held: unmapped when it goes
            mapped.close()


def _release(mapped: mmap.mmap, start: int, end: int) -> None:
    """Drop the parsed pages from the process's memory (they stay in the system's file cache, and
    a page touched again is read back): else a province's 4 GB of files would count as used."""
    if hasattr(mmap, "MADV_DONTNEED"):  # not on Windows, which trims mapped pages itself
        first = start - start % mmap.PAGESIZE
        mapped.madvise(mmap.MADV_DONTNEED, first, end - first)


def _parse(layout: SegmentLayout, data: pa.Buffer, first: bool, all_ascii: bool) -> pa.Table:
    """One segment parsed (transcoded to UTF-8 first where it is not ASCII and the file is not UTF-8)."""
    if layout.encoding not in ("utf-8", "utf-8-sig") and not all_ascii:
        data = pa.py_buffer(data.to_pybytes().decode(layout.encoding).encode())
    try:
        table = pacsv.read_csv(
            data,
            read_options=pacsv.ReadOptions(
                skip_rows=layout.skip_rows if first else 0, column_names=layout.names,
                block_size=layout.block_size, use_threads=True,
            ),
            parse_options=pacsv.ParseOptions(delimiter=layout.delimiter, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types=layout.types, include_columns=layout.include,
                null_values=[""], strings_can_be_null=True, quoted_strings_can_be_null=True,
            ),
        )
    except (pa.ArrowInvalid, UnicodeError) as exc:
        raise NotPlain(wrong_width="CSV parse error: Expected" in str(exc)) from None
    for name in layout.numbers:
        values = table[name]
        outside = pc.or_(pc.invert(pc.is_finite(values)), pc.or_(pc.less(values, 0), pc.greater(values, MAX_QUANTITY)))
        if pc.any(outside).as_py():
            raise NotPlain()  # the careful reader says what is wrong, with the text as written
    return table


def segment_tables(layout: SegmentLayout) -> Iterator[tuple[pa.Table, int]]:
    """The file's rows, a table per segment, with the file offset read so far; NotPlain where
    the fast path ends (every table given before it is correct). With `check_lines`, a segment
    that is not all ASCII has its lines checked against the encoding first (ForeignLine): the
    pages are read here anyway, so the whole-file check costs no second pass over the file."""
    first, start = True, 0
    for data, quoted, offset in _records(layout.path):
        all_ascii = np.frombuffer(data, np.uint8).max(initial=0) < 0x80
        if layout.check_lines and not all_ascii:
            found = foreign_line(data.to_pybytes(), layout.encoding, layout.utf8_is_foreign)
            if found is not None:
                raise ForeignLine(start, *found)
        if quoted:
            raise NotPlain()
        yield _parse(layout, data, first, all_ascii), offset
        first, start = False, offset
