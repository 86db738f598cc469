"""End to end: `cmtool group-init`, `group-adjust` and `quota-review` as a user runs them (cli.md,
R-GROUP, R-GROUP-NEW, R-GROUP-ADJUST, R-GROUP-ONDEMAND, R-QUOTA-REVIEW, R-QUOTA-ADJUST). The
documents written are opened and checked."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import sqlite3
from pathlib import Path

import openpyxl
import pytest
from filemakers import write_csv, write_xlsx

from cli_support import SAMPLE, cmtool
from cmtool.ledger import Ledger

ADJUST_KEYS = ["command", "month", "proposals", "rejected", "outputs"]
PROPOSAL_KEYS = ["customer_id", "kind", "current_group", "proposed_group", "direction", "evidence_months",
                 "evidence_volumes", "approval_chain"]
CHAINS = {
    "总量组别": ["客户经理申请", "市场经理审核", "分管副经理审批"],
    "按需供货": ["营销部申请", "分管副经理签字", "营销中心审核"],
    "单户单次定量": ["客户经理申请", "市场经理签字审核", "分管副经理签字审批"],
}
# sample_data/README.txt: the planted customers
GROWING = ["510104100244", "510104100594", "510104100737", "510105100017", "510105100172", "510105100256",
           "510106100015", "510106100048", "510106100102", "510106100133", "510106100828", "510116100671",
           "510116100891"]
FALLING = ["510104100523", "510104100931", "510105100674", "510105100710", "510105100745", "510106100156",
           "510106100545", "510106100692", "510116100088", "510116100092"]
ON_DEMAND_IN, ON_DEMAND_OUT, NEW_HIGH = "510104100618", "510105100725", "510104100565"


def adjust(tmp: Path, *extra: str, month: str = "2026-10", customers: Path = SAMPLE / "客户信息.xlsx",
           sales: Path = SAMPLE / "sales"):
    return cmtool("--db", tmp / "cmtool.db", "group-adjust", "--month", month, "--customers", customers,
                  "--sales", sales, "--out", tmp / "output", *extra, cwd=tmp)


@pytest.fixture(scope="module")
def adjust_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("adjust")
    run = adjust(tmp, "--json")
    assert run.code == 0, run.stderr
    return tmp, run.json


def test_group_adjust_json_matches_the_contract(adjust_run):
    tmp, doc = adjust_run
    assert list(doc) == ADJUST_KEYS and (doc["command"], doc["month"]) == ("group-adjust", "2026-10")
    assert doc["proposals"] and all(list(p) == PROPOSAL_KEYS for p in doc["proposals"])
    for p in doc["proposals"]:
        assert p["approval_chain"] == CHAINS[p["kind"]]
        assert p["direction"] in {"上调", "下调"} if p["kind"] != "按需供货" else {"调入", "调出"}
        assert p["evidence_months"] == (["2026-09", "2026-10"] if p["kind"] == "单户单次定量"
                                        else ["2026-08", "2026-09", "2026-10"])
        assert all(isinstance(v, float) for v in p["evidence_volumes"]) and p["current_group"] != p["proposed_group"]
    assert all(list(r) == ["customer_id", "kind", "reason"] for r in doc["rejected"])
    assert doc["outputs"] == [str(tmp / "output" / "组别调整申请_2026-10.html"),
                              str(tmp / "output" / "组别调整建议_2026-10.xlsx")]


def test_r_group_planted_customers_are_found(adjust_run):
    _, doc = adjust_run
    moves = {(p["customer_id"], p["kind"]): p for p in doc["proposals"]}
    assert all(moves[(c, "总量组别")]["direction"] == "上调" for c in GROWING)
    assert all(moves[(c, "总量组别")]["direction"] == "下调" for c in FALLING)
    assert moves[(ON_DEMAND_IN, "按需供货")]["direction"] == "调入"
    out = moves[(ON_DEMAND_OUT, "按需供货")]
    assert (out["direction"], out["current_group"], out["proposed_group"]) == ("调出", "按需供货", "二组")
    assert {"customer_id": NEW_HIGH, "kind": "按需供货", "reason": "入网未满6个月，不得直接归入按需供货客户组别"} in doc["rejected"]
    assert (NEW_HIGH, "按需供货") not in moves


def test_r_group_applications_one_page_each_with_the_chain_of_its_kind(adjust_run):
    tmp, doc = adjust_run
    html = (tmp / "output" / "组别调整申请_2026-10.html").read_text(encoding="utf-8")
    pages = re.split(r'<div class="page application">', html)[1:]
    assert len(pages) == len(doc["proposals"])
    titles = {"总量组别": "零售客户组别调整申请表", "单户单次定量": "单户单次合理定量组别调整申请表"}
    found = [re.search(r"<th>客户编码</th><td>(\w+)</td>", page).group(1) for page in pages]
    assert sorted(found) == sorted(p["customer_id"] for p in doc["proposals"])
    managers = [re.search(r"<th>客户经理</th><td>([^<]*)</td>", page).group(1) for page in pages]
    assert sum(a != b for a, b in zip(managers, managers[1:])) == len(set(managers)) - 1  # one stack each
    for p in doc["proposals"]:
        page = next(pg for pg in pages if f"<td>{p['customer_id']}</td>" in pg and p["kind"] in pg
                    and p["proposed_group"] in pg)
        assert p["customer_id"] in page and p["proposed_group"] in page
        assert [s for s in re.findall(r"<th>([^<]+)</th><td><div", page)] == p["approval_chain"]
        assert page.count("签字：") == 3 and page.count("日期：") == 3
        title = titles.get(p["kind"]) or f"按需供货客户组别{p['direction']}申请表"
        assert f"<h1>{title}</h1>" in page
        for month in p["evidence_months"]:
            assert f"<td>{month}</td>" in page
    assert "@page { size: A4; margin: 0; }" in html  # the browser prints no header or footer
    assert "break-all" not in html
    assert "≥" in html and "–" not in html  # bands say which side holds the bound


def test_r_group_workbook_lists_proposals_and_rejections(adjust_run):
    tmp, doc = adjust_run
    wb = openpyxl.load_workbook(tmp / "output" / "组别调整建议_2026-10.xlsx")
    assert wb.sheetnames == ["总量组别", "按需供货", "单户单次定量", "未予建议"]
    for kind in ("总量组别", "按需供货", "单户单次定量"):
        ws = wb[kind]
        assert ws["A1"].value == f"{kind}调整建议（2026年10月）"
        header = [c.value for c in ws[3]]
        assert header[:2] == ["客户编码", "客户名称"] and "建议组别" in header
        ids = [r[0].value for r in ws.iter_rows(min_row=4)]
        assert ids == [p["customer_id"] for p in doc["proposals"] if p["kind"] == kind]
        assert ws.page_setup.paperSize == 9 and ws.print_title_rows == "$3:$3"
    rejected = [[c.value for c in r] for r in wb["未予建议"].iter_rows(min_row=4)]
    assert [r[0] for r in rejected] == [r["customer_id"] for r in doc["rejected"]]
    assert any(r[0] == NEW_HIGH and isinstance(r[-1], int) for r in rejected)  # its row in the master


def test_r_group_applications_recorded_once_per_month(tmp_path):
    first = adjust(tmp_path, "--json", month="2026-09")
    assert first.code == 0, first.stderr
    run = adjust(tmp_path, "--json")
    again = adjust(tmp_path, "--json")
    assert again.json["proposals"] == run.json["proposals"]
    con = sqlite3.connect(tmp_path / "cmtool.db")
    count = con.execute("SELECT COUNT(*) FROM applications WHERE month = '2026-10'").fetchone()[0]
    assert count == len(run.json["proposals"])
    both = {p["customer_id"] for p in first.json["proposals"] if p["kind"] == "总量组别"} & {
        p["customer_id"] for p in run.json["proposals"] if p["kind"] == "总量组别"}
    ws = openpyxl.load_workbook(tmp_path / "output" / "组别调整建议_2026-10.xlsx")["总量组别"]
    header = [c.value for c in ws[3]]
    earlier = {r[0].value: r[header.index("此前申请")].value for r in ws.iter_rows(min_row=4)}
    assert both and all(earlier[c].startswith("2026-09 申请") for c in both)


def test_r_group_kind_and_months_options(adjust_run, tmp_path):
    tmp, everything = tmp_path, adjust_run[1]
    shutil.copy(adjust_run[0] / "cmtool.db", tmp / "cmtool.db")
    total = adjust(tmp, "--json", "--kind", "total", "--months", "1")
    assert total.code == 0, total.stderr
    assert {p["kind"] for p in total.json["proposals"]} == {"总量组别", "按需供货"}
    assert all(p["evidence_months"] == ["2026-10"] for p in total.json["proposals"])
    quotas = sum(p["kind"] == "单户单次定量" for p in everything["proposals"])
    con = sqlite3.connect(tmp / "cmtool.db")
    rows = dict(con.execute("SELECT kind = '单户单次定量', COUNT(*) FROM applications GROUP BY 1").fetchall())
    assert rows == {1: quotas, 0: len(total.json["proposals"])}  # the quota applications were kept
    wb = openpyxl.load_workbook(tmp / "output" / "组别调整建议_2026-10.xlsx")
    assert wb.sheetnames == ["总量组别", "按需供货", "未予建议"]
    quota = adjust(tmp, "--json", "--kind", "quota")
    assert {p["kind"] for p in quota.json["proposals"]} == {"单户单次定量"}


def test_r_group_no_upward_move_under_an_active_measure(tmp_path):
    ledger = Ledger(tmp_path / "cmtool.db")
    with ledger.connect() as con, con:
        con.execute("INSERT INTO measures (customer_id, measure, starts_on, ends_on, decided_month)"
                    " VALUES (?, '组别下调', '2026-10-12', '2027-01-10', '2026-09')", (GROWING[0],))
    run = adjust(tmp_path, "--json", "--kind", "total")
    assert run.code == 0, run.stderr
    assert GROWING[0] not in {p["customer_id"] for p in run.json["proposals"]}
    assert {"customer_id": GROWING[0], "kind": "总量组别",
            "reason": "处于动态管理措施期内（组别下调，2026-10-12起至2027-01-10），不予上调"} in run.json["rejected"]


def messy_company(tmp: Path) -> tuple[Path, Path]:
    """A master exported with title rows, a merged title, 合计, blanks, synonyms, markup and an
    unknown group; and a GBK sales CSV without an order count column."""
    header = ["客户编码", "客户名称", "经营业态", "市场类型", "客户经理", "营销部", "客户状态", "客户组别", "定量组别",
              "入网日期", "访销周期", "月预计销量"]
    joined_long_ago = dt.datetime(2015, 3, 1)
    rows = [
        ["客户信息查询"], ["导出时间：2026-11-02"], header,
        ["0510001", "<b>旺旺</b>便利店", "便利店", "城镇", "王芳", "城区营销部", "正常", "三组", "定量三组",
         joined_long_ago, "每周", 150],
        ["0510002", "@一号店", "食杂", "农网", "王芳", "城区营销部", "正常", "", "", dt.datetime(2026, 10, 20), "双周", "260"],
        ["0510003", "新开超市", "超市", "城镇", "李强", "城区营销部", "正常", None, None, dt.datetime(2026, 10, 28), "每周", None],
        ["0510004", "无周期店", "烟酒店", "城镇", "李强", "城区营销部", "正常", None, None, dt.datetime(2026, 10, 28), None,
         "1,200"],
        ["0510005", "六组店", "食杂店", "城镇", "李强", "城区营销部", "正常", "六组", "定量三组", joined_long_ago, "每周", 50],
        ["0510006", "注销店", "食杂店", "城镇", "李强", "城区营销部", "注销", None, None, joined_long_ago, "每周", 50],
        ["0510007", "大户", "商场", "城镇", "李强", "城区营销部", "正常", "一组", "定量一组", dt.datetime(2026, 6, 1), "每周", 900],
        [], ["合计"],
    ]
    master = write_xlsx(tmp / "客户信息.xlsx", rows, merge="A1:L1")
    sales = [["客户编码", "月份", "购进量(条)", "购进额(元)"]]
    for month in ("2026-08", "2026-09", "2026-10"):
        sales += [["0510001", month, "260", "52,000.00"], ["0510005", month, "10", "2000"],
                  ["0510007", month, "950", "190000"]]
    return master, write_csv(tmp / "销售.csv", sales, encoding="gbk")


def test_r_group_new_on_a_messy_master(tmp_path):
    master, _ = messy_company(tmp_path)
    run = cmtool("group-init", "--customers", master, "--date", "2026-11-03", "--out", tmp_path / "out", "--json",
                 cwd=tmp_path)
    assert run.code == 0, run.stderr
    doc = run.json
    assert list(doc) == ["command", "date", "assignments", "unassigned", "outputs"]
    got = {a["customer_id"]: a for a in doc["assignments"]}
    assert set(got) == {"0510002", "0510004"}
    assert (got["0510002"]["group"], got["0510002"]["quota_group"]) == ("二组", "定量一组")  # 260 / (6.5/3) = 120
    assert (got["0510004"]["group"], got["0510004"]["assigned"]) == ("一组", ["客户组别"])  # 1,200: never 按需供货
    reasons = {u["customer_id"]: u["reason"] for u in doc["unassigned"]}
    assert "月预计销量" in reasons["0510003"] and "访销周期" in reasons["0510004"]
    ws = openpyxl.load_workbook(tmp_path / "out" / "客户组别初始划分_2026-11-03.xlsx")["初始划分"]
    names = {r[1].value: r[1] for r in ws.iter_rows(min_row=6)}
    assert names["@一号店"].data_type == "s" and ws["A1"].value == "《示例市烟草公司新入网零售客户组别初始划分表》"
    basis = next(c.value for c in ws["A"] if isinstance(c.value, str) and c.value.startswith("依据"))
    assert "每周访销每季度 13 次" in basis and "每周 13 次" not in basis
    assert "未能划分" in openpyxl.load_workbook(tmp_path / "out" / "客户组别初始划分_2026-11-03.xlsx").sheetnames


def test_r_group_new_without_unassigned_leaves_the_empty_sheet_out(tmp_path):
    """An empty 未能划分 sheet would print as a page of its own: it is left out and the lead says 0."""
    header = ["客户编码", "客户名称", "经营业态", "市场类型", "客户经理", "入网日期", "访销周期", "月预计销量"]
    master = write_xlsx(tmp_path / "客户信息.xlsx", [header, ["0510002", "一号店", "食杂店", "乡村", "王芳",
                                                              dt.datetime(2026, 10, 20), "双周", 260]])
    run = cmtool("group-init", "--customers", master, "--date", "2026-11-03", "--out", tmp_path / "out", cwd=tmp_path)
    assert run.code == 0, run.stderr
    wb = openpyxl.load_workbook(tmp_path / "out" / "客户组别初始划分_2026-11-03.xlsx")
    assert wb.sheetnames == ["初始划分"]
    assert "另有未能划分 0 户）" in wb["初始划分"]["A2"].value


def test_r_group_adjust_on_a_messy_master(tmp_path):
    master, sales = messy_company(tmp_path)
    run = adjust(tmp_path, "--json", customers=master, sales=sales)
    assert run.code == 0, run.stderr
    moves = {(p["customer_id"], p["kind"]): p for p in run.json["proposals"]}
    assert moves[("0510001", "总量组别")]["proposed_group"] == "二组"
    assert moves[("0510001", "单户单次定量")]["proposed_group"] == "定量一组"  # 260 / (13/3) = 60 a order, estimated
    reasons = {(r["customer_id"], r["kind"]): r["reason"] for r in run.json["rejected"]}
    assert "「六组」不是配置中的组别" in reasons[("0510005", "总量组别")]
    assert reasons[("0510007", "按需供货")] == "入网未满6个月，不得直接归入按需供货客户组别"
    html = (tmp_path / "output" / "组别调整申请_2026-10.html").read_text(encoding="utf-8")
    assert "<b>旺旺</b>" not in html and "&lt;b&gt;旺旺&lt;/b&gt;便利店" in html
    assert "（估算）" in html


def test_r_group_missing_month_is_refused_and_nothing_written(tmp_path):
    run = adjust(tmp_path, month="2026-11")
    assert run.code == 1 and "2026-11" in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "output").exists() and not (tmp_path / "cmtool.db").exists()


def test_r_group_bad_config_and_bad_usage(tmp_path):
    (tmp_path / "cmtool.toml").write_text('[groups]\nbands = [{ name = "甲", min = 0, max = 100 }]\n', encoding="utf-8")
    run = adjust(tmp_path)
    assert run.code == 1 and "groups.bands" in run.stderr
    assert adjust(tmp_path, month="2026-13").code == 2
    assert adjust(tmp_path, "--kind", "both").code == 2


def test_r_group_human_summary_on_stderr(tmp_path):
    run = adjust(tmp_path, "--kind", "total")
    assert run.code == 0 and run.stdout == ""
    assert "组别调整建议" in run.stderr and "客户经理申请 → 市场经理审核 → 分管副经理审批" in run.stderr
    assert "状态为暂停的 108 户" in run.stderr and "入网未满6个月" in run.stderr


@pytest.fixture(scope="module")
def review_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("review")
    run = cmtool("quota-review", "--quarter", "2026Q3", "--customers", SAMPLE / "客户信息.xlsx", "--sales",
                 SAMPLE / "sales", "--out", tmp / "output", "--json", cwd=tmp)
    assert run.code == 0, run.stderr
    return tmp, run.json


def test_r_quota_review_json_and_dates(review_run):
    _, doc = review_run
    assert list(doc) == ["command", "quarter", "effective_from", "due", "changes", "skipped", "outputs"]
    assert (doc["quarter"], doc["effective_from"], doc["due"]) == ("2026Q3", "2026-10-01", "2026-10-13")
    assert doc["changes"] and all(c["current_group"] != c["proposed_group"] for c in doc["changes"])
    assert {c["direction"] for c in doc["changes"]} == {"上调", "下调"}
    assert [c["customer_id"] for c in doc["changes"]] == sorted(c["customer_id"] for c in doc["changes"])


def test_r_quota_review_sheet_old_and_new_side_by_side(review_run):
    tmp, doc = review_run
    wb = openpyxl.load_workbook(tmp / "output" / "单户单次定量组别清理表_2026Q3.xlsx")
    ws = wb["清理名单"]
    lead = [ws.cell(row=r, column=1).value for r in range(1, 5)]
    assert lead[0] == "《示例市烟草公司单户单次合理定量组别清理表》"
    assert any("2026年10月13日" in t and "第5个工作日" in t for t in lead)
    assert any("2026年10月1日起（2026年第4季度）" in t for t in lead)
    header = [c.value for c in ws[5]]
    old, new = header.index("原定量组别"), header.index("新定量组别")
    assert new == old + 1
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=6)]
    assert [(r[0], r[old], r[new]) for r in rows] == [
        (c["customer_id"], c["current_group"], c["proposed_group"]) for c in doc["changes"]]
    assert ws.page_setup.paperSize == 9


def test_help_is_chinese():
    for command in ("group-init", "group-adjust", "quota-review"):
        run = cmtool(command, "--help", cwd=SAMPLE)
        assert run.code == 0 and "选项" in run.stdout and "组别" in run.stdout
