"""End to end: `cmtool analyze single|assoc|targets|brand|report` on the sample company as a user
runs them (cli.md `analyze`, R-ANA-SINGLE, R-ANA-ASSOC, R-ANA-TARGETS, R-ANA-BRAND, R-ANA-REPORT)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import openpyxl
import pytest

from cli_support import SAMPLE, classify_sample, cmtool

SVG = "{http://www.w3.org/2000/svg}"


def analyze(tmp: Path, *args: str | Path, period: tuple[str, str] = ("--quarter", "2026Q3")):
    return cmtool("--db", tmp / "cmtool.db", "analyze", *args, *period, "--customers", SAMPLE / "客户信息.xlsx",
                  "--sales", SAMPLE / "sales", "--out", tmp / "output", cwd=tmp)


@pytest.fixture(scope="module")
def report_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("analyze")
    run = analyze(tmp, "report", "--json")
    assert run.code == 0, run.stderr
    return tmp, run.json


def test_r_ana_report_json_and_outputs(report_run):
    tmp, doc = report_run
    assert (doc["command"], doc["quarter"]) == ("analyze report", "2026Q3")
    assert [Path(p).name for p in doc["outputs"]] == ["零售客户分析报告_2026Q3.html", "零售客户分析_2026Q3.xlsx"]
    assert all(Path(p).exists() for p in doc["outputs"])
    assert any("橄榄型" in f for f in doc["findings"]) and any("斯皮尔曼" in f for f in doc["findings"])
    assert list(doc)[-1] == "outputs"


def test_r_ana_report_html_has_charts_with_text_as_text(report_run):
    tmp, _ = report_run
    html = (tmp / "output" / "零售客户分析报告_2026Q3.html").read_text(encoding="utf-8")
    assert "size: A4" in html and "示例市烟草公司" in html and "2026年第3季度" in html
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")  # opens with no network
    svgs = [ET.fromstring(s) for s in re.findall(r"<svg.*?</svg>", html, re.S)]
    titles = [svg.find(f"{SVG}title").text for svg in svgs]
    assert titles[:3] == ["经营规模结构与橄榄型对照", "各业态单条值（元/条）", "购进量与单条值象限分布（相对本综合分类中位数）"]
    assert any("趋势" in t for t in titles[3:])
    texts = ["".join(t.itertext()) for svg in svgs for t in svg.iter(f"{SVG}text")]
    assert "食杂店" in texts and "大" in texts  # Chinese kept as text, not outlines
    assert len(list(svgs[2].iter(f"{SVG}circle"))) > 1000  # one point a customer
    assert html.count('class="page"') == 8 and html.count('class="running"') == 8  # every page says what it is


def test_r_ana_report_workbook_tables_and_native_charts(report_run):
    tmp, _ = report_run
    wb = openpyxl.load_workbook(tmp / "output" / "零售客户分析_2026Q3.xlsx")
    assert wb.sheetnames == [
        "按经营规模", "按经营规模（各指标）", "按业态", "按业态（各指标）", "按市场类型", "按市场类型（各指标）",
        "按客户经理", "按客户经理（各指标）", "交叉表", "象限", "指导经营对象", "月度趋势",
        "高档新品", "重点品牌扩张",  # the brand lists in full, by 客户经理
        "数据问题", "图表",
    ]
    assert len(wb["图表"]._charts) == 4
    for name in wb.sheetnames[:-1]:
        ws = wb[name]
        assert ws.page_setup.paperSize == 9 and ws.print_title_rows  # A4, header repeated
    with zipfile.ZipFile(tmp / "output" / "零售客户分析_2026Q3.xlsx") as z:  # every series: named by its header
        charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    for xml in charts:  # cell, its points in the rows under it (the lead lines above the header)
        for series in re.findall(r"<c:ser>.*?</c:ser>", xml, re.S):
            name, *ranges = [f.replace("$", "").split("!") for f in re.findall(r"<c:f>(.*?)</c:f>", series)]
            header = wb[name[0]][name[1]]
            assert header.font.b and header.value, name
            for sheet, cells in ranges:
                column = [row[0].value for row in wb[sheet][cells]]
                assert wb[sheet][cells.split(":")[0]].row == header.row + 1 and None not in column, (name, cells)
                if sheet == "月度趋势" and cells.startswith("A"):
                    assert all(re.fullmatch(r"\d{4}-\d{2}", m) for m in column), column
    scale = [[c.value for c in row] for row in wb["按经营规模"].iter_rows()]
    at = next(i for i, row in enumerate(scale) if row[0] == "经营规模")
    assert [row[0] for row in scale[at + 1 :]] == ["大", "中", "小", "（未填）"]
    assert abs(sum(row[2] for row in scale[at + 1 :]) - 1) < 1e-9  # customer shares sum to 1


def test_r_ana_single_format_json_matches_contract(tmp_path):
    run = analyze(tmp_path, "single", "--by", "业态", "--json")
    assert run.code == 0, run.stderr
    doc = run.json
    assert list(doc)[:4] == ["command", "quarter", "dimension", "groups"] and doc["dimension"] == "format"
    g = doc["groups"][0]
    assert list(g) == ["group", "customers", "customer_share", "unit_value", "totals", "shares", "mean", "median"]
    assert sum(x["customers"] for x in doc["groups"]) == 1963
    assert abs(sum(x["shares"]["volume"] for x in doc["groups"]) - 1) < 1e-9
    for x in doc["groups"]:
        assert abs(x["unit_value"] - x["totals"]["amount"] / x["totals"]["volume"]) < 1e-9
    assert set(g["mean"]) == {"volume", "amount", "unit_value", "sku_count", "premium_share", "key_brand_share",
                              "orders"}
    assert doc["findings"][0].startswith("按单条值")
    assert not any("卷烟编码" in w for w in doc["warnings"])  # order lines give every metric
    assert Path(doc["outputs"][0]).name == "单项分析_format_2026Q3.xlsx"


def test_r_ana_monthly_summaries_warn_and_scale_from_ledger(tmp_path):
    """2026Q2 is monthly summaries: the SKU metrics are absent with warnings; after classify the
    scale comes from the ledger's latest classified quarter at or before the period."""
    assert classify_sample(tmp_path, "--json", quarter="2026Q2").code == 0
    run = analyze(tmp_path, "single", "--by", "scale", "--json", period=("--quarter", "2026Q2"))
    assert run.code == 0, run.stderr
    doc = run.json
    assert doc["class_source"] == "台账中 2026Q2 的分类结果"
    assert [g["group"] for g in doc["groups"]] == ["大", "中", "小"]
    assert set(doc["groups"][0]["mean"]) == {"volume", "amount", "unit_value", "orders"}  # 订货次数 column
    assert sum("卷烟编码" in w for w in doc["warnings"]) == 3
    failed = analyze(tmp_path, "targets", "--metric", "premium_share", period=("--quarter", "2026Q2"))
    assert failed.code == 1 and "一二类烟占比" in failed.stderr and "Traceback" not in failed.stderr


def test_r_ana_assoc_month_json(tmp_path):
    run = analyze(tmp_path, "assoc", "--x", "volume", "--y", "单条值", "--json", period=("--month", "2026-08"))
    assert run.code == 0, run.stderr
    doc = run.json
    assert (doc["command"], doc["month"], doc["x"], doc["y"]) == ("analyze assoc", "2026-08", "volume", "unit_value")
    assert doc["correlation"]["method"] == "spearman" and -1 <= doc["correlation"]["rho"] <= 1
    assert list(doc["quadrants"]) == ["双高", "量高值低", "量低值高", "双低"]
    assert sum(doc["quadrants"].values()) == len(doc["customers"])
    c = doc["customers"][0]
    assert list(c) == ["customer_id", "class_name", "x", "y", "x_median", "y_median", "quadrant", "direction"]
    assert all((r["x"] >= r["x_median"]) == (r["quadrant"] in ("双高", "量高值低")) for r in doc["customers"])
    assert doc["cross"]["rows"] == "market" and doc["cross"]["cells"][0]["row"] == "城镇"


def test_r_ana_targets_and_brand_filtered_by_manager(tmp_path):
    run = analyze(tmp_path, "targets", "--top", "5", "--manager", "丁红", "--json")
    assert run.code == 0, run.stderr
    found = run.json["targets"]
    assert len(found) == 5 and all(t["scale"] in ("中", "小") for t in found)
    gaps = [t["relative_gap"] for t in found]
    assert gaps == sorted(gaps, reverse=True)
    brand = analyze(tmp_path, "brand", "--manager", "丁红", "--json")
    assert brand.code == 0, brand.stderr
    lists = brand.json["lists"]
    assert {r["format"] for r in lists["高档新品"]} <= {"商场", "超市", "烟酒商店"}
    assert {r["format"] for r in lists["重点品牌扩张"]} <= {"便利店", "娱乐服务类"}
    assert {r["manager"] for l in lists.values() for r in l} == {"丁红"}
    wb = openpyxl.load_workbook(brand.json["outputs"][0])
    assert set(wb.sheetnames) >= {"丁红-高档新品", "丁红-重点品牌扩张"}


@pytest.mark.parametrize("args, code, words", [
    (["single", "--by", "颜色"], 2, "不认识的维度"),
    (["assoc", "--x", "销量额"], 2, "不认识的指标"),
    (["single", "--by", "format", "--manager", "无此人"], 1, "没有客户经理"),
])
def test_r_ana_bad_options(tmp_path, args, code, words):
    run = analyze(tmp_path, *args)
    assert run.code == code and words in run.stderr and "Traceback" not in run.stderr


def test_r_ana_needs_one_period(tmp_path):
    run = analyze(tmp_path, "report", period=("--quarter", "2026Q3", "--month", "2026-08"))
    assert run.code == 2 and "--quarter 或 --month" in run.stderr


def test_r_ana_single_olive_limit_from_config(tmp_path):
    (tmp_path / "cmtool.toml").write_text("[analyze]\nbig_volume_share_max = 0.7\n", encoding="utf-8")
    run = analyze(tmp_path, "single", "--by", "scale", "--json")
    assert run.code == 0, run.stderr
    assert any("未超过70.0%的控制线" in f for f in run.json["findings"])
    (tmp_path / "cmtool.toml").write_text("[analyze]\nbig_share_max = 0.7\n", encoding="utf-8")
    bad = analyze(tmp_path, "single", "--by", "scale")
    assert bad.code == 1 and "big_share_max" in bad.stderr
