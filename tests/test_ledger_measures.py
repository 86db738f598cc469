"""The ledger's R-DYN measures (migration after v4): recorded by `dynamic notices`, replaced per
month, read by `restore`, `group-adjust` (ledger.measures) and `visit` (ledger.measures_on)."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime

import pandas as pd

from cmtool.ledger import MEASURE_NOTICE_COLUMNS, MIGRATIONS, SCHEMA_VERSION, Ledger

AT = datetime(2026, 10, 28, 9, 0)


def _measures(*rows: tuple[str, str, str, str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["customer_id", "measure", "starts_on", "ends_on"])
    for c in MEASURE_NOTICE_COLUMNS:
        frame[c] = None
    frame["term"] = "4周"
    return frame


def test_rerunning_a_month_replaces_it_and_keeps_signed_and_restored(tmp_path):
    """R-DYN 2: running notices for 2026-10 again replaces that month's measures, never another
    month's; an unchanged measure keeps its signed date."""
    ledger = Ledger(tmp_path / "cmtool.db")
    ledger.record_measures("2026-09", _measures(("Z", "暂停访销", "2026-10-12", "2026-11-08")), AT)
    ledger.record_measures("2026-10", _measures(("A", "暂停访销", "2026-11-03", "2026-11-30"),
                                                ("B", "组别下调", "2026-11-04", "2027-02-03")), AT)
    first = ledger.measure_details("2026-10")
    ledger.record_signed({int(first.loc[0, "id"]): date(2026, 11, 2)})
    ledger.record_measures("2026-10", _measures(("A", "暂停访销", "2026-11-03", "2026-11-30"),
                                                ("C", "取消紧俏控制品牌", "2026-11-05", "2026-12-04")), AT)
    got = ledger.measure_details()
    assert got["customer_id"].tolist() == ["Z", "A", "C"]
    assert got.set_index("customer_id").loc["A", "signed_on"] == "2026-11-02"
    assert got.set_index("customer_id")["signed_on"].isna().tolist() == [True, False, True]


def test_measures_on_a_day(tmp_path):
    """R-VISIT 3 / R-DYN: in force on a day: begun, not ended before it, not restored by it."""
    ledger = Ledger(tmp_path / "cmtool.db")
    assert ledger.measures_on(date(2026, 11, 3)).empty and not ledger.exists()
    ledger.record_measures("2026-10", _measures(("A", "暂停访销", "2026-11-03", "2026-11-16"),
                                                ("B", "暂停访销", "2026-11-04", "2026-11-30")), AT)
    assert ledger.measures_on(date(2026, 11, 3))["customer_id"].tolist() == ["A"]
    assert ledger.measures_on(date(2026, 11, 16))["customer_id"].tolist() == ["A", "B"]
    assert ledger.measures_on(date(2026, 11, 17))["customer_id"].tolist() == ["B"]
    b = int(ledger.measure_details().set_index("customer_id").loc["B", "id"])
    ledger.record_restores([b], date(2026, 11, 20))
    assert ledger.measures_on(date(2026, 11, 20)).empty
    assert ledger.measures_on(date(2026, 11, 19))["customer_id"].tolist() == ["B"]
    assert {"customer_id", "measure", "starts_on", "ends_on"} <= set(ledger.measures_on(date(2026, 11, 19)).columns)


def test_upgrade_keeps_measures_recorded_before(tmp_path):
    """The migration adds columns; a measure of the earlier schema is still read."""
    path = tmp_path / "cmtool.db"
    con = sqlite3.connect(path)
    for migrate in MIGRATIONS[: SCHEMA_VERSION - 1]:
        migrate(con)
    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION - 1}")
    con.execute("INSERT INTO measures (customer_id, measure, starts_on, ends_on, decided_month)"
                " VALUES ('0042', '组别下调', '2026-11-02', '2026-12-31', '2026-10')")
    con.commit()
    con.close()
    got = Ledger(path).measure_details()
    assert got.loc[0, "customer_id"] == "0042" and got["signed_on"].isna().all()
    assert Ledger(path).measures()["customer_id"].tolist() == ["0042"]
