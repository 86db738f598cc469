"""Encoding and first rows of a CSV/TXT export (data.md: UTF-8 with or without BOM, GBK/GB18030).

The encoding is told by the byte-order mark, else by whether the first HEAD_BYTES decode as
UTF-8, else as GB18030 (a superset of GBK); `encoding=` overrides. Excel's "Unicode 文本" (UTF-16
with BOM, tab-separated) is read too. Every line of the file is checked (issue 8): a file whose
encoding changes further down (two exports pasted together) is refused at the first line that
does not fit, never read garbled — with a detected GB18030, a line that is valid UTF-8 with
Chinese in it is such a line. `read_head(check=True)` checks the whole file at once; the CSV
reader asks for `check=False` and checks each part of the file as it reads it (csv_reader).
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

from cmtool.errors import DataError, Problem

HEAD_BYTES = 256 * 1024
CHECK_BYTES = 1 << 20  # read at a time by the whole-file check, into one buffer
DELIMITERS = {".csv": (",", "\t", ";", "|"), ".txt": ("\t", ",", ";", "|")}
ENCODING_FIX = "请用 --encoding 指定文件编码（如 gbk、utf-8），或在 Excel/WPS 中另存为“CSV UTF-8”"


@dataclass(frozen=True)
class TextHead:
    """The encoding found and the decoded beginning of the file (whole lines only)."""

    encoding: str  # a Python codec name
    text: str
    utf8_is_foreign: bool = False  # GB18030 was detected: a UTF-8 line with Chinese in it is foreign
    lines_checked: bool = False  # every line was checked (`check_lines`); else the reader checks them

    @property
    def needs_check(self) -> bool:
        """Whether the lines are still to be checked (never for UTF-16, which has no such mix)."""
        return not self.lines_checked and codecs.lookup(self.encoding).name not in _UTF16

    @property
    def arrow_encoding(self) -> str:
        """The name pyarrow gets: 'utf8' reads without transcoding (the BOM sits in a skipped row)."""
        return "utf8" if codecs.lookup(self.encoding).name in ("utf-8", "utf-8-sig") else self.encoding

    def rows(self, delimiter: str) -> list[list[str]]:
        """The records of the head split at `delimiter`, empty lines kept as empty rows."""
        return list(csv.reader(io.StringIO(self.text, newline=""), delimiter=delimiter))


def _decodes(data: bytes, encoding: str, final: bool) -> bool:
    try:
        codecs.getincrementaldecoder(encoding)().decode(data, final=final)
    except UnicodeDecodeError:
        return False
    return True


def _guess(data: bytes, final: bool) -> str | None:
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return next((enc for enc in ("utf-8", "gb18030") if _decodes(data, enc, final)), None)


def read_head(path: Path, encoding: str | None, check: bool = True) -> TextHead:
    """Detect (or check) the encoding and decode the first HEAD_BYTES of `path`; with `check`,
    every line of the file is checked too (else the reader does it as it reads, `foreign_line`)."""
    with path.open("rb") as fh:
        data = fh.read(HEAD_BYTES)
        final = not fh.read(1)
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise DataError(f"不认识的编码名称「{encoding}」", fix="常用的有 utf-8、gbk、gb18030") from None
    enc = encoding or _guess(data, final)
    if enc is None:
        raise DataError(
            f"无法识别文件 {path.name} 的编码",
            [Problem("既不是 UTF-8 也不是 GBK/GB18030 编码", file=str(path))],
            fix=ENCODING_FIX,
        )
    try:
        text = codecs.getincrementaldecoder(enc)().decode(data, final=final)
    except UnicodeDecodeError:
        raise DataError(f"文件 {path.name} 不是 {enc} 编码", fix=ENCODING_FIX) from None
    if not final:
        text = text[: max(text.rfind("\n"), 0)]
    head = TextHead(enc, text.lstrip("\ufeff"), encoding is None and enc == "gb18030")
    if check and head.needs_check:
        check_lines(path, head)
    return replace(head, lines_checked=check)


_UTF16 = ("utf-16", "utf-16-le", "utf-16-be")


def foreign_line(block: bytes, encoding: str, utf8_is_foreign: bool) -> tuple[int, str] | None:
    """The first line of `block` (whole lines) that is not in `encoding`: its index and why."""
    try:
        block.decode(encoding)
    except UnicodeDecodeError as e:
        return block.count(b"\n", 0, e.start), f"不是 {encoding} 编码"
    if utf8_is_foreign:
        for i, line in enumerate(block.split(b"\n")):
            if not line.isascii():
                try:
                    line.decode("utf-8")
                except UnicodeDecodeError:
                    continue
                return i, "是 UTF-8 编码，而文件前面是 GBK/GB18030 编码"
    return None


# ASCII bytes mean the same in these, so a block of ASCII alone needs no decoding
ASCII_COMPATIBLE = {"utf-8", "utf-8-sig", "gb18030", "gbk", "gb2312", "big5"}


def check_lines(path: Path, head: TextHead) -> None:
    """Every line of `path` is in the head's encoding, or a DataError naming the first that is
    not. The data rows of exports are mostly ASCII: such blocks are passed without decoding (an
    ASCII byte never ends a character half-way, so the next block starts at a character)."""
    ascii_passes = codecs.lookup(head.encoding).name in ASCII_COMPATIBLE
    done = 0  # bytes of the file before `block`
    with path.open("rb") as fh:
        for block in _blocks(fh):
            if not (ascii_passes and block.isascii()):
                block = bytes(block)
                if not block.endswith(b"\n"):
                    block += fh.readline()  # whole lines: the last one's rest
                found = foreign_line(block, head.encoding, head.utf8_is_foreign)
                if found is not None:
                    raise foreign_line_error(path, done, *found)
            done += len(block)


def foreign_line_error(path: Path, offset: int, line: int, why: str) -> DataError:
    """The refusal of a file whose `line`-th line from byte `offset` on is not in its encoding."""
    row = _lines_before(path, offset) + 1 + line
    return DataError(
        f"文件 {path.name} 从第 {row} 行起编码与前面不同（这一行{why}），按一种编码读取会读成乱码",
        [Problem(f"这一行{why}", str(path), row=row)],
        fix="文件多半是由两种编码的导出拼接而成：请在 Excel/WPS 中打开后另存为“CSV UTF-8”，"
            "或从 V3 重新导出；确知编码时可用 --encoding 指定",
    )


def _blocks(fh: BinaryIO) -> Iterator[bytes | bytearray]:
    """The file in blocks: the head (title rows and header, seldom ASCII) on its own, so that the
    rest is read as ASCII blocks, then CHECK_BYTES at a time into one reused buffer (a fresh
    block each time costs a page fault per 4 KB, a quarter of the check's time; issue 13)."""
    head = fh.read(HEAD_BYTES)
    if not head:
        return
    yield head
    buffer = bytearray(CHECK_BYTES)
    while count := fh.readinto(buffer):
        yield buffer if count == len(buffer) else buffer[:count]


def _lines_before(path: Path, size: int) -> int:
    """The number of line breaks in the first `size` bytes of `path`."""
    count = 0
    with path.open("rb") as fh:
        while size > 0:
            chunk = fh.read(min(CHECK_BYTES, size))
            if not chunk:
                break
            count, size = count + chunk.count(b"\n"), size - len(chunk)
    return count
