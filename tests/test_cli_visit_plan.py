"""End to end: a month of the sample through `plan` and `visit` (R-PLAN, R-VISIT): init, edit,
submit, approve, two day sheets filled in and marked, close; the documents opened."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from cli_support import SAMPLE, cmtool
from cmtool.ledger import Ledger

MANAGER = "丁红"
MASTER = SAMPLE / "客户信息.xlsx"
DUE_KEYS = {"date", "customer_id", "name", "manager", "cycle", "basis", "actions", "flags"}


def run(tmp: Path, *args: object):
    return cmtool("--db", tmp / "cmtool.db", "--config", SAMPLE / "cmtool.toml", *args, cwd=tmp)


def ok(tmp: Path, *args: object) -> dict:
    done = run(tmp, *args, "--json")
    assert done.code == 0, done.stderr
    return done.json


def header_row(sheet) -> tuple[int, dict[str, int]]:
    for row in sheet.iter_rows(min_row=1, max_row=8):
        names = {c.value: c.column for c in row if c.value}
        if "客户编码" in names:
            return row[0].row, names
    raise AssertionError("no header")


def fill_day_sheet(path: Path, marks: dict[tuple[str, str], str], temporary: tuple[str, str] | None = None) -> None:
    """Mark the rows of `marks` ((code, action) → ★/●), add a 临时 row; save like Excel does."""
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    top, cols = header_row(sheet)
    first_blank = None
    for r in range(top + 1, sheet.max_row + 1):
        key = (sheet.cell(r, cols["客户编码"]).value, sheet.cell(r, cols["营销动作"]).value)
        if key[0] is None:
            first_blank = first_blank or r
        elif key in marks:
            sheet.cell(r, cols["标注"]).value = marks[key]
            sheet.cell(r, cols["拜访情况"]).value = "已拜访"
    if temporary:
        for column, value in zip(("客户编码", "营销动作", "标注", "临时"), (*temporary, "★", "是")):
            sheet.cell(first_blank, cols[column]).value = value
    book.save(path)


@pytest.fixture(scope="module")
def month(tmp_path_factory):
    """The November 2026 of one manager, step by step; each step's JSON kept for the tests."""
    tmp = tmp_path_factory.mktemp("month")
    out = tmp / "output"
    steps: dict[str, dict] = {"tmp": tmp}
    steps["init"] = ok(tmp, "plan", "init", "--month", "2026-11", "--customers", MASTER, "--manager", MANAGER,
                       "--date", "2026-11-02", "--out", out)
    steps["submit"] = ok(tmp, "plan", "submit", "--month", "2026-11", "--manager", MANAGER, "--date", "2026-11-02")
    steps["refused_update"] = run(tmp, "plan", "update", "--file", steps["init"]["outputs"][0])
    steps["reject"] = ok(tmp, "plan", "reject", "--month", "2026-11", "--manager", MANAGER, "--by", "王市场",
                         "--reason", "请补充新品推荐", "--date", "2026-11-02")
    plan_book = Path(steps["init"]["outputs"][0])
    book = openpyxl.load_workbook(plan_book)
    sheet = book["营销动作计划"]
    top, cols = header_row(sheet)
    steps["deleted"] = (sheet.cell(top + 1, cols["客户编码"]).value, sheet.cell(top + 1, cols["营销动作"]).value)
    sheet.delete_rows(top + 1)
    blank = next(r for r in range(top + 1, sheet.max_row + 1) if sheet.cell(r, cols["客户编码"]).value is None)
    steps["added"] = (sheet.cell(top + 1, cols["客户编码"]).value, "签订陈列协议")
    sheet.cell(blank, cols["客户编码"]).value, sheet.cell(blank, cols["营销动作"]).value = steps["added"]
    book.save(plan_book)
    steps["update"] = ok(tmp, "plan", "update", "--file", plan_book, "--date", "2026-11-02")
    ok(tmp, "plan", "submit", "--month", "2026-11", "--manager", MANAGER, "--date", "2026-11-02")
    steps["approve"] = ok(tmp, "plan", "approve", "--month", "2026-11", "--manager", MANAGER, "--by", "王市场",
                          "--date", "2026-11-03")
    steps["visit1"] = ok(tmp, "visit", "--date", "2026-11-04", "--customers", MASTER, "--sales", SAMPLE / "sales",
                         "--manager", MANAGER, "--out", out)
    first = steps["visit1"]["due"]
    with_actions = [d for d in first if len(d["actions"]) >= 2]
    a, b = with_actions[0], with_actions[1]
    steps["marks1"] = {(a["customer_id"], a["actions"][0]): "★", (a["customer_id"], a["actions"][1]): "●",
                       (b["customer_id"], b["actions"][0]): "●"}
    fill_day_sheet(Path(steps["visit1"]["outputs"][0]), steps["marks1"], (b["customer_id"], "协助办理电子结算"))
    steps["mark1"] = ok(tmp, "plan", "mark", "--file", steps["visit1"]["outputs"][0], "--date", "2026-11-04")
    # a week later the same customers again: ● becomes ★; then a ● on a ★ is refused
    steps["visit2"] = ok(tmp, "visit", "--date", "2026-11-11", "--customers", MASTER, "--sales", SAMPLE / "sales",
                         "--manager", MANAGER, "--out", out)
    steps["marks2"] = {(b["customer_id"], b["actions"][0]): "★"}
    fill_day_sheet(Path(steps["visit2"]["outputs"][0]), steps["marks2"])
    steps["mark2"] = ok(tmp, "plan", "mark", "--file", steps["visit2"]["outputs"][0], "--date", "2026-11-11")
    bad = tmp / "标注.csv"
    bad.write_text(f"客户编码,营销动作,标注,临时,说明\n{a['customer_id']},{a['actions'][0]},●,,复查\n", encoding="utf-8-sig")
    steps["refused_mark"] = run(tmp, "plan", "mark", "--file", bad, "--month", "2026-11")
    steps["status_before"] = ok(tmp, "plan", "status", "--month", "2026-11")
    steps["close"] = ok(tmp, "plan", "close", "--month", "2026-11", "--manager", MANAGER, "--date", "2026-11-30",
                        "--out", out)
    steps["refused_close"] = run(tmp, "plan", "close", "--month", "2026-11", "--manager", MANAGER, "--out", out)
    steps["status"] = ok(tmp, "plan", "status", "--month", "2026-11")
    steps["december"] = ok(tmp, "plan", "init", "--month", "2026-12", "--customers", MASTER, "--manager", MANAGER,
                           "--date", "2026-12-01", "--out", out)
    steps["a"], steps["b"] = a, b
    return steps


def test_r_plan_init_writes_an_editable_workbook(month):
    """R-PLAN 2: every active customer of the manager gets the six services as the sample's
    standard gives them; all ☆; the workbook names month and manager and shades what may be edited."""
    [plan] = month["init"]["plans"]
    assert set(month["init"]) == {"command", "month", "plans", "outputs"}
    assert plan["manager"] == MANAGER and plan["status"] == "计划" and plan["carried"] == 0
    assert plan["customers"] > 150 and plan["actions"] >= 3 * plan["customers"]
    book = openpyxl.load_workbook(month["init"]["outputs"][0])
    assert book.sheetnames == ["营销动作计划", "服务标准"]
    sheet = book["营销动作计划"]
    assert sheet.cell(2, 1).value == f"计划月份：2026年11月　客户经理：{MANAGER}　状态：计划"
    top, cols = header_row(sheet)
    assert list(cols)[:7] == ["客户编码", "客户名称", "综合分类", "营销动作", "来源", "首次计划月份", "标注"]
    shaded = {c: sheet.cell(top + 1, cols[c]).fill.fgColor.rgb for c in ("客户编码", "营销动作", "来源")}
    assert shaded["客户编码"] == shaded["营销动作"] == "FFFFF2CC" and shaded["来源"] != "FFFFF2CC"
    assert sheet.cell(top + 1, cols["标注"]).value == "☆"
    assert [r[0].value for r in book["服务标准"].iter_rows(min_row=4)] == [
        "规范陈列", "盘点库存和价格采集", "指导经营", "传递营销活动信息", "推介适销品牌", "新品牌推荐和促销"]


def test_r_plan_status_machine_on_the_command_line(month):
    """R-PLAN 3: a submitted plan cannot be edited (exit 1 naming the status); rejected with a
    reason, edited (one row deleted, one added), submitted and approved with name and date."""
    refused = month["refused_update"]
    assert refused.code == 1 and "计划已提交，不能修改" in refused.stderr and "Traceback" not in refused.stderr
    assert month["reject"]["status"] == "计划驳回" and month["reject"]["stage"] == "plan"
    assert (month["update"]["added"], month["update"]["deleted"]) == (1, 1)
    assert month["update"]["actions"] == month["init"]["plans"][0]["actions"]
    assert month["approve"] == {"command": "plan approve", "month": "2026-11", "manager": MANAGER, "stage": "plan",
                                "status": "已审批", "by": "王市场", "date": "2026-11-03", "outputs": []}


def test_r_visit_day_sheet_json_and_workbook(month):
    """R-VISIT: the JSON per cli.md; every due customer is the manager's, on a working
    Wednesday, with its open actions; the workbook's day sheet lists them in route order."""
    doc = month["visit1"]
    assert set(doc) == {"command", "date", "days", "due", "holiday", "suspended", "unschedulable", "outputs"}
    assert doc["days"] == ["2026-11-04"] and doc["due"] and doc["holiday"] == []
    assert all(set(d) == DUE_KEYS and d["manager"] == MANAGER and d["date"] == "2026-11-04" for d in doc["due"])
    assert {d["cycle"] for d in doc["due"]} <= {"每周", "双周", "每月"}
    assert all(d["flags"] in ([], ["缺拜访方式"]) for d in doc["due"])
    book = openpyxl.load_workbook(doc["outputs"][0])
    sheet = book.worksheets[0]
    assert sheet.title == f"{MANAGER}_11-04"
    assert sheet.cell(2, 1).value.startswith(f"拜访日期：2026年11月4日（星期三）　客户经理：{MANAGER}")
    top, cols = header_row(sheet)
    assert list(cols) == ["客户编码", "客户名称", "综合分类", "经营地址", "订货电话", "拜访方式", "营销动作", "标注", "临时",
                          "拜访情况"]
    codes = [sheet.cell(r, 1).value for r in range(top + 1, sheet.max_row + 1) if sheet.cell(r, 2).value]
    assert codes == [d["customer_id"] for d in doc["due"]]
    html = Path(doc["outputs"][1]).read_text(encoding="utf-8")
    assert html.count('<div class="page sheet">') >= 1 and "☐★ ☐●" in html and "内含客户个人信息" in html


def test_r_plan_marks_from_day_sheets(month):
    """R-PLAN 4: the filled-in day sheets are read back: 3 marks and a 临时任务 the first day, ●
    turned ★ a week later; a ● on a ★ is refused naming both rows and records nothing."""
    assert month["mark1"] == {"command": "plan mark", "marked": 4, "temporary": 1, "warnings": [], "outputs": []}
    assert month["mark2"]["marked"] == 1 and month["mark2"]["temporary"] == 0
    b = month["b"]
    second = next(d for d in month["visit2"]["due"] if d["customer_id"] == b["customer_id"])
    assert b["actions"][0] in second["actions"] and "协助办理电子结算" not in second["actions"]  # ★: no longer open
    refused = month["refused_mark"]
    assert refused.code == 1 and "标注.csv" in refused.stderr and "第 2 行" in refused.stderr
    assert "拜访客户表_2026-11-04.xlsx" in refused.stderr and "★ 完成" in refused.stderr
    [before] = month["status_before"]["plans"]
    assert before["done"] == 3 and before["temporary"] == 1


def test_r_plan_close_and_the_task_marks_sheet(month):
    """R-PLAN 5: close turns every ☆ into ●: 3 ★ of the plan plus the 临时任务; the 标注表 opens with
    the approver, per-customer counts, the total and the signature lines; a second close is refused."""
    totals = month["close"]["totals"]
    planned = month["init"]["plans"][0]["actions"]
    assert totals == {"planned": planned, "temporary": 1, "done": 3, "open": planned + 1 - 3,
                      "completion": round(3 / (planned + 1), 4)}
    xlsx, html = (Path(p) for p in month["close"]["outputs"])
    assert xlsx.name == f"客户经理任务执行标注表_2026-11_{MANAGER}.xlsx" and html.suffix == ".html"
    book = openpyxl.load_workbook(xlsx)
    assert book.sheetnames == ["标注表", "汇总"]
    lead = [book["汇总"].cell(r, 1).value for r in range(1, 5)]
    assert "计划审批：王市场（2026年11月3日）" in lead[1] and "客户经理（提交）" in lead[3] and "市场经理（审批）" in lead[3]
    top, cols = header_row(book["汇总"])
    last = book["汇总"].max_row
    assert book["汇总"].cell(last, 1).value == "合计"
    assert book["汇总"].cell(last, cols["★完成"]).value == 3
    marks = {book["标注表"].cell(r, 7).value for r in range(6, book["标注表"].max_row + 1)}
    assert marks == {"★", "●"}  # no ☆ left
    text = html.read_text(encoding="utf-8")
    assert "客户经理任务执行标注表" in text and "客户经理（提交）" in text and "市场经理（审批）" in text
    assert "临时任务" in text and "@page { size: A4" in text
    refused = month["refused_close"]
    assert refused.code == 1 and "执行结果已提交" in refused.stderr
    [status] = month["status"]["plans"]
    assert status["status"] == "已审批" and status["result_status"] == "已提交" and status["approved_by"] == "王市场"


def test_r_plan_next_month_carries_the_unfinished(month):
    """R-PLAN 2: December carries every ● of November (the ★ ones not), one row per action."""
    [plan] = month["december"]["plans"]
    november = month["close"]["totals"]
    assert plan["carried"] == november["open"]


def test_r_visit_suspended_customer_listed_apart_and_week_view(tmp_path):
    """R-VISIT 3: a customer under 暂停访销 (a measure in the ledger) is listed apart, not due;
    --week gives a day sheet per day and the 周工作安排."""
    first = ok(tmp_path, "visit", "--date", "2026-11-04", "--customers", MASTER, "--manager", MANAGER,
               "--out", tmp_path / "a")
    held = first["due"][0]["customer_id"]
    with Ledger(tmp_path / "cmtool.db").connect() as con, con:  # as `dynamic notices` (R-DYN) records it
        con.execute("INSERT INTO measures (customer_id, measure, starts_on, ends_on, decided_month)"
                    " VALUES (?, '暂停访销', '2026-11-03', '2026-11-16', '2026-10')", (held,))
    doc = ok(tmp_path, "visit", "--date", "2026-11-04", "--customers", MASTER, "--manager", MANAGER, "--week",
             "--out", tmp_path / "b")
    assert doc["suspended"] == [{"customer_id": held, "until": "2026-11-16"}]
    assert held not in {d["customer_id"] for d in doc["due"]}
    assert doc["days"] == [f"2026-11-{d:02d}" for d in range(2, 9)]
    book = openpyxl.load_workbook(doc["outputs"][0])
    assert book.sheetnames[0] == "周工作安排" and "暂停访销" in book.sheetnames
    assert {s for s in book.sheetnames if s.startswith(MANAGER)} == {f"{MANAGER}_11-{d:02d}" for d in range(2, 7)}


def test_r_visit_unknown_manager_and_bad_date(tmp_path):
    bad = run(tmp_path, "visit", "--date", "2026-11-04", "--customers", MASTER, "--manager", "无此人")
    assert bad.code == 1 and "无此人" in bad.stderr and "Traceback" not in bad.stderr
    assert run(tmp_path, "visit", "--date", "11/04", "--customers", MASTER).code == 2
    assert not (tmp_path / "output").exists()


def test_r_card_shows_the_customers_actions(month):
    """R-CARD: `customer show` lists the customer's 营销动作 of the latest planned month."""
    a = month["a"]
    doc = ok(month["tmp"], "customer", "show", a["customer_id"], "--customers", MASTER)
    december = [x for x in doc["actions"] if x["month"] == "2026-12"]
    assert december and len(december) == len(doc["actions"])
    carried = {x["action"]: x for x in december if x["source"] == "上月结转"}
    assert a["actions"][1] in carried and carried[a["actions"][1]]["first_month"] == "2026-11"
    assert a["actions"][0] not in carried  # ★ in November
    assert not any("营销动作" in t for t in doc["not_available"])


def test_r_visit_holiday_customers_listed_not_moved(tmp_path):
    """R-VISIT 3: on National Day (Thursday 2026-10-01) the Thursday customers are listed under
    节假日 with the 订单部 note, none is due; the HTML has their 节假日 page."""
    doc = ok(tmp_path, "visit", "--date", "2026-10-01", "--customers", MASTER, "--manager", MANAGER,
             "--out", tmp_path / "out")
    assert doc["due"] == [] and doc["holiday"]
    assert {h["date"] for h in doc["holiday"]} == {"2026-10-01"}
    html = Path(doc["outputs"][1]).read_text(encoding="utf-8")
    assert "拜访客户表（节假日）" in html and "订货日程以订单部安排为准" in html
    book = openpyxl.load_workbook(doc["outputs"][0])
    assert "节假日" in book.sheetnames and not any(s.startswith(MANAGER) for s in book.sheetnames)


def test_r_plan_marks_file_with_month_and_bad_values(tmp_path):
    """R-PLAN 4: a marks file (客户编码, 营销动作, 标注, 临时, 说明) with --month; 完成/未完成 words
    accepted, a 临时 row added; a bad 标注 or 临时 value names its row and records nothing."""
    init = ok(tmp_path, "plan", "init", "--month", "2026-11", "--customers", MASTER, "--manager", MANAGER,
              "--out", tmp_path / "out")
    book = openpyxl.load_workbook(init["outputs"][0])["营销动作计划"]
    top, cols = header_row(book)
    code, action = book.cell(top + 1, cols["客户编码"]).value, book.cell(top + 1, cols["营销动作"]).value
    marks = tmp_path / "标注.csv"
    marks.write_text(f"客户编码,营销动作,标注,临时,说明\n{code},{action},完成,,\n{code},代办营业执照,★,是,店主要求\n"
                     f"{code},规范陈列,,,\n", encoding="utf-8-sig")
    assert ok(tmp_path, "plan", "mark", "--file", marks, "--month", "2026-11")["temporary"] == 1
    bad = tmp_path / "错.csv"
    bad.write_text(f"客户编码,营销动作,标注,临时\n{code},{action},对,\n{code},{action},★,也许\n", encoding="utf-8-sig")
    refused = run(tmp_path, "plan", "mark", "--file", bad, "--month", "2026-11")
    assert refused.code == 1 and "第 2 行" in refused.stderr and "「对」" in refused.stderr
    assert "第 3 行" in refused.stderr and "「也许」" in refused.stderr
    status = ok(tmp_path, "plan", "status", "--month", "2026-11")["plans"][0]
    assert (status["done"], status["temporary"]) == (2, 1)
    warned = ok(tmp_path, "plan", "mark", "--file", marks, "--month", "2026-11")
    assert warned["warnings"] == [f"2026-11 {MANAGER} 的计划尚未审批（当前状态：计划），标注已照常记录"]
