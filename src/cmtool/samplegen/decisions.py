"""The management group's decisions on the sample's breach records (R-DYN 2): what the meeting
wrote down after reviewing the 客户动态管理审批表.

Deterministic, from the breach records alone: the meeting follows the policy's proposals (the
default `[dynamic]` policy), writes measures the way people do (`取消紧俏、控制品牌`, `1个月`),
decides `不处理` with a warning for the type the policy does not know, moves the first 跨区域销售
customer that has two bands below it down two bands instead of one, and cancels the scarce and
controlled brands instead of moving down a customer already in the lowest band. 备注 sums up the
breaches for the notice.
"""

from __future__ import annotations

import pandas as pd

from cmtool.config import Config
from cmtool.periods import Month
from cmtool.rules.dynamic import CANCEL_BRANDS, GROUP_DOWN, group_ladder, propose

DECISION_HEADERS = ("客户编码", "客户名称", "措施", "期限", "备注")
WRITTEN = {CANCEL_BRANDS: "取消紧俏、控制品牌"}
NO_ACTION_REMARK = "首次发现，已当场整改，予以警告"


def decisions_frame(breaches: pd.DataFrame, groups: pd.Series, month: Month) -> pd.DataFrame:
    """One row per decided measure (customer_id, name, measure, term, remark), by 客户编码; a
    customer whose breaches the policy does not know gets one 不处理 row. `groups`: customer_id →
    客户组别."""
    config = Config()
    ladder = group_ladder(config.groups.bands, config.groups.on_demand)
    rows = []
    stepped = False
    for (cid, name), group in breaches.sort_values(["customer_id", "date"]).groupby(["customer_id", "name"]):
        remark = "、".join(f"{d.month}月{d.day}日{t}" for d, t in zip(group["date"], group["breach_type"]))
        proposed, _ = propose(list(group["breach_type"]), config.dynamic.policy, month.next().first_day)
        if not proposed:
            rows.append((cid, name, "不处理", None, f"{remark}；{NO_ACTION_REMARK}"))
        kinds = {p.measure for p in proposed}
        for p in proposed:
            measure = WRITTEN.get(p.measure, p.measure)
            if p.measure == GROUP_DOWN:
                below = len(ladder) - 1 - ladder.index(groups[cid])
                if below == 0 and CANCEL_BRANDS in kinds:
                    continue
                if below == 0:
                    measure = WRITTEN[CANCEL_BRANDS]
                elif below >= 2 and not stepped:
                    measure, stepped = f"{GROUP_DOWN}2档", True
            rows.append((cid, name, measure, p.term.text, remark))
    return pd.DataFrame(rows, columns=["customer_id", "name", "measure", "term", "remark"])
