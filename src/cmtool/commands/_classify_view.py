"""What `cmtool classify` prints: the JSON document of cli.md and the rich terminal summary."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cmtool.commands.common import JsonRows
from cmtool.errors import Problem
from cmtool.fields import SCALES
from cmtool.periods import Quarter
from cmtool.rules.classes import all_class_names

_RESULT_FIELDS = ["customer_id", "rank", "score", "volume", "amount", "scale", "class_name", "class_code",
                  "previous_class", "change"]
CHANGES = ("上调", "下调", "调整", "不变", "新增")


def document(quarter: Quarter, effective_from: date, scope: str, result: pd.DataFrame,
             skipped: list[Problem], outputs: list[Path]) -> dict[str, Any]:
    """The `classify` JSON document exactly as cli.md specifies."""
    counts = result["scale"].value_counts()
    classes = result["class_name"].value_counts()
    return {
        "command": "classify",
        "quarter": quarter.key,
        "effective_from": effective_from.isoformat(),
        "scope": scope,
        "population": int(len(result)),
        "counts": {s: int(counts.get(s, 0)) for s in SCALES},
        "classes": {name: int(classes.get(name, 0)) for name in all_class_names()},
        "results": JsonRows(result, _RESULT_FIELDS),
        "skipped": [{"customer_id": p.customer_id, "reason": p.render()} for p in skipped],
        "outputs": [str(p) for p in outputs],
    }


def _scale_table(result: pd.DataFrame) -> Table:
    table = Table(title="经营规模户数", title_justify="left")
    table.add_column("营销部")
    for s in (*SCALES, "合计"):
        table.add_column(s, justify="right")
    by_dept = result.assign(department=result["department"].fillna("（未填营销部）"))
    counts = by_dept.groupby(["department", "scale"]).size().unstack(fill_value=0)
    for dept, row in counts.iterrows():
        table.add_row(escape(str(dept)), *(str(int(row.get(s, 0))) for s in SCALES), str(int(row.sum())))
    total = result["scale"].value_counts()
    table.add_row("[bold]全公司", *(f"[bold]{int(total.get(s, 0))}" for s in SCALES), f"[bold]{len(result)}")
    return table


def print_summary(console: Console, doc: dict[str, Any], result: pd.DataFrame, previous_source: str,
                  due: date, notices: int) -> None:
    """The human summary: counts per scale and department, movement, warnings, where files went."""
    console.print(f"[bold]{doc['quarter']} 零售客户分类完成[/]：{doc['population']} 户参加排名"
                  f"（范围：{'全市' if doc['scope'] == 'company' else '各营销部'}），{doc['effective_from']} 起生效。")
    console.print(_scale_table(result))
    moves = result["change"].value_counts()
    console.print(f"与上期（{escape(previous_source)}）相比：" + "，".join(f"{c} {int(moves.get(c, 0))} 户" for c in CHANGES))
    if doc["skipped"]:
        console.print(f"[yellow]注意：{len(doc['skipped'])} 条数据未参加排名（详见结果文件「数据问题」工作表）[/]")
    console.print(f"告知书 {notices} 份；《客户分类情况统计表》报送截止：{due.year}年{due.month}月{due.day}日（第5个工作日）")
    console.print("输出文件：")
    for path in doc["outputs"]:
        console.print(f"  {path}", markup=False)


_EXPLAIN_LABELS = {
    "scope": ("排名范围", "{}"), "scale": ("经营规模", "{}"), "volume": ("购进量（条）", "{:,.2f}"),
    "amount": ("购进额（元）", "{:,.2f}"), "volume_share": ("购进量占比", "{:.4%}"),
    "amount_share": ("购进额占比", "{:.4%}"), "score": ("得分（两占比的平均）", "{:.6%}"),
    "rank": ("名次", "{}"), "n": ("参加排名户数", "{:,}"), "big_cut_position": ("「大」的最后名次", "{}"),
    "big_cut_score": ("该名次的得分", "{:.6%}"), "small_cut_position": ("「小」的第一个名次", "{}"),
    "small_cut_score": ("该名次的得分", "{:.6%}"), "unit_value": ("单条值（元/条）", "{:,.2f}"),
    "volume_needed": ("升一档还需购进量（条）", "{:,.2f}"), "amount_needed": ("相应购进额（元）", "{:,.2f}"),
}


def print_explain(console: Console, doc: dict[str, Any]) -> None:
    """The human form of `classify explain`: labelled Chinese figures and the note."""
    console.print(f"[bold]客户 {doc['customer_id']} 在 {doc['quarter']} 的经营规模说明[/]")
    table = Table(show_header=False)
    for key, (label, fmt) in _EXPLAIN_LABELS.items():
        if doc.get(key) is not None:
            table.add_row(label, fmt.format(doc[key]))
    console.print(table)
    console.print(doc["note"], markup=False)
