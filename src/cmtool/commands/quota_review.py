"""`cmtool quota-review --quarter Q`: the quarterly clean-up of 单户单次合理定量组别 (R-QUOTA-REVIEW).

Based on quarter Q's sales, effective from the first day of the next quarter, due on the 5th
working day of its first month (R-CAL). Reads options, loads, calls rules/quota.py, writes the
clean-up list, prints.
"""

from __future__ import annotations

from pathlib import Path

import typer

from cmtool.commands import _groups_view as groups_view
from cmtool.commands.common import (
    CustomersOption, EncodingOption, JsonOption, OutOption, QuarterOption, SalesOption, SheetOption,
    SkipInvalidOption, emit_json, err_console, parse_quarter, state,
)
from cmtool.commands._group_inputs import load_inputs
from cmtool.documents.atomic import Staging
from cmtool.documents.group_books import write_review_book
from cmtool.rules.groups import population
from cmtool.rules.quota import quota_review
from cmtool.rules.stat import DUE_WORKDAY, report_due


def run(
    ctx: typer.Context,
    quarter: str = QuarterOption,
    customers: Path = CustomersOption,
    sales: list[Path] = SalesOption,
    out: Path = OutOption,
    skip_invalid: bool = SkipInvalidOption,
    sheet: str | None = SheetOption,
    encoding: str | None = EncodingOption,
    json_output: bool = JsonOption,
) -> None:
    """单户单次定量组别季度清理表（下季度执行）。

    按该季度每户的平均每次订货量（季度购进量 ÷ 季度订货次数）列出定量组别需要调整的客户，新旧组别对照，
    下季度第一天起执行，须在下季度首月第5个工作日前完成。
    """
    q = parse_quarter(quarter)
    st = state(ctx)
    cfg = st.config
    due = report_due(q, st.calendar)
    inputs = load_inputs(st, customers, sales, [m.key for m in q.months],
                         sheet=sheet, encoding=encoding, skip_invalid=skip_invalid)
    review = quota_review(inputs.customers, inputs.monthly, cfg.quota, q)
    path = out / f"单户单次定量组别清理表_{q.key}.xlsx"
    with Staging() as staging:
        write_review_book(staging.path(path), review.changes, review.skipped, inputs.customers, inputs.problems,
                          quarter=q, company=cfg.company, due=due, due_workday=DUE_WORKDAY)
        staging.commit()
    document = groups_view.review_document(q, due, review.changes, review.skipped, [path])
    if json_output:
        emit_json(document)
    else:
        groups_view.print_review(err_console, document, population(inputs.customers, q.months[0]))


def register(app: typer.Typer) -> None:
    """Add `quota-review` to the app."""
    app.command("quota-review")(run)
