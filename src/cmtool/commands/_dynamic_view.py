"""What `dynamic review|notices|restore|signed` print: their JSON documents (cli.md) and the rich
terminal summaries."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
from rich.console import Console

from cmtool.periods import Month
from cmtool.rules.dynamic import CustomerReview

SHOWN = 10


def _text(value: Any) -> str | None:
    return None if value is None or pd.isna(value) else str(value)


def _day(value: Any) -> str | None:
    return None if value is None or pd.isna(value) else (value if isinstance(value, str) else value.isoformat())


def review_document(month: Month, reviews: list[CustomerReview], customers: pd.DataFrame, warnings: list[str],
                    outputs: list[Path]) -> dict[str, Any]:
    """The `dynamic review` JSON document exactly as cli.md specifies, customers in filing order
    (`customers`: the reviewed customers' rows of the master in that order)."""
    by_id = {r.customer_id: r for r in reviews}
    return {
        "command": "dynamic review",
        "month": month.key,
        "customers": [
            {
                "customer_id": c["customer_id"],
                "name": _text(c["name"]),
                "manager": _text(c["manager"]),
                "group": _text(c["group"]),
                "breaches": by_id[c["customer_id"]].breaches,
                "proposed": [p.json for p in by_id[c["customer_id"]].proposed],
                "pending": by_id[c["customer_id"]].pending,
            }
            for c in customers.to_dict("records")
        ],
        "warnings": warnings,
        "outputs": [str(p) for p in outputs],
    }


def notices_document(month: Month, measures: pd.DataFrame, warnings: list[str], outputs: list[Path]) -> dict[str, Any]:
    """The `dynamic notices` JSON document exactly as cli.md specifies."""
    return {
        "command": "dynamic notices",
        "month": month.key,
        "measures": [
            {
                "customer_id": r["customer_id"],
                "measure": r["measure"],
                "notice": r["notice"],
                "first_order_day": _day(r["first_order_day"]),
                "deliver_by": _day(r["deliver_by"]),
                "start": _day(r["start"]),
                "end": _day(r["end"]),
                "from_group": _text(r["from_group"]),
                "to_group": _text(r["to_group"]),
            }
            for r in measures.to_dict("records")
        ],
        "warnings": warnings,
        "outputs": [str(p) for p in outputs],
    }


def restore_document(day: date, confirmed: bool, due: pd.DataFrame, active: pd.DataFrame, unsigned: pd.DataFrame,
                     outputs: list[Path]) -> dict[str, Any]:
    """The `dynamic restore` JSON document as cli.md specifies, plus `unsigned` (notices not signed)."""
    def base(r: dict[str, Any]) -> dict[str, Any]:
        return {"customer_id": r["customer_id"], "measure": r["measure"], "start": r["starts_on"], "end": r["ends_on"]}

    return {
        "command": "dynamic restore",
        "date": day.isoformat(),
        "confirmed": confirmed,
        "due": [{**base(r), "restore": r["restore"], "restore_group": _text(r["restore_group"])}
                for r in due.to_dict("records")],
        "active": [base(r) for r in active.to_dict("records")],
        "unsigned": [{**base(r), "deliver_by": _text(r["deliver_by"])} for r in unsigned.to_dict("records")],
        "outputs": [str(p) for p in outputs],
    }


def signed_document(path: Path, signed: pd.DataFrame) -> dict[str, Any]:
    """The `dynamic signed` JSON document: the notices recorded as signed."""
    return {
        "command": "dynamic signed",
        "file": str(path),
        "signed": [{"customer_id": r["customer_id"], "measure": r["measure"], "start": r["starts_on"],
                    "signed_on": r["signed_on"]} for r in signed.to_dict("records")],
        "outputs": [],
    }


def _outputs(console: Console, doc: dict[str, Any]) -> None:
    for w in doc.get("warnings", [])[:SHOWN]:
        console.print("提示：", style="yellow", end="")
        console.print(w, markup=False)
    if len(doc.get("warnings", [])) > SHOWN:
        console.print(f"[yellow]另有 {len(doc['warnings']) - SHOWN} 条提示，见 --json 输出[/]")
    if doc["outputs"]:
        console.print("输出文件：")
    for path in doc["outputs"]:
        console.print(f"  {path}", markup=False)


def print_review(console: Console, doc: dict[str, Any]) -> None:
    customers = doc["customers"]
    kinds = Counter(p["measure"] for c in customers for p in c["proposed"])
    pending = sum(1 for c in customers if c["pending"])
    console.print(f"[bold]客户动态管理审批表（{doc['month']}）[/]：违约客户 {len(customers)} 户，"
                  f"{sum(len(c['breaches']) for c in customers)} 条违约记录。")
    if kinds:
        console.print("建议措施：" + "，".join(f"{k} {n} 户" for k, n in kinds.items()) + (f"；待议 {pending} 户" if pending else ""))
    _outputs(console, doc)


def print_notices(console: Console, doc: dict[str, Any]) -> None:
    kinds = Counter(m["notice"] for m in doc["measures"])
    console.print(f"[bold]动态管理通知书（{doc['month']}审议）[/]：{len(doc['measures'])} 份"
                  + ("（" + "，".join(f"{k} {n} 份" for k, n in kinds.items()) + "）" if kinds else "") + "，已记入台账。")
    if doc["measures"]:
        first = min(m["deliver_by"] for m in doc["measures"])
        console.print(f"最早的送达期限：{first}。")
    _outputs(console, doc)


def print_restore(console: Console, doc: dict[str, Any]) -> None:
    done = "已记入台账" if doc["confirmed"] else "确认恢复后请加 --confirm 再运行一次"
    console.print(f"[bold]管理措施到期恢复（{doc['date']}）[/]：到期应恢复 {len(doc['due'])} 户次（{done}），"
                  f"执行中 {len(doc['active'])} 户次，通知书未签收 {len(doc['unsigned'])} 户次。")
    for r in doc["due"][:SHOWN]:
        group = f"（恢复为{r['restore_group']}）" if r["restore_group"] else ""
        console.print(f"  {r['customer_id']}：{r['measure']} {r['start']}至{r['end']} → {r['restore']}{group}",
                      markup=False)
    if len(doc["due"]) > SHOWN:
        console.print(f"  …… 另有 {len(doc['due']) - SHOWN} 户次，见恢复清单", markup=False)
    _outputs(console, doc)


def print_signed(console: Console, doc: dict[str, Any]) -> None:
    console.print(f"已记录 {len(doc['signed'])} 份通知书签收。")
