"""The ledger's R-GROUP/R-QUOTA applications and the R-DYN measures it reads for them."""

import json
import sqlite3
from datetime import datetime

import pandas as pd
import pytest

from cmtool.ledger import APPLICATION_COLUMNS, MEASURE_COLUMNS, Ledger

AT = datetime(2026, 11, 3, 9, 30)


def _applications(*rows):
    return pd.DataFrame(
        [(cid, kind, "三组", proposed, "上调", json.dumps({"months": ["2026-10"]})) for cid, kind, proposed in rows],
        columns=list(APPLICATION_COLUMNS),
    )


def test_reading_a_missing_ledger_gives_empty_frames_and_creates_nothing(tmp_path):
    ledger = Ledger(tmp_path / "cmtool.db")
    assert ledger.applications().empty and list(ledger.measures().columns) == list(MEASURE_COLUMNS)
    assert not (tmp_path / "cmtool.db").exists()


def test_r_group_applications_recorded_and_read_back(tmp_path):
    ledger = Ledger(tmp_path / "cmtool.db")
    ledger.record_applications("2026-10", ["总量组别"], _applications(("00123", "总量组别", "二组")), AT)
    got = ledger.applications()
    assert got[["month", "customer_id", "kind", "proposed_group"]].values.tolist() == [
        ["2026-10", "00123", "总量组别", "二组"]]
    assert json.loads(got.loc[0, "evidence"]) == {"months": ["2026-10"]}
    assert got.loc[0, "recorded_at"] == "2026-11-03T09:30:00"


def test_r_group_rerunning_a_month_replaces_only_the_kinds_evaluated(tmp_path):
    ledger = Ledger(tmp_path / "cmtool.db")
    ledger.record_applications("2026-09", ["总量组别"], _applications(("A", "总量组别", "二组")), AT)
    first = _applications(("A", "总量组别", "二组"), ("B", "单户单次定量", "定量二组"))
    ledger.record_applications("2026-10", ["总量组别", "按需供货", "单户单次定量"], first, AT)
    ledger.record_applications("2026-10", ["总量组别", "按需供货", "单户单次定量"], first, AT)
    assert len(ledger.applications()) == 3  # running the same month again does not duplicate
    ledger.record_applications("2026-10", ["总量组别", "按需供货"], _applications(("C", "总量组别", "一组")), AT)
    got = ledger.applications()
    assert sorted(got[["month", "customer_id", "kind"]].values.tolist()) == [
        ["2026-09", "A", "总量组别"], ["2026-10", "B", "单户单次定量"], ["2026-10", "C", "总量组别"]]
    assert ledger.applications(before="2026-10")["customer_id"].tolist() == ["A"]


def test_r_group_a_failed_recording_leaves_the_ledger_as_it_was(tmp_path):
    ledger = Ledger(tmp_path / "cmtool.db")
    ledger.record_applications("2026-10", ["总量组别"], _applications(("A", "总量组别", "二组")), AT)
    bad = _applications(("B", "总量组别", "二组"), ("B", "总量组别", "一组"))  # same key twice
    with pytest.raises(sqlite3.IntegrityError):
        ledger.record_applications("2026-10", ["总量组别"], bad, AT)
    assert ledger.applications()["customer_id"].tolist() == ["A"]


def test_r_dyn_measures_are_read_as_recorded(tmp_path):
    ledger = Ledger(tmp_path / "cmtool.db")
    ledger.record_applications("2026-10", [], _applications(), AT)  # creates the schema
    con = sqlite3.connect(tmp_path / "cmtool.db")
    con.execute("INSERT INTO measures (customer_id, measure, starts_on, ends_on, decided_month) VALUES"
                " ('0042', '组别下调', '2026-11-02', '2026-12-31', '2026-10')")
    con.commit()
    got = ledger.measures()
    assert got.values.tolist() == [["0042", "组别下调", "2026-11-02", "2026-12-31", "2026-10", None]]
