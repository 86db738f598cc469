"""End to end: `cmtool top5` and `cmtool top5 history` as a user runs them (cli.md, R-TOP5, R-CAL),
on the sample company and on a small hand-made city whose lists are checked by hand."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import openpyxl
import pytest

from cli_support import SAMPLE, cmtool
from filemakers import write_csv

TOP5_KEYS = ["command", "month", "publish_date", "population", "cutoff", "threshold_volume", "members", "exited",
             "anomalies", "outputs"]
SHEETS = ["名单", "新进入", "退出", "异常监控", "档案"]
BOOK = "月销量排名前5%客户档案_{}.xlsx"


def table_rows(ws) -> list[dict[str, object]]:
    """The rows of a list sheet as dicts by header (the header row is the one with 客户编码)."""
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    at = next(i for i, row in enumerate(rows) if "客户编码" in row)
    return [dict(zip(rows[at], row)) for row in rows[at + 1 :]]


def top5_sample(tmp: Path, *extra: str | Path, month: str = "2026-10"):
    return cmtool("--db", tmp / "cmtool.db", "top5", "--month", month, "--customers", SAMPLE / "客户信息.xlsx",
                  "--sales", SAMPLE / "sales", "--out", tmp / "output", *extra, cwd=tmp)


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("top5")
    run = top5_sample(tmp, "--json")
    assert run.code == 0, run.stderr
    return tmp, run.json


def test_r_top5_json_matches_the_contract(sample_run):
    _, doc = sample_run
    assert list(doc) == TOP5_KEYS
    assert (doc["command"], doc["month"], doc["publish_date"]) == ("top5", "2026-10", "2026-11-02")
    assert doc["population"] == 1963 and doc["cutoff"] == 98  # 0.05 × 1963 = 98.15
    assert len(doc["members"]) >= 98 and isinstance(doc["threshold_volume"], float)
    assert all(list(m) == ["customer_id", "rank", "volume", "amount", "status"] for m in doc["members"])
    assert all(isinstance(m["customer_id"], str) and m["status"] in ("新进入", "保持") for m in doc["members"])
    assert min(m["volume"] for m in doc["members"]) == doc["threshold_volume"]
    assert all(list(e) == ["customer_id", "previous_rank", "retain_until"] and e["retain_until"] == "2026-12-31"
               for e in doc["exited"])
    assert {a["rule"] for a in doc["anomalies"]} <= {"volume_jump", "wholesale_suspect", "sku_concentration",
                                                     "unit_value_outlier"}
    assert doc["outputs"] == [str(Path(doc["outputs"][0]))] and doc["outputs"][0].endswith(BOOK.format("2026-10"))


def test_r_top5_sample_planted_anomalies_are_found(sample_run):
    """README.txt plants 批发性质嫌疑, 单品规集中 and 月销量突增 customers for the last month."""
    _, doc = sample_run
    flagged = {(a["customer_id"], a["rule"]) for a in doc["anomalies"]}
    for cid in ("510104100274", "510105100040"):
        assert (cid, "wholesale_suspect") in flagged
    for cid in ("510104100196", "510105100554"):
        assert (cid, "sku_concentration") in flagged
    for cid in ("510104100817", "510105100193", "510105100336"):
        assert (cid, "volume_jump") in flagged
    detail = next(a["detail"] for a in doc["anomalies"] if a["rule"] == "volume_jump")
    assert "比上月" in detail and "超过 50%" in detail


def test_r_top5_workbook_sheets_titles_and_files(sample_run):
    tmp, doc = sample_run
    wb = openpyxl.load_workbook(tmp / "output" / BOOK.format("2026-10"))
    assert wb.sheetnames == SHEETS
    listed = wb["名单"]
    assert [r["客户编码"] for r in table_rows(listed)] == [m["customer_id"] for m in doc["members"]]
    assert listed["A1"].value == "《示例市烟草公司月销量排名前5%客户档案》"
    assert "示例市烟草公司　月销量排名前5%客户档案　2026年10月" in listed.oddHeader.center.text
    files = wb["档案"]
    texts = [c.value for row in files.iter_rows() for c in row if isinstance(c.value, str)]
    assert texts[0] == "《示例市烟草公司月销量排名前5%客户档案》2026年10月"
    assert files.print_title_rows == "$1:$1" and files.freeze_panes is None  # the title on every file's page
    assert "示例市烟草公司　月销量排名前5%客户档案　2026年10月" in files.oddHeader.center.text
    assert files.oddFooter.center.text is None  # a page per customer: no workbook-wide page numbers
    assert texts.count("五、书面分析") == len(doc["members"])
    assert "2025-11" in texts and "2026-10" in texts  # 12 months: 2025-11 … 2026-10
    statuses = {row[i + 1].value for row in files.iter_rows() for i, c in enumerate(row[:-1]) if c.value == "客户状态"}
    assert statuses and statuses <= {"正常", "暂停"}  # the master's 客户状态, not the list's 新进入/保持
    assert files.page_setup.paperSize == 9 and files.page_setup.orientation == "portrait"
    assert len(files.row_breaks.brk) == len(doc["members"]) - 1
    assert len(table_rows(wb["异常监控"])) == len(doc["anomalies"])


def test_r_top5_ledger_records_the_month_and_a_rerun_replaces_it(sample_run, tmp_path):
    tmp, doc = sample_run
    con = sqlite3.connect(tmp / "cmtool.db")
    recorded = con.execute("SELECT month, publish_date, cutoff FROM top5_months").fetchall()
    assert recorded == [("2026-10", "2026-11-02", 98)]
    assert con.execute("SELECT COUNT(*) FROM top5_members").fetchone()[0] == len(doc["members"])
    assert con.execute("SELECT COUNT(*) FROM top5_files WHERE state = 'open'").fetchone()[0] == len(doc["members"])
    again = top5_sample(tmp, "--json")
    assert again.code == 0, again.stderr
    assert again.json["members"] == doc["members"]
    assert con.execute("SELECT COUNT(*) FROM top5_members").fetchone()[0] == len(doc["members"])


def test_r_top5_manager_limits_the_documents_not_the_ranking(sample_run, tmp_path):
    _, whole = sample_run
    run = top5_sample(tmp_path, "--json", "--manager", "沈超琳")
    assert run.code == 0, run.stderr
    doc = run.json
    assert (doc["population"], doc["cutoff"], doc["threshold_volume"]) == (
        whole["population"], whole["cutoff"], whole["threshold_volume"])
    ranks = {m["customer_id"]: m["rank"] for m in whole["members"]}
    assert doc["members"] and all(ranks[m["customer_id"]] == m["rank"] for m in doc["members"])
    assert len(doc["members"]) < len(whole["members"])
    wb = openpyxl.load_workbook(tmp_path / "output" / BOOK.format("2026-10"))
    managers = {r["客户经理"] for r in table_rows(wb["名单"])}
    assert managers == {"沈超琳"}
    con = sqlite3.connect(tmp_path / "cmtool.db")  # the ledger holds the whole city's list
    assert con.execute("SELECT COUNT(*) FROM top5_members").fetchone()[0] == len(whole["members"])


def test_r_top5_unknown_manager_is_refused_naming_the_managers(tmp_path):
    run = top5_sample(tmp_path, "--manager", "张无忌")
    assert run.code == 1 and "张无忌" in run.stderr and "沈超琳" in run.stderr and "Traceback" not in run.stderr


def test_r_top5_human_summary_goes_to_stderr(tmp_path):
    run = top5_sample(tmp_path)
    assert run.code == 0, run.stderr
    assert run.stdout == ""
    assert "月销量排名前5%客户名单" in run.stderr and "2026年11月2日发布" in run.stderr and "异常监控" in run.stderr


def test_r_top5_help_is_chinese():
    run = cmtool("top5", "--help", cwd=SAMPLE)
    assert run.code == 0 and "月份" in run.stdout and "--manager" in run.stdout and "history" in run.stdout


# --- a hand-made city across a year end ---------------------------------------------------------

MANAGERS = ("王芳", "李强")
# 40 customers 0001…0040 (0040 注销); everyone buys 10 + n 条 a month unless listed here.
TOPS = {
    "2025-10": {"0001": 500, "0002": 400, "0003": 300, "0004": 200, "0008": 200, "0040": 900},
    "2025-11": {"0001": 500, "0002": 400, "0003": 300, "0005": 250},
    "2025-12": {"0001": 500, "0003": 300, "0007": 260, "0005": 250, "0006": 250},
    "2026-01": {"0001": 500, "0002": 450, "0004": 400, "0003": 300},
}
CONFIG = '[top5]\nshare = 0.1\n'  # 39 active customers: k = round_half_up(3.9) = 4


@pytest.fixture
def city(tmp_path: Path) -> Path:
    rows = [["客户编码", "客户名称", "经营业态", "市场类型", "客户经理", "营销部", "客户状态"]]
    for n in range(1, 41):
        status = "注销" if n == 40 else "正常"
        rows.append([f"{n:04d}", f"店{n}", "食杂店", "城镇", MANAGERS[n % 2], "城区营销部", status])
    write_csv(tmp_path / "客户信息.csv", rows, encoding="utf-8-sig")
    (tmp_path / "sales").mkdir()
    for month, tops in TOPS.items():
        lines = [["客户编码", "月份", "购进量", "购进额"]]
        for n in range(1, 41):
            volume = tops.get(f"{n:04d}", 10 + n)
            lines.append([f"{n:04d}", month, volume, volume * 120])
        write_csv(tmp_path / "sales" / f"销售汇总_{month}.csv", lines, encoding="gbk")
    (tmp_path / "cmtool.toml").write_text(CONFIG, encoding="utf-8")
    return tmp_path


def top5_city(tmp: Path, month: str, *extra: str):
    return cmtool("--db", tmp / "cmtool.db", "top5", "--month", month, "--customers", tmp / "客户信息.csv",
                  "--sales", tmp / "sales", "--out", tmp / "output", *extra, cwd=tmp)


def _members(doc) -> list[tuple[str, int, str]]:
    return [(m["customer_id"], m["rank"], m["status"]) for m in doc["members"]]


def test_r_top5_lists_entries_exits_and_returns_across_a_year_end(city):
    """R-TOP5 2–3, hand-checked: ties at the cut join, 注销 never ranks, exits are archived until
    31 December, a December exit until the end of the next year, a return within the year
    reopens the file, a return after it opens a new one."""
    october = top5_city(city, "2025-10", "--json")
    assert october.code == 0, october.stderr
    doc = october.json
    assert (doc["publish_date"], doc["population"], doc["cutoff"], doc["threshold_volume"]) == (
        "2025-11-03", 39, 4, 200.0)
    assert _members(doc) == [("0001", 1, "新进入"), ("0002", 2, "新进入"), ("0003", 3, "新进入"),
                             ("0004", 4, "新进入"), ("0008", 4, "新进入")]
    assert doc["exited"] == []  # September is neither in the ledger nor in the data

    november = top5_city(city, "2025-11", "--json").json
    assert _members(november) == [("0001", 1, "保持"), ("0002", 2, "保持"), ("0003", 3, "保持"), ("0005", 4, "新进入")]
    assert november["exited"] == [{"customer_id": "0004", "previous_rank": 4, "retain_until": "2025-12-31"},
                                  {"customer_id": "0008", "previous_rank": 4, "retain_until": "2025-12-31"}]

    run = top5_city(city, "2025-12", "--json")
    assert run.code == 0, run.stderr
    assert "有 2 份档案保存期已过（已过期）：0004、0008" in run.stderr
    december = run.json
    assert december["publish_date"] == "2026-01-04"  # Sunday 1/4 is a make-up working day
    assert [m["customer_id"] for m in december["members"]] == ["0001", "0003", "0007", "0005", "0006"]
    assert december["exited"] == [{"customer_id": "0002", "previous_rank": 2, "retain_until": "2026-12-31"}]

    january = top5_city(city, "2026-01", "--json")
    assert january.code == 0, january.stderr
    assert _members(january.json) == [("0001", 1, "保持"), ("0002", 2, "新进入"), ("0004", 3, "新进入"),
                                      ("0003", 4, "保持")]
    assert ("0002", "volume_jump") in {(a["customer_id"], a["rule"]) for a in january.json["anomalies"]}

    history = cmtool("--db", city / "cmtool.db", "top5", "history", "0002", "--json", cwd=city).json
    assert [m["month"] for m in history["months"]] == ["2025-10", "2025-11", "2026-01"]
    assert history["file"] == {"opened_on": "2025-11-03", "archived_on": None, "reopened_on": "2026-02-02",
                               "retain_until": None, "state": "open"}
    returned = cmtool("--db", city / "cmtool.db", "top5", "history", "0004", "--json", cwd=city).json
    assert returned["file"]["opened_on"] == "2026-02-02" and returned["file"]["state"] == "open"

    wb = openpyxl.load_workbook(city / "output" / BOOK.format("2026-01"))
    entered = {r["客户编码"]: r["档案处理"] for r in table_rows(wb["新进入"])}
    assert entered == {"0002": "重新启用档案（原 2026年1月4日 归档）", "0004": "新建档案（2026年2月2日）"}
    assert [r["客户编码"] for r in table_rows(wb["过期档案"])] == ["0008"]


def test_r_top5_purge_deletes_expired_files_with_a_confirmation_line(city):
    for month in ("2025-10", "2025-11"):
        assert top5_city(city, month, "--json").code == 0
    run = top5_city(city, "2025-12", "--json", "--purge")
    assert run.code == 0, run.stderr
    assert "已按 --purge 从台账删除 2 份保存期已过的档案：0004、0008" in run.stderr
    con = sqlite3.connect(city / "cmtool.db")
    assert con.execute("SELECT COUNT(*) FROM top5_files WHERE state = 'expired'").fetchone()[0] == 0
    again = top5_city(city, "2025-12")  # purged files stay deleted: nothing left to list
    assert again.code == 0 and "保存期已过" not in again.stderr
    gone = cmtool("--db", city / "cmtool.db", "top5", "history", "0008", cwd=city)
    assert gone.code == 0 and "未入围" in gone.stderr and "--purge" in gone.stderr


def test_r_top5_first_run_compares_with_last_month_computed_from_the_sales_data(city):
    doc = top5_city(city, "2025-11", "--json").json
    assert [e["customer_id"] for e in doc["exited"]] == ["0004", "0008"]
    assert [m["status"] for m in doc["members"]] == ["保持", "保持", "保持", "新进入"]


def test_r_top5_publish_date_in_a_year_the_built_in_calendar_lacks(city):
    """R-CAL: the list of 2026-12 is published in January 2027: an error without config; with
    the config's [calendar] holidays the first working day is 2027-01-04."""
    lines = [["客户编码", "月份", "购进量", "购进额"]] + [[f"{n:04d}", "2026-12", n, n * 100] for n in range(1, 41)]
    write_csv(city / "sales" / "销售汇总_2026-12.csv", lines)
    refused = top5_city(city, "2026-12")
    assert refused.code == 1 and "2027" in refused.stderr and "[calendar]" in refused.stderr
    assert not (city / "cmtool.db").exists()
    (city / "cmtool.toml").write_text(CONFIG + '[calendar]\nholidays = ["2027-01-01"]\n', encoding="utf-8")
    run = top5_city(city, "2026-12", "--json")
    assert run.code == 0, run.stderr
    assert run.json["publish_date"] == "2027-01-04"


def test_r_top5_bad_rows_name_file_row_and_value_and_leave_the_ledger_untouched(city):
    assert top5_city(city, "2025-10", "--json").code == 0
    before = (city / "cmtool.db").read_bytes()
    path = city / "sales" / "销售汇总_2025-11.csv"
    text = path.read_bytes().decode("gbk").replace("0005,2025-11,250,", "0005,2025-11,二百五,", 1)
    path.write_bytes(text.encode("gbk"))
    run = top5_city(city, "2025-11")
    assert run.code == 1 and "Traceback" not in run.stderr
    assert "销售汇总_2025-11.csv" in run.stderr and "第 6 行" in run.stderr and "二百五" in run.stderr
    assert (city / "cmtool.db").read_bytes() == before
    assert not (city / "output" / BOOK.format("2025-11")).exists()
    skipped = top5_city(city, "2025-11", "--skip-invalid")
    assert skipped.code == 0, skipped.stderr
    assert "1 条数据未参加排名" in skipped.stderr
    wb = openpyxl.load_workbook(city / "output" / BOOK.format("2025-11"))
    assert wb.sheetnames[-1] == "数据问题"


def test_r_top5_month_missing_from_the_sales_data(city):
    run = top5_city(city, "2026-03")
    assert run.code == 1 and "没有 2026-03 的数据" in run.stderr and "2026-01" in run.stderr


def test_r_top5_history_needs_a_recorded_list(tmp_path):
    run = cmtool("--db", tmp_path / "cmtool.db", "top5", "history", "0001", cwd=tmp_path)
    assert run.code == 1 and "台账中还没有前5%名单" in run.stderr
    assert not (tmp_path / "cmtool.db").exists()
