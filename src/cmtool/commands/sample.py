"""`cmtool sample`: write a realistic sample company (see samplegen and sample_data/README.txt)."""

from __future__ import annotations

from pathlib import Path

import typer

from cmtool.commands.common import JsonOption, emit_json, err_console, parse_month
from cmtool.periods import Month
from cmtool.samplegen import generate_company, write_company
from cmtool.commands import COMMANDS


def sample(
    customers: int = typer.Option(2000, "--customers", min=50, help="零售客户户数"),
    out: Path = typer.Option(Path("sample_data"), "--out", help="输出文件夹，不存在时自动创建"),
    seed: int = typer.Option(2026, "--seed", help="随机种子：种子相同，生成的数据完全相同"),
    end_month: Month = typer.Option(
        "2026-10", "--end-month", parser=parse_month, help="最后一个月，如 2026-10（共生成 13 个月的购进数据）"
    ),
    json_output: bool = JsonOption,
) -> None:
    """生成一个虚构城市烟草公司的示例数据：客户信息、13 个月销售数据、违约记录及审议决定、配置文件。"""
    company = generate_company(customers, seed=seed, end_month=end_month.key)
    outputs = write_company(company, out)
    if json_output:
        emit_json({"command": "sample", "customers": len(company.customers), "outputs": [str(p) for p in outputs]})
        return
    months = company.months
    err_console.print(
        f"已在 {out} 生成示例数据：{len(company.customers)} 户客户（含本月新入网、尚无购进的客户），{months[0].key} 至 {months[-1].key} 的购进数据，"
        f"共 {len(outputs)} 个文件。说明见 {out / 'README.txt'}。",
        markup=False,
    )


def register(app: typer.Typer) -> None:
    """Add `sample` to the app."""
    app.command("sample", help=COMMANDS["sample"][1])(sample)
