"""End to end: `cmtool check` on a corpus of bad files (every case of data.md, and files that are
not what they claim to be), R-INFO against a previous master and the master stored in the ledger."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

from cli_support import SAMPLE, cmtool

MASTER = """客户信息查询
客户编码,客户名称,经营业态,市场类型,客户经理,客户状态,入网日期,订货日,访销周期,客户组别,定量组别,订货电话
0001,甲店,食杂店,城镇,张三,正常,2020-01-06,周二,每周,三组,定量三组,13800000001
0002,乙店,小卖部,城镇,张三,正常,2020-01-06,周二,每周,三组,定量三组,13800000002
0003,丙店,超市,乡村,李四,正常,2026-11-04,,,,,13800000003
0003,丙店二,超市,乡村,李四,正常,2026-11-04,,,,,13800000003
5.101E+11,丁店,便利店,城镇,李四,正常,2020-01-06,周三,每周,二组,定量二组,13800000004
0006,己店,食杂店,乡村,李四,正常,2020-01-06,,双周,四组,,
"""
SALES_A = """客户编码,月份,购进量,购进额
0001,2026-10,100,20000
0006,2026-10,-5,100
0006,2026-09,abc,100
0999,2026-10,10,1000
"""
SALES_B = """客户编码,月份,购进量,购进额
0001,2026-10,100,20000
"""


def _corpus(tmp: Path) -> dict[str, Path]:
    d = tmp / "in"
    d.mkdir()
    files = {
        "master": d / "客户信息.csv", "a": d / "销售_A.csv", "b": d / "销售_B.csv",
        "fake": d / "假的.xlsx", "page": d / "网页.xls", "empty": d / "空.csv", "records": d / "违约记录.csv",
    }
    files["master"].write_text(MASTER, encoding="gbk")
    files["a"].write_text(SALES_A, encoding="utf-8-sig")
    files["b"].write_text(SALES_B, encoding="utf-8")
    files["fake"].write_text(SALES_B, encoding="utf-8")  # a CSV renamed .xlsx
    files["page"].write_text("<html><body><table><tr><td>客户编码</td></tr></table></body></html>", encoding="utf-8")
    files["empty"].write_bytes(b"")
    files["records"].write_text("客户编码,日期,说明\n0001,2026-10-08,x\n", encoding="utf-8")  # no 违约类型
    return files


def _sheet(path: Path, name: str) -> list[dict]:
    ws = openpyxl.load_workbook(path)[name]
    rows = list(ws.iter_rows(values_only=True))
    top = next(i for i, r in enumerate(rows) if r[0] in ("级别", "客户经理", "客户编码", "文件", "情况"))
    return [dict(zip(rows[top], r)) for r in rows[top + 1:]]


def test_check_lists_every_problem_of_the_corpus_and_exits_1(tmp_path):
    f = _corpus(tmp_path)
    run = cmtool("--db", tmp_path / "cmtool.db", "check", "--customers", f["master"],
                 "--sales", f["a"], "--sales", f["b"], "--sales", f["fake"], "--sales", f["page"],
                 "--sales", f["empty"], "--sales", tmp_path / "没有这个文件夹", "--records", f["records"],
                 "--date", "2026-11-20", "--out", tmp_path / "out", "--json", cwd=tmp_path)
    assert run.code == 1 and "Traceback" not in run.stderr, run.stderr
    doc = run.json
    assert doc["command"] == "check" and doc["date"] == "2026-11-20"
    report = tmp_path / "out" / "数据检查_2026-11-20.xlsx"
    assert doc["outputs"] == [str(report)] and report.exists()
    master = doc["files"][0]
    assert master == {"path": str(f["master"]), "kind": "customers", "shape": None, "rows": 6, "encoding": "gb18030",
                      "sheet": None, "header_row": 2, "months": []}
    sales_a = doc["files"][1]
    assert sales_a["shape"] == "monthly" and sales_a["rows"] == 4 and sales_a["months"] == ["2026-10"]
    errors = [p for p in doc["problems"] if p["severity"] == "error"]

    def find(file: str, words: str, row=None) -> dict:
        hits = [p for p in errors if p["file"] and Path(p["file"]).name == file and words in p["message"]
                and (row is None or p["row"] == row)]
        assert hits, (file, words, [(p["file"], p["row"], p["message"]) for p in errors])
        return hits[0]

    assert find("客户信息.csv", "经营业态", 4)["value"] == "小卖部"  # unknown 业态
    assert find("客户信息.csv", "科学计数", 7)["value"] == "5.101E+11"  # a code Excel already corrupted
    assert {p["row"] for p in errors if "客户编码重复" in p["message"]} == {5, 6}  # duplicate 客户编码, both rows
    assert find("销售_A.csv", "负数", 3)["column"] == "购进量"
    assert find("销售_A.csv", "数", 4)["value"] == "abc"
    find("销售_A.csv", "重叠")  # 0001 2026-10 in A and B
    find("假的.xlsx", "内容是文本")  # not what its ending says
    find("网页.xls", "网页")
    find("空.csv", "没有任何内容")
    assert any("没有这个文件夹" in p["message"] for p in errors)
    find("违约记录.csv", "违约类型")  # missing required column
    assert doc["summary"]["errors"] == len(errors)
    warnings = [p for p in doc["problems"] if p["severity"] == "warning"]
    assert any(p["customer_id"] == "0999" and "客户信息中没有" in p["message"] for p in warnings)
    # R-INFO: 0006 lacks 访销日, 定量组别 and 订货电话; the export has no 拜访方式 column: named once
    assert sum("拜访方式" in p["message"] for p in warnings) == 1
    assert {p["column"] for p in warnings if p["customer_id"] == "0006"} == {"访销日", "定量组别", "订货电话"}
    # the report: summary first, then one sheet per kind
    book = openpyxl.load_workbook(report)
    assert book.sheetnames[:3] == ["汇总", "数据问题", "信息不完整"]
    assert all(ws.page_setup.paperSize == 9 for ws in book)
    listed = _sheet(report, "数据问题")
    assert len(listed) == len(doc["problems"])
    assert any(r["级别"] == "错误" and r["行号"] == 4 and r["值"] == "小卖部" for r in listed)
    assert not (tmp_path / "cmtool.db").exists()  # errors: the ledger is untouched


def test_check_r_info_2_and_3_previous_master_and_the_stored_one(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    old, new = d / "上月客户信息.csv", d / "客户信息.csv"
    header = "客户编码,客户名称,经营业态,市场类型,客户经理,入网日期,访销日,访销周期,客户组别\n"
    old.write_text(header + "0001,甲店,食杂店,城镇,张三,2020-01-06,周二,每周,三组\n"
                            "0002,乙店,食杂店,城镇,张三,2020-01-06,周二,每周,三组\n", encoding="utf-8")
    new.write_text(header + "0001,甲店,食杂店,城镇,张三,2020-01-06,周四,每周,二组\n"
                            "0003,丙店,超市,城镇,张三,2026-09-18,,,\n", encoding="utf-8")
    db = tmp_path / "cmtool.db"
    run = cmtool("--db", db, "check", "--customers", new, "--previous", old, "--date", "2026-09-22",
                 "--out", tmp_path / "out", "--json", cwd=tmp_path)
    assert run.code == 0, run.stderr
    doc = run.json
    assert doc["overdue_new"] == [{"customer_id": "0003", "joined": "2026-09-18", "due": "2026-09-21",
                                   "missing": ["访销周期", "访销日", "组别"]}]
    changes = {c["field"]: c for c in doc["changes"]}
    assert changes["访销日"] == {"customer_id": "0001", "field": "访销日", "old": "周二", "new": "周四",
                                   "route": "客户经理建议、市场经理批准核实、营销中心维护", "flag": None}
    assert changes["客户组别"]["flag"] == "台账中没有该客户调整到此组别的申请，请核实依据"
    assert doc["added"] == ["0003"] and doc["removed"] == ["0002"]
    rows = _sheet(tmp_path / "out" / "数据检查_2026-09-22.xlsx", "信息变更记录")
    assert {(r["变更项目"], r["原值"], r["新值"], r["发现日期"]) for r in rows} == {
        ("访销日", "周二", "周四", dt.datetime(2026, 9, 22)), ("客户组别", "三组", "二组", dt.datetime(2026, 9, 22))}
    # the master was stored: the next check without --previous compares against it
    new.write_text(header + "0001,甲店,食杂店,城镇,张三,2020-01-06,周五,每周,二组\n"
                            "0003,丙店,超市,城镇,张三,2026-09-18,周一,每周,五组\n", encoding="utf-8")
    again = cmtool("--db", db, "check", "--customers", new, "--date", "2026-09-23", "--out", tmp_path / "out",
                   "--json", cwd=tmp_path).json
    assert [(c["customer_id"], c["field"], c["old"], c["new"]) for c in again["changes"]] == [
        ("0001", "访销日", "周四", "周五"), ("0003", "客户组别", None, "五组"), ("0003", "访销日", None, "周一"),
        ("0003", "访销周期", None, "每周")]
    assert again["overdue_new"] == [] and again["added"] == [] and again["removed"] == []


def test_check_on_the_sample_is_clean_and_prints_a_summary(tmp_path):
    run = cmtool("--db", tmp_path / "cmtool.db", "check", "--customers", SAMPLE / "客户信息.xlsx",
                 "--sales", SAMPLE / "sales", "--date", "2026-11-20", "--out", tmp_path / "out", cwd=tmp_path)
    assert run.code == 0, run.stderr
    assert "错误 0 处" in run.stderr and "数据检查_2026-11-20.xlsx" in run.stderr


def test_check_without_files_is_a_usage_error(tmp_path):
    run = cmtool("check", cwd=tmp_path)
    assert run.code == 2 and "至少给出一个" in run.stderr
