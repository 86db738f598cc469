"""Errors that end a run with exit status 1 and a Chinese message (never a traceback).

A `Problem` is one bad cell or row, located as the user sees it in Excel: file, sheet,
row number (title rows counted), column header as written in the file, and the value.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass, field
from pathlib import Path

MAX_PROBLEMS_SHOWN = 20


@dataclass(frozen=True)
class Problem:
    """One located data problem; `fix` tells the user what to do."""

    message: str
    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    fix: str | None = None
    customer_id: str | None = None

    def location(self) -> str:
        """The place in Chinese, e.g. `文件 客户信息.xlsx，工作表 Sheet1，第 12 行，列「业态」`."""
        parts = []
        if self.file:
            parts.append(f"文件 {Path(self.file).name}")
        if self.sheet:
            parts.append(f"工作表 {self.sheet}")
        if self.row is not None:
            parts.append(f"第 {self.row} 行")
        if self.column:
            parts.append(f"列「{self.column}」")
        if self.value is not None:
            parts.append(f"值「{self.value}」")
        return "，".join(parts)

    def render(self) -> str:
        """The whole message: where, what, and the fix."""
        text = self.message
        where = self.location()
        if where:
            text = f"{where}：{text}"
        if self.fix:
            text = f"{text}。{self.fix}" if not text.endswith("。") else f"{text}{self.fix}"
        return text


class CmtoolError(Exception):
    """A refused run: bad data or a refused action. The CLI prints it and exits 1."""

    def __init__(self, message: str, problems: list[Problem] | None = None, fix: str | None = None):
        super().__init__(message)
        self.message = message
        self.problems: list[Problem] = list(problems or [])
        self.fix = fix

    def render(self) -> str:
        """All lines of the message, at most MAX_PROBLEMS_SHOWN problems listed."""
        lines = [f"错误：{self.message}"]
        shown = self.problems[:MAX_PROBLEMS_SHOWN]
        lines += [f"  - {p.render()}" for p in shown]
        if len(self.problems) > len(shown):
            lines.append(f"  …… 另有 {len(self.problems) - len(shown)} 处问题未列出")
        if self.fix:
            lines.append(f"处理办法：{self.fix}")
        return "\n".join(lines)


class DataError(CmtoolError):
    """The input data is wrong (a file, a row, a value)."""


class ConfigError(CmtoolError):
    """The config file is wrong."""


class CalendarError(CmtoolError):
    """A date falls in a year that no calendar source covers."""


@dataclass
class ProblemLog:
    """Problems collected while reading, up to a limit, so a run can report them all at once."""

    limit: int = 200
    problems: list[Problem] = field(default_factory=list)

    def add(self, problem: Problem) -> None:
        if len(self.problems) < self.limit:
            self.problems.append(problem)

    def __bool__(self) -> bool:
        return bool(self.problems)


# ---- the one place that turns OS and SQLite errors into Chinese messages (issue 8) ----

_CLOSE_IT = "如该文件已在 Excel/WPS 或其他程序中打开，请先关闭；否则请检查该文件及其文件夹的权限（是否只读）"
_OS_ERRORS: dict[int, tuple[str, str]] = {
    errno.EACCES: ("没有权限，或文件正被其他程序占用", _CLOSE_IT),
    errno.EPERM: ("没有权限，或文件被锁定、正被其他程序占用", _CLOSE_IT),
    errno.ENOSPC: ("磁盘空间不足", "请清理磁盘空间，或用 --out 指定其他磁盘上的文件夹后重新运行"),
    getattr(errno, "EDQUOT", -2): ("磁盘配额已用完", "请清理磁盘空间，或用 --out 指定其他磁盘上的文件夹后重新运行"),
    errno.EISDIR: ("这是一个文件夹，不是文件", "请给出文件的路径，或把同名文件夹改名"),
    errno.ENOTDIR: ("路径中有一段是文件而不是文件夹", "请检查路径，或用 --out 指定一个文件夹"),
    errno.EEXIST: ("已有同名的文件，不能作为文件夹", "请用 --out 指定一个文件夹，或把同名文件改名"),
    errno.EROFS: ("所在磁盘是只读的", "请用 --out 指定可写的文件夹"),
    errno.ENOENT: ("文件或文件夹不存在", "请检查路径是否写对"),
    errno.ENAMETOOLONG: ("路径太长", "请换一个较短的文件夹路径"),
    errno.EMFILE: ("打开的文件太多", "请关闭其他程序后重新运行"),
}
_SHARING_VIOLATION = 32  # Windows: the file is open in another program (winerror)
_LOCK_VIOLATION = 33


def os_error(exc: OSError, action: str = "访问", path: object = None) -> CmtoolError:
    """The Chinese message for an OS error while `action`-ing (读取/写入/发布) a file: the path,
    what is wrong and the fix."""
    where = path if path is not None else (exc.filename if exc.filename is not None else "（未知路径）")
    if getattr(exc, "winerror", None) in (_SHARING_VIOLATION, _LOCK_VIOLATION):
        why, fix = "文件正被其他程序（如 Excel/WPS）打开", "请关闭该文件后重新运行"
    else:
        why, fix = _OS_ERRORS.get(exc.errno or -1, (exc.strerror or type(exc).__name__, "请检查该路径后重新运行"))
    return CmtoolError(f"无法{action} {where}：{why}", fix=fix)


def ledger_error(path: object, exc: Exception) -> CmtoolError:
    """The Chinese message for an SQLite error on the ledger at `path` (locked, read-only, full,
    not a database)."""
    text = str(exc).lower()
    if isinstance(exc, OSError):
        return os_error(exc, "使用台账文件", path)
    if "locked" in text or "busy" in text:
        why = "正被另一个 cmtool 运行或其他程序（如 SQLite 查看工具）占用"
        fix = "请等另一个运行结束，或关闭打开台账的程序，然后重新运行；台账没有改动"
    elif "readonly" in text or "read-only" in text:
        why = "是只读的（文件或所在文件夹不允许写入）"
        fix = "请去掉台账文件及其文件夹的只读属性，或用 --db 指定可写的台账文件；台账没有改动"
    elif "disk is full" in text or "full" in text:
        why = "所在磁盘空间不足"
        fix = "请清理磁盘空间后重新运行；台账没有改动"
    elif "unable to open" in text:
        why = "无法打开（路径不存在、是文件夹，或没有权限）"
        fix = "请用 --db 指定一个可写的台账文件路径"
    elif "not a database" in text or "malformed" in text or "corrupt" in text:
        why = "不是 cmtool 台账，或已损坏"
        fix = "请用 --db 指定正确的台账文件；如文件已损坏，请从备份恢复"
    elif "disk i/o" in text:
        why = "读写出错（磁盘或网络盘故障）"
        fix = "请检查磁盘后重新运行；台账没有改动"
    else:
        why = str(exc)
        fix = "请用 --db 指定正确的台账文件"
    return CmtoolError(f"台账文件 {path} 无法使用：{why}", fix=fix)


def found_os_error(exc: BaseException) -> OSError | None:
    """The OS error behind `exc` (itself, an argument, its cause or context), if any: libraries
    such as xlsxwriter wrap the OSError of a full disk in their own exception."""
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        e = todo.pop()
        if id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, OSError):
            return e
        todo += [a for a in getattr(e, "args", ()) if isinstance(a, BaseException)]
        todo += [c for c in (e.__cause__, e.__context__) if c is not None]
    return None
