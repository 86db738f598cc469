"""R-PLAN: the monthly service plan (rules/plan.py): the status machine, generation with
carry-over and 未结转, edits, marks (★ final, 临时任务), close (☆ → ●) and the 完成率."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cmtool.config import Config, StandardAction
from cmtool.errors import DataError, Problem
from cmtool.rules.plan import (
    ACTION_COLUMNS, APPROVED, CARRIED, DONE, DRAFT, FROM_MANAGER, FROM_STANDARD, LEFT_MASTER, OPEN, PLAN_REJECTED,
    PLANNED, RESULT_REJECTED, SUBMITTED, TEMPORARY, Mark, PlanState, Refused, apply_edits, apply_marks,
    close_actions, completion, generate, next_state,
)

STANDARD = Config().plan.standard  # 规范陈列 *, 盘点库存和价格采集 大/中, 指导经营 中/小
MASTER_COLUMNS = ["customer_id", "name", "class_name", "scale", "format", "market", "manager", "active", "status"]


def master(*rows: tuple) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=MASTER_COLUMNS)


def actions(*rows: tuple) -> pd.DataFrame:
    """(customer_id, action, source, first_month, mark) rows as ACTION_COLUMNS."""
    frame = pd.DataFrame(rows, columns=ACTION_COLUMNS[:5])
    return frame.assign(note=None, marked_at=None)[ACTION_COLUMNS]


# ---- the status machine (R-PLAN 3, 5) -------------------------------------------------------------

P = PlanState
EVENTS = ("update", "replace", "submit", "approve", "reject", "close", "mark")
STATES = (P(DRAFT), P(SUBMITTED), P(APPROVED), P(PLAN_REJECTED), P(APPROVED, SUBMITTED), P(APPROVED, APPROVED),
          P(APPROVED, RESULT_REJECTED))
ALLOWED = {
    (P(DRAFT), "update"): P(DRAFT), (P(DRAFT), "replace"): P(DRAFT), (P(DRAFT), "submit"): P(SUBMITTED),
    (P(DRAFT), "mark"): P(DRAFT),
    (P(SUBMITTED), "approve"): P(APPROVED), (P(SUBMITTED), "reject"): P(PLAN_REJECTED),
    (P(SUBMITTED), "mark"): P(SUBMITTED),
    (P(APPROVED), "close"): P(APPROVED, SUBMITTED), (P(APPROVED), "mark"): P(APPROVED),
    (P(PLAN_REJECTED), "update"): P(PLAN_REJECTED), (P(PLAN_REJECTED), "submit"): P(SUBMITTED),
    (P(PLAN_REJECTED), "mark"): P(PLAN_REJECTED),
    (P(APPROVED, SUBMITTED), "approve"): P(APPROVED, APPROVED),
    (P(APPROVED, SUBMITTED), "reject"): P(APPROVED, RESULT_REJECTED),
    (P(APPROVED, RESULT_REJECTED), "submit"): P(APPROVED, SUBMITTED),
    (P(APPROVED, RESULT_REJECTED), "close"): P(APPROVED, SUBMITTED),
    (P(APPROVED, RESULT_REJECTED), "mark"): P(APPROVED, RESULT_REJECTED),
}


@pytest.mark.parametrize("state", STATES, ids=lambda s: f"{s.status}/{s.result_status}")
@pytest.mark.parametrize("event", EVENTS)
def test_every_transition_allowed_or_refused_naming_the_status(state: PlanState, event: str):
    """R-PLAN 3, 5: the allowed transitions give the next state; every other one is refused and
    the message names the current status."""
    expected = ALLOWED.get((state, event))
    if expected is not None:
        assert next_state(state, event) == expected
    else:
        with pytest.raises(Refused) as e:
            next_state(state, event, "2026-11 张三 的计划")
        assert f"当前状态：{'' if state.result_status is None else '执行结果'}{state.current}" in e.value.message
        assert e.value.message.startswith("2026-11 张三 的计划：")


def test_submitted_plan_cannot_be_edited_message_as_in_cli_md():
    with pytest.raises(Refused, match="计划已提交，不能修改"):
        next_state(P(SUBMITTED), "update")


# ---- generation and carry-over (R-PLAN 2) ---------------------------------------------------------

def test_generated_actions_follow_the_standard_of_the_class():
    """A 大 gets 规范陈列 and 盘点; a 小 gets 规范陈列 and 指导经营; a customer without class or
    scale only the `*` service; another manager's and an inactive customer get nothing."""
    customers = master(
        ("A", "甲", "城镇食杂店大", "大", "食杂店", "城镇", "张三", True, "正常"),
        ("B", "乙", "城镇便利店小", "小", "便利店", "城镇", "张三", True, "正常"),
        ("C", "丙", None, None, "超市", "城镇", "张三", True, "正常"),
        ("D", "丁", "城镇超市中", "中", "超市", "城镇", "李四", True, "正常"),
        ("E", "戊", "城镇超市中", "中", "超市", "城镇", "张三", False, "注销"),
    )
    plan = generate("张三", customers, STANDARD, "2026-11", actions())
    assert list(zip(plan.actions["customer_id"], plan.actions["action"])) == [
        ("A", "规范陈列"), ("A", "盘点库存和价格采集"), ("B", "规范陈列"), ("B", "指导经营"), ("C", "规范陈列")]
    assert set(plan.actions["source"]) == {FROM_STANDARD} and set(plan.actions["mark"]) == {PLANNED}
    assert set(plan.actions["first_month"]) == {"2026-11"}
    assert list(plan.customers["customer_id"]) == ["A", "B", "C"]


def test_standard_names_format_market_and_class():
    standard = [StandardAction(action="新品牌推荐和促销", applies=["商场", "超市"]),
                StandardAction(action="乡村服务", applies=["乡村"]),
                StandardAction(action="专项", applies=["城镇便利店小"])]
    customers = master(("A", "甲", "乡村超市大", "大", "超市", "乡村", "张三", True, "正常"),
                       ("B", "乙", "城镇便利店小", "小", "便利店", "城镇", "张三", True, "正常"))
    plan = generate("张三", customers, standard, "2026-11", actions())
    assert list(zip(plan.actions["customer_id"], plan.actions["action"])) == [
        ("A", "新品牌推荐和促销"), ("A", "乡村服务"), ("B", "专项")]


def test_carry_over_keeps_first_month_and_lists_the_rest_as_not_carried():
    """R-PLAN 2: ★ is not carried; ● and ☆ are, with the month first planned, one row per action
    (the carried one replaces the generated one); a customer who left, changed manager or is no
    longer in the master is 未结转 with the reason."""
    customers = master(
        ("A", "甲", "城镇食杂店大", "大", "食杂店", "城镇", "张三", True, "正常"),
        ("B", "乙", "城镇便利店小", "小", "便利店", "城镇", "张三", True, "正常"),
        ("D", "丁", "城镇超市中", "中", "超市", "城镇", "张三", False, "注销"),
        ("E", "戊", "城镇超市中", "中", "超市", "城镇", "李四", True, "正常"),
    )
    previous = actions(
        ("A", "规范陈列", FROM_STANDARD, "2026-10", DONE),
        ("A", "指导经营", CARRIED, "2026-09", OPEN),
        ("B", "规范陈列", FROM_STANDARD, "2026-10", PLANNED),
        ("B", "协助办证", TEMPORARY, "2026-10", OPEN),
        ("D", "规范陈列", FROM_STANDARD, "2026-10", OPEN),
        ("E", "指导经营", FROM_STANDARD, "2026-10", OPEN),
        ("F", "规范陈列", FROM_STANDARD, "2026-10", OPEN),
    )
    plan = generate("张三", customers, STANDARD, "2026-11", previous)
    rows = {(r.customer_id, r.action): (r.source, r.first_month) for r in plan.actions.itertuples()}
    assert rows == {
        ("A", "规范陈列"): (FROM_STANDARD, "2026-11"),
        ("A", "盘点库存和价格采集"): (FROM_STANDARD, "2026-11"),
        ("A", "指导经营"): (CARRIED, "2026-09"),
        ("B", "规范陈列"): (CARRIED, "2026-10"),
        ("B", "指导经营"): (FROM_STANDARD, "2026-11"),
        ("B", "协助办证"): (CARRIED, "2026-10"),
    }
    assert plan.carried == 3
    assert list(zip(plan.not_carried["customer_id"], plan.not_carried["reason"])) == [
        ("D", "客户已注销"), ("E", "客户已改由李四负责"), ("F", LEFT_MASTER)]
    assert list(plan.actions["customer_id"]) == ["A", "A", "A", "B", "B", "B"]


CIDS = st.sampled_from(["A", "B", "C", "D"])
NAMES = st.sampled_from(["规范陈列", "盘点库存和价格采集", "指导经营", "协助办证"])
MARKS = st.sampled_from([PLANNED, OPEN, DONE])


@settings(max_examples=60, deadline=None)
@given(previous=st.lists(st.tuples(CIDS, NAMES, MARKS), max_size=20),
       scales=st.lists(st.sampled_from(["大", "中", "小"]), min_size=4, max_size=4),
       active=st.lists(st.booleans(), min_size=4, max_size=4))
def test_carry_over_never_duplicates_an_action(previous, scales, active):
    """R-PLAN 2 (property): one row per (customer, action) whatever last month held; every open
    action of last month is either carried or listed as 未结转, and no ★ is carried."""
    customers = master(*[(cid, cid, f"城镇食杂店{s}", s, "食杂店", "城镇", "张三", a, "正常" if a else "歇业")
                         for cid, s, a in zip("ABCD", scales, active)])
    prev = actions(*[(c, n, FROM_STANDARD, "2026-10", m) for c, n, m in previous])
    plan = generate("张三", customers, STANDARD, "2026-11", prev)
    assert not plan.actions.duplicated(["customer_id", "action"]).any()
    open_keys = {(c, n) for c, n, m in previous if m != DONE}
    carried = set(zip(plan.actions.loc[plan.actions["source"].eq(CARRIED), "customer_id"],
                      plan.actions.loc[plan.actions["source"].eq(CARRIED), "action"]))
    assert carried | set(zip(plan.not_carried["customer_id"], plan.not_carried["action"])) == open_keys
    done_only = {(c, n) for c, n, m in previous if m == DONE} - open_keys
    assert not carried & done_only


# ---- edits (plan update) --------------------------------------------------------------------------

CUSTOMERS = pd.DataFrame({"customer_id": ["A", "B"], "manager": ["张三", "张三"]})


def test_edits_keep_rows_add_and_delete():
    current = actions(("A", "规范陈列", FROM_STANDARD, "2026-11", PLANNED),
                      ("A", "指导经营", CARRIED, "2026-09", PLANNED),
                      ("B", "规范陈列", FROM_STANDARD, "2026-11", PLANNED))
    edited = pd.DataFrame({"customer_id": ["A", "B", "B"], "action": ["指导经营", "规范陈列", "推介适销品牌"],
                           "source_row": [5, 6, 20]})
    after = apply_edits(current, edited, CUSTOMERS, "2026-11")
    assert list(zip(after["customer_id"], after["action"], after["source"], after["first_month"])) == [
        ("A", "指导经营", CARRIED, "2026-09"), ("B", "规范陈列", FROM_STANDARD, "2026-11"),
        ("B", "推介适销品牌", FROM_MANAGER, "2026-11")]
    assert set(after["mark"]) == {PLANNED}


def test_edits_name_the_bad_rows():
    edited = pd.DataFrame({"customer_id": ["A", "A", "Z", "B"], "action": ["规范陈列", "规范陈列", "规范陈列", None],
                           "source_row": [5, 8, 9, 10]})
    with pytest.raises(DataError) as e:
        apply_edits(actions(), edited, CUSTOMERS, "2026-11")
    found = {(p.row, p.message) for p in e.value.problems}
    assert found == {(8, "同一客户的营销动作与第 5 行重复"), (9, "该客户不在本计划中（不是本客户经理本月的在册客户）"),
                     (10, "营销动作为空")}


# ---- marks (R-PLAN 4) ---------------------------------------------------------------------------

def mark(cid: str, action: str, value: str, row: int, temporary: bool = False) -> Mark:
    return Mark(cid, action, value, temporary, None, f"表 第 {row} 行", Problem("", file="表.xlsx", row=row))


def month_actions() -> pd.DataFrame:
    return actions(("A", "规范陈列", FROM_STANDARD, "2026-11", PLANNED),
                   ("A", "指导经营", FROM_STANDARD, "2026-11", PLANNED),
                   ("B", "规范陈列", FROM_STANDARD, "2026-11", PLANNED)).assign(manager="张三")


def test_marks_set_done_open_and_add_temporary_tasks():
    result = apply_marks(month_actions(), CUSTOMERS, [
        mark("A", "规范陈列", DONE, 5), mark("A", "指导经营", OPEN, 6), mark("A", "指导经营", DONE, 9),
        mark("B", "协助办理电子结算", DONE, 12, temporary=True)], "2026-11")
    rows = {(r.customer_id, r.action): (r.mark, r.source) for r in result.actions.itertuples()}
    assert rows == {("A", "规范陈列"): (DONE, FROM_STANDARD), ("A", "指导经营"): (DONE, FROM_STANDARD),
                    ("B", "规范陈列"): (PLANNED, FROM_STANDARD), ("B", "协助办理电子结算"): (DONE, TEMPORARY)}
    assert (result.marked, result.temporary) == (4, 1)
    assert result.actions.set_index("action").at["协助办理电子结算", "manager"] == "张三"


def test_done_then_open_is_refused_naming_both_rows():
    """R-PLAN 4: ★ is final; a later ● names the row of the ★ and its own row."""
    with pytest.raises(DataError) as e:
        apply_marks(month_actions(), CUSTOMERS, [mark("A", "规范陈列", DONE, 5), mark("A", "规范陈列", OPEN, 11)],
                    "2026-11")
    [problem] = e.value.problems
    assert problem.row == 11 and "表 第 5 行" in problem.message and "★" in problem.message


def test_action_not_in_plan_needs_temporary_and_customer_in_a_plan():
    with pytest.raises(DataError) as e:
        apply_marks(month_actions(), CUSTOMERS, [mark("A", "新动作", DONE, 7),
                                                 mark("Z", "新动作", DONE, 8, temporary=True)], "2026-11")
    assert [(p.row, p.message) for p in e.value.problems] == [
        (7, "该营销动作不在本月计划中"), (8, "该客户不在 2026-11 任何客户经理的计划中")]


# ---- close and 完成率 (R-PLAN 5) ----------------------------------------------------------------

def test_close_turns_open_planned_into_not_done_and_counts():
    """R-PLAN 5: ☆ → ●; ★ and ● stay. 3 planned + 1 临时, 2 ★: 完成率 0.5."""
    before = actions(("A", "规范陈列", FROM_STANDARD, "2026-11", DONE),
                     ("A", "指导经营", CARRIED, "2026-10", PLANNED),
                     ("B", "规范陈列", FROM_STANDARD, "2026-11", OPEN),
                     ("B", "协助办证", TEMPORARY, "2026-11", DONE))
    after = close_actions(before)
    assert list(after["mark"]) == [DONE, OPEN, OPEN, DONE]
    per, totals = completion(after)
    assert totals == {"planned": 3, "temporary": 1, "done": 2, "open": 2, "completion": 0.5}
    assert per.to_dict("records") == [
        {"customer_id": "A", "planned": 2, "temporary": 0, "done": 1, "open": 1, "completion": 0.5},
        {"customer_id": "B", "planned": 1, "temporary": 1, "done": 1, "open": 1, "completion": 0.5}]


def test_completion_of_an_empty_plan_is_none():
    assert completion(actions())[1]["completion"] is None


@given(st.lists(st.tuples(CIDS, MARKS, st.booleans()), min_size=1, max_size=30))
def test_completion_is_between_0_and_1(rows):
    """R-PLAN 5 (property): 完成率 in [0, 1] per customer and in total; ★ + 未完成 = all rows."""
    frame = actions(*[(c, f"动作{i}", TEMPORARY if t else FROM_STANDARD, "2026-11", m)
                      for i, (c, m, t) in enumerate(rows)])
    per, totals = completion(close_actions(frame))
    assert per["completion"].between(0, 1).all() and 0 <= totals["completion"] <= 1
    assert totals["done"] + totals["open"] == totals["planned"] + totals["temporary"] == len(rows)
