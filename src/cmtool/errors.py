"""Errors that end a run with exit status 1 and a Chinese message (never a traceback).

A `Problem` is one bad cell or row, located as the user sees it in Excel: file, sheet,
row number (title rows counted), column header as written in the file, and the value.
"""

from __future__ import annotations

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
