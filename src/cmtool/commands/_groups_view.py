"""What group-init, group-adjust and quota-review print: their JSON documents (cli.md) and the
rich terminal summaries."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cmtool.periods import Month, Quarter
from cmtool.rules.groups import KINDS, Moves, Population, Rejection

SHOWN_REJECTIONS = 10


def _number(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else round(float(value), 2)


def _rejections(rejected: list[Rejection], with_kind: bool = True) -> list[dict[str, Any]]:
    return [{"customer_id": r.customer_id, **({"kind": r.kind} if with_kind else {}), "reason": r.reason}
            for r in rejected]


def adjust_document(month: Month, moves: Moves, outputs: list[Path]) -> dict[str, Any]:
    """The `group-adjust` JSON document exactly as cli.md specifies."""
    return {
        "command": "group-adjust",
        "month": month.key,
        "proposals": [
            {
                "customer_id": p.customer_id,
                "kind": p.kind,
                "current_group": p.current_group,
                "proposed_group": p.proposed_group,
                "direction": p.direction,
                "evidence_months": list(p.months),
                "evidence_volumes": [_number(v) for v in p.values],
                "approval_chain": list(p.approval_chain),
            }
            for p in moves.proposals
        ],
        "rejected": _rejections(moves.rejected),
        "outputs": [str(p) for p in outputs],
    }


def init_document(day: date, result: pd.DataFrame, unassigned: pd.DataFrame, outputs: list[Path]) -> dict[str, Any]:
    """The `group-init` JSON document: the groups assigned and the customers left without."""
    return {
        "command": "group-init",
        "date": day.isoformat(),
        "assignments": [
            {
                "customer_id": r["customer_id"],
                "expected_monthly": _number(r["expected_monthly"]),
                "group": None if pd.isna(r["group"]) else r["group"],
                "quota_group": None if pd.isna(r["quota_group"]) else r["quota_group"],
                "expected_per_order": _number(r["expected_per_order"]),
                "assigned": r["assigned"],
            }
            for r in result.to_dict("records")
        ],
        "unassigned": [{"customer_id": r["customer_id"], "reason": r["reason"]} for r in unassigned.to_dict("records")],
        "outputs": [str(p) for p in outputs],
    }


def review_document(quarter: Quarter, due: date, changes: pd.DataFrame, skipped: list[Rejection],
                    outputs: list[Path]) -> dict[str, Any]:
    """The `quota-review` JSON document: the quarter, when the new groups apply and are due, the changes."""
    return {
        "command": "quota-review",
        "quarter": quarter.key,
        "effective_from": quarter.next().first_day.isoformat(),
        "due": due.isoformat(),
        "changes": [
            {
                "customer_id": r["customer_id"],
                "current_group": r["current_group"],
                "proposed_group": r["proposed_group"],
                "direction": r["direction"],
                "volume": _number(r["volume"]),
                "orders": _number(r["orders"]),
                "per_order": _number(r["per_order"]),
                "orders_basis": r["orders_basis"],
            }
            for r in changes.to_dict("records")
        ],
        "skipped": _rejections(skipped, with_kind=False),
        "outputs": [str(p) for p in outputs],
    }


def _outputs(console: Console, doc: dict[str, Any]) -> None:
    console.print("输出文件：")
    for path in doc["outputs"]:
        console.print(f"  {path}", markup=False)


def _left_out(console: Console, pop: Population) -> None:
    parts = [f"{what} {len(ids)} 户" for what, ids in (("状态为暂停的", pop.paused), ("评估期开始后才入网的", pop.recent)) if ids]
    if parts:
        console.print("、".join(parts) + "不参加评估。")


def _reasons(console: Console, rejected: list[dict[str, Any]], what: str) -> None:
    if not rejected:
        return
    console.print(f"[yellow]{what} {len(rejected)} 户次[/]，例如：")
    for r in rejected[:SHOWN_REJECTIONS]:
        console.print(f"  {r['customer_id']}（{r.get('kind', '')}）：{r['reason']}", markup=False)


def print_adjust(console: Console, doc: dict[str, Any], pop: Population) -> None:
    """The human summary of group-adjust: proposals per kind and direction, rejections, files."""
    counts = Counter((p["kind"], p["direction"]) for p in doc["proposals"])
    table = Table(title=f"{Month.parse(doc['month']).label} 组别调整建议", title_justify="left")
    for header in ("类别", "方向", "户数", "审批流程"):
        table.add_column(header)
    chains = {p["kind"]: " → ".join(p["approval_chain"]) for p in doc["proposals"]}
    for (kind, direction), n in sorted(counts.items(), key=lambda kv: (KINDS.index(kv[0][0]), kv[0][1])):
        table.add_row(escape(kind), escape(direction), str(n), escape(chains[kind]))
    if counts:
        console.print(table)
    console.print(f"书面申请 {len(doc['proposals'])} 份，每份一页，打印后按各自的审批流程签字。")
    _left_out(console, pop)
    _reasons(console, doc["rejected"], "未予建议（详见「未予建议」工作表）")
    _outputs(console, doc)


def print_init(console: Console, doc: dict[str, Any]) -> None:
    """The human summary of group-init."""
    if not doc["assignments"] and not doc["unassigned"]:
        console.print("客户信息中的在册客户都已有客户组别和定量组别，无需初始划分。")
    else:
        console.print(f"[bold]组别初始划分完成[/]：{len(doc['assignments'])} 户划分了组别。")
    for a in doc["assignments"][:SHOWN_REJECTIONS]:
        console.print(f"  {a['customer_id']}：客户组别 {a['group'] or '—'}，定量组别 {a['quota_group'] or '—'}", markup=False)
    if doc["unassigned"]:
        console.print(f"[yellow]{len(doc['unassigned'])} 户未能划分[/]（详见「未能划分」工作表），例如：")
        for r in doc["unassigned"][:SHOWN_REJECTIONS]:
            console.print(f"  {r['customer_id']}：{r['reason']}", markup=False)
    _outputs(console, doc)


def print_review(console: Console, doc: dict[str, Any], pop: Population) -> None:
    """The human summary of quota-review."""
    moves = Counter(c["direction"] for c in doc["changes"])
    console.print(f"[bold]{Quarter.parse(doc['quarter']).label} 单户单次定量组别清理完成[/]：调整 {len(doc['changes'])} 户"
                  f"（上调 {moves.get('上调', 0)} 户，下调 {moves.get('下调', 0)} 户），{doc['effective_from']} 起执行，"
                  f"完成时限 {doc['due']}。")
    _left_out(console, pop)
    _reasons(console, doc["skipped"], "未能计算（详见「未能计算」工作表）")
    _outputs(console, doc)
