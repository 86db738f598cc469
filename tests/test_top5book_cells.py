"""Issue 13: the 档案 workbook's cell estimate, which picks xlsxwriter's mode, follows what a
file really takes (an estimate three times too high sent a city's archive to the slow mode)."""

from __future__ import annotations

from datetime import date

import pandas as pd
from hypothesis import given, settings, strategies as st

from cmtool.documents.top5book import HISTORY_COLUMNS, Dossier, DossierWriter, Top5Book
from cmtool.documents.xlsx import Styles, new_workbook
from cmtool.periods import Month

PAIR = st.lists(st.tuples(st.text(min_size=1, max_size=8), st.text(max_size=40)), min_size=1, max_size=3)
HISTORY_ROW = tuple([None] * len(HISTORY_COLUMNS))


def _book() -> Top5Book:
    empty = pd.DataFrame()
    return Top5Book("示例市烟草公司", Month(2026, 10), date(2026, 11, 2), "全市", empty, empty, empty, empty, [])


@settings(max_examples=25, deadline=None)
@given(info=st.lists(PAIR, min_size=1, max_size=5), months=st.integers(0, 12),
       structure=st.lists(PAIR, max_size=4), anomalies=st.lists(st.text(min_size=1, max_size=90), max_size=4),
       note=st.none() | st.just("本月没有卷烟规格明细"))
def test_estimate_covers_the_cells_written_and_is_close(tmp_path_factory, info, months, structure, anomalies, note):
    dossier = Dossier("某某商店（客户编码 510101100001）", info, [HISTORY_ROW] * months, structure, note, anomalies)
    path = tmp_path_factory.mktemp("book") / "b.xlsx"
    with new_workbook(path) as workbook:
        sheet = workbook.add_worksheet("档案")
        writer = DossierWriter(sheet, Styles(workbook), _book())
        before = sum(len(cols) for cols in sheet.table.values())
        writer.dossier(dossier, Month(2026, 10))
        written = sum(len(cols) for cols in sheet.table.values()) - before
    assert written <= dossier.cells <= 1.3 * written + 12
