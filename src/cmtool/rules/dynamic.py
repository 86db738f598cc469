"""R-DYN: 动态组别管理, the integrity-agreement measures (domain.md R-DYN 1–3, cli.md `dynamic`).

- R-DYN 1 (`in_month`, `propose`, `review`): the month's breach records per customer and the
  measure the `[dynamic]` policy gives for each breach; several breaches of one customer give each
  measure kind once, with the longest term (and the most steps); a type the policy does not know
  is 待议, never guessed.
- R-DYN 2 (`read_measure`, `read_term`, `schedule_measures`, `lower_group`): the decisions of the
  management group as measures: each starts on the customer's first order day of M+1
  (rules/visits.py `first_order_days`, which also gives `deliver_by`), ends after its term;
  组别下调 goes down one band or as many as decided, never below the lowest.
- R-DYN 3 (`restore_status`): on a date, the measures that have ended and are not restored (due,
  with what to restore) and those in force (active); a measure is never both.

Pure: frames and dates in, frames and values out.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import pandas as pd

from cmtool.config import Band, PolicyRule
from cmtool.periods import Month

GROUP_DOWN, CANCEL_BRANDS, SUSPEND = "组别下调", "取消紧俏控制品牌", "暂停访销"
MEASURES: tuple[str, ...] = (GROUP_DOWN, CANCEL_BRANDS, SUSPEND)
NO_ACTION = "不处理"
PENDING = "待议"
NOTICE_TITLES: dict[str, str] = {
    GROUP_DOWN: "客户组别调整通知书",
    CANCEL_BRANDS: "取消客户紧俏、控制品牌通知书",
    SUSPEND: "客户暂停访销通知书",
}
RESTORES: dict[str, str] = {GROUP_DOWN: "恢复组别", CANCEL_BRANDS: "恢复紧俏控制品牌", SUSPEND: "恢复访销"}

_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_NUMBER = r"(\d+|[一二两三四五六七八九十]+)"
_TERM = re.compile(rf"^{_NUMBER}(周|个月|月)$")
_GROUP_DOWN = re.compile(rf"^(?:组别下调|下调组别)(?:{_NUMBER}[档级])?$")
_SEPARATORS = re.compile(r"[\s、，,/／·和及]")
_NO_ACTION_WORDS = ("不处理", "不予处理", "免予处理")


@dataclass(frozen=True)
class Term:
    """A measure's term: `count` weeks or months."""

    count: int
    unit: Literal["weeks", "months"]

    def end(self, start: date) -> date:
        """R-DYN 2: the last day: weeks → start + 7·weeks − 1; months → the day before the same
        day-of-month `count` months later (to the month's last day when it lacks that day)."""
        if self.unit == "weeks":
            return start + timedelta(days=7 * self.count - 1)
        index = start.month - 1 + self.count
        year, month = start.year + index // 12, index % 12 + 1
        last = calendar.monthrange(year, month)[1]
        if start.day > last:  # the month lacks that day: the term runs to its last day
            return date(year, month, last)
        return date(year, month, start.day) - timedelta(days=1)

    @property
    def text(self) -> str:
        """`4周`, `3个月`."""
        return f"{self.count}周" if self.unit == "weeks" else f"{self.count}个月"

    @property
    def json(self) -> dict[str, int]:
        """`{"weeks": 4}` or `{"months": 3}` (cli.md)."""
        return {self.unit: self.count}


def policy_term(rule: PolicyRule) -> Term:
    """The term a policy rule gives."""
    return Term(rule.weeks, "weeks") if rule.weeks is not None else Term(rule.months or 0, "months")


@dataclass(frozen=True)
class Proposed:
    """A proposed measure: its kind, term and, for 组别下调, how many bands down."""

    measure: str
    term: Term
    steps: int | None = None

    @property
    def text(self) -> str:
        """`暂停访销4周`, `组别下调1档3个月`."""
        steps = f"{self.steps}档" if self.steps else ""
        return f"{self.measure}{steps}{self.term.text}"

    @property
    def json(self) -> dict[str, object]:
        out: dict[str, object] = {"measure": self.measure, **self.term.json}
        if self.steps is not None:
            out["steps"] = self.steps
        return out


def propose(breach_types: Sequence[str], policy: Sequence[PolicyRule], reference: date) -> tuple[list[Proposed], list[str]]:
    """R-DYN 1 for one customer: the measures the policy gives for its breaches, each kind once
    with the longest term (the later end from `reference`, the first day of M+1) and the most
    steps, in the order 组别下调, 取消紧俏控制品牌, 暂停访销; and the breach types the policy does
    not know (待议), each once, in the order met."""
    rules = {r.breach: r for r in policy}
    chosen: dict[str, Proposed] = {}
    pending: list[str] = []
    for kind in breach_types:
        rule = rules.get(kind)
        if rule is None:
            if kind not in pending:
                pending.append(kind)
            continue
        term = policy_term(rule)
        steps = (rule.steps or 1) if rule.measure == GROUP_DOWN else None
        old = chosen.get(rule.measure)
        if old is not None:
            term = max(old.term, term, key=lambda t: t.end(reference))
            steps = None if steps is None else max(steps, old.steps or 1)
        chosen[rule.measure] = Proposed(rule.measure, term, steps)
    return [chosen[m] for m in MEASURES if m in chosen], pending


def in_month(records: pd.DataFrame, month: Month) -> tuple[pd.DataFrame, int]:
    """R-DYN 1: the breach records dated in `month`, and how many are dated outside it."""
    day = pd.to_datetime(records["date"]).dt.date
    inside = (day >= month.first_day) & (day <= month.last_day)
    return records[inside], int((~inside).sum())


@dataclass(frozen=True)
class CustomerReview:
    """One row of the 客户动态管理审批表: the customer's breaches (date, type, detail, by date)
    and what the policy proposes."""

    customer_id: str
    breaches: list[dict[str, str]]
    proposed: list[Proposed]
    pending: list[str]


def review(records: pd.DataFrame, policy: Sequence[PolicyRule], month: Month) -> list[CustomerReview]:
    """R-DYN 1: one review per customer with breach records (customer_id, date, breach_type,
    detail), by 客户编码; breaches by date, then file order."""
    reference = month.next().first_day
    ordered = records.assign(_day=pd.to_datetime(records["date"]).dt.date).sort_values(
        ["customer_id", "_day"], kind="stable")
    out = []
    for cid, rows in ordered.groupby("customer_id", sort=True):
        breaches = [
            {"date": d.isoformat(), "type": str(t), "detail": "" if pd.isna(x) else str(x)}
            for d, t, x in zip(rows["_day"], rows["breach_type"], rows["detail"])
        ]
        proposed, pending = propose(list(rows["breach_type"]), policy, reference)
        out.append(CustomerReview(str(cid), breaches, proposed, pending))
    return out


# ---- R-DYN 2: the decisions as measures ------------------------------------------------------

def _number(text: str) -> int | None:
    """`3`, `三`, `十二` → 3, 3, 12; None when it is not a number."""
    if text.isdigit():
        return int(text)
    tens, ten, units = text.partition("十")
    if not ten:
        return _CN_DIGITS.get(text)
    high = _CN_DIGITS.get(tens) if tens else 1
    low = _CN_DIGITS.get(units) if units else 0
    return None if high is None or low is None else high * 10 + low


def _normal(text: str) -> str:
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text))


def read_measure(text: str) -> tuple[str, int | None] | None:
    """R-DYN 2: a decision's measure as written (`暂停访销`, `取消紧俏、控制品牌`, `组别下调2档`,
    `不处理`) → (measure, steps for 组别下调 else None); None when it cannot be read (`待议`)."""
    word = _normal(text)
    if word in _NO_ACTION_WORDS:
        return NO_ACTION, None
    if word in (SUSPEND, "暂停访销措施"):
        return SUSPEND, None
    if word in (CANCEL_BRANDS, "取消紧俏品牌控制品牌", "取消客户紧俏控制品牌"):
        return CANCEL_BRANDS, None
    found = _GROUP_DOWN.match(word)
    if found:
        steps = 1 if found.group(1) is None else _number(found.group(1))
        return (GROUP_DOWN, steps) if steps else None
    return None


def read_term(text: str) -> Term | None:
    """R-DYN 2: `4周`, `2个月`, `3月`, `四周` → Term; None when it cannot be read (`待定`, `0周`)."""
    found = _TERM.match(unicodedata.normalize("NFKC", text).replace(" ", ""))
    if not found:
        return None
    count = _number(found.group(1))
    if not count:
        return None
    return Term(count, "weeks" if found.group(2) == "周" else "months")


def group_ladder(bands: Sequence[Band], on_demand: str) -> list[str]:
    """The total-quantity groups from the highest down: 按需供货, then the bands by volume."""
    return [on_demand, *(b.name for b in sorted(bands, key=lambda b: b.min, reverse=True))]


def lower_group(current: str, steps: int, bands: Sequence[Band], on_demand: str) -> tuple[str, bool] | None:
    """R-DYN 2: the group `steps` bands below `current` and whether it stopped at the lowest band
    (never below it); None when `current` is not a configured group."""
    ladder = group_ladder(bands, on_demand)
    if current not in ladder:
        return None
    index = ladder.index(current) + steps
    return ladder[min(index, len(ladder) - 1)], index > len(ladder) - 1


MEASURE_COLUMNS = ["customer_id", "measure", "notice", "steps", "term", "first_order_day", "deliver_by",
                   "start", "end", "fallback", "remark"]


def schedule_measures(decisions: pd.DataFrame, first_days: pd.DataFrame) -> pd.DataFrame:
    """R-DYN 2: each decided measure (decisions: customer_id, measure, steps, term (Term), remark;
    不处理 rows are dropped) with its notice title, first order day, deliver_by, start (= the first
    order day), end and the fallback reason of `first_days` (rules/visits.py `first_order_days`);
    the decisions' other columns follow."""
    taken = decisions[decisions["measure"] != NO_ACTION]
    out = taken.merge(first_days, on="customer_id", how="left", validate="many_to_one")
    out["notice"] = out["measure"].map(NOTICE_TITLES)
    out["start"] = out["first_order_day"]
    out["end"] = [t.end(s) for t, s in zip(out["term"], out["start"])]
    extra = [c for c in decisions.columns if c not in MEASURE_COLUMNS]
    return out[MEASURE_COLUMNS + extra].reset_index(drop=True)


# ---- R-DYN 3: restore ---------------------------------------------------------------------------

def restore_status(measures: pd.DataFrame, day: date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """R-DYN 3 on `day`: (due, active). Due: not restored and ended before `day`, with `restore`
    (恢复访销/恢复组别/恢复紧俏控制品牌) and `restore_group` (the group before a 组别下调). Active:
    not restored, started on or before `day` and not ended before it. `measures` has customer_id,
    measure, starts_on, ends_on (ISO text, ends_on may be missing), restored_on, from_group."""
    on = day.isoformat()
    open_ = measures["restored_on"].isna()
    ends = measures["ends_on"]
    ended = ends.notna() & (ends.fillna("") < on)
    due = measures[open_ & ended].copy()
    due["restore"] = due["measure"].map(RESTORES)
    due["restore_group"] = due["from_group"].where(due["measure"].eq(GROUP_DOWN))
    active = measures[open_ & ~ended & (measures["starts_on"] <= on)]
    return due, active
