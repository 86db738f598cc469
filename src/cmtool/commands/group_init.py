"""`cmtool group-init`: first groups for the customers without one (R-GROUP-NEW).

客户组别 from 月预计销量 (never 按需供货), 定量组别 from 月预计销量 over the visit cycle's orders
with the 业态's bands (R-QUOTA). Reads the master, calls the rules, writes the workbook, prints.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import typer

from cmtool.commands import _groups_view as groups_view
from cmtool.commands.common import (
    CustomersOption, EncodingOption, JsonOption, OutOption, SheetOption, SkipInvalidOption, emit_json, err_console,
    state,
)
from cmtool.config import Config
from cmtool.documents.atomic import Staging
from cmtool.documents.group_books import write_init_book
from cmtool.io.loaders import load_customers
from cmtool.rules.groups import initial_groups
from cmtool.rules.quota import initial_quota_groups

GROUP, QUOTA_GROUP = "客户组别", "定量组别"


def assignments(customers: pd.DataFrame, config: Config) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per customer that lacked a group: its groups (assigned or kept) and what was assigned;
    and per customer left without one, the reasons. Both in file order."""
    groups = initial_groups(customers, config.groups).set_index("customer_id")
    quotas = initial_quota_groups(customers, config.quota).set_index("customer_id")
    todo = customers[customers["customer_id"].isin(groups.index.union(quotas.index))].set_index("customer_id")
    result = pd.DataFrame({
        "group": groups["group"].reindex(todo.index).fillna(todo["group"]),
        "quota_group": quotas["quota_group"].reindex(todo.index).fillna(todo["quota_group"]),
        "expected_per_order": quotas["per_order"].reindex(todo.index),
    })
    new_group = groups["group"].reindex(todo.index).notna()
    new_quota = quotas["quota_group"].reindex(todo.index).notna()
    result["assigned"] = [[label for label, new in ((GROUP, g), (QUOTA_GROUP, q)) if new]
                          for g, q in zip(new_group, new_quota)]
    result["note"] = ["新划分" + "、".join(a) if a else "" for a in result["assigned"]]
    problems = pd.concat([groups["problem"], quotas["problem"]]).dropna()
    reasons = problems.groupby(level=0, sort=False).agg(lambda s: "；".join(dict.fromkeys(s)))
    unassigned = pd.DataFrame({"reason": reasons.reindex(todo.index).dropna()})
    return result[new_group | new_quota].reset_index(), unassigned.reset_index()


def run(
    ctx: typer.Context,
    customers: Path = CustomersOption,
    day: str | None = typer.Option(None, "--date", help="划分日期，印在表上并用于文件名，如 2026-11-03（默认今天）",
                                   show_default=False),
    out: Path = OutOption,
    skip_invalid: bool = SkipInvalidOption,
    sheet: str | None = SheetOption,
    encoding: str | None = EncodingOption,
    json_output: bool = JsonOption,
) -> None:
    """新入网客户组别初始划分（客户组别与单户单次定量组别）。

    为客户信息中还没有组别的在册客户划分组别：客户组别取月预计销量所在的组别范围（新入网客户不直接归入按需供货）；
    定量组别取 月预计销量 ÷ 每月订货次数（按访销周期估算）所在的本业态定量范围。输出《客户组别初始划分》工作簿。
    """
    when = parse_day(day)
    st = state(ctx)
    master = load_customers(customers, st.config, sheet=sheet, encoding=encoding, skip_invalid=skip_invalid)
    result, unassigned = assignments(master.frame, st.config)
    path = out / f"客户组别初始划分_{when.isoformat()}.xlsx"
    with Staging() as staging:
        write_init_book(staging.path(path), result, unassigned, master.frame, master.problems,
                        day=when, company=st.config.company)
        staging.commit()
    document = groups_view.init_document(when, result.merge(master.frame[["customer_id", "expected_monthly"]],
                                                            on="customer_id"), unassigned, [path])
    if json_output:
        emit_json(document)
    else:
        groups_view.print_init(err_console, document)


def parse_day(text: str | None) -> date:
    """A typer-side check of --date: `2026-11-03`, today when absent; else a usage error (exit 2)."""
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise typer.BadParameter(f"日期「{text}」格式不对，应写成 2026-11-03", param_hint="--date") from None


def register(app: typer.Typer) -> None:
    """Add `group-init` to the app."""
    app.command("group-init")(run)
