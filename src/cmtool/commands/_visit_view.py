"""What `cmtool visit` prints: its JSON document (cli.md) and the terminal summary."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
from rich.console import Console

from cmtool.rules.visits import DayLists

SHOWN = 10


def _entries(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{"date": r["date"].isoformat(), "customer_id": r["customer_id"], "name": r["name"],
             "manager": r["manager"], "cycle": r["cycle"], "basis": r["basis"], "actions": list(r["actions"]),
             "flags": list(r["flags"])} for r in frame.to_dict("records")]


def visit_document(day: date, days: list[date], lists: DayLists, outputs: list[Path]) -> dict[str, Any]:
    """The `visit` JSON document exactly as cli.md specifies."""
    return {
        "command": "visit",
        "date": day.isoformat(),
        "days": [d.isoformat() for d in days],
        "due": _entries(lists.due),
        "holiday": _entries(lists.holiday),
        "suspended": [{"customer_id": r.customer_id, "until": r.until} for r in lists.suspended.itertuples()],
        "unschedulable": [{"customer_id": r.customer_id, "reason": r.reason} for r in lists.unschedulable.itertuples()],
        "outputs": [str(p) for p in outputs],
    }


def print_visit(console: Console, doc: dict[str, Any]) -> None:
    """Per manager and day the customers due; then the holiday, suspended and unschedulable counts."""
    span = doc["days"][0] if len(doc["days"]) == 1 else f"{doc['days'][0]} 至 {doc['days'][-1]}"
    console.print(f"[bold]拜访客户表[/]（{span}）：应拜访 {len(doc['due'])} 户次。")
    for (manager, day), n in sorted(Counter((e["manager"], e["date"]) for e in doc["due"]).items()):
        console.print(f"  {manager} {day}：{n} 户", markup=False)
    missing = sum(1 for e in doc["due"] if e["flags"])
    if missing:
        console.print(f"[yellow]{missing} 户缺拜访方式[/]（表中已标出，请补填客户信息）。")
    for key, what in (("holiday", "拜访日逢节假日（不拜访、不顺延，订货日程以订单部安排为准）"),
                      ("suspended", "处于暂停访销期（单独列出，不拜访）"), ("unschedulable", "无法排期")):
        if doc[key]:
            console.print(f"{what}：{len(doc[key])} 户。")
    for u in doc["unschedulable"][:SHOWN]:
        console.print(f"  {u['customer_id']}：{u['reason']}", markup=False)
    console.print("输出文件：")
    for path in doc["outputs"]:
        console.print(f"  {path}", markup=False)
