"""R-SCALE explained for one customer (`cmtool classify explain`): its figures, the cuts, and the
extra volume it would have needed for the next scale up.

The extra volume is exact. Buying Δ more (hundredths of 条) at unit value u (分 per hundredth,
numerically 元/条) moves the totals too, so every other customer's score moves as well and their
order can change. For one other customer k, key_i − key_k after the purchase is, with
V' = V + Δ and A' = A + uΔ,

    (v + Δ − v_k)·A' + (a + uΔ − a_k)·V' = 2u·Δ² + (u(V + v − v_k) + A + a − a_k)·Δ + key_i − key_k,

a quadratic whose coefficients are ≥ 0 for Δ ≥ 0 (V ≥ v + v_k, A ≥ a + a_k), so customer i
overtakes k for every Δ from a threshold t_k on. Reaching a scale whose last position is p means
strictly beating n − p of the others, so the answer is the (n − p)-th smallest t_k.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from fractions import Fraction
from math import isqrt

import pandas as pd

from cmtool.config import ScaleConfig
from cmtool.errors import DataError
from cmtool.rules.scale import cut_counts, scale_at

_NEVER = 1 << 256  # "never overtakes": sorts after any reachable volume
_OWN_BASIS = "本户单条值"
_SCOPE_BASIS = "排名范围平均单条值"


@dataclass(frozen=True)
class Explanation:
    """R-SCALE figures for one customer; every field is a plain JSON value."""

    customer_id: str
    scope: str
    scale: str
    volume: float
    amount: float
    volume_share: float
    amount_share: float
    score: float
    rank: int
    position: int
    n: int
    n_big: int
    n_small: int
    big_cut_position: int | None
    big_cut_score: float | None
    small_cut_position: int | None
    small_cut_score: float | None
    next_scale: str | None
    unit_value: float
    unit_value_basis: str
    volume_needed: float | None
    amount_needed: float | None
    score_after: float | None
    note: str

    def as_dict(self) -> dict[str, object]:
        """The fields as a dict, for --json."""
        return asdict(self)


@dataclass(frozen=True)
class _Lift:
    """The minimum extra volume (hundredths of 条) for the next scale, None if unreachable."""

    next_scale: str | None
    delta_h: int | None


def explain_scale(
    ranked: pd.DataFrame, customer_id: str, shares: ScaleConfig | None = None
) -> Explanation:
    """R-SCALE: why `customer_id` got its scale, from the output of rank_scale.

    `shares` must be the ones the ranking used. Raises DataError if the customer was not ranked.
    """
    shares = shares or ScaleConfig()
    row = ranked.loc[ranked["customer_id"] == customer_id]
    if row.empty:
        raise DataError(
            f"客户 {customer_id} 不在本次规模排名中",
            fix="请检查客户编码，以及该客户在季度末是否为有效客户（注销、歇业、停业的客户不参与排名）",
        )
    me = row.iloc[0]
    scope = ranked.loc[ranked["scope"] == me["scope"]].sort_values("position")
    n = int(me["n"])
    n_big, n_small = cut_counts(n, shares)
    u, basis = _unit_value(scope, int(me["volume_h"]), int(me["amount_c"]))
    lift = _lift(scope, customer_id, str(me["scale"]), u, n_big, n_small)
    scores = scope["score"].tolist()
    first_small = n - n_small + 1
    return Explanation(
        customer_id=customer_id,
        scope=str(me["scope"]),
        scale=str(me["scale"]),
        volume=float(me["volume"]),
        amount=float(me["amount"]),
        volume_share=float(me["volume_share"]),
        amount_share=float(me["amount_share"]),
        score=float(me["score"]),
        rank=int(me["rank"]),
        position=int(me["position"]),
        n=n,
        n_big=n_big,
        n_small=n_small,
        big_cut_position=n_big or None,
        big_cut_score=float(scores[n_big - 1]) if n_big else None,
        small_cut_position=first_small if n_small else None,
        small_cut_score=float(scores[first_small - 1]) if n_small else None,
        next_scale=lift.next_scale,
        unit_value=float(u),
        unit_value_basis=basis,
        volume_needed=lift.delta_h / 100 if lift.delta_h is not None else None,
        amount_needed=round(float(u * lift.delta_h) / 100, 2) if lift.delta_h is not None else None,
        score_after=_score_after(scope, customer_id, u, lift.delta_h),
        note=_note(str(me["scale"]), str(me["scope"]), n, lift, u, basis),
    )


def _unit_value(scope: pd.DataFrame, volume_h: int, amount_c: int) -> tuple[Fraction, str]:
    """单条值 in 元/条 (= 分 per hundredth of 条): the customer's own, else its scope's average."""
    if volume_h > 0:
        return Fraction(amount_c, volume_h), _OWN_BASIS
    return Fraction(int(scope["amount_c"].sum()), int(scope["volume_h"].sum())), _SCOPE_BASIS


def _lift(
    scope: pd.DataFrame, customer_id: str, scale: str, u: Fraction, n_big: int, n_small: int
) -> _Lift:
    """R-SCALE: the next scale up and the minimum extra volume that reaches it."""
    n = len(scope)
    last_position = {"小": n - n_small, "中": n_big}.get(scale, 0)
    if last_position < 1:
        return _Lift(None, None)
    volumes = [int(x) for x in scope["volume_h"]]
    amounts = [int(x) for x in scope["amount_c"]]
    mine = scope["customer_id"].tolist().index(customer_id)
    v, a = volumes.pop(mine), amounts.pop(mine)
    total_v, total_a = v + sum(volumes), a + sum(amounts)
    thresholds = sorted(
        _overtake(v, a, vk, ak, total_v, total_a, u) for vk, ak in zip(volumes, amounts)
    )
    delta = thresholds[n - last_position - 1]
    next_scale = scale_at(last_position, n, n_big, n_small)
    return _Lift(next_scale, None if delta == _NEVER else delta)


def _overtake(v: int, a: int, vk: int, ak: int, total_v: int, total_a: int, u: Fraction) -> int:
    """Smallest Δ ≥ 0 (hundredths of 条) after which customer (v, a) strictly beats (vk, ak)."""
    p, q = u.numerator, u.denominator
    quad = 2 * p
    lin = p * (total_v + v - vk) + q * (total_a + a - ak)
    const = q * ((v - vk) * total_a + (a - ak) * total_v)
    if const > 0:
        return 0
    if quad == 0:
        return (-const) // lin + 1 if lin > 0 else _NEVER
    delta = max(0, (isqrt(lin * lin - 4 * quad * const) - lin) // (2 * quad))
    while delta > 0 and quad * (delta - 1) ** 2 + lin * (delta - 1) + const > 0:
        delta -= 1
    while quad * delta * delta + lin * delta + const <= 0:
        delta += 1
    return delta


def _score_after(
    scope: pd.DataFrame, customer_id: str, u: Fraction, delta_h: int | None
) -> float | None:
    """The customer's score once it has bought delta_h more at unit value u."""
    if delta_h is None:
        return None
    me = scope.loc[scope["customer_id"] == customer_id].iloc[0]
    added_a = u * delta_h
    volume_share = Fraction(int(me["volume_h"]) + delta_h, int(scope["volume_h"].sum()) + delta_h)
    amount_share = (int(me["amount_c"]) + added_a) / (int(scope["amount_c"].sum()) + added_a)
    return float((volume_share + amount_share) / 2)


def _note(scale: str, scope: str, n: int, lift: _Lift, u: Fraction, basis: str) -> str:
    """The explanation's last sentence, in Chinese."""
    if scale == "大":
        return "已是大户，没有更高的规模"
    if lift.next_scale is None:
        return f"按规模比例，「{scope}」的 {n} 户中没有高于{scale}的名额"
    prefix = "本户本季度无购进，" if basis == _SCOPE_BASIS else ""
    if lift.delta_h is None:
        return f"{prefix}按{basis} {float(u):.2f} 元/条增加购进量，无法升为{lift.next_scale}"
    return (
        f"{prefix}按{basis} {float(u):.2f} 元/条，本季度需再购进 {lift.delta_h / 100:.2f} 条"
        f"（约 {float(u * lift.delta_h) / 100:.2f} 元）才能升为{lift.next_scale}"
    )
