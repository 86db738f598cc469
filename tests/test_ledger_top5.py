"""R-TOP5 in the ledger: months, their lists and the files; one transaction per run."""

from __future__ import annotations

import sqlite3
from datetime import datetime

import pandas as pd
import pytest

from cmtool.ledger import Ledger


def _month(month: str, publish: str, population: int = 40) -> dict[str, object]:
    return {"month": month, "publish_date": publish, "population": population, "cutoff": 2,
            "threshold_volume": 12.5, "recorded_at": "2026-11-02T09:00:00"}


def _members(*ids: str) -> pd.DataFrame:
    n = len(ids)
    return pd.DataFrame({"customer_id": list(ids), "rank": list(range(1, n + 1)), "volume": [100.25] * n,
                         "amount": [9000.5] * n, "status": ["新进入"] * n})


def _files(*rows: tuple[str, str, str | None, str]) -> pd.DataFrame:
    return pd.DataFrame([{"customer_id": cid, "opened_on": opened, "archived_on": archived, "reopened_on": None,
                          "retain_until": archived and f"{archived[:4]}-12-31", "state": state}
                         for cid, opened, archived, state in rows])


def test_r_top5_reading_a_missing_ledger_creates_nothing(tmp_path):
    ledger = Ledger(tmp_path / "cmtool.db")
    assert ledger.top5_months().empty and ledger.top5_members().empty and ledger.top5_files().empty
    assert ledger.top5_purged() == set() and ledger.quarter_in_force("2026-10-01") is None
    assert not (tmp_path / "cmtool.db").exists()


def test_r_top5_record_and_read_back_keeps_codes_as_text(tmp_path):
    ledger = Ledger(tmp_path / "cmtool.db")
    ledger.record_top5(_month("2026-10", "2026-11-02"), _members("00123", "510101"),
                       _files(("00123", "2026-11-02", None, "open"), ("510101", "2026-11-02", None, "open")))
    assert ledger.top5_months()[["month", "publish_date", "cutoff", "threshold_volume"]].values.tolist() == [
        ["2026-10", "2026-11-02", 2, 12.5]]
    members = ledger.top5_members(month="2026-10")
    assert members["customer_id"].tolist() == ["00123", "510101"] and members["volume"].tolist() == [100.25] * 2
    assert ledger.top5_files("00123")["state"].tolist() == ["open"]


def test_r_top5_rerunning_a_month_replaces_it_and_keeps_the_others(tmp_path):
    ledger = Ledger(tmp_path / "cmtool.db")
    ledger.record_top5(_month("2026-09", "2026-10-08"), _members("a", "b"), _files(("a", "2026-10-08", None, "open")))
    ledger.record_top5(_month("2026-10", "2026-11-02"), _members("a", "c"), _files(("a", "2026-10-08", None, "open")))
    ledger.record_top5(_month("2026-10", "2026-11-02", population=41), _members("d"),
                       _files(("d", "2026-11-02", None, "open"), ("a", "2026-10-08", "2026-11-02", "archived")))
    assert ledger.top5_months()["population"].tolist() == [40, 41]
    assert ledger.top5_members(month="2026-10")["customer_id"].tolist() == ["d"]
    assert ledger.top5_members(month="2026-09")["customer_id"].tolist() == ["a", "b"]
    assert ledger.top5_members(customer_id="a")["month"].tolist() == ["2026-09"]
    assert ledger.top5_files()["customer_id"].tolist() == ["a", "d"]


def test_r_top5_customers_listed_without_a_file_were_purged(tmp_path):
    ledger = Ledger(tmp_path / "cmtool.db")
    ledger.record_top5(_month("2026-10", "2026-11-02"), _members("a", "b"), _files(("a", "2026-11-02", None, "open")))
    assert ledger.top5_purged() == {"b"}


def test_r_top5_a_failed_write_leaves_the_ledger_as_it_was(tmp_path):
    ledger = Ledger(tmp_path / "cmtool.db")
    ledger.record_top5(_month("2026-10", "2026-11-02"), _members("a"), _files(("a", "2026-11-02", None, "open")))
    with pytest.raises(sqlite3.IntegrityError):  # the same customer twice: the insert fails half way
        ledger.record_top5(_month("2026-10", "2026-11-02"), _members("x", "x"),
                           _files(("x", "2026-11-02", None, "open")))
    assert ledger.top5_members()["customer_id"].tolist() == ["a"]
    assert ledger.top5_files()["customer_id"].tolist() == ["a"]


def _classes(ids: list[str], class_name: str) -> pd.DataFrame:
    n = len(ids)
    return pd.DataFrame({
        "customer_id": ids, "name": ids, "department": [None] * n, "manager": ["张三"] * n, "market": ["城镇"] * n,
        "format": ["食杂店"] * n, "scale": ["大"] * n, "class_name": [class_name] * n, "class_code": ["CZ1"] * n,
        "volume": [1.0] * n, "amount": [1.0] * n, "score": [0.5] * n, "rank": [1] * n, "n": [n] * n,
        "scope": ["全市"] * n,
    })


def test_r_top5_the_classification_in_force_in_a_month(tmp_path):
    """R-TOP5 5: 2026Q2 takes effect on 2026-07-01, 2026Q3 on 2026-10-01."""
    ledger = Ledger(tmp_path / "cmtool.db")
    ledger.record_quarter("2026Q2", "company", "2026-07-01", _classes(["a"], "城镇食杂店大"), datetime(2026, 7, 2))
    ledger.record_quarter("2026Q3", "company", "2026-10-01", _classes(["a"], "城镇食杂店中"), datetime(2026, 10, 2))
    assert ledger.quarter_in_force("2026-06-01") is None
    assert ledger.quarter_in_force("2026-09-01") == "2026Q2"
    assert ledger.quarter_in_force("2026-10-01") == "2026Q3"
