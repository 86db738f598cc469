"""The A4 customer cards `客户信息卡_<date>.html` (R-CARD, 工作法操作手册 §2).

One page per customer: the base fields (a blank line to fill in on the next visit for each field
the export lacks or leaves empty; of the other base fields of 第三章 一(一)2(2), those the export has), the last 12 months, the quarters' classes, the top-5 % months,
group applications and measures. The only document that prints phone and address: every page
ends with 内含客户个人信息，注意保管.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from cmtool.documents.cn_text import cn_date
from cmtool.documents.html import render, write_html
from cmtool.fields import OTHER_BASE_FIELDS

CARD_TEMPLATE = "customer_card.html.j2"
CARD_MONTHS = 12
CARD_QUARTERS = 4  # the last four quarters: with 12 months and every base field, one A4 page
CARD_FIELDS = (
    ("customer_id", "客户编码"), ("name", "客户名称"), ("license_no", "许可证号"), ("class", "综合分类"),
    ("scale", "经营规模"), ("format", "经营业态"), ("market", "市场类型"), ("group", "客户组别"),
    ("quota_group", "定量组别"), ("order_weekday", "访销日"), ("visit_cycle", "访销周期"),
    ("visit_frequency", "拜访周期"), ("visit_weekday", "拜访日"), ("visit_mode", "拜访方式"),
    ("department", "营销部"), ("manager", "客户经理"), ("status", "客户状态"), ("joined", "入网日期"),
    ("route", "送货线路"), ("route_order", "线路顺序"), ("contact", "联系人"), ("phone", "订货电话"),
    ("address", "经营地址"), ("expected_monthly", "月预计销量（条）"),
)


def _class(record: dict[str, Any]) -> str | None:
    """综合分类 and its quarter: the latest classified quarter of the ledger, else the master's."""
    if record["quarters"]:
        q = record["quarters"][-1]
        return f"{q['class_name']}（{q['quarter']} 分类）"
    name = record["base"].get("class_name")
    return f"{name}（客户信息）" if name else None


def card(record: dict[str, Any]) -> dict[str, Any]:
    """What one card prints, from a `customer_record`."""
    values = {**record["base"], "customer_id": record["customer_id"], "class": _class(record)}
    if values.get("joined"):
        values["joined"] = cn_date(date.fromisoformat(values["joined"]))
    if values.get("expected_monthly") is not None:
        values["expected_monthly"] = f"{values['expected_monthly']:g}"
    months = record["months"][-CARD_MONTHS:]
    others = [(fd.label, values.get(fd.name)) for fd in OTHER_BASE_FIELDS if fd.label not in record["missing_fields"]]
    return {
        "fields": [(label, values.get(key)) for key, label in CARD_FIELDS] + others,
        "months": [{"month": m["month"], "volume": f"{m['volume']:,.2f}", "amount": f"{m['amount']:,.2f}",
                    "unit_value": f"{m['unit_value']:,.2f}", "rank": f"{m['city_rank']}/{m['buyers']}"}
                   for m in months],
        "months_note": "没有购进记录（未给出销售数据，或近12个月没有购进）。",
        "quarters": [{**q, "effective": cn_date(date.fromisoformat(q["effective_from"]))}
                     for q in record["quarters"][-CARD_QUARTERS:]],
        "top5": "、".join(f"{t['month']}（第{t['rank']}名）" for t in record["top5"]),
        "applications": "；".join(f"{a['month']} {a['kind']} {a['current_group'] or '无'}→{a['proposed_group']}"
                                 f"（{a['direction']}）" for a in record["applications"]),
        "measures": "；".join(f"{m['measure']} {m['starts_on']} 至 {m['ends_on'] or '—'}"
                             + ("（已恢复）" if m["restored_on"] else "") for m in record["measures"]),
    }


def write_cards(path: Path, records: Sequence[dict[str, Any]], *, company: str, issued: date) -> None:
    """Write the cards of `records`, one A4 page each."""
    write_html(path, render(CARD_TEMPLATE, cards=[card(r) for r in records], company=company,
                            issued=cn_date(issued)))
