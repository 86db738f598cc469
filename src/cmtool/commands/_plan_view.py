"""What `cmtool plan …` prints: the JSON documents (cli.md) and the terminal summaries."""

from __future__ import annotations

from typing import Any

import pandas as pd
from rich.console import Console
from rich.table import Table

from cmtool.ledger import Ledger
from cmtool.periods import Month
from cmtool.rules.deadlines import Calendar, working_days
from cmtool.rules.plan import CARRIED, STAGE_PLAN, Generated, completion

SHOWN = 10


def plan_entry(plan: Generated) -> dict[str, Any]:
    """One generated plan in the `plan init` document."""
    return {
        "manager": plan.manager, "status": "计划", "customers": len(plan.customers), "actions": len(plan.actions),
        "carried": plan.carried,
        "not_carried": [{"customer_id": r.customer_id, "action": r.action, "reason": r.reason}
                        for r in plan.not_carried.itertuples()],
    }


def kept_entry(manager: str, ledger: Ledger, month: Month) -> dict[str, Any]:
    """A plan `plan init` kept as recorded (no --replace): its status and counts."""
    row = ledger.plans(month.key, manager).iloc[0]
    actions = ledger.plan_actions(month.key, manager)
    return {"manager": manager, "status": row["status"], "customers": len(ledger.plan_customers(month.key, manager)),
            "actions": len(actions), "carried": int(actions["source"].eq(CARRIED).sum()), "not_carried": []}


def update_document(month: Month, manager: str, status: str, before: pd.DataFrame,
                    after: pd.DataFrame) -> dict[str, Any]:
    """The `plan update` document: the plan's status and how many actions were added and deleted."""
    old = set(zip(before["customer_id"], before["action"]))
    new = set(zip(after["customer_id"], after["action"]))
    return {"command": "plan update", "month": month.key, "manager": manager, "status": status,
            "actions": len(after), "added": len(new - old), "deleted": len(old - new), "outputs": []}


def approval(events: pd.DataFrame) -> tuple[str | None, str | None]:
    """The plan's approver and approval date: its latest approve event, if any."""
    approved = events[events["stage"].eq(STAGE_PLAN) & events["event"].eq("approve")]
    if approved.empty:
        return None, None
    last = approved.iloc[-1]
    return last["by_name"], last["on_date"]


def status_document(month: Month, ledger: Ledger) -> dict[str, Any]:
    """The `plan status` document: per manager the plan and result status and the counts."""
    plans = []
    for row in ledger.plans(month.key).itertuples():
        actions = ledger.plan_actions(month.key, row.manager)
        events = ledger.plan_events(month.key, row.manager)
        by, on = approval(events)
        rejected = events[events["event"].eq("reject")]
        plans.append({
            "manager": row.manager, "status": row.status,
            "result_status": None if pd.isna(row.result_status) else row.result_status,
            "customers": len(ledger.plan_customers(month.key, row.manager)), "actions": len(actions),
            "carried": int(actions["source"].eq(CARRIED).sum()), **completion(actions)[1],
            "approved_by": by, "approved_on": on,
            "rejected_reason": None if rejected.empty else rejected.iloc[-1]["reason"],
        })
    return {"command": "plan status", "month": month.key, "plans": plans, "outputs": []}


def _deadlines(console: Console, calendar: Calendar, month: Month) -> None:
    days = working_days(month, calendar)
    console.print(f"计划应于 {days[0].isoformat()}（本月第一个工作日）前制定，执行结果应于 {days[-1].isoformat()}"
                  "（本月最后一个工作日）提交。")


def print_init(console: Console, doc: dict[str, Any], kept: list[str]) -> None:
    """The human summary of plan init."""
    label = Month.parse(doc["month"]).label
    for p in doc["plans"]:
        note = "（已有计划，保留未动；重新生成请加 --replace）" if p["manager"] in kept else ""
        console.print(f"{label} {p['manager']}：{p['customers']} 户、{p['actions']} 项营销动作，上月结转 {p['carried']} 项，"
                      f"状态 {p['status']}{note}", markup=False)
        for r in p["not_carried"][:SHOWN]:
            console.print(f"  未结转 {r['customer_id']} {r['action']}：{r['reason']}", markup=False)
    if kept:
        console.print(f"[yellow]{len(kept)} 位客户经理已有本月计划，未重新生成。[/]")
    console.print("输出文件：")
    for path in doc["outputs"]:
        console.print(f"  {path}", markup=False)


def print_mark(console: Console, doc: dict[str, Any]) -> None:
    console.print(f"已记录标注 {doc['marked']} 条，其中新增临时任务 {doc['temporary']} 项。")
    for w in doc["warnings"]:
        console.print(f"[yellow]注意：[/]{w}", highlight=False)


def print_close(console: Console, doc: dict[str, Any], calendar: Calendar, month: Month) -> None:
    t = doc["totals"]
    rate = "—" if t["completion"] is None else f"{t['completion']:.2%}"
    console.print(f"{month.label} {doc['manager']} 已结束本月并提交执行结果：计划数 {t['planned']}，临时任务数 {t['temporary']}，"
                  f"★ 完成 {t['done']}，● 未完成 {t['open']}，完成率 {rate}。", markup=False)
    _deadlines(console, calendar, month)
    console.print("输出文件：")
    for path in doc["outputs"]:
        console.print(f"  {path}", markup=False)


def print_status(console: Console, doc: dict[str, Any], calendar: Calendar, month: Month) -> None:
    if not doc["plans"]:
        console.print(f"{month.label} 还没有营销动作计划（cmtool plan init 生成）。")
        return
    table = Table(title=f"{month.label} 营销动作计划", title_justify="left")
    for header in ("客户经理", "计划", "结果", "户数", "动作", "★", "未完成", "完成率", "审批"):
        table.add_column(header)
    for p in doc["plans"]:
        rate = "—" if p["completion"] is None else f"{p['completion']:.2%}"
        table.add_row(p["manager"], p["status"], p["result_status"] or "未提交", str(p["customers"]),
                      str(p["actions"]), str(p["done"]), str(p["open"]), rate,
                      f"{p['approved_by']} {p['approved_on']}" if p["approved_by"] else "—")
    console.print(table)
    _deadlines(console, calendar, month)
