"""`cmtool customer show ID` and `cmtool customer print`: one customer's whole record and the A4
customer cards (R-CARD), from the master, the sales (when given) and the ledger."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import typer

from cmtool.commands import _customer_view as view
from cmtool.commands.common import (
    AppState, EncodingOption, JsonOption, OutOption, SheetOption, emit_json, err_console, file_progress, state,
)
from cmtool.documents.atomic import Staging
from cmtool.documents.cards import write_cards
from cmtool.errors import DataError
from cmtool.fields import CUSTOMER_FIELDS
from cmtool.io.loaders import load_customers, load_sales
from cmtool.io.readers import open_table
from cmtool.periods import Month
from cmtool.rules.card import purchase_history, select_cards
from cmtool.rules.classes import class_name, parse_class_name

HISTORY_MONTHS = 12
app = typer.Typer(help="客户信息：查看一户的全部记录（show）或打印客户信息卡（print）。", no_args_is_help=True)

CustomersOption = typer.Option(..., "--customers", help="客户信息文件", show_default=False)
SalesOption = typer.Option(None, "--sales", help="销售数据（可选）：文件或文件夹，可重复给出；给出后显示近12个月购进",
                           show_default=False)


def _master(st: AppState, path: Path, sheet: str | None, encoding: str | None) -> tuple[pd.DataFrame, set[str]]:
    frame = load_customers(path, st.config, sheet=sheet, encoding=encoding).frame
    exported = set(open_table(path, [CUSTOMER_FIELDS], st.config.aliases, wanted=set(), sheet=sheet,
                              encoding=encoding).match.columns)
    return frame, exported


def _history(st: AppState, sales: list[Path] | None, ids: list[str], sheet: str | None,
             encoding: str | None) -> pd.DataFrame | None:
    """The last HISTORY_MONTHS months the sales files have, ranked city-wide."""
    if not sales:
        return None
    with file_progress("读取销售数据") as progress:
        monthly = load_sales(sales, st.config, sheet=sheet, encoding=encoding, progress=progress).monthly
    if monthly.empty:
        return None
    last = Month.parse(monthly["month"].max())
    months = [last.shift(-i).key for i in reversed(range(HISTORY_MONTHS))]
    return purchase_history(monthly, ids, months)


@app.command("show")
def show(
    ctx: typer.Context,
    customer_id: str = typer.Argument(..., help="客户编码", show_default=False),
    customers: Path = CustomersOption,
    sales: list[Path] | None = SalesOption,
    sheet: str | None = SheetOption,
    encoding: str | None = EncodingOption,
    json_output: bool = JsonOption,
) -> None:
    """一户客户的全部记录：基础信息、各季度分类与名次、前5%档案、组别申请、管理措施、营销动作。"""
    st = state(ctx)
    frame, exported = _master(st, customers, sheet, encoding)
    row = frame[frame["customer_id"] == customer_id]
    if row.empty:
        raise DataError(f"客户信息 {customers.name} 中没有客户编码为「{customer_id}」的客户",
                        fix="请核对客户编码（注意前导 0），或换用最新的客户信息文件")
    record = view.customer_record(row.iloc[0], exported, st.ledger,
                                  _history(st, sales, [customer_id], sheet, encoding))
    if json_output:
        emit_json(view.show_document(record))
    else:
        view.print_record(err_console, record)


def _class_key(text: str | None, st: AppState) -> str | None:
    if text is None:
        return None
    parsed = parse_class_name(text, st.config.codes)
    if parsed is None:
        raise typer.BadParameter(f"「{text}」不是综合分类名称或分类编码（如 城镇食杂店大 或 CZ1）", param_hint="--class")
    return class_name(*parsed)


@app.command("print")
def print_cards(
    ctx: typer.Context,
    customers: Path = CustomersOption,
    sales: list[Path] | None = SalesOption,
    manager: str | None = typer.Option(None, "--manager", help="客户经理姓名（默认打印其全部正常经营客户）",
                                       show_default=False),
    class_text: str | None = typer.Option(None, "--class", help="综合分类名称或编码，如 城镇食杂店大 或 CZ1",
                                          show_default=False),
    ids: list[str] | None = typer.Option(None, "--id", help="客户编码，可重复给出", show_default=False),
    name: str | None = typer.Option(None, "--name", help="客户名称中包含的文字", show_default=False),
    out: Path = OutOption,
    sheet: str | None = SheetOption,
    encoding: str | None = EncodingOption,
    json_output: bool = JsonOption,
) -> None:
    """打印客户信息卡（A4，每户一页，含个人信息）：按客户经理、综合分类、客户编码或名称选择。"""
    if not (manager or class_text or ids or name):
        raise typer.BadParameter("请至少给出 --manager、--class、--id 或 --name 之一", param_hint="--manager")
    st = state(ctx)
    wanted_class = _class_key(class_text, st)
    frame, exported = _master(st, customers, sheet, encoding)
    latest = _latest_classes(st, frame)
    chosen = select_cards(latest, manager=manager, class_name=wanted_class, ids=list(ids or ()), name=name)
    if chosen.empty:
        raise DataError("没有符合条件的客户", fix="请检查客户经理姓名、分类或客户编码是否写对")
    history = _history(st, sales, chosen["customer_id"].tolist(), sheet, encoding)
    records = [view.customer_record(row, exported, st.ledger, history) for _, row in chosen.iterrows()]
    today = date.today()
    output = out / f"客户信息卡_{today.isoformat()}.html"
    with Staging() as staging:
        write_cards(staging.path(output), records, company=st.config.company, issued=today)
        staging.commit()
    document = {"command": "customer print", "date": today.isoformat(),
                "customers": [r["customer_id"] for r in records], "outputs": [str(output)]}
    if json_output:
        emit_json(document)
    else:
        err_console.print(f"客户信息卡 {len(records)} 户：{output}", highlight=False, soft_wrap=True, markup=False)


def _latest_classes(st: AppState, frame: pd.DataFrame) -> pd.DataFrame:
    """The master with 综合分类 from the latest quarter in force in the ledger, where it has one."""
    quarter = st.ledger.quarter_in_force(date.today().isoformat())
    recorded = st.ledger.quarter_classes(quarter) if quarter else None
    if recorded is None:
        return frame
    classes = recorded.drop_duplicates("customer_id").set_index("customer_id")["class_name"]
    out = frame.copy()
    out["class_name"] = out["customer_id"].map(classes).fillna(out["class_name"])
    return out


def register(main: typer.Typer) -> None:
    """Add `customer show|print` to the app."""
    main.add_typer(app, name="customer")
