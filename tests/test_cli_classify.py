"""End to end: `cmtool classify` on the sample company, as a user runs it (cli.md, R-SCALE,
R-CLASS, R-STAT, R-NOTICE). The documents written are opened and checked."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from cli_support import SAMPLE, classify_sample, cmtool

CLASSIFY_KEYS = ["command", "quarter", "effective_from", "scope", "population", "counts", "classes",
                 "results", "skipped", "outputs"]
RESULT_KEYS = ["customer_id", "rank", "score", "volume", "amount", "scale", "class_name", "class_code",
               "previous_class", "change"]


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("classify")
    run = classify_sample(tmp, "--json")
    assert run.code == 0, run.stderr
    return tmp, run.json


def test_json_matches_the_contract(sample_run):
    _, doc = sample_run
    assert list(doc) == CLASSIFY_KEYS
    assert (doc["command"], doc["quarter"], doc["effective_from"], doc["scope"]) == (
        "classify", "2026Q3", "2026-10-01", "company")
    assert list(doc["counts"]) == ["大", "中", "小"]
    assert sum(doc["counts"].values()) == doc["population"] == len(doc["results"])
    assert len(doc["classes"]) == 42 and sum(doc["classes"].values()) == doc["population"]
    first = doc["results"][0]
    assert list(first) == RESULT_KEYS and first["rank"] == 1
    assert all(isinstance(r["customer_id"], str) for r in doc["results"])
    assert {r["change"] for r in doc["results"]} <= {"新增", "上调", "下调", "调整", "不变"}
    assert doc["outputs"] == [str(Path(p)) for p in doc["outputs"]] and len(doc["outputs"]) == 3


def test_r_scale_population_and_counts_on_the_sample(sample_run):
    _, doc = sample_run
    # README.txt: 1855 正常 + 108 暂停 are active; 注销/歇业/停业 are left out
    assert doc["population"] == 1963
    n_big = int(1963 * 0.2 + 0.5)  # round half up: 392.6 -> 393
    assert doc["counts"]["大"] <= n_big and doc["counts"]["小"] >= 1
    ids = [r["customer_id"] for r in doc["results"]]
    assert "028200100104" in ids  # leading zero kept
    ranks = [r["rank"] for r in doc["results"]]
    assert ranks == sorted(ranks)


def test_r_scale_unknown_customers_are_skipped_with_a_reason(sample_run):
    _, doc = sample_run
    assert len(doc["skipped"]) == 2
    assert all(s["customer_id"] and "客户信息中没有" in s["reason"] for s in doc["skipped"])


def test_result_workbook_keeps_names_as_text(sample_run):
    tmp, doc = sample_run
    wb = openpyxl.load_workbook(tmp / "output" / "客户分类结果_2026Q3.xlsx")
    ws = wb["分类结果"]
    assert ws["A1"].value == "《示例市烟草公司零售客户分类结果》" and ws["A2"].value.startswith("2026年第3季度")
    header = [c.value for c in ws[3]]
    assert header[:2] == ["客户编码", "客户名称"] and "综合分类" in header and "数据问题" in wb.sheetnames
    cells = {row[1].value: row[1] for row in ws.iter_rows(min_row=4)}
    assert cells["=一号店"].data_type == "s"
    ids = [row[0].value for row in ws.iter_rows(min_row=4)]
    assert ids == [r["customer_id"] for r in doc["results"]]


def test_problems_sheet_locates_buyers_missing_from_the_master(sample_run):
    """The 数据问题 rows of customers in the sales but not in the master name the sales file and
    the first row where each appears."""
    tmp, doc = sample_run
    ws = openpyxl.load_workbook(tmp / "output" / "客户分类结果_2026Q3.xlsx")["数据问题"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=4)]
    missing = [r for r in rows if "客户信息中没有" in (r[6] or "")]
    assert missing
    for file, _sheet, row, column, value, cid, _ in missing:
        assert file.startswith(("订单明细_", "销售汇总_")) and isinstance(row, int) and row >= 2
        assert (column, value) == ("客户编码", cid)


def test_r_stat_workbook_per_manager_and_summaries(sample_run):
    tmp, doc = sample_run
    wb = openpyxl.load_workbook(tmp / "output" / "客户分类情况统计表_2026Q3.xlsx")
    assert wb.sheetnames[0] == "全公司汇总"
    managers = set(pd.read_excel(SAMPLE / "客户信息.xlsx", header=2, dtype=str, engine="calamine")["客户经理"].dropna()) - {"合计"}
    assert managers <= set(wb.sheetnames)
    ws = wb["全公司汇总"]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "客户分类情况统计表（2026年第3季度）" in texts
    assert any("报送截止：2026年10月13日" in t for t in texts)  # 10/10 is a 调休 Saturday
    assert ws.page_setup.paperSize == 9 and ws.sheet_properties.pageSetUpPr.fitToPage


def test_r_notice_one_page_per_changed_customer_and_escaped(sample_run):
    tmp, doc = sample_run
    html = (tmp / "output" / "分类结果告知书_2026Q3.html").read_text(encoding="utf-8")
    changed = [r for r in doc["results"] if r["change"] != "不变"]
    assert html.count('class="page"') == len(changed)
    assert "<b>旺旺</b>" not in html
    for r in changed[:5]:
        assert r["customer_id"] in html and r["class_name"] in html


def test_ledger_records_the_quarter(sample_run):
    tmp, doc = sample_run
    con = sqlite3.connect(tmp / "cmtool.db")
    assert con.execute("SELECT COUNT(*) FROM classifications WHERE quarter='2026Q3'").fetchone()[0] == 1963


def test_previous_quarter_comes_from_the_ledger_and_rerun_replaces(tmp_path):
    first = classify_sample(tmp_path, "--json", "--notices", "none", quarter="2026Q2")
    assert first.code == 0, first.stderr
    second = classify_sample(tmp_path, "--json", "--notices", "none")
    assert second.code == 0, second.stderr
    q2 = {r["customer_id"]: r["class_name"] for r in first.json["results"]}
    for r in second.json["results"]:
        assert r["previous_class"] == q2.get(r["customer_id"])
    again = classify_sample(tmp_path, "--json", "--notices", "none")
    assert again.json["results"] == second.json["results"]
    con = sqlite3.connect(tmp_path / "cmtool.db")
    assert con.execute("SELECT COUNT(*) FROM quarters").fetchone()[0] == 2


def test_explain_from_the_ledger(sample_run):
    tmp, doc = sample_run
    target = next(r for r in doc["results"] if r["scale"] == "中")
    run = cmtool("--db", tmp / "cmtool.db", "classify", "explain", target["customer_id"], "--quarter", "2026Q3",
                 "--json", cwd=tmp)
    assert run.code == 0, run.stderr
    got = run.json
    assert (got["command"], got["quarter"], got["customer_id"]) == ("classify explain", "2026Q3", target["customer_id"])
    assert got["rank"] == target["rank"] and got["scale"] == "中" and got["next_scale"] == "大"
    assert got["volume_needed"] > 0 and got["n"] == doc["population"]
    human = cmtool("--db", tmp / "cmtool.db", "classify", "explain", target["customer_id"], "--quarter", "2026Q3",
                   cwd=tmp)
    assert human.code == 0 and "大" in human.stderr + human.stdout


def test_csv_and_parquet_results(tmp_path):
    run = classify_sample(tmp_path, "--json", "--result-format", "csv", "--notices", "none")
    assert run.code == 0, run.stderr
    csv = tmp_path / "output" / "客户分类结果_2026Q3.csv"
    assert csv.read_bytes()[:3] == b"\xef\xbb\xbf"
    frame = pd.read_csv(csv, dtype=str, encoding="utf-8-sig")
    assert "'=一号店" in set(frame["客户名称"])
    assert [str(p) for p in run.json["outputs"]][-1].endswith("客户分类情况统计表_2026Q3.xlsx")
    run = classify_sample(tmp_path, "--json", "--result-format", "parquet", "--notices", "none")
    assert run.code == 0, run.stderr
    table = pd.read_parquet(tmp_path / "output" / "客户分类结果_2026Q3.parquet")
    assert table["客户编码"].tolist() == [r["customer_id"] for r in run.json["results"]]


def test_department_scope_ranks_within_each_department(tmp_path):
    run = classify_sample(tmp_path, "--json", "--scope", "department", "--notices", "all")
    assert run.code == 0, run.stderr
    doc = run.json
    assert doc["scope"] == "department"
    assert sum(1 for r in doc["results"] if r["rank"] == 1) == 4  # four 营销部
    html = (tmp_path / "output" / "分类结果告知书_2026Q3.html").read_text(encoding="utf-8")
    assert html.count('class="page"') == doc["population"]


def test_human_summary_goes_to_the_terminal(tmp_path):
    run = classify_sample(tmp_path, "--notices", "none")
    assert run.code == 0, run.stderr
    assert run.stdout == ""
    assert "零售客户分类完成" in run.stderr and "全公司" in run.stderr and "上调" in run.stderr


def test_help_is_chinese():
    run = cmtool("classify", "--help", cwd=SAMPLE)
    assert run.code == 0 and "季度" in run.stdout and "选项" in run.stdout
    assert re.search(r"cmtool \d+\.\d+", cmtool("--version", cwd=SAMPLE).stdout)
