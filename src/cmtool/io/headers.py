"""Finding the header row and mapping its columns to canonical fields (data.md).

Headers match their aliases (fields.py plus `config.aliases`) ignoring spaces, case, full-width
forms and bracketed units: `购进量(条)`, `购进量（条）` and ` 购进量 ` all mean `购进量`.
The header is the row among the first HEADER_SCAN_ROWS that matches the most aliases and has
every required field of one of the accepted shapes (e.g. order lines or a monthly summary).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cmtool.fields import Field

HEADER_SCAN_ROWS = 30
Shape = tuple[Field, ...]

_UNITS = re.compile(r"\([^)]*\)|\[[^\]]*\]|【[^】]*】|〔[^〕]*〕")


def header_key(text: str) -> str:
    """The form headers are compared in: NFKC, no bracketed unit, no spaces, lower case."""
    t = unicodedata.normalize("NFKC", text)
    t = _UNITS.sub("", t)
    return re.sub(r"\s+", "", t).casefold()


def alias_table(shape: Shape, extra: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """Header key → field name for one shape; config aliases (`extra`) take precedence."""
    names = {fd.name for fd in shape}
    table = {header_key(a): fd.name for fd in shape for a in fd.aliases}
    table.update({header_key(a): name for name, aliases in extra.items() if name in names for a in aliases})
    return table


@dataclass(frozen=True)
class HeaderMatch:
    """The header row (0-based index in the rows given) and where each field is."""

    row: int
    shape: Shape
    columns: dict[str, int]  # field name → column index
    headers: dict[str, str]  # field name → header as written in the file
    cells: list[str]  # the whole header row as written


class HeaderNotFound(Exception):
    """No row has all required columns: `missing` of the closest `shape`, found in `cells`."""

    def __init__(self, row: int | None, cells: list[str], shape: Shape, missing: list[Field]):
        super().__init__("header not found")
        self.row, self.cells, self.shape, self.missing = row, cells, shape, missing


class DuplicateColumn(Exception):
    """Two columns of the header row mean the same field."""

    def __init__(self, row: int, field: Field, first: str, second: str):
        super().__init__("duplicate column")
        self.row, self.field, self.first, self.second = row, field, first, second


def _matches(cells: list[str], table: dict[str, str]) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for i, cell in enumerate(cells):
        name = table.get(header_key(cell)) if cell else None
        if name:
            found.setdefault(name, []).append(i)
    return found


def find_header(
    rows: Sequence[Sequence[str | None]], shapes: Sequence[Shape], extra: Mapping[str, Sequence[str]]
) -> HeaderMatch:
    """The header row and shape; shapes earlier in `shapes` win a tie."""
    tables = [alias_table(shape, extra) for shape in shapes]
    best: tuple[int, int, int] | None = None  # (matched fields, -row, -shape)
    closest: tuple[int, int, int] | None = None  # (required matched, -row, -shape) of incomplete ones
    for r, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        cells = [c or "" for c in row]
        for s, (shape, table) in enumerate(zip(shapes, tables)):
            found = _matches(cells, table)
            required = [fd for fd in shape if fd.required]
            have = sum(fd.name in found for fd in required)
            if have == len(required):
                best = max(best or (-1, 0, 0), (len(found), -r, -s))
            elif found:
                closest = max(closest or (-1, 0, 0), (have, -r, -s))
    if best is None:
        raise _not_found(rows, shapes, tables, closest)
    r, s = -best[1], -best[2]
    cells = [c or "" for c in rows[r]]
    found = _matches(cells, tables[s])
    by_name = {fd.name: fd for fd in shapes[s]}
    for name, idx in found.items():
        if len(idx) > 1:
            raise DuplicateColumn(r, by_name[name], cells[idx[0]], cells[idx[1]])
    return HeaderMatch(
        row=r,
        shape=shapes[s],
        columns={name: idx[0] for name, idx in found.items()},
        headers={name: cells[idx[0]] for name, idx in found.items()},
        cells=cells,
    )


def _not_found(
    rows: Sequence[Sequence[str | None]], shapes: Sequence[Shape], tables: list[dict[str, str]],
    closest: tuple[int, int, int] | None,
) -> HeaderNotFound:
    """What is missing from the row closest to a header (or from the first non-empty row)."""
    if closest is None:
        first = next((r for r, row in enumerate(rows) if any(c for c in row)), None)
        cells = [c or "" for c in rows[first]] if first is not None else []
        shape = shapes[0]
        found: dict[str, list[int]] = {}
    else:
        first, s = -closest[1], -closest[2]
        cells = [c or "" for c in rows[first]]
        shape = shapes[s]
        found = _matches(cells, tables[s])
    missing = [fd for fd in shape if fd.required and fd.name not in found]
    return HeaderNotFound(first, cells, shape, missing)
