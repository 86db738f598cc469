"""The SQLite ledger: quarters recorded, replaced in one transaction, schema versioned."""

import sqlite3
from datetime import datetime

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cmtool.errors import CmtoolError
from cmtool.ledger import SCHEMA_VERSION, Ledger, _plain_rows


def _result(ids, scale="中"):
    n = len(ids)
    return pd.DataFrame({
        "customer_id": ids, "name": [f"店{i}" for i in ids], "department": ["锦江营销部"] * n,
        "manager": ["张三"] * n, "market": ["城镇"] * n, "format": ["食杂店"] * n, "scale": [scale] * n,
        "class_name": [f"城镇食杂店{scale}"] * n, "class_code": ["CZ2"] * n, "volume": [1.5] * n,
        "amount": [100.25] * n, "score": [1 / n] * n, "rank": list(range(1, n + 1)), "n": [n] * n,
        "scope": ["全市"] * n,
    })


def test_reading_a_missing_ledger_creates_nothing(tmp_path):
    ledger = Ledger(tmp_path / "cmtool.db")
    assert ledger.quarter_classes("2026Q2") is None
    assert not (tmp_path / "cmtool.db").exists()


def test_record_and_read_back_keeps_codes_as_text(tmp_path):
    ledger = Ledger(tmp_path / "sub" / "cmtool.db")
    ledger.record_quarter("2026Q3", "company", "2026-10-01", _result(["00123", "510101"]), datetime(2026, 10, 2))
    got = ledger.quarter_classes("2026Q3")
    assert list(got["customer_id"]) == ["00123", "510101"]
    assert got["amount"].tolist() == [100.25, 100.25]
    assert ledger.quarter_classes("2026Q2") is None
    con = sqlite3.connect(tmp_path / "sub" / "cmtool.db")
    assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_rerunning_a_quarter_replaces_it(tmp_path):
    ledger = Ledger(tmp_path / "cmtool.db")
    ledger.record_quarter("2026Q3", "company", "2026-10-01", _result(["1", "2", "3"]), datetime(2026, 10, 2))
    ledger.record_quarter("2026Q2", "company", "2026-07-01", _result(["1"]), datetime(2026, 7, 2))
    ledger.record_quarter("2026Q3", "company", "2026-10-01", _result(["4"], "大"), datetime(2026, 10, 3))
    assert ledger.quarter_classes("2026Q3")["customer_id"].tolist() == ["4"]
    assert ledger.quarter_classes("2026Q2")["customer_id"].tolist() == ["1"]


def test_a_failed_write_leaves_the_quarter_as_it_was(tmp_path):
    ledger = Ledger(tmp_path / "cmtool.db")
    ledger.record_quarter("2026Q3", "company", "2026-10-01", _result(["1", "2"]), datetime(2026, 10, 2))
    bad = _result(["7", "7"])  # duplicate key: the insert fails half way
    with pytest.raises(sqlite3.IntegrityError):
        ledger.record_quarter("2026Q3", "company", "2026-10-01", bad, datetime(2026, 10, 3))
    assert ledger.quarter_classes("2026Q3")["customer_id"].tolist() == ["1", "2"]


def test_not_a_database_is_a_chinese_error(tmp_path):
    path = tmp_path / "cmtool.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(CmtoolError, match="台账文件"):
        Ledger(path).quarter_classes("2026Q3")


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "cmtool.db"
    con = sqlite3.connect(path)
    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    con.close()
    with pytest.raises(CmtoolError, match="升级"):
        Ledger(path).quarter_classes("2026Q3")


def test_an_old_ledger_is_migrated_and_keeps_its_data(tmp_path):
    from cmtool.ledger import MIGRATIONS

    path = tmp_path / "cmtool.db"
    con = sqlite3.connect(path)
    MIGRATIONS[0](con)
    con.execute("PRAGMA user_version = 1")
    con.execute("INSERT INTO quarters VALUES ('2026Q2', 'company', '2026-07-01', 1, '2026-07-02T00:00:00')")
    con.execute("INSERT INTO classifications VALUES ('2026Q2', '001', '甲', NULL, '张三', '城镇', '食杂店', '中',"
                " '城镇食杂店中', 'CZ2', 1.0, 2.0, 0.5, 1, 1, '全市')")
    con.commit()
    con.close()
    assert Ledger(path).quarter_classes("2026Q2")["class_name"].tolist() == ["城镇食杂店中"]
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"top5_months", "top5_members", "top5_files", "applications", "measures"} <= tables


_cells = st.one_of(st.none(), st.text(max_size=4), st.sampled_from(["城镇", "食杂店", "大"]))


@settings(deadline=None, max_examples=60)
@given(texts=st.lists(_cells, max_size=30), chunk=st.integers(1, 7))
def test_plain_rows_are_the_python_values_of_each_row(texts, chunk):
    """The rows handed to SQLite: every value as Python gives it, None where missing, whatever
    the column's type and however the frame is cut into chunks (texts shared by distinct value)."""
    n = len(texts)
    frame = pd.DataFrame({
        "text": pd.Series(texts, dtype="str"), "arrow": pd.Series(texts, dtype="string[pyarrow]"),
        "plain": pd.Series(texts, dtype=object), "number": [None if i % 3 == 0 else i / 4 for i in range(n)],
        "count": list(range(n)), "maybe": pd.array([None if i % 2 else i for i in range(n)], dtype="Int64"),
    })
    columns = tuple(frame.columns)
    expected = [tuple(None if pd.isna(v) else v for v in row) for row in frame.astype(object).itertuples(index=False)]
    assert list(_plain_rows(frame, columns, chunk)) == expected
