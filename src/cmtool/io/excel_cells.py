"""Cells that python-calamine reads as empty but are not: Excel error values (#DIV/0!, #N/A …)
and formulas saved without a calculated value (issue 8). Read from the sheet's XML of an .xlsx.

A sheet without any `t="e"` or `<f` in its XML (every V3 export) costs one scan of its bytes.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_REF = re.compile(r"^([A-Z]+)(\d+)$")

NO_VALUE = "公式（没有计算结果）"


def _sheet_part(book: zipfile.ZipFile, sheet: str) -> str | None:
    """The zip member holding `sheet`'s cells."""
    workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
    rid = next((s.get(_REL) for s in workbook.iter(f"{_MAIN}sheet") if s.get("name") == sheet), None)
    rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    target = next((r.get("Target") for r in rels.iter(_PACKAGE_REL) if r.get("Id") == rid), None)
    if target is None:
        return None
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def odd_cells(path: Path, sheet: str) -> dict[tuple[int, int], str]:
    """(0-based row, 0-based column) → what the cell holds (`#N/A`, NO_VALUE) for the error
    cells and the formulas without a cached value of `sheet`; empty for other file types."""
    if not zipfile.is_zipfile(path):
        return {}  # .xls: calamine reads BIFF error cells as empty (decisions.md)
    with zipfile.ZipFile(path) as book:
        part = _sheet_part(book, sheet)
        if part is None or part not in book.namelist():
            return {}
        with book.open(part) as fh:
            data = fh.read()
        if b't="e"' not in data and b"<f" not in data:
            return {}
    found: dict[tuple[int, int], str] = {}
    for _, cell in ElementTree.iterparse(io.BytesIO(data)):
        if cell.tag != f"{_MAIN}c":
            continue
        formula, value = cell.find(f"{_MAIN}f"), cell.find(f"{_MAIN}v")
        cached = cell.get("t") == "inlineStr" or (value is not None and (bool(value.text) or cell.get("t") == "str"))
        if cell.get("t") == "e":
            what = value.text if value is not None and value.text else "#错误"
        elif formula is not None and not cached:
            what = NO_VALUE
        else:
            cell.clear()
            continue
        m = _REF.match(cell.get("r") or "")
        if m:
            found[(int(m.group(2)) - 1, _column_index(m.group(1)))] = what
        cell.clear()
    return found
