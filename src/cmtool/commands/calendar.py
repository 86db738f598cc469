"""`cmtool calendar --month M`: the month's deadlines in date order (R-CAL), the working-day
count, new customers' set-up dates with --customers, and --ics for Outlook or a phone."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cmtool.commands.common import EncodingOption, JsonOption, SheetOption, emit_json, err_console, parse_month, state
from cmtool.documents.atomic import Staging
from cmtool.documents.cn_text import cn_date
from cmtool.documents.ics import write_ics
from cmtool.io.loaders import load_customers
from cmtool.periods import Month
from cmtool.rules.deadlines import Deadline, month_deadlines, working_days

WEEKDAYS = "一二三四五六日"


def calendar_document(month: Month, workdays: int, deadlines: list[Deadline], outputs: list[Path]) -> dict[str, Any]:
    """The `calendar` JSON document of cli.md."""
    return {
        "command": "calendar", "month": month.key, "working_days": workdays,
        "deadlines": [{"date": d.day.isoformat(), "task": d.task, "rule": d.rule, "command": d.command}
                      for d in deadlines],
        "outputs": [str(p) for p in outputs],
    }


def print_calendar(console: Console, month: Month, workdays: int, deadlines: list[Deadline]) -> None:
    table = Table(title=f"{month.label}工作期限（工作日 {workdays} 天）")
    table.add_column("日期", no_wrap=True)
    table.add_column("事项", overflow="fold", ratio=3)
    table.add_column("依据", no_wrap=True)
    table.add_column("命令", overflow="fold", ratio=2)
    for d in deadlines:
        table.add_row(f"{cn_date(d.day)}（周{WEEKDAYS[d.day.weekday()]}）", escape(d.task), escape(d.rule), escape(d.command))
    console.print(table)


def run(
    ctx: typer.Context,
    month: str = typer.Option(..., "--month", help="月份，如 2026-10", show_default=False),
    customers: Path | None = typer.Option(None, "--customers", help="客户信息文件：列出新入网客户的信息维护期限",
                                          show_default=False),
    ics: Path | None = typer.Option(None, "--ics", help="同时写出 iCalendar 文件（.ics），可导入 Outlook 或手机日历",
                                    show_default=False),
    sheet: str | None = SheetOption,
    encoding: str | None = EncodingOption,
    json_output: bool = JsonOption,
) -> None:
    """本月工作期限：按日期列出各项工作的截止日、依据和对应的 cmtool 命令，以及本月工作日天数。

    按中国法定节假日和调休计算工作日；内置日历和配置文件都没有的年份会报错，不会只按周末猜测。
    """
    m = parse_month(month)
    st = state(ctx)
    cfg = st.config
    master = None
    if customers is not None:
        master = load_customers(customers, cfg, sheet=sheet, encoding=encoding).frame
    calendar = st.calendar
    workdays = len(working_days(m, calendar))
    deadlines = month_deadlines(m, calendar, review_from_day=cfg.dynamic.review_from_day, new_customers=master)
    outputs = [ics] if ics is not None else []
    if ics is not None:
        with Staging() as staging:
            write_ics(staging.path(ics), deadlines, company=cfg.company, stamp=datetime.now(timezone.utc))
            staging.commit()
    if json_output:
        emit_json(calendar_document(m, workdays, deadlines, outputs))
    else:
        print_calendar(err_console, m, workdays, deadlines)
        for path in outputs:
            err_console.print(f"日历文件：{path}", soft_wrap=True, highlight=False, markup=False)


def register(app: typer.Typer) -> None:
    """Add `calendar` to the app."""
    app.command("calendar")(run)
