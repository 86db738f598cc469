"""`cmtool visit --date D`: the customers to serve, per 客户经理 and day (R-VISIT).

Reads the master, the sales when given (the 双周 parity from the latest order dates), and the
ledger (暂停访销 measures, the open 营销动作 of R-PLAN); calls rules/visits.py; writes the day
sheets `拜访客户表_<D>.xlsx` and `.html`; prints.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import typer

from cmtool.commands import _visit_view as view
from cmtool.commands.common import (
    CustomersOption, EncodingOption, JsonOption, OutOption, SheetOption, emit_json, err_console, state, working,
)
from cmtool.documents.atomic import Staging
from cmtool.documents.day_sheets import write_day_sheets
from cmtool.errors import DataError
from cmtool.io.last_orders import load_last_orders
from cmtool.io.loaders import load_customers
from cmtool.ledger import Ledger
from cmtool.rules.plan import open_actions
from cmtool.rules.visits import day_lists, schedule, suspended, visit_basis


def parse_day(text: str, flag: str = "--date") -> date:
    """`2026-11-04`, else a usage error (exit 2)."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise typer.BadParameter(f"日期格式应为 2026-11-04，收到「{text}」", param_hint=flag) from None


def suspensions(ledger: Ledger, day: date) -> pd.DataFrame:
    """The customers under 暂停访销 on `day` (customer_id, until), from the measures that
    `dynamic notices` recorded in the ledger."""
    return suspended(ledger.measures_on(day), day)


def months_actions(ledger: Ledger, months: list[str]) -> pd.DataFrame:
    """customer_id, month, action of the open 营销动作 in the plans of `months`."""
    actions = pd.concat([ledger.plan_actions(m) for m in months], ignore_index=True)
    return open_actions(actions)[["customer_id", "month", "action"]]


def run(
    ctx: typer.Context,
    day_text: str = typer.Option(..., "--date", help="拜访日期，如 2026-11-04", show_default=False),
    customers: Path = CustomersOption,
    sales: list[Path] | None = typer.Option(None, "--sales", show_default=False,
                                            help="销售数据（可选）：订单明细中的最近订货日决定双周客户的单双周"),
    manager: str | None = typer.Option(None, "--manager", help="只列这位客户经理的客户", show_default=False),
    week: bool = typer.Option(False, "--week", help="列出该日所在一周（周一至周日）每天的客户：周工作安排"),
    out: Path = OutOption,
    sheet: str | None = SheetOption,
    encoding: str | None = EncodingOption,
    json_output: bool = JsonOption,
) -> None:
    """拜访客户表：当天（或本周每天）按拜访周期应服务的客户，每位客户经理每天一张 A4。

    表中列出客户的未完成营销动作，可标注 ★ 完成或 ● 未完成；拜访日逢节假日的客户单列（不顺延），
    处于暂停访销期的客户单列，缺拜访周期或拜访日的客户列为无法排期。
    """
    day = parse_day(day_text)
    st = state(ctx)
    master = load_customers(customers, st.config, sheet=sheet, encoding=encoding).frame
    chosen = master[master["active"]]
    if manager is not None:
        chosen = chosen[chosen["manager"].eq(manager)]
        if chosen.empty:
            raise DataError(f"客户信息 {customers.name} 中没有客户经理「{manager}」的在册客户",
                            fix=f"客户经理有：{'、'.join(sorted(master['manager'].dropna().unique()))}")
    days = [day - timedelta(days=day.weekday()) + timedelta(days=i) for i in range(7)] if week else [day]
    with working("读取订单明细"):
        last_orders = load_last_orders(sales, st.config, sheet=sheet, encoding=encoding) if sales else None
    planned, unschedulable = schedule(visit_basis(chosen), days, st.calendar, st.visit_settings,
                                      last_orders)
    months = sorted({f"{d:%Y-%m}" for d in days})
    lists = day_lists(planned, unschedulable, chosen, {d: suspensions(st.ledger, d) for d in days},
                      months_actions(st.ledger, months))
    outputs = [out / f"拜访客户表_{day.isoformat()}.xlsx", out / f"拜访客户表_{day.isoformat()}.html"]
    with Staging() as staging:
        write_day_sheets(staging.path(outputs[0]), staging.path(outputs[1]), lists, chosen, days,
                         company=st.config.company, week=week)
        staging.commit()
    document = view.visit_document(day, days, lists, outputs)
    if json_output:
        emit_json(document)
    else:
        view.print_visit(err_console, document)


def register(app: typer.Typer) -> None:
    """Add `visit` to the app."""
    app.command("visit")(run)
