"""R-NOTICE: the printable class notices (documents/html.py, templates/classify_notice.html.j2)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd
from result_samples import make_result

from cmtool.config import ScaleConfig
from cmtool.documents.html import environment, notices_html, templates_dir, write_html
from cmtool.periods import Quarter

Q = Quarter(2026, 3)


def render(frame: pd.DataFrame, **options) -> str:
    return notices_html(frame, quarter=Q, company="示例市烟草公司", **options)


def pages(html: str) -> list[str]:
    return re.split(r'<div class="page">', html)[1:]


def text(html: str) -> str:
    """What a reader sees: the markup gone, entities kept as they are."""
    return re.sub(r"<[^>]+>", "", html)


def test_r_notice_autoescape() -> None:
    frame = make_result(2)
    frame.loc[0, "name"] = "<script>alert(1)</script>"
    frame.loc[0, "manager"] = "A&B"
    html = render(frame)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "A&amp;B" in html
    assert environment().autoescape is True
    assert (templates_dir() / "classify_notice.html.j2").is_file()


def test_r_notice_one_page_per_customer() -> None:
    frame = make_result(7)
    html = render(frame)
    assert html.count('class="page"') == 7
    assert "@page { size: A4; margin: 0; }" in html  # no room for the browser's header and footer
    assert ".page:last-child { page-break-after: auto; break-after: auto; }" in html
    assert "break-all" not in html and "anywhere" not in html  # figures never split


def test_r_notice_filing_order_by_department_manager_code() -> None:
    frame = make_result(40).sample(frac=1, random_state=3)
    ids = re.findall(r"客户编码 (?:<[^>]+>)?(\d{12})", render(frame))
    expected = frame.sort_values(["department", "manager", "customer_id"])["customer_id"].tolist()
    assert ids == expected


def test_r_notice_figures_and_dates_do_not_break() -> None:
    html = render(make_result(1), issued=date(2026, 10, 9))
    assert '<span class="nb">2026年10月9日</span>' in html
    assert re.search(r'<span class="nb">[\d,.]+ 条</span>', html)
    assert '<span class="nb">2026年第3季度</span>' in html


def test_r_notice_company_seal_and_manager_phone() -> None:
    frame = make_result(2)
    manager = frame.iloc[0]["manager"]
    page = next(text(p) for p in pages(render(frame, phones={manager: "028-8888 0001"}))
                if frame.iloc[0]["customer_id"] in text(p))
    assert "示例市烟草公司（盖章）" in page
    assert f"客户经理：{manager}　　联系电话：028-8888 0001" in page
    assert "联系电话：________________" in text(render(frame, phones={}))


def test_r_notice_fields() -> None:
    frame = make_result(3)
    frame.loc[1, "previous_class"] = None
    html = render(frame, issued=date(2026, 10, 9))
    by_id = {re.search(r"\d{12}", text(p)).group(0): text(p) for p in pages(html)}
    first, second = by_id[frame.iloc[0]["customer_id"]], by_id[frame.iloc[1]["customer_id"]]
    row = frame.iloc[0]
    assert f"<strong>{row['name']}</strong>" in html
    for wanted in (
        "零售客户分类结果告知书",
        f"尊敬的 {row['name']}（客户编码 {row['customer_id']}）",
        f"{row['class_name']}（分类编码 {row['class_code']}）",
        str(row["previous_class"]),
        "根据2026年第3季度卷烟购进情况",
        "2026年10月1日",
        "经营业态、市场类型、经营规模三个维度",
        "前20%为大，后20%为小，其余为中",
        f"客户经理：{row['manager']}",
        "示例市烟草公司",
        "2026年10月9日",
        "零售客户签收：________",
        "日期：________",
    ):
        assert wanted in first, wanted
    assert "无（首次分类）" in second


def test_r_notice_blank_date_and_config_shares() -> None:
    html = notices_html(make_result(1), quarter=Q, company="公司", scale=ScaleConfig(big=0.15, small=0.25))
    assert "____年__月__日" in text(html)
    assert "前15%为大，后25%为小" in text(html)


def test_r_notice_empty_selection() -> None:
    html = render(make_result(3).iloc[:0])
    assert 'class="page"' not in html
    assert "本期没有需要告知的零售客户" in html


def test_r_notice_written_as_utf8(tmp_path: Path) -> None:
    path = tmp_path / "分类结果告知书_2026Q3.html"
    frame = make_result(2)
    write_html(path, notices_html(frame, quarter=Q, company="示例市烟草公司", effective_from=date(2026, 10, 1)))
    text = path.read_text(encoding="utf-8")
    assert text == render(frame)
    assert '<meta charset="utf-8">' in text


def test_no_template_gives_the_browser_a_page_margin() -> None:
    """Only a4_base sets @page (margin 0): a template with its own page margin lets the browser
    print its header and footer (date, file path, page counter) under default settings."""
    for template in templates_dir().glob("*.j2"):
        source = template.read_text(encoding="utf-8")
        if template.name == "a4_base.html.j2":
            assert "@page { size: A4; margin: 0; }" in source
        else:
            assert "@page" not in source, template.name
            assert source.startswith('{% extends "a4_base.html.j2" %}'), template.name
