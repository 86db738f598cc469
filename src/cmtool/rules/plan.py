"""R-PLAN: the monthly service plan of each 客户经理 (135工作法, 客户经理任务执行标注表).

A plan's rows are 营销动作 (customer, action, source, first month planned, mark):

- generation (R-PLAN 2): each active customer of the manager gets the actions of the service
  standard that apply to its 综合分类 (`*`, its 经营规模, 业态, 市场类型 or the class itself);
  every action of the month before not marked ★ is carried over with the month it was first
  planned, unless the customer left or changed manager (then 未结转 with the reason); one row per
  (customer, action), a carried row taking the place of the same generated one; all rows ☆;
- the status machine (R-PLAN 3, 5): 计划 → 已提交 → 已审批, 已提交 → 计划驳回 → 已提交; after
  `close` the results go 已提交 → 已审批 or 结果驳回 → 已提交; edits only while 计划 or 计划驳回;
- edits read back from the plan workbook, marks (R-PLAN 4: ★ is final; an action not in the plan
  only when marked 临时, added as 临时任务), the month-end close (☆ → ●) and the 完成率.

Pure: frames in, frames out; refused transitions and bad rows raise `CmtoolError`s.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from cmtool.config import StandardAction
from cmtool.errors import CmtoolError, DataError, Problem
from cmtool.rules.classes import parse_class_name

PLANNED, OPEN, DONE = "☆", "●", "★"
MARK_LABELS = {PLANNED: "☆ 计划", OPEN: "● 未完成", DONE: "★ 完成"}
FROM_STANDARD, FROM_MANAGER, CARRIED, TEMPORARY = "系统生成", "客户经理添加", "上月结转", "临时任务"

DRAFT, SUBMITTED, APPROVED, PLAN_REJECTED, RESULT_REJECTED = "计划", "已提交", "已审批", "计划驳回", "结果驳回"
STAGE_PLAN, STAGE_RESULT = "plan", "result"
STAGE_LABELS = {STAGE_PLAN: "计划", STAGE_RESULT: "执行结果"}

ACTION_COLUMNS = ["customer_id", "action", "source", "first_month", "mark", "note", "marked_at"]
CUSTOMER_COLUMNS = ["customer_id", "name", "class_name"]
NOT_CARRIED_COLUMNS = ["customer_id", "action", "first_month", "reason"]

LEFT_MASTER = "客户已不在客户信息中"


class Refused(CmtoolError):
    """A transition the status machine does not allow (R-PLAN 3); the message names the status."""


@dataclass(frozen=True)
class PlanState:
    """A plan's status, and its results' status once the month is closed (None before)."""

    status: str = DRAFT
    result_status: str | None = None

    @property
    def stage(self) -> str:
        return STAGE_PLAN if self.result_status is None else STAGE_RESULT

    @property
    def current(self) -> str:
        """The status of the current stage."""
        return self.status if self.result_status is None else self.result_status


_VERBS = {"update": "修改", "replace": "重新生成", "submit": "提交", "approve": "审批", "reject": "驳回",
          "close": "提交执行结果", "mark": "标注"}
_PHRASES = {
    (STAGE_PLAN, DRAFT): "计划尚未提交", (STAGE_PLAN, SUBMITTED): "计划已提交", (STAGE_PLAN, APPROVED): "计划已审批",
    (STAGE_PLAN, PLAN_REJECTED): "计划已驳回", (STAGE_RESULT, SUBMITTED): "执行结果已提交",
    (STAGE_RESULT, APPROVED): "执行结果已审批", (STAGE_RESULT, RESULT_REJECTED): "执行结果已驳回",
}


def refusal(state: PlanState, event: str, who: str = "") -> Refused:
    """The refusal of `event` in `state`, naming the current status (`计划已提交，不能修改`)."""
    phrase = _PHRASES[(state.stage, state.current)]
    lead = f"{who}：" if who else ""
    status = state.current if state.stage == STAGE_PLAN else f"{STAGE_LABELS[state.stage]}{state.current}"
    return Refused(f"{lead}{phrase}，不能{_VERBS[event]}（当前状态：{status}）")


def next_state(state: PlanState, event: str, who: str = "") -> PlanState:
    """R-PLAN 3, 5: the state after `event` (update, replace, submit, approve, reject, close,
    mark), or `Refused` naming the current status."""
    plan, result = state.stage == STAGE_PLAN, state.result_status
    editable = plan and state.status in (DRAFT, PLAN_REJECTED)
    if event == "update" and editable:
        return state
    if event == "mark" and result in (None, RESULT_REJECTED):  # not once the results are in
        return state
    if event == "replace" and plan and state.status == DRAFT:
        return state
    if event == "submit":
        if editable:
            return PlanState(SUBMITTED)
        if result == RESULT_REJECTED:
            return replace(state, result_status=SUBMITTED)
    if event in ("approve", "reject") and state.current == SUBMITTED:
        if plan:
            return PlanState(APPROVED if event == "approve" else PLAN_REJECTED)
        return replace(state, result_status=APPROVED if event == "approve" else RESULT_REJECTED)
    if event == "close" and ((plan and state.status == APPROVED) or result == RESULT_REJECTED):
        return replace(state, result_status=SUBMITTED)
    raise refusal(state, event, who)


# ---- generation (R-PLAN 2) ----------------------------------------------------------------------

def _targets(customers: pd.DataFrame) -> pd.DataFrame:
    """What the standard may name of each customer: its class and the class's scale, 业态 and
    市场类型 (the master's own fields where the class is missing or unreadable)."""
    parsed = customers["class_name"].map(parse_class_name)
    part = {key: parsed.map(lambda p, i=i: None if p is None else p[i]) for i, key in enumerate(("market", "format", "scale"))}
    return pd.DataFrame({
        "customer_id": customers["customer_id"],
        "class_name": customers["class_name"],
        **{key: values.where(values.notna(), customers[key]) for key, values in part.items()},
    })


def standard_actions(customers: pd.DataFrame, standard: list[StandardAction]) -> pd.DataFrame:
    """R-PLAN 2: (customer_id, action) for each customer and each service of `standard` that
    applies to it, customers in frame order, services in standard order."""
    targets = _targets(customers)
    parts = []
    for service in standard:
        names = set(service.applies)
        applies = pd.Series("*" in names, index=targets.index)
        for key in ("class_name", "market", "format", "scale"):
            applies |= targets[key].isin(names)
        parts.append(pd.DataFrame({"customer_id": targets.loc[applies, "customer_id"], "action": service.action,
                                   "order": targets.index[applies]}))
    rows = pd.concat(parts) if parts else pd.DataFrame(columns=["customer_id", "action", "order"])
    return rows.sort_values("order", kind="stable")[["customer_id", "action"]].reset_index(drop=True)


@dataclass
class Generated:
    """One manager's new plan: its customers, its 营销动作 (ACTION_COLUMNS) and 未结转."""

    manager: str
    customers: pd.DataFrame
    actions: pd.DataFrame
    not_carried: pd.DataFrame

    @property
    def carried(self) -> int:
        return int(self.actions["source"].eq(CARRIED).sum())


def _not_carried_reason(cid: str, manager: str, master: pd.DataFrame) -> str | None:
    """Why last month's action of `cid` (in `manager`'s plan) does not come over, or None."""
    if cid not in master.index:
        return LEFT_MASTER
    row = master.loc[cid]
    if not row["active"]:
        return f"客户已{row['status']}" if pd.notna(row["status"]) else "客户已不在册"
    if row["manager"] != manager:
        return f"客户已改由{row['manager']}负责"
    return None


def generate(manager: str, customers: pd.DataFrame, standard: list[StandardAction], month: str,
             previous: pd.DataFrame) -> Generated:
    """R-PLAN 2: `manager`'s plan for `month` from the master (`customers`: customer_id, name,
    class_name, scale, format, market, manager, active, status) and last month's 营销动作 of his
    plan (`previous`, ACTION_COLUMNS). All rows start ☆."""
    mine = customers[customers["manager"].eq(manager) & customers["active"]]
    generated = standard_actions(mine, standard).assign(source=FROM_STANDARD, first_month=month)
    master = customers.drop_duplicates("customer_id").set_index("customer_id")
    open_rows = previous[previous["mark"].ne(DONE)].drop_duplicates(["customer_id", "action"])
    reasons = [_not_carried_reason(cid, manager, master) for cid in open_rows["customer_id"]]
    reasons_s = pd.Series(reasons, index=open_rows.index, dtype=object)
    carried = open_rows[reasons_s.isna()][["customer_id", "action", "first_month"]].assign(source=CARRIED)
    not_carried = open_rows[reasons_s.notna()].assign(reason=reasons_s.dropna())[NOT_CARRIED_COLUMNS]
    keys = pd.MultiIndex.from_frame(carried[["customer_id", "action"]])
    generated = generated[~pd.MultiIndex.from_frame(generated[["customer_id", "action"]]).isin(keys)]
    order = {cid: i for i, cid in enumerate(mine["customer_id"])}
    actions = pd.concat([generated, carried], ignore_index=True)
    actions = actions.assign(order=actions["customer_id"].map(order)).sort_values("order", kind="stable")
    actions = actions.assign(mark=PLANNED, note=None, marked_at=None)[ACTION_COLUMNS].reset_index(drop=True)
    return Generated(manager, mine[CUSTOMER_COLUMNS].reset_index(drop=True), actions,
                     not_carried.reset_index(drop=True))


# ---- edits (plan update) -----------------------------------------------------------------------

def apply_edits(actions: pd.DataFrame, edited: pd.DataFrame, plan_customers: pd.DataFrame,
                month: str) -> pd.DataFrame:
    """R-PLAN 3: the plan as the edited workbook has it. `edited`: customer_id, action, source_row
    (one row per 营销动作 kept or added; a row left out is deleted). A kept row keeps its source,
    first month and mark; a new one is 客户经理添加, ☆. Problems (no action, a customer not in the
    plan, the same action twice) raise one DataError naming the rows (file left to the caller)."""
    problems = []
    known = set(plan_customers["customer_id"])
    seen: dict[tuple[str, str], int] = {}
    for row in edited.itertuples():
        if pd.isna(row.action) or not str(row.action).strip():
            problems.append(Problem("营销动作为空", row=row.source_row, column="营销动作", value=row.customer_id,
                                    fix="请填写营销动作，或删除这一行"))
        elif row.customer_id not in known:
            problems.append(Problem("该客户不在本计划中（不是本客户经理本月的在册客户）", row=row.source_row,
                                    column="客户编码", value=row.customer_id, fix="请核对客户编码"))
        elif (row.customer_id, row.action) in seen:
            problems.append(Problem(f"同一客户的营销动作与第 {seen[(row.customer_id, row.action)]} 行重复",
                                    row=row.source_row, column="营销动作", value=row.action, fix="请删除重复的一行"))
        else:
            seen[(row.customer_id, row.action)] = row.source_row
    if problems:
        raise DataError("修改后的计划有问题，计划未更新", problems)
    kept = edited[["customer_id", "action"]].merge(actions, on=["customer_id", "action"], how="left")
    new = kept["source"].isna()
    kept.loc[new, ["source", "first_month", "mark"]] = [FROM_MANAGER, month, PLANNED]
    return kept[ACTION_COLUMNS].reset_index(drop=True)


# ---- marks (R-PLAN 4) --------------------------------------------------------------------------

@dataclass(frozen=True)
class Mark:
    """One mark: the customer, the action, ★ or ●, 临时 or not, a note and where it was read."""

    customer_id: str
    action: str
    mark: str
    temporary: bool
    note: str | None
    where: str  # e.g. "拜访客户表_2026-11-04.xlsx 工作表 张三_11-04 第 6 行"
    problem: Problem  # the row located, to report it


@dataclass
class Marked:
    """The month's 营销动作 after the marks, and how many marks and 临时任务 they brought."""

    actions: pd.DataFrame  # ACTION_COLUMNS plus manager
    marked: int
    temporary: int


def apply_marks(actions: pd.DataFrame, plan_customers: pd.DataFrame, marks: list[Mark], month: str) -> Marked:
    """R-PLAN 4: `marks` in order on the month's 营销动作 (`actions`: ACTION_COLUMNS plus manager).
    ★ is final: a later ● on it is a problem naming both rows; an action not in the plan is a
    problem unless marked 临时, which adds it as 临时任务 to the plan that holds the customer.
    All problems raise one DataError; nothing is changed then."""
    rows = {(r["customer_id"], r["action"]): dict(r) for r in actions.to_dict("records")}
    managers = dict(zip(plan_customers["customer_id"], plan_customers["manager"]))
    problems, temporary = [], 0
    for m in marks:
        key = (m.customer_id, m.action)
        row = rows.get(key)
        if row is None and not m.temporary:
            problems.append(replace(m.problem, message="该营销动作不在本月计划中",
                                    fix="如是临时任务，请在「临时」列填「是」；否则请核对客户编码和营销动作"))
            continue
        if row is None:
            if m.customer_id not in managers:
                problems.append(replace(m.problem, message=f"该客户不在 {month} 任何客户经理的计划中",
                                        fix="请核对客户编码，或先用 cmtool plan init 生成该客户经理的计划"))
                continue
            row = rows[key] = {"customer_id": m.customer_id, "action": m.action, "source": TEMPORARY,
                               "first_month": month, "mark": None, "note": None, "marked_at": None,
                               "manager": managers[m.customer_id]}
            temporary += 1
        if row["mark"] == DONE and m.mark == OPEN:
            problems.append(replace(m.problem, message=f"该营销动作已在 {row['marked_at']} 标注为 ★ 完成，不能再标为 ● 未完成",
                                    fix="★ 完成的标注不能更改；请核对这两行"))
            continue
        row.update(mark=m.mark, marked_at=m.where, note=m.note if m.note else row["note"])
    if problems:
        raise DataError("标注有问题，没有记录任何标注", problems)
    frame = pd.DataFrame(list(rows.values()), columns=[*ACTION_COLUMNS, "manager"])
    return Marked(frame, len(marks), temporary)


def open_actions(actions: pd.DataFrame) -> pd.DataFrame:
    """R-VISIT 4: the 营销动作 still to do, every one not ★ (a ● of an earlier visit included)."""
    return actions[actions["mark"].ne(DONE)]


# ---- close and results (R-PLAN 5) ----------------------------------------------------------------

def close_actions(actions: pd.DataFrame) -> pd.DataFrame:
    """R-PLAN 5: at month end every ☆ still open becomes ●."""
    return actions.assign(mark=actions["mark"].replace(PLANNED, OPEN))


TOTAL_COLUMNS = ["planned", "temporary", "done", "open", "completion"]


def _counts(frame: pd.DataFrame) -> dict[str, float | int | None]:
    temporary = int(frame["source"].eq(TEMPORARY).sum())
    done = int(frame["mark"].eq(DONE).sum())
    total = len(frame)
    return {"planned": total - temporary, "temporary": temporary, "done": done, "open": total - done,
            "completion": round(done / total, 4) if total else None}


def completion(actions: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, float | int | None]]:
    """R-PLAN 5: per customer (in first-appearance order) and in total: 计划数 (rows not 临时任务),
    临时任务数, ★ 完成, 未完成 (● and any ☆ left), 完成率 = ★ / all rows (None without rows)."""
    per = [{"customer_id": cid, **_counts(group)} for cid, group in actions.groupby("customer_id", sort=False)]
    return pd.DataFrame(per, columns=["customer_id", *TOTAL_COLUMNS]), _counts(actions)
