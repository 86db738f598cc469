"""R-GROUP: 客户组别 (total-volume groups): bands, first groups, sustained moves, 按需供货.

Pure functions over the canonical frames of docs/architecture.md: no I/O, no clock. Volumes are
in 条 per month; bands come from config (lower bound inclusive, upper exclusive, covering 0 to
infinity: `config.check_bands`). The proposals and rejections defined here are shared with
R-QUOTA (rules/quota.py): every application has a kind, a direction and a signature chain.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cmtool.config import Band, GroupsConfig
from cmtool.periods import Month

KIND_TOTAL = "总量组别"
KIND_ON_DEMAND = "按需供货"
KIND_QUOTA = "单户单次定量"
KINDS: tuple[str, ...] = (KIND_TOTAL, KIND_ON_DEMAND, KIND_QUOTA)

UP, DOWN, IN, OUT = "上调", "下调", "调入", "调出"
UPWARD: tuple[str, ...] = (UP, IN)

# Manual 第三章 一(三)1(2), 1(3), 2(3): who signs each kind of application, in order.
APPROVAL_CHAINS: dict[str, tuple[str, ...]] = {
    KIND_TOTAL: ("客户经理申请", "市场经理审核", "分管副经理审批"),
    KIND_ON_DEMAND: ("营销部申请", "分管副经理签字", "营销中心审核"),
    KIND_QUOTA: ("客户经理申请", "市场经理签字审核", "分管副经理签字审批"),
}

PAUSED = "暂停"
NO_EXPECTED_VOLUME = "客户信息中没有月预计销量，无法划分组别：请补填后再运行"
MONTH_UNIT = "条/月"


@dataclass(frozen=True)
class Proposal:
    """One written application: move `customer_id` from `current_group` to `proposed_group`.

    `values` are the monthly figures compared with the band (条/月, or 条/次 for 单户单次定量)
    and `level` the figure the proposed group comes from (their mean, or the per-order average
    of the months). For 单户单次定量, `volumes` and `orders` are the figures behind `values`
    and `estimated` marks the months whose order count comes from the visit cycle.
    """

    customer_id: str
    kind: str
    current_group: str
    proposed_group: str
    direction: str
    months: tuple[str, ...]
    values: tuple[float, ...]
    level: float
    reason: str
    volumes: tuple[float, ...] = ()
    orders: tuple[float, ...] = ()
    estimated: tuple[bool, ...] = ()

    @property
    def approval_chain(self) -> tuple[str, ...]:
        return APPROVAL_CHAINS[self.kind]


@dataclass(frozen=True)
class Rejection:
    """A customer the rules looked at but do not propose, and why (in Chinese)."""

    customer_id: str
    kind: str
    reason: str


@dataclass
class Moves:
    """The proposals and rejections of one or more rules."""

    proposals: list[Proposal] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)


def combine(parts: Iterable[Moves]) -> Moves:
    """All parts together, in document order: by kind (总量组别, 按需供货, 单户单次定量), then 客户编码."""
    parts = list(parts)
    proposals = [p for m in parts for p in m.proposals]
    rejected = [r for m in parts for r in m.rejected]

    def order(item: Proposal | Rejection) -> tuple[int, str]:
        return KINDS.index(item.kind), item.customer_id

    return Moves(sorted(proposals, key=order), sorted(rejected, key=order))


# ---- bands ------------------------------------------------------------------------------------

def band_of(value: float, bands: Sequence[Band]) -> Band:
    """R-GROUP: the band holding `value` (min inclusive, max exclusive)."""
    for band in bands:
        if band.holds(value):
            return band
    raise ValueError(f"{value:g} 不在任何组别范围内")


def band_names(values: Iterable[float], bands: Sequence[Band]) -> np.ndarray:
    """`band_of(v, bands).name` for each value."""
    return np.array([band_of(v, bands).name for v in values], dtype=object)


def band_limits(names: Iterable[str], bands: Sequence[Band]) -> tuple[np.ndarray, np.ndarray]:
    """The lower and upper bounds (inf when open) of each named band."""
    by_name = {b.name: b for b in bands}
    lower = np.array([by_name[n].min for n in names], dtype=float)
    upper = np.array([np.inf if by_name[n].max is None else by_name[n].max for n in names], dtype=float)
    return lower, upper


def band_text(band: Band, unit: str) -> str:
    """`二组（≥200 且 <400 条/月）`, `一组（≥400 条/月）`, `五组（<40 条/月）`: a band holds its
    lower bound, not its upper one, and the text says so."""
    if band.max is None:
        return f"{band.name}（≥{band.min:g} {unit}）"
    if band.min == 0:
        return f"{band.name}（<{band.max:g} {unit}）"
    return f"{band.name}（≥{band.min:g} 且 <{band.max:g} {unit}）"


def months_text(months: Sequence[str]) -> str:
    """`2026-10`, or `2026-08至2026-10连续3个月`."""
    if len(months) == 1:
        return months[0]
    return f"{months[0]}至{months[-1]}连续{len(months)}个月"


def move_reason(months: Sequence[str], measure: str, current: str, bound: float, up: bool, level_label: str,
                level: float, target: Band, unit: str) -> str:
    """R-GROUP-ADJUST / R-QUOTA-ADJUST: the reason sentence of an application, e.g.
    `该客户2026-08至2026-10连续3个月购进量均不低于三组上限 200 条/月，月均 210.67 条，属于二组（≥200 且 <400 条/月），
    申请由三组上调至二组。`"""
    direction, fact = (UP, f"均不低于{current}上限") if up else (DOWN, f"均低于{current}下限")
    return (f"该客户{months_text(months)}{measure}{fact} {bound:g} {unit}，{level_label} {level:,.2f} 条，"
            f"属于{band_text(target, unit)}，申请由{current}{direction}至{target.name}。")


# ---- who is evaluated ------------------------------------------------------------------------

def window(month: Month, n: int) -> tuple[Month, ...]:
    """The `n` months ending at `month`, oldest first."""
    return tuple(month.shift(i - n + 1) for i in range(n))


@dataclass
class Population:
    """R-GROUP-ADJUST / R-QUOTA: the customers evaluated, and the active ones left out."""

    frame: pd.DataFrame
    paused: list[str]  # status 暂停: a suspended shop's missing purchases say nothing of its group
    recent: list[str]  # joined after the first evaluated month began: those months are no evidence


def population(customers: pd.DataFrame, first: Month) -> Population:
    """Active customers, except those 暂停 and those that joined after `first` began (a joining
    date left empty counts as an established customer). File order is kept."""
    active = customers[customers["active"]]
    paused = active["status"].eq(PAUSED).fillna(False).to_numpy(bool)
    recent = (active["joined"] > pd.Timestamp(first.first_day)).fillna(False).to_numpy(bool)
    return Population(
        frame=active[~paused & ~recent].reset_index(drop=True),
        paused=active.loc[paused, "customer_id"].tolist(),
        recent=active.loc[~paused & recent, "customer_id"].tolist(),
    )


def volume_matrix(monthly: pd.DataFrame, ids: Sequence[str], months: Sequence[str]) -> pd.DataFrame:
    """Volumes in 条: one row per id (in order), one column per month; 0 where nothing bought."""
    rows = monthly[monthly["month"].isin(months)]
    grid = rows.pivot(index="customer_id", columns="month", values="volume_h")
    return grid.reindex(index=pd.Index(ids, name="customer_id"), columns=list(months)).fillna(0) / 100


def check_groups(frame: pd.DataFrame, column: str, known: Iterable[str], kind: str,
                 label: str) -> tuple[pd.DataFrame, list[Rejection]]:
    """The rows whose `column` names a known group, and a rejection for each other row:
    an empty group (run group-init first) or one the config does not know."""
    known = list(known)
    empty = frame[column].isna()
    unknown = ~empty & ~frame[column].isin(known)
    rejected = [
        Rejection(cid, kind, f"客户信息中没有{label}，请先用 cmtool group-init 初始划分")
        for cid in frame.loc[empty, "customer_id"]
    ] + [
        Rejection(cid, kind, f"{label}「{g}」不是配置中的组别（{'、'.join(known)}），请在客户信息中改正")
        for cid, g in zip(frame.loc[unknown, "customer_id"], frame.loc[unknown, column])
    ]
    return frame[~empty & ~unknown], rejected


# ---- R-GROUP-NEW -----------------------------------------------------------------------------

def initial_groups(customers: pd.DataFrame, config: GroupsConfig) -> pd.DataFrame:
    """R-GROUP-NEW: a first 客户组别 for each active customer without one: the band that holds its
    月预计销量, never 按需供货 (it is not a band). Columns customer_id, group, problem; group is
    NA with the problem said when there is no 月预计销量."""
    todo = customers[customers["active"] & customers["group"].isna()]
    expected = todo["expected_monthly"].to_numpy(dtype=float)
    known = ~np.isnan(expected)
    group = np.full(len(todo), None, dtype=object)
    group[known] = band_names(expected[known], config.bands)
    return pd.DataFrame({
        "customer_id": todo["customer_id"].to_numpy(),
        "group": group,
        "problem": np.where(known, None, NO_EXPECTED_VOLUME),
    })


# ---- R-GROUP-ADJUST --------------------------------------------------------------------------

def total_moves(pop: pd.DataFrame, volumes: pd.DataFrame, config: GroupsConfig) -> Moves:
    """R-GROUP-ADJUST: customers of a banded group whose every month of `volumes` is at or above
    the band's upper bound (上调) or every month below its lower bound (下调); the proposed
    group is the band holding the mean of those months. `pop` holds only known band names."""
    rows = pop[pop["group"] != config.on_demand]
    v = volumes.loc[rows["customer_id"]].to_numpy()
    lower, upper = band_limits(rows["group"], config.bands)
    up = (v >= upper[:, None]).all(axis=1)
    down = (v < lower[:, None]).all(axis=1)
    mean = v.mean(axis=1)
    moving = np.flatnonzero(up | down)
    proposed = band_names(mean[moving], config.bands)
    by_name = {b.name: b for b in config.bands}
    months = tuple(volumes.columns)
    proposals = []
    for i, target in zip(moving, proposed):
        current = by_name[rows["group"].iloc[i]]
        bound = current.max if up[i] else current.min
        reason = move_reason(months, "购进量", current.name, bound, bool(up[i]), "月均", mean[i], by_name[target],
                             MONTH_UNIT)
        proposals.append(Proposal(rows["customer_id"].iloc[i], KIND_TOTAL, current.name, target,
                                  UP if up[i] else DOWN, months, tuple(v[i].tolist()), float(mean[i]), reason))
    return Moves(proposals)


# ---- R-GROUP-ONDEMAND ------------------------------------------------------------------------

def is_new(joined: pd.Series, month: Month, new_customer_months: int) -> np.ndarray:
    """R-GROUP-ONDEMAND: joined less than `new_customer_months` before the end of `month`
    (an empty joining date is an established customer)."""
    end = pd.Timestamp(month.last_day)
    return np.array([pd.notna(j) and j + pd.DateOffset(months=new_customer_months) > end for j in joined], bool)


def on_demand_moves(pop: pd.DataFrame, volumes: pd.DataFrame, config: GroupsConfig, month: Month) -> Moves:
    """R-GROUP-ONDEMAND: 调入 when every month is at or above `on_demand_entry` (a customer that
    joined less than `new_customer_months` ago is rejected instead); 调出 when every month is
    below `on_demand_exit`, to the band holding the mean of the months."""
    months = tuple(volumes.columns)
    v = volumes.loc[pop["customer_id"]].to_numpy()
    inside = (pop["group"] == config.on_demand).to_numpy()
    entering = ~inside & (v >= config.on_demand_entry).all(axis=1)
    leaving = inside & (v < config.on_demand_exit).all(axis=1)
    new = is_new(pop["joined"], month, config.new_customer_months)
    mean = v.mean(axis=1)
    ids, groups = pop["customer_id"].to_numpy(), pop["group"].to_numpy()
    moves = Moves()
    for i in np.flatnonzero(entering & new):
        moves.rejected.append(Rejection(ids[i], KIND_ON_DEMAND,
                                        f"入网未满{config.new_customer_months}个月，不得直接归入{config.on_demand}客户组别"))
    for i in np.flatnonzero(entering & ~new):
        reason = (f"该客户{months_text(months)}购进量均不低于 {config.on_demand_entry:g} {MONTH_UNIT}"
                  f"（月均 {mean[i]:,.2f} 条），申请由{groups[i]}调入{config.on_demand}客户组别。")
        moves.proposals.append(Proposal(ids[i], KIND_ON_DEMAND, groups[i], config.on_demand, IN, months,
                                        tuple(v[i].tolist()), float(mean[i]), reason))
    targets = band_names(mean[leaving], config.bands)
    by_name = {b.name: b for b in config.bands}
    for i, target in zip(np.flatnonzero(leaving), targets):
        reason = (f"该客户{months_text(months)}购进量均低于 {config.on_demand_exit:g} {MONTH_UNIT}"
                  f"（月均 {mean[i]:,.2f} 条），属于{band_text(by_name[target], MONTH_UNIT)}，"
                  f"申请调出{config.on_demand}客户组别，归入{target}。")
        moves.proposals.append(Proposal(ids[i], KIND_ON_DEMAND, groups[i], target, OUT, months,
                                        tuple(v[i].tolist()), float(mean[i]), reason))
    return moves


# ---- R-GROUP / R-DYN: no upward move under a measure -----------------------------------------

def active_measures(measures: pd.DataFrame, month: Month) -> pd.DataFrame:
    """R-GROUP, R-DYN: the measures decided up to `month` still in force on the first day after
    it, when the applications would take effect (not ended before that day, not restored by it).
    `measures` has customer_id, measure, starts_on, ends_on, decided_month, restored_on (ISO text)."""
    on = month.next().first_day.isoformat()
    in_force = (
        (measures["decided_month"] <= month.key)
        & (measures["ends_on"].isna() | (measures["ends_on"] >= on))
        & (measures["restored_on"].isna() | (measures["restored_on"] > on))
    )
    return measures[in_force]


def _term(measure: pd.Series) -> str:
    start = measure["starts_on"]
    end = measure["ends_on"]
    return f"{measure['measure']}，{start}起" + ("" if pd.isna(end) else f"至{end}")


def hold_upward(moves: Moves, measures: pd.DataFrame) -> Moves:
    """R-GROUP: an upward proposal (上调, 调入) for a customer under an active measure becomes a
    rejection naming the measure; everything else passes unchanged (in document order)."""
    first = measures.drop_duplicates("customer_id").set_index("customer_id")
    kept, held = [], []
    for p in moves.proposals:
        if p.direction in UPWARD and p.customer_id in first.index:
            term = _term(first.loc[p.customer_id])
            held.append(Rejection(p.customer_id, p.kind, f"处于动态管理措施期内（{term}），不予{p.direction}"))
        else:
            kept.append(p)
    return combine([Moves(kept, moves.rejected + held)])


def total_group_moves(customers: pd.DataFrame, monthly: pd.DataFrame, config: GroupsConfig, month: Month,
                      n: int) -> Moves:
    """R-GROUP-ADJUST and R-GROUP-ONDEMAND for `month` over the `n` months ending at it, from the
    canonical customers and monthly purchases; customers whose 客户组别 is empty or unknown are
    rejected with the reason."""
    months = window(month, n)
    known = [b.name for b in config.bands] + [config.on_demand]
    pop, rejected = check_groups(population(customers, months[0]).frame, "group", known, KIND_TOTAL, "客户组别")
    volumes = volume_matrix(monthly, pop["customer_id"].tolist(), [m.key for m in months])
    return combine([Moves(rejected=rejected), total_moves(pop, volumes, config),
                    on_demand_moves(pop, volumes, config, month)])
