"""End to end: `customer show|print` (R-CARD) after a few runs of the other commands on the
sample, and `calendar` (R-CAL) with its ics file."""

from __future__ import annotations

import re
from pathlib import Path

import icalendar
import pytest

from cli_support import SAMPLE, classify_sample, cmtool

CUSTOMER = "028200100458"  # 彭镇福运超市: 中 in 2026Q1, then 大; an upward group application in 2026-10


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> Path:
    """A ledger with three classified quarters, a top-5 % list and the month's applications."""
    tmp = tmp_path_factory.mktemp("card")
    for quarter in ("2026Q1", "2026Q2", "2026Q3"):
        assert classify_sample(tmp, "--notices", "none", quarter=quarter).code == 0
    common = ("--customers", SAMPLE / "客户信息.xlsx", "--sales", SAMPLE / "sales", "--out", tmp / "output")
    assert cmtool("--db", tmp / "cmtool.db", "top5", "--month", "2026-10", *common, cwd=tmp).code == 0
    assert cmtool("--db", tmp / "cmtool.db", "group-adjust", "--month", "2026-10", *common, cwd=tmp).code == 0
    return tmp


def _show(tmp: Path, customer: str, *extra: str) -> dict:
    run = cmtool("--db", tmp / "cmtool.db", "customer", "show", customer, "--customers", SAMPLE / "客户信息.xlsx",
                 *extra, "--json", cwd=tmp)
    assert run.code == 0, run.stderr
    return run.json


def test_r_card_show_a_customer_with_several_quarters(history):
    doc = _show(history, CUSTOMER, "--sales", str(SAMPLE / "sales"))
    assert doc["command"] == "customer show" and doc["customer_id"] == CUSTOMER
    assert doc["base"]["name"] == "彭镇福运超市" and doc["base"]["order_weekday"] == "周二"
    assert [(q["quarter"], q["scale"], q["class_name"]) for q in doc["quarters"]] == [
        ("2026Q1", "中", "城镇超市中"), ("2026Q2", "大", "城镇超市大"), ("2026Q3", "大", "城镇超市大")]
    assert all(isinstance(q["rank"], int) and q["rank"] <= q["n"] for q in doc["quarters"])
    assert [a["proposed_group"] for a in doc["applications"]] == ["二组"]
    months = doc["months"]
    assert months[-1]["month"] == "2026-10" and months[-1]["volume"] == 220.0 and len(months) <= 12
    assert months[-1]["unit_value"] == round(28376.0 / 220.0, 2)
    assert doc["actions"] == [] and any("plan" in t for t in doc["not_available"])
    assert "联系人" in doc["missing_fields"]  # the sample has no 联系人 column


def test_r_card_show_a_top5_member_has_its_months_and_file(history):
    top = cmtool("--db", history / "cmtool.db", "top5", "--month", "2026-10", "--customers",
                 SAMPLE / "客户信息.xlsx", "--sales", SAMPLE / "sales", "--out", history / "output", "--json",
                 cwd=history).json["members"][0]
    doc = _show(history, top["customer_id"])
    assert doc["top5"][-1] | {} == {"month": "2026-10", "rank": top["rank"], "volume": top["volume"],
                                     "amount": top["amount"], "status": top["status"]}
    assert doc["top5_file"]["state_label"] == "在档"
    assert not any("前5%" in t for t in doc["not_available"])


def test_r_card_show_an_unknown_customer_is_refused(history):
    run = cmtool("--db", history / "cmtool.db", "customer", "show", "999", "--customers", SAMPLE / "客户信息.xlsx",
                 cwd=history)
    assert run.code == 1 and "999" in run.stderr and "Traceback" not in run.stderr


def test_r_card_print_one_a4_page_per_customer_with_the_personal_data_footer(history):
    run = cmtool("--db", history / "cmtool.db", "customer", "print", "--manager", "贺萍秀", "--class", "CS1",
                 "--customers", SAMPLE / "客户信息.xlsx", "--sales", SAMPLE / "sales", "--out", history / "cards",
                 "--json", cwd=history)
    assert run.code == 0, run.stderr
    doc = run.json
    assert CUSTOMER in doc["customers"]
    html = Path(doc["outputs"][0]).read_text(encoding="utf-8")
    pages = html.split('<div class="page card-page">')[1:]
    assert len(pages) == len(doc["customers"])
    assert all("内含客户个人信息，注意保管" in p and "零售客户信息卡" in p for p in pages)
    mine = next(p for p in pages if CUSTOMER in p)
    assert "13244711739" in mine and "城镇超市大（2026Q3 分类）" in mine and "2026年3月15日" in mine
    assert re.search(r"<th>联系人</th><td class=\"blank\">", mine)  # a blank line to fill in
    assert "@page { size: A4" in html


def test_r_card_print_needs_a_selection(history):
    run = cmtool("customer", "print", "--customers", SAMPLE / "客户信息.xlsx", cwd=history)
    assert run.code == 2


def test_r_cal_calendar_october_2026_json_and_ics(tmp_path):
    ics = tmp_path / "期限.ics"
    run = cmtool("calendar", "--month", "2026-10", "--ics", ics, "--json", cwd=tmp_path)
    assert run.code == 0, run.stderr
    doc = run.json
    assert doc["command"] == "calendar" and doc["month"] == "2026-10" and doc["working_days"] == 18
    stat = next(d for d in doc["deadlines"] if d["rule"] == "R-STAT")
    assert stat == {"date": "2026-10-13", "task": "报送《客户分类情况统计表》（2026年第3季度）", "rule": "R-STAT",
                    "command": "cmtool classify --quarter 2026Q3"}
    assert doc["outputs"] == [str(ics)]
    events = icalendar.Calendar.from_ical(ics.read_bytes()).walk("VEVENT")
    assert [e.decoded("dtstart").isoformat() for e in events] == [d["date"] for d in doc["deadlines"]]


def test_r_cal_calendar_with_new_customers_and_an_uncovered_year(tmp_path):
    run = cmtool("calendar", "--month", "2026-11", "--customers", SAMPLE / "客户信息.xlsx", "--json", cwd=tmp_path)
    assert run.code == 0, run.stderr
    assert any(d["rule"] == "R-INFO" for d in run.json["deadlines"])
    bad = cmtool("calendar", "--month", "2031-03", cwd=tmp_path)
    assert bad.code == 1 and "2031" in bad.stderr and "[calendar]" in bad.stderr


def test_r_card_other_base_fields_the_export_has_are_printed(tmp_path):
    master = tmp_path / "客户信息.csv"
    master.write_text("客户编码,客户名称,经营业态,市场类型,客户经理,营业时间,商圈类型,订货电话\n"
                      "0001,=1+2,便利店,城镇,张三,8:00-23:00,社区,13800000001\n", encoding="utf-8")
    run = cmtool("customer", "print", "--id", "0001", "--customers", master, "--out", tmp_path / "out", "--json",
                 cwd=tmp_path)
    assert run.code == 0, run.stderr
    html = Path(run.json["outputs"][0]).read_text(encoding="utf-8")
    assert "<th>营业时间</th><td>8:00-23:00</td>" in html and "<th>商圈类型</th><td>社区</td>" in html
    assert "是否夜店" not in html  # not in the export: not printed
    assert "<th>经营地址</th><td class=\"blank\">" in html  # a core field the export lacks: a blank line
    assert "<td>=1+2</td>" in html and "客户编码" in html  # names are data
    shown = cmtool("customer", "show", "0001", "--customers", master, "--json", cwd=tmp_path).json
    assert shown["base"]["opening_hours"] == "8:00-23:00" and "是否夜店" in shown["missing_fields"]
