"""The R-DYN 2 notices `动态管理通知书_<M>.html`: one A4 page per measure, each with the kind's own
title and wording (客户组别调整通知书 with the old and new group, 取消客户紧俏、控制品牌通知书,
客户暂停访销通知书), the dates, the retailer's signature and date line and the company's （盖章）
block; in filing order (营销部, 客户经理, 客户编码). Autoescaped (documents/html.py).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from cmtool.documents.cn_text import cn_date
from cmtool.documents.html import filing_order, render, write_html
from cmtool.periods import Month

NOTICE_TEMPLATE = "dynamic_notice.html.j2"


def _text(value: Any) -> str | None:
    return None if value is None or pd.isna(value) else str(value)


def notice_context(row: dict[str, Any], number: str, phones: dict[str, str]) -> dict[str, Any]:
    """What one page shows: the customer, the measure, its dates and groups."""
    manager = _text(row.get("manager"))
    return {
        "number": number,
        "title": row["notice"],
        "measure": row["measure"],
        "customer_id": row["customer_id"],
        "name": _text(row.get("name")),
        "license_no": _text(row.get("license_no")),
        "manager": manager,
        "phone": phones.get(manager or ""),
        "term": row["term_text"],
        "start": cn_date(row["start"]),
        "end": cn_date(row["end"]),
        "restore_day": cn_date(row["end"] + timedelta(days=1)),
        "first_order_day": cn_date(row["first_order_day"]),
        "deliver_by": cn_date(row["deliver_by"]),
        "from_group": _text(row.get("from_group")),
        "to_group": _text(row.get("to_group")),
        "remark": _text(row.get("remark")),
    }


def notices_html(measures: pd.DataFrame, *, month: Month, company: str, phones: dict[str, str]) -> str:
    """All notices as one HTML document, one A4 page per row of `measures` (customer_id, name,
    department, manager, license_no, measure, notice, term_text, first_order_day, deliver_by,
    start, end, from_group, to_group, remark), numbered 〔M〕第001号… in filing order."""
    rows = filing_order(measures).to_dict("records")
    pages = [notice_context(r, f"〔{month.key}〕第{i:03d}号", phones) for i, r in enumerate(rows, start=1)]
    return render(NOTICE_TEMPLATE, notices=pages, company=company, month=month.label)


def write_notices(path: Path, measures: pd.DataFrame, *, month: Month, company: str, phones: dict[str, str]) -> None:
    """Write the notices (see `notices_html`) to `path`; wrap in `atomic.Staging`."""
    write_html(path, notices_html(measures, month=month, company=company, phones=phones))
