"""What `cmtool analyze` shows: the JSON documents of cli.md, the workbook tables, the terminal
summary. The figures come from rules/analysis.py; the loading from _analyze_inputs.py."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from rich.console import Console
from rich.markup import escape

from cmtool.commands._analyze_inputs import Analysed

TARGET_FIELDS = ["customer_id", "scale", "class_name", "value", "class_median", "gap", "relative_gap", "direction"]


def number(value: Any) -> float | None:
    """A JSON number: None for NaN/NA."""
    if value is None or pd.isna(value):
        return None
    value = float(value)
    return None if math.isnan(value) else value


def head(analysed: Analysed, command: str) -> dict[str, Any]:
    """The keys every analyze document starts with: command and the period key."""
    p = analysed.period
    return {"command": command, p.kind: p.key}


def tail(analysed: Analysed, outputs: Sequence[Path], warnings: Sequence[str] = ()) -> dict[str, Any]:
    """The keys every analyze document ends with: scope, warnings, skipped, outputs."""
    return {
        "scope": analysed.scope,
        "class_source": analysed.class_source,
        "warnings": [*analysed.warnings, *warnings],
        "skipped": [{"customer_id": p.customer_id, "reason": p.render()} for p in analysed.skipped],
        "outputs": [str(p) for p in outputs],
    }


def groups_json(groups: pd.DataFrame, metrics: Sequence[str]) -> list[dict[str, Any]]:
    """R-ANA-SINGLE groups as cli.md lists them."""
    return [
        {
            "group": str(r["group"]), "customers": int(r["customers"]), "customer_share": number(r["customer_share"]),
            "unit_value": number(r["unit_value"]),
            "totals": {"volume": number(r["volume"]), "amount": number(r["amount"])},
            "shares": {"volume": number(r["volume_share"]), "amount": number(r["amount_share"])},
            "mean": {m: number(r[f"mean_{m}"]) for m in metrics},
            "median": {m: number(r[f"median_{m}"]) for m in metrics},
        }
        for r in groups.to_dict("records")
    ]


def records(frame: pd.DataFrame, fields: Sequence[str]) -> list[dict[str, Any]]:
    """Rows as JSON objects: text as str (None when missing), numbers as float."""
    out = []
    for row in frame[list(fields)].to_dict("records"):
        out.append({k: (number(v) if isinstance(v, float | int) and not isinstance(v, bool) else
                        (None if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)))
                    for k, v in row.items()})
    return out


def print_document(console: Console, doc: dict[str, Any], title: str, lines: Sequence[str]) -> None:
    """The human summary: a title, the findings or figures, the warnings, where files went."""
    console.print(f"[bold]{escape(title)}[/]")
    console.print(f"范围：{escape(doc['scope'])}；经营规模与综合分类取自{escape(doc['class_source'])}")
    for line in lines:
        console.print(f"  {line}", markup=False)
    for warning in doc["warnings"]:
        console.print(f"[yellow]注意：[/]{escape(warning)}")
    if doc["skipped"]:
        console.print(f"[yellow]注意：{len(doc['skipped'])} 条数据未参加分析（销售数据中有、客户信息中没有的客户等）[/]")
    console.print("输出文件：")
    for path in doc["outputs"]:
        console.print(f"  {path}", markup=False)
