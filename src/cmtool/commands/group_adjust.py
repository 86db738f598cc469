"""`cmtool group-adjust --month M`: the month's group-change applications.

Rules: R-GROUP-ADJUST, R-GROUP-ONDEMAND, R-QUOTA-ADJUST, and R-GROUP's hold on upward moves
under an R-DYN measure (docs/rules.md). Reads options, loads, calls rules/groups.py and
rules/quota.py, writes the applications and the workbook, records the applications, prints.
"""

from __future__ import annotations

import json
from datetime import datetime
from enum import Enum
from pathlib import Path

import pandas as pd
import typer

from cmtool.commands import _groups_view as groups_view
from cmtool.commands.common import (
    CustomersOption, EncodingOption, JsonOption, OutOption, SalesOption, SheetOption, SkipInvalidOption, emit_json,
    err_console, parse_month, state,
)
from cmtool.commands._group_inputs import load_inputs
from cmtool.config import Config
from cmtool.documents.applications import write_applications
from cmtool.documents.atomic import Staging
from cmtool.documents.group_books import earlier_applications, write_adjust_book
from cmtool.rules.groups import (
    KIND_ON_DEMAND, KIND_QUOTA, KIND_TOTAL, Moves, Proposal, active_measures, combine, hold_upward, population,
    total_group_moves, window,
)
from cmtool.rules.quota import quota_group_moves


class Kind(str, Enum):
    total = "total"
    quota = "quota"
    all = "all"


def months_per_kind(kind: Kind, months: int | None, config: Config) -> dict[str, int]:
    """How many months each evaluated kind looks back: --months, else the config's."""
    chosen: dict[str, int] = {}
    if kind in (Kind.total, Kind.all):
        n = months or config.groups.sustained_months
        chosen |= {KIND_TOTAL: n, KIND_ON_DEMAND: n}
    if kind in (Kind.quota, Kind.all):
        chosen[KIND_QUOTA] = months or config.quota.sustained_months
    return chosen


def _evidence(p: Proposal) -> str:
    """The evidence kept in the ledger with an application."""
    return json.dumps({"months": p.months, "values": p.values, "level": p.level, "reason": p.reason,
                       "volumes": p.volumes, "orders": p.orders}, ensure_ascii=False)


def ledger_rows(proposals: list[Proposal]) -> pd.DataFrame:
    return pd.DataFrame(
        [(p.customer_id, p.kind, p.current_group, p.proposed_group, p.direction, _evidence(p)) for p in proposals],
        columns=["customer_id", "kind", "current_group", "proposed_group", "direction", "evidence"],
    )


def run(
    ctx: typer.Context,
    month: str = typer.Option(..., "--month", help="评估到哪个月，如 2026-10（向前连续若干个月）", show_default=False),
    customers: Path = CustomersOption,
    sales: list[Path] = SalesOption,
    kind: Kind = typer.Option(Kind.all, "--kind", help="total：总量组别与按需供货；quota：单户单次定量；all：全部"),
    months: int | None = typer.Option(None, "--months", min=1, show_default=False,
                                      help="连续几个月超出组别范围才建议调整（默认：总量组别 3，单户单次定量 2，见配置文件）"),
    out: Path = OutOption,
    skip_invalid: bool = SkipInvalidOption,
    sheet: str | None = SheetOption,
    encoding: str | None = EncodingOption,
    json_output: bool = JsonOption,
) -> None:
    """组别调整建议与书面申请（总量组别、按需供货、单户单次定量）。

    评估截至 --month 的连续几个月：每月都超出现组别范围（同一方向）的客户，按这几个月的平均值建议新组别；
    每户一份一页的书面申请，带本类调整的审批签字栏；申请记入台账，同一月份重复运行不会重复记录。
    """
    m = parse_month(month)
    st = state(ctx)
    cfg = st.config
    spans = months_per_kind(kind, months, cfg)
    span = max(spans.values())
    inputs = load_inputs(st, customers, sales, [w.key for w in window(m, span)],
                         sheet=sheet, encoding=encoding, skip_invalid=skip_invalid)
    parts = []
    if KIND_TOTAL in spans:
        parts.append(total_group_moves(inputs.customers, inputs.monthly, cfg.groups, m, spans[KIND_TOTAL]))
    if KIND_QUOTA in spans:
        parts.append(quota_group_moves(inputs.customers, inputs.monthly, cfg.quota, m, spans[KIND_QUOTA]))
    moves: Moves = hold_upward(combine(parts), active_measures(st.ledger.measures(), m))
    earlier = earlier_applications(st.ledger.applications(before=m.key))
    windows = {k: [w.key for w in window(m, n)] for k, n in spans.items()}
    outputs = [out / f"组别调整申请_{m.key}.html", out / f"组别调整建议_{m.key}.xlsx"]
    with Staging() as staging:
        write_applications(staging.path(outputs[0]), moves.proposals, inputs.customers, month=m, config=cfg)
        write_adjust_book(staging.path(outputs[1]), moves.proposals, moves.rejected, windows, inputs.customers,
                          inputs.problems, earlier, month=m, company=cfg.company)
        st.ledger.record_applications(m.key, list(spans), ledger_rows(moves.proposals), datetime.now())
        staging.commit()
    document = groups_view.adjust_document(m, moves, outputs)
    if json_output:
        emit_json(document)
    else:
        groups_view.print_adjust(err_console, document, population(inputs.customers, window(m, span)[0]))


def register(app: typer.Typer) -> None:
    """Add `group-adjust` to the app."""
    app.command("group-adjust")(run)
