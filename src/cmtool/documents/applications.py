"""The written applications `组别调整申请_<M>.html` (R-GROUP-ADJUST, R-GROUP-ONDEMAND, R-QUOTA-ADJUST).

One A4 page per application: the customer's details, current and proposed group with their
bands, the monthly evidence as a small table, the reason in a sentence and the signature chain
of its kind, each step with an opinion, signature and date line. Autoescaped (documents/html.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from cmtool.config import Config
from cmtool.documents.cn_text import cn_date, figure_text
from cmtool.documents.html import filing_order, render, write_html
from cmtool.periods import Month
from cmtool.rules.groups import IN, KIND_ON_DEMAND, KIND_QUOTA, KIND_TOTAL, MONTH_UNIT, Proposal, band_text
from cmtool.rules.quota import ORDER_UNIT

APPLICATION_TEMPLATE = "group_application.html.j2"
TITLES: dict[str, str] = {
    KIND_TOTAL: "零售客户组别调整申请表",
    KIND_QUOTA: "单户单次合理定量组别调整申请表",
}
ON_DEMAND_TITLES = {True: "按需供货客户组别调入申请表", False: "按需供货客户组别调出申请表"}
DETAIL_FIELDS = ("name", "license_no", "format", "market", "department", "manager", "visit_cycle", "address")


def _text(value: Any) -> str | None:
    return None if value is None or pd.isna(value) else str(value)


def volume_text(value: float) -> str:
    """`1,087`, `1,087.50`: volumes with decimals only where they have them."""
    return figure_text(value)


def count_text(value: float) -> str:
    """`4`, or `4.33` for an estimate."""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}"


def group_text(name: str, kind: str, format_name: str, config: Config) -> str:
    """A group with its band, e.g. `三组（≥100 且 <200 条/月）`; 按需供货 has no band."""
    if kind == KIND_QUOTA:
        bands, unit = config.quota.bands_for(format_name), ORDER_UNIT
    else:
        bands, unit = config.groups.bands, MONTH_UNIT
    band = {b.name: b for b in bands}.get(name)
    return band_text(band, unit) if band else f"{name}（不设月购进量范围）"


def evidence_table(p: Proposal) -> tuple[list[str], list[list[str]]]:
    """The header and rows of the evidence: one row a month, then the mean (or total)."""
    if p.kind == KIND_QUOTA:
        header = ["月份", "购进量（条）", "订货次数", f"平均每次订货量（{ORDER_UNIT}）"]
        rows = [
            [m, volume_text(v), count_text(o) + ("（估算）" if e else ""), volume_text(per)]
            for m, v, o, e, per in zip(p.months, p.volumes, p.orders, p.estimated, p.values)
        ]
        rows.append(["合计", volume_text(sum(p.volumes)), count_text(round(sum(p.orders), 2)), volume_text(p.level)])
    else:
        header = ["月份", "购进量（条）"]
        rows = [[m, volume_text(v)] for m, v in zip(p.months, p.values)]
        rows.append(["月均", volume_text(p.level)])
    return header, rows


def application_context(p: Proposal, customer: pd.Series, config: Config) -> dict[str, Any]:
    """What one page shows."""
    header, rows = evidence_table(p)
    fmt = str(customer["format"])
    joined = customer["joined"]
    title = ON_DEMAND_TITLES[p.direction == IN] if p.kind == KIND_ON_DEMAND else TITLES[p.kind]
    return {
        "title": title,
        "customer_id": p.customer_id,
        **{key: _text(customer[key]) for key in DETAIL_FIELDS},
        "joined": None if pd.isna(joined) else cn_date(joined.date()),
        "kind": p.kind,
        "direction": p.direction,
        "period": f"{p.months[0]}至{p.months[-1]}（{len(p.months)}个月）" if len(p.months) > 1 else p.months[0],
        "current": group_text(p.current_group, p.kind, fmt, config),
        "proposed": group_text(p.proposed_group, p.kind, fmt, config),
        "evidence_header": header,
        "evidence_rows": rows,
        "estimated": any(p.estimated),
        "reason": p.reason,
        "chain": p.approval_chain,
    }


def applications_html(proposals: Sequence[Proposal], customers: pd.DataFrame, *, month: Month, config: Config) -> str:
    """All applications as one HTML document, one A4 page each, in filing order (营销部, 客户经理,
    客户编码: each manager takes one stack). `customers` is the customer master (canonical frame)
    holding every proposal's customer."""
    by_id = customers.set_index("customer_id")
    order = filing_order(by_id.loc[[p.customer_id for p in proposals]].reset_index()).index
    pages = [application_context(p, by_id.loc[p.customer_id], config) for p in (proposals[i] for i in order)]
    return render(APPLICATION_TEMPLATE, applications=pages, company=config.company, month=month.label)


def write_applications(path: Path, proposals: Sequence[Proposal], customers: pd.DataFrame, *, month: Month,
                       config: Config) -> None:
    """Write `组别调整申请` (see `applications_html`) to `path`; wrap in `atomic.Staging`."""
    write_html(path, applications_html(proposals, customers, month=month, config=config))
