"""End to end: `cmtool dynamic review|notices|restore|signed` (R-DYN 1–3, cli.md) on the sample
company, the whole month cycle as a user runs it, the documents opened and the notice pages
counted; bad input; group-adjust holding back an upward move under a recorded measure (R-GROUP)."""

from __future__ import annotations

import re
import shutil
import tempfile
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from filemakers import write_csv, write_xlsx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cli_support import SAMPLE, cmtool
from cmtool.cli import app
from cmtool.ledger import Ledger

CUSTOMERS = SAMPLE / "客户信息.xlsx"
RECORDS = SAMPLE / "诚信经营违约记录_2026-10.xlsx"
DECISIONS = SAMPLE / "管理小组审议决定_2026-10.xlsx"
REVIEW_KEYS = ["command", "month", "customers", "warnings", "outputs"]
REVIEW_CUSTOMER_KEYS = ["customer_id", "name", "manager", "group", "breaches", "proposed", "pending"]
NOTICES_KEYS = ["command", "month", "measures", "warnings", "outputs"]
MEASURE_KEYS = ["customer_id", "measure", "notice", "first_order_day", "deliver_by", "start", "end", "from_group",
                "to_group"]
RESTORE_KEYS = ["command", "date", "confirmed", "due", "active", "unsigned", "outputs"]
TITLES = {"组别下调": "客户组别调整通知书", "取消紧俏控制品牌": "取消客户紧俏、控制品牌通知书", "暂停访销": "客户暂停访销通知书"}
GROWING = "510104100244"  # sample_data/README.txt: 持续增长, proposed 上调 by group-adjust


def dyn(tmp: Path, *args: str | Path):
    return cmtool("--db", tmp / "cmtool.db", "dynamic", *args, cwd=tmp)


def decided_rows() -> pd.DataFrame:
    return pd.read_excel(DECISIONS, header=1, dtype=str, engine="calamine")


@pytest.fixture(scope="module")
def cycle(tmp_path_factory):
    """review, notices, then restore on 2026-12-07 (1-month and 4-week terms over) on one ledger."""
    tmp = tmp_path_factory.mktemp("dynamic")
    shutil.copy(SAMPLE / "cmtool.toml", tmp / "cmtool.toml")
    out = tmp / "output"
    review = dyn(tmp, "review", "--month", "2026-10", "--records", RECORDS, "--customers", CUSTOMERS,
                 "--date", "2026-10-26", "--out", out, "--json")
    assert review.code == 0, review.stderr
    notices = dyn(tmp, "notices", "--month", "2026-10", "--decisions", DECISIONS, "--customers", CUSTOMERS,
                  "--out", out, "--json")
    assert notices.code == 0, notices.stderr
    return tmp, review.json, notices.json


def test_review_json_and_workbook(cycle):
    """R-DYN 1: one row per customer with breaches, the policy's proposals, 待议 for the unknown type,
    an empty 管理小组决定 column; A4 landscape with the heading on every page."""
    tmp, doc, _ = cycle
    assert list(doc) == REVIEW_KEYS and (doc["command"], doc["month"]) == ("dynamic review", "2026-10")
    records = pd.read_excel(RECORDS, dtype=str, engine="calamine")
    assert len(doc["customers"]) == records["客户编码"].nunique() == 30
    assert sum(len(c["breaches"]) for c in doc["customers"]) == len(records) == 32
    assert all(list(c) == REVIEW_CUSTOMER_KEYS for c in doc["customers"])
    pending = [c for c in doc["customers"] if c["pending"]]
    assert [c["pending"] for c in pending] == [["未按规定明码标价"]]
    for c in doc["customers"]:
        kinds = [p["measure"] for p in c["proposed"]]
        assert len(kinds) == len(set(kinds))
        for p in c["proposed"]:
            assert ("weeks" in p) != ("months" in p) and (("steps" in p) == (p["measure"] == "组别下调"))
    twice = [c for c in doc["customers"] if len(c["breaches"]) == 2]
    assert len(twice) == 2 and all(c["breaches"][0]["date"] <= c["breaches"][1]["date"] for c in twice)
    illegal = next(c for c in doc["customers"] if c["breaches"][0]["type"] == "销售非法卷烟")
    assert {"measure": "暂停访销", "weeks": 4} in illegal["proposed"]
    assert any("待议" in w for w in doc["warnings"])
    book = openpyxl.load_workbook(doc["outputs"][0])
    ws = book["审批表"]
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert "客户动态管理审批表" in ws.oddHeader.center.text and "2026年10月" in ws.oddHeader.center.text
    rows = list(ws.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r[0] == "序号")
    assert rows[0][0] == "《示例市烟草公司客户动态管理审批表》"
    assert any("管理小组组长" in (r[0] or "") for r in rows[:header])
    body = rows[header + 1:]
    decision = rows[header].index("管理小组决定（措施、期限）")
    assert len(body) == 30 and all(r[decision] is None for r in body)
    ids = rows[header].index("客户编码")
    by_id = {r[ids]: r for r in body}
    assert "待议：未按规定明码标价" in by_id[pending[0]["customer_id"]][rows[header].index("建议措施")]
    assert "2026年10月" in by_id[illegal["customer_id"]][rows[header].index("违约情况（日期、类型、说明）")]


def test_notices_json_pages_and_ledger(cycle):
    """R-DYN 2: one A4 page per measure with its own title, 不处理 writes nothing, the dates of
    cli.md, 组别下调 with the old and new group; the 留言 workbook; the measures in the ledger."""
    tmp, _, doc = cycle
    assert list(doc) == NOTICES_KEYS and (doc["command"], doc["month"]) == ("dynamic notices", "2026-10")
    decided = decided_rows()
    taken = decided[decided["措施"] != "不处理"]
    assert len(doc["measures"]) == len(taken) == 31
    for m in doc["measures"]:
        assert list(m) == MEASURE_KEYS and m["notice"] == TITLES[m["measure"]]
        first, deliver, start, end = (date.fromisoformat(m[k]) for k in ("first_order_day", "deliver_by", "start",
                                                                             "end"))
        assert start == first and deliver < first and first.month == 11 and end >= start
        assert (m["from_group"] is None) == (m["measure"] != "组别下调")
    two_steps = decided.loc[decided["措施"] == "组别下调2档", "客户编码"].iloc[0]
    moved = next(m for m in doc["measures"] if m["customer_id"] == two_steps)
    ladder = ["按需供货", "一组", "二组", "三组", "四组", "五组"]
    assert ladder.index(moved["to_group"]) - ladder.index(moved["from_group"]) == 2
    html = Path(doc["outputs"][0]).read_text(encoding="utf-8")
    pages = re.findall(r'<div class="page notice">(.*?)</div>\n(?=<div class="page|</main>)', html, re.S)
    assert html.count('<div class="page') == len(pages) == 31
    for title, n in pd.Series([m["notice"] for m in doc["measures"]]).value_counts().items():
        assert sum(f"<h1>{title}</h1>" in p for p in pages) == n
    assert all("示例市烟草公司（盖章）" in p and "零售客户签字" in p and "2026年11月" in p for p in pages)
    group_page = next(p for p in pages if two_steps in p)
    assert f"由 <strong>{moved['from_group']}</strong> 调整为 <strong>{moved['to_group']}</strong>" in group_page
    book = openpyxl.load_workbook(doc["outputs"][1])
    rows = list(book["留言"].iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r[0] == "序号")
    cancel = {m["customer_id"] for m in doc["measures"] if m["measure"] == "取消紧俏控制品牌"}
    assert {r[1] for r in rows[header + 1:]} == cancel and all("请勿采集" in r[-1] for r in rows[header + 1:])
    recorded = Ledger(tmp / "cmtool.db").measure_details("2026-10")
    assert len(recorded) == 31 and set(recorded["customer_id"]) == {m["customer_id"] for m in doc["measures"]}


def test_notices_again_replace_the_month(cycle, tmp_path):
    """R-DYN 2: running the same month again replaces its measures (no duplicates)."""
    tmp, _, _ = cycle
    shutil.copy(tmp / "cmtool.db", tmp_path / "cmtool.db")
    again = dyn(tmp_path, "notices", "--month", "2026-10", "--decisions", DECISIONS, "--customers", CUSTOMERS,
                "--out", tmp_path / "output", "--json")
    assert again.code == 0, again.stderr
    assert len(Ledger(tmp_path / "cmtool.db").measure_details()) == 31


def test_restore_cycle_without_and_with_confirm(cycle, tmp_path):
    """R-DYN 3: on 2026-12-07 the ended 4-week and 1-month measures are due, the 3-month ones
    active; without --confirm the ledger is unchanged; --confirm records them once (twice is a
    no-op); after every term all are due."""
    tmp, _, notices = cycle
    shutil.copy(tmp / "cmtool.db", tmp_path / "cmtool.db")
    ledger = Ledger(tmp_path / "cmtool.db")
    before = ledger.measure_details()
    run = dyn(tmp_path, "restore", "--date", "2026-12-07", "--out", tmp_path / "output", "--json")
    assert run.code == 0, run.stderr
    doc = run.json
    assert list(doc) == RESTORE_KEYS and doc["confirmed"] is False and doc["date"] == "2026-12-07"
    pd.testing.assert_frame_equal(ledger.measure_details(), before)
    ends = {(m["customer_id"], m["measure"]): m["end"] for m in notices["measures"]}
    assert {(d["customer_id"], d["measure"]) for d in doc["due"]} == {k for k, e in ends.items() if e < "2026-12-07"}
    assert {(a["customer_id"], a["measure"]) for a in doc["active"]} == {k for k, e in ends.items() if e >= "2026-12-07"}
    assert doc["due"] and doc["active"]
    for d in doc["due"]:
        assert d["restore"] == {"暂停访销": "恢复访销", "取消紧俏控制品牌": "恢复紧俏控制品牌", "组别下调": "恢复组别"}[d["measure"]]
    book = openpyxl.load_workbook(doc["outputs"][0])
    assert book.sheetnames[:2] == ["到期恢复", "执行中"]
    rows = list(book["到期恢复"].iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r[0] == "序号")
    assert len(rows) - header - 1 == len(doc["due"])
    confirm = dyn(tmp_path, "restore", "--date", "2026-12-07", "--out", tmp_path / "output", "--confirm", "--json")
    assert confirm.code == 0 and confirm.json["confirmed"] is True
    after = ledger.measure_details()
    assert (after["restored_on"] == "2026-12-07").sum() == len(doc["due"])
    twice = dyn(tmp_path, "restore", "--date", "2026-12-07", "--out", tmp_path / "output", "--confirm", "--json")
    assert twice.code == 0 and twice.json["due"] == []
    pd.testing.assert_frame_equal(ledger.measure_details(), after)
    later = dyn(tmp_path, "restore", "--date", "2027-03-01", "--out", tmp_path / "output", "--json").json
    assert later["active"] == [] and len(later["due"]) == 31 - len(doc["due"])
    before_move = {m["customer_id"]: m["from_group"] for m in notices["measures"] if m["measure"] == "组别下调"}
    group = [d for d in later["due"] if d["measure"] == "组别下调"]
    assert group and all(d["restore_group"] == before_move[d["customer_id"]] for d in group)


def test_signed_notices_leave_the_unsigned_list(cycle, tmp_path):
    """R-DYN 3: `dynamic signed` records which notices came back; restore lists the others."""
    tmp, _, notices = cycle
    shutil.copy(tmp / "cmtool.db", tmp_path / "cmtool.db")
    first, second = notices["measures"][0], notices["measures"][1]
    signed = write_csv(tmp_path / "签收.csv", [["客户编码", "签收日期"], [first["customer_id"], "2026-11-02"],
                                              [second["customer_id"], None]])
    run = dyn(tmp_path, "signed", "--file", signed, "--date", "2026-11-03", "--json")
    assert run.code == 0, run.stderr
    got = {(s["customer_id"], s["signed_on"]) for s in run.json["signed"]}
    assert (first["customer_id"], "2026-11-02") in got and (second["customer_id"], "2026-11-03") in got
    restore = dyn(tmp_path, "restore", "--date", "2026-11-10", "--out", tmp_path / "output", "--json").json
    unsigned = {u["customer_id"] for u in restore["unsigned"]}
    assert first["customer_id"] not in unsigned and second["customer_id"] not in unsigned
    assert len(restore["unsigned"]) == 31 - 2
    stranger = write_csv(tmp_path / "错.csv", [["客户编码"], ["510104199999"]])
    bad = dyn(tmp_path, "signed", "--file", stranger)
    assert bad.code == 1 and "第 2 行" in bad.stderr and "510104199999" in bad.stderr


def test_bad_decisions_write_nothing_and_leave_the_ledger(cycle, tmp_path):
    """issue 9 item 6: a decision for a customer not in the master and a term 待定: exit 1, a Chinese
    message naming file, row, column and value, no document written, the ledger untouched."""
    tmp, _, notices = cycle
    shutil.copy(tmp / "cmtool.db", tmp_path / "cmtool.db")
    before = Ledger(tmp_path / "cmtool.db").measure_details()
    known = notices["measures"][0]["customer_id"]
    bad = write_xlsx(tmp_path / "决定.xlsx", [["客户编码", "措施", "期限"], ["510199999999", "暂停访销", "4周"],
                                              [known, "暂停访销", "待定"], [known, "待定", "1个月"]])
    run = dyn(tmp_path, "notices", "--month", "2026-10", "--decisions", bad, "--customers", CUSTOMERS,
              "--out", tmp_path / "output")
    assert run.code == 1 and "Traceback" not in run.stderr
    assert "决定.xlsx" in run.stderr and "第 2 行，列「客户编码」，值「510199999999」" in run.stderr
    assert "第 3 行，列「期限」，值「待定」" in run.stderr and "第 4 行，列「措施」，值「待定」" in run.stderr
    assert not (tmp_path / "output").exists()
    pd.testing.assert_frame_equal(Ledger(tmp_path / "cmtool.db").measure_details(), before)


def test_breach_record_without_date(tmp_path):
    """issue 9 item 6: a breach record with no date is an error naming its row; nothing written."""
    records = write_xlsx(tmp_path / "违约.xlsx", [["客户编码", "日期", "违约类型"], ["510105100514", None, "低价倾销"]])
    run = dyn(tmp_path, "review", "--month", "2026-10", "--records", records, "--customers", CUSTOMERS,
              "--out", tmp_path / "output")
    assert run.code == 1 and "第 2 行" in run.stderr and "日期" in run.stderr
    assert not (tmp_path / "output").exists()


def test_review_before_the_review_day_warns(tmp_path):
    """R-DYN 1 / cli.md: a review run before review_from_day warns that the month is not over."""
    run = dyn(tmp_path, "review", "--month", "2026-10", "--records", RECORDS, "--customers", CUSTOMERS,
              "--date", "2026-10-15", "--out", tmp_path / "output", "--json")
    assert run.code == 0 and any("尚未结束" in w for w in run.json["warnings"])


def test_group_adjust_holds_back_under_a_recorded_measure(tmp_path):
    """R-GROUP / R-DYN: a planted 持续增长 customer suspended by `dynamic notices` is not proposed up by
    group-adjust; it is listed as rejected with the measure."""
    decisions = write_csv(tmp_path / "决定.csv", [["客户编码", "措施", "期限"], [GROWING, "暂停访销", "4周"]])
    run = dyn(tmp_path, "notices", "--month", "2026-10", "--decisions", decisions, "--customers", CUSTOMERS,
              "--out", tmp_path / "output")
    assert run.code == 0, run.stderr
    adjust = cmtool("--db", tmp_path / "cmtool.db", "group-adjust", "--month", "2026-10", "--kind", "total",
                    "--customers", CUSTOMERS, "--sales", SAMPLE / "sales", "--out", tmp_path / "output", "--json",
                    cwd=tmp_path)
    assert adjust.code == 0, adjust.stderr
    assert GROWING not in {p["customer_id"] for p in adjust.json["proposals"]}
    held = [r for r in adjust.json["rejected"] if r["customer_id"] == GROWING]
    assert held and "暂停访销" in held[0]["reason"]


def test_calendar_uses_the_review_day_of_the_config(tmp_path):
    """R-CAL / R-DYN 1: `[dynamic] review_from_day` moves the review deadline of `calendar`."""
    (tmp_path / "cmtool.toml").write_text("[dynamic]\nreview_from_day = 26\n", encoding="utf-8")
    run = cmtool("calendar", "--month", "2026-10", "--json", cwd=tmp_path)
    assert run.code == 0, run.stderr
    review = next(d for d in run.json["deadlines"] if d["command"].startswith("cmtool dynamic review"))
    assert review["date"] == "2026-10-26" and "26日" in review["task"]


def test_group_down_at_the_lowest_band_writes_no_notice(tmp_path):
    """R-DYN 2: 组别下调 never goes below the lowest band: a 五组 customer cannot be moved, so no
    notice and no measure, and a warning asks the meeting for another measure."""
    lowest = "510104100546"  # 五组 in the sample master
    decisions = write_csv(tmp_path / "决定.csv", [["客户编码", "措施", "期限"], [lowest, "组别下调", "3个月"]])
    run = dyn(tmp_path, "notices", "--month", "2026-10", "--decisions", decisions, "--customers", CUSTOMERS,
              "--out", tmp_path / "output", "--json")
    assert run.code == 0, run.stderr
    assert run.json["measures"] == [] and any("最低组别五组" in w for w in run.json["warnings"])
    assert '<div class="page' not in Path(run.json["outputs"][0]).read_text(encoding="utf-8")
    assert Ledger(tmp_path / "cmtool.db").measure_details().empty


dates = st.dates(min_value=date(2026, 10, 1), max_value=date(2027, 4, 30))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(on=dates)
def test_restore_without_confirm_changes_nothing(cycle, on):
    """R-DYN 3 property: on any date, restore without --confirm leaves the ledger as it was."""
    tmp, _, _ = cycle
    with tempfile.TemporaryDirectory() as work:
        db = Path(work) / "cmtool.db"
        shutil.copy(tmp / "cmtool.db", db)
        before = Ledger(db).measure_details()
        result = CliRunner().invoke(app, ["--db", str(db), "dynamic", "restore", "--date", on.isoformat(),
                                          "--out", str(Path(work) / "output"), "--json"])
        assert result.exit_code == 0, result.output
        pd.testing.assert_frame_equal(Ledger(db).measure_details(), before)


def test_notices_into_a_year_without_calendar_refuse(tmp_path):
    """R-CAL: decisions of 2026-12 need January 2027's working days; a year no calendar covers is
    an error that says so, never a weekend-only guess; nothing written."""
    decisions = write_csv(tmp_path / "决定.csv", [["客户编码", "措施", "期限"], ["510116100763", "暂停访销", "4周"]])
    run = dyn(tmp_path, "notices", "--month", "2026-12", "--decisions", decisions, "--customers", CUSTOMERS,
              "--out", tmp_path / "output")
    assert run.code == 1 and "2027" in run.stderr and "[calendar]" in run.stderr
    assert not (tmp_path / "output").exists() and not (tmp_path / "cmtool.db").exists()


def test_notices_with_the_order_lines_know_the_biweekly_weeks(cycle, tmp_path):
    """R-DYN 2 / R-VISIT 1: with --sales the 双周 customers' weeks come from their latest order
    dates (as in `visit`), so none falls back to the month's first working day."""
    _, _, without = cycle
    fallbacks = [w for w in without["warnings"] if "双周" in w]
    assert fallbacks  # the sample has 双周 customers among the decided ones
    shutil.copy(SAMPLE / "cmtool.toml", tmp_path / "cmtool.toml")
    run = dyn(tmp_path, "notices", "--month", "2026-10", "--decisions", DECISIONS, "--customers", CUSTOMERS,
              "--sales", SAMPLE / "sales", "--out", tmp_path / "output", "--json")
    assert run.code == 0, run.stderr
    assert not [w for w in run.json["warnings"] if "双周" in w]
    before = {m["customer_id"]: m["first_order_day"] for m in without["measures"]}
    changed = [m for m in run.json["measures"] if m["first_order_day"] != before[m["customer_id"]]]
    assert changed and all(m["first_order_day"] >= before[m["customer_id"]] for m in changed)
