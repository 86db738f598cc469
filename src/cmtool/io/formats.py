"""Which files to read and what they really are (data.md, "Formats to read").

The ending says what a file should be; the first bytes say what it is. An Excel ending on an
Excel workbook of the other kind is read anyway; anything else that does not match (a CSV renamed
.xlsx, a web page saved as .xls, random bytes) is refused with the fix.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from cmtool.errors import DataError, Problem

Kind = Literal["excel", "text", "parquet"]
Content = Literal["excel", "text", "parquet", "html", "binary"]

EXTENSIONS: dict[str, Kind] = {
    ".xlsx": "excel",
    ".xlsm": "excel",
    ".xls": "excel",
    ".csv": "text",
    ".txt": "text",
    ".parquet": "parquet",
}
_SNIFF_BYTES = 4096
_DESCRIBED: dict[Content, str] = {
    "excel": "Excel 工作簿",
    "text": "文本（CSV 等）",
    "parquet": "Parquet 数据文件",
    "html": "网页（HTML/XML）",
    "binary": "无法识别的二进制数据，不是表格文件",
}
_FIXES: dict[Content, str] = {
    "excel": "请把文件扩展名改为 .xlsx 或 .xls",
    "text": "请把文件扩展名改为 .csv，或用 Excel 打开后另存为 .xlsx",
    "parquet": "请把文件扩展名改为 .parquet",
    "html": "请用 Excel 打开该文件，再“另存为”Excel 工作簿（.xlsx）后使用",
    "binary": "请确认选对了文件，或从 V3 重新导出",
}


def supported_list() -> str:
    return "、".join(EXTENSIONS)


def _content(head: bytes) -> Content:
    if head.startswith(b"PK\x03\x04") or head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "excel"
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "text"  # UTF-16 text, as Excel's "Unicode 文本" writes it
    if b"\x00" in head:
        return "binary"
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:512].lower()
    if start.startswith(b"<") and any(tag in start for tag in (b"<html", b"<table", b"<!doctype", b"<?xml")):
        return "html"
    return "text"


def file_kind(path: Path) -> Kind:
    """The reader to use for `path`, or a DataError that says what is wrong with it."""
    if path.is_dir():
        raise DataError(f"{path} 是一个文件夹，不是文件", fix="请给出文件的路径（只有 --sales 可以给文件夹）")
    if not path.is_file():
        raise DataError(f"找不到文件：{path}", fix="请检查路径是否写对")
    kind = EXTENSIONS.get(path.suffix.lower())
    if kind is None:
        raise DataError(
            f"不支持的文件类型「{path.suffix or '无扩展名'}」：{path.name}",
            fix=f"支持的文件类型：{supported_list()}",
        )
    with path.open("rb") as fh:
        head = fh.read(_SNIFF_BYTES)
    if not head:
        raise DataError(f"文件是空的：{path.name}", [Problem("文件没有任何内容", file=str(path))],
                        fix="请重新导出该文件")
    content = _content(head)
    if content != kind:
        raise DataError(
            f"文件 {path.name} 的扩展名是 {path.suffix}，但内容是{_DESCRIBED[content]}",
            [Problem(f"内容是{_DESCRIBED[content]}", file=str(path))],
            fix=_FIXES[content],
        )
    return kind


def _wanted(path: Path) -> bool:
    return path.suffix.lower() in EXTENSIONS and not path.name.startswith(("~$", "."))


def expand_paths(paths: list[Path]) -> list[Path]:
    """Files to read: folders give their supported files sorted by name (Excel's `~$` lock
    files and hidden files left out); the same file named twice is read once."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and _wanted(p))
            if not found:
                raise DataError(f"文件夹 {path} 中没有可读取的文件", fix=f"支持的文件类型：{supported_list()}")
            files += found
        elif path.exists():
            files.append(path)
        else:
            raise DataError(f"找不到文件或文件夹：{path}", fix="请检查路径是否写对")
    seen: set[Path] = set()
    unique = []
    for p in files:
        if p.resolve() not in seen:
            seen.add(p.resolve())
            unique.append(p)
    return unique
