"""The print check's split-figure detector (issue 7): real breaks are found, table rows are not."""

from __future__ import annotations

from pathlib import Path

from print_check import Command, Document, Page, Word, check_split


def _line(y: float, *words: tuple[str, float]) -> list[Word]:
    return [Word(text, x, y, x + 6 * len(text), y + 9) for text, x in words]


def _findings(*lines: list[Word]) -> list:
    page = Page(1, 595, 842, blocks=[list(lines)])
    return check_split(Document(Path("x.html"), Command("x"), {}, pages=[page]))


def test_a_figure_broken_inside_a_cell_is_reported() -> None:
    assert len(_findings(_line(100, ("五组（4", 60)), _line(112, ("0", 60), ("条/月以下）", 70)))) == 1
    assert len(_findings(_line(100, ("合计", 60), ("8.", 90)), _line(112, ("57", 60), ("条", 80)))) == 1


def test_the_next_table_row_after_the_last_column_is_not_a_split() -> None:
    # Read by pdftotext as "627" (last column of one row), then "198,594 36.7% 30.1%" of the next.
    assert _findings(_line(100, ("627", 490)), _line(112, ("198,594", 200), ("36.7%", 260), ("30.1%", 300))) == []
