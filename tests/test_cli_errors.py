"""End to end: what bad input gets (data.md): a Chinese message naming file, row, column and
value, exit 1, no traceback, no document half written, the ledger untouched."""

from __future__ import annotations

import hashlib
from pathlib import Path

import openpyxl
import pytest

from cli_support import cmtool

MASTER = """客户编码,客户名称,经营业态,市场类型,客户经理,营销部,客户状态
0001,甲店,食杂店,城镇,张三,锦江营销部,正常
0002,乙店,便利店,城镇,张三,锦江营销部,正常
0003,丙店,超市,乡村,李四,双流营销部,正常
0004,丁店,烟酒店,农网,李四,双流营销部,暂停
0005,戊店,食杂店,乡村,李四,双流营销部,正常
0006,己店,食杂店,乡村,李四,双流营销部,注销
"""
SALES = """客户编码,月份,购进量,购进额
0001,2026-07,100,20000
0001,2026-08,50,10000
0002,2026-07,60,9000
0003,2026-09,40,8000
0004,2026-08,10,1000
0006,2026-08,99,9900
"""


def _company(tmp: Path, master: str = MASTER, sales: str = SALES) -> tuple[Path, Path]:
    (tmp / "in").mkdir(exist_ok=True)
    m, s = tmp / "in" / "客户信息.csv", tmp / "in" / "销售.csv"
    m.write_text(master, encoding="utf-8-sig")
    s.write_text(sales, encoding="gbk")
    return m, s


def _classify(tmp: Path, master: Path, sales: Path, *extra: str) -> object:
    return cmtool("--db", tmp / "cmtool.db", "classify", "--quarter", "2026Q3", "--customers", master,
                  "--sales", sales, "--out", tmp / "output", *extra, cwd=tmp)


def _refused(run, *words: str) -> None:
    assert run.code == 1, run.stderr
    assert "Traceback" not in run.stderr and run.stdout == ""
    for w in words:
        assert w in run.stderr, run.stderr


def _nothing_written(tmp: Path) -> None:
    out = tmp / "output"
    assert not out.exists() or list(out.iterdir()) == []
    assert not (tmp / "cmtool.db").exists()


def test_r_scale_hand_checked_small_company(tmp_path):
    """R-SCALE: 5 active customers (0006 注销 is out): n_big = n_small = round_half_up(1.0) = 1.

    Totals: V = 150 + 60 + 40 + 10 + 0 = 260 条, A = 30000 + 9000 + 8000 + 1000 + 0 = 48000 元.
    Scores: 0001 (150/260 + 30000/48000)/2 = 0.6010; 0002 (60/260 + 9000/48000)/2 = 0.2091;
    0003 0.1603; 0004 0.0296; 0005 0 -> 大, 中, 中, 中, 小.
    """
    run = _classify(tmp_path, *_company(tmp_path), "--json")
    assert run.code == 0, run.stderr
    got = [(r["customer_id"], r["rank"], r["scale"], r["class_name"], r["class_code"]) for r in run.json["results"]]
    assert got == [("0001", 1, "大", "城镇食杂店大", "CZ1"), ("0002", 2, "中", "城镇便利店中", "CB2"),
                   ("0003", 3, "中", "乡村超市中", "XS2"), ("0004", 4, "中", "乡村烟酒商店中", "XY2"),
                   ("0005", 5, "小", "乡村食杂店小", "XZ3")]
    assert run.json["results"][0]["score"] == pytest.approx((150 / 260 + 30000 / 48000) / 2)
    assert run.json["results"][0]["volume"] == 150.0 and run.json["results"][0]["amount"] == 30000.0
    assert {r["change"] for r in run.json["results"]} == {"新增"}


def test_missing_file_names_it(tmp_path):
    master, sales = _company(tmp_path)
    _refused(_classify(tmp_path, tmp_path / "没有这个文件.xlsx", sales), "没有这个文件.xlsx")
    _nothing_written(tmp_path)


def test_unknown_format_names_file_row_column_value(tmp_path):
    master, sales = _company(tmp_path, MASTER.replace("0003,丙店,超市", "0003,丙店,小卖部"))
    run = _classify(tmp_path, master, sales)
    _refused(run, "客户信息.csv", "第 4 行", "经营业态", "小卖部")
    _nothing_written(tmp_path)


def test_skip_invalid_lists_the_row_in_the_problems_sheet(tmp_path):
    master, sales = _company(tmp_path, MASTER.replace("0003,丙店,超市", "0003,丙店,小卖部"))
    run = _classify(tmp_path, master, sales, "--skip-invalid", "--json")
    assert run.code == 0, run.stderr
    assert "0003" not in [r["customer_id"] for r in run.json["results"]]
    reasons = " ".join(s["reason"] for s in run.json["skipped"])
    assert "小卖部" in reasons and "0003" in [s["customer_id"] for s in run.json["skipped"]]
    wb = openpyxl.load_workbook(tmp_path / "output" / "客户分类结果_2026Q3.xlsx")
    values = [c.value for row in wb["数据问题"].iter_rows() for c in row]
    assert "小卖部" in values and 4 in values


def test_a_bad_master_is_reported_before_bad_sales(tmp_path):
    # the master is read beside the sales (issue 13): its refusal still comes first
    master, sales = _company(tmp_path, MASTER.replace("0003,丙店,超市", "0003,丙店,小卖部"),
                             SALES.replace("0002,2026-07,60", "0002,2026-07,-60"))
    run = _classify(tmp_path, master, sales)
    _refused(run, "客户信息.csv", "小卖部")
    assert "-60" not in run.stderr
    _nothing_written(tmp_path)


def test_negative_quantity_is_refused(tmp_path):
    master, sales = _company(tmp_path, sales=SALES.replace("0002,2026-07,60", "0002,2026-07,-60"))
    _refused(_classify(tmp_path, master, sales), "销售.csv", "第 4 行", "-60")


def test_a_quarter_month_missing_is_refused(tmp_path):
    master, sales = _company(tmp_path, sales=SALES.replace("2026-09", "2026-08"))
    _refused(_classify(tmp_path, master, sales), "2026-09")
    _nothing_written(tmp_path)


def test_duplicate_customer_ids(tmp_path):
    master, sales = _company(tmp_path, MASTER + "0002,重复店,食杂店,城镇,张三,锦江营销部,正常\n")
    _refused(_classify(tmp_path, master, sales), "0002", "重复")


def test_wrong_usage_exits_2(tmp_path):
    master, sales = _company(tmp_path)
    run = cmtool("classify", "--quarter", "2026Q7", "--customers", master, "--sales", sales, cwd=tmp_path)
    assert run.code == 2 and "季度" in run.stderr
    run = cmtool("classify", "--quarter", "2026Q3", "--sales", sales, cwd=tmp_path)
    assert run.code == 2 and "--customers" in run.stderr


def test_unknown_config_key_is_named(tmp_path):
    master, sales = _company(tmp_path)
    (tmp_path / "cmtool.toml").write_text("[scale]\nbg = 0.3\n", encoding="utf-8")
    _refused(_classify(tmp_path, master, sales), "scale.bg")
    _nothing_written(tmp_path)


def test_file_that_is_not_what_its_ending_says(tmp_path):
    master, sales = _company(tmp_path)
    fake = tmp_path / "in" / "客户信息.xlsx"
    fake.write_bytes(master.read_bytes())
    _refused(_classify(tmp_path, fake, sales), "客户信息.xlsx")


def test_a_failed_run_leaves_the_ledger_and_documents_untouched(tmp_path):
    master, sales = _company(tmp_path)
    assert _classify(tmp_path, master, sales).code == 0
    db = tmp_path / "cmtool.db"
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    written = {p: p.stat().st_mtime_ns for p in (tmp_path / "output").iterdir()}
    bad_master, _ = _company(tmp_path, MASTER.replace("0005,戊店,食杂店", "0005,戊店,不知道"))
    _refused(_classify(tmp_path, bad_master, sales), "不知道")
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert {p: p.stat().st_mtime_ns for p in (tmp_path / "output").iterdir()} == written


def test_department_scope_needs_every_department(tmp_path):
    master, sales = _company(tmp_path, MASTER.replace("0002,乙店,便利店,城镇,张三,锦江营销部", "0002,乙店,便利店,城镇,张三,"))
    _refused(_classify(tmp_path, master, sales, "--scope", "department"), "0002", "营销部")


def test_r_scale_a_customer_who_joined_after_the_quarter_is_not_ranked_but_reported(tmp_path):
    master = MASTER.replace("客户状态\n", "客户状态,入网日期\n").replace(",正常\n", ",正常,2020-01-01\n").replace(
        ",暂停\n", ",暂停,2020-01-01\n").replace(",注销\n", ",注销,2020-01-01\n")
    master = master.replace("0002,乙店,便利店,城镇,张三,锦江营销部,正常,2020-01-01", "0002,乙店,便利店,城镇,张三,锦江营销部,正常,2026-10-08")
    run = _classify(tmp_path, *_company(tmp_path, master), "--json")
    assert run.code == 0, run.stderr
    assert "0002" not in [r["customer_id"] for r in run.json["results"]]
    late = [s for s in run.json["skipped"] if s["customer_id"] == "0002"]
    assert len(late) == 1 and "2026-10-08" in late[0]["reason"]


def test_a_skipped_master_row_is_not_reported_again_as_missing_from_the_master(tmp_path):
    master, sales = _company(tmp_path, MASTER.replace("0002,乙店,便利店", "0002,乙店,小卖部"))
    run = _classify(tmp_path, master, sales, "--skip-invalid", "--json")
    assert run.code == 0, run.stderr
    reasons = [s["reason"] for s in run.json["skipped"] if s["customer_id"] == "0002"]
    assert len(reasons) == 1 and "小卖部" in reasons[0]
