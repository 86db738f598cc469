"""R-SCALE: 经营规模 (大/中/小) from a quarter's purchases, ranked within a scope.

The order is decided by an exact integer key, never by float scores, so customers whose scores
are mathematically equal always tie: score = (v/V + a/A) / 2 = (v·A + a·V) / (2·V·A), and for one
scope 2·V·A is a positive constant, so key = v·A + a·V orders exactly like the score. The key is
computed with Python ints because v·A overflows int64 at realistic sizes.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from cmtool.config import ScaleConfig
from cmtool.errors import DataError, Problem
from cmtool.fields import CUSTOMER_FIELDS

WHOLE_CITY = "全市"
INPUT_COLUMNS = ("customer_id", "volume_h", "amount_c")
ADDED_COLUMNS = (
    "volume", "amount", "volume_share", "amount_share", "score",
    "rank", "position", "n", "scope", "scale",
)


def round_half_up(share: float, n: int) -> int:
    """R-SCALE: share × n rounded half up, computed in decimal on str(share) (0.2 × 12.5 = 3)."""
    return int((Decimal(str(share)) * n).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def cut_counts(n: int, shares: ScaleConfig) -> tuple[int, int]:
    """R-SCALE: (n_big, n_small) for a scope of n customers.

    When the two rounded counts together exceed n (only possible when big + small is close to 1),
    大 keeps its count and 小 gets the positions that are left.
    """
    n_big = min(round_half_up(shares.big, n), n)
    n_small = min(round_half_up(shares.small, n), n - n_big)
    return n_big, n_small


def scale_at(position: int, n: int, n_big: int, n_small: int) -> str:
    """R-SCALE: the scale of a position (1..n) before ties are taken into account."""
    if position <= n_big:
        return "大"
    if position > n - n_small:
        return "小"
    return "中"


def rank_scale(
    frame: pd.DataFrame, shares: ScaleConfig | None = None, scope: str | None = None
) -> pd.DataFrame:
    """R-SCALE: rank customers by score within each scope and give each its 经营规模.

    `frame` has one row per customer of the population (non-buyers with 0/0): customer_id,
    volume_h (hundredths of 条), amount_c (分); `scope` names a column to rank within (e.g.
    department), else the whole frame is one scope named 全市. The input must not hold any of
    ADDED_COLUMNS (rename a previous `scale` to `previous_scale` first). Returns the input columns
    plus ADDED_COLUMNS, ordered by scope, then score desc, then customer_id asc.
    """
    shares = shares or ScaleConfig()
    _check_input(frame, scope)
    out = frame.copy()
    out["scope"] = out[scope].astype(str) if scope else WHOLE_CITY
    volume_h = out["volume_h"].to_numpy(dtype=np.int64)
    amount_c = out["amount_c"].to_numpy(dtype=np.int64)
    total_v, total_a = _scope_totals(out)
    out["volume"] = volume_h / 100
    out["amount"] = amount_c / 100
    out["volume_share"] = volume_h / total_v
    out["amount_share"] = amount_c / total_a
    out["score"] = (out["volume_share"] + out["amount_share"]) / 2
    out["_key"] = _dense_rank(_exact_keys(volume_h, amount_c, total_v, total_a))
    out = out.sort_values(
        ["scope", "_key", "customer_id"], ascending=[True, False, True], kind="stable"
    ).reset_index(drop=True)
    _assign_scales(out, shares)
    return out[[*frame.columns, *ADDED_COLUMNS]]


def _check_input(frame: pd.DataFrame, scope: str | None) -> None:
    """Refuse a frame that breaks the input contract of rank_scale."""
    needed = [*INPUT_COLUMNS, *([scope] if scope else [])]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ValueError(f"rank_scale: missing columns {missing}")
    clashing = [c for c in ADDED_COLUMNS if c in frame.columns]
    if clashing:
        raise ValueError(f"rank_scale: input already has output columns {clashing}")
    if frame["customer_id"].duplicated().any():
        raise ValueError("rank_scale: customer_id must be unique")
    if frame.empty:
        raise DataError("没有参与规模排名的客户", fix="请检查客户信息表中是否有状态正常的客户")
    if (frame["volume_h"] < 0).any() or (frame["amount_c"] < 0).any():
        raise ValueError("rank_scale: volume_h and amount_c must not be negative")
    if scope and frame[scope].isna().any():
        label = _label(scope)
        problems = [
            Problem(f"客户 {cid} 的{label}为空", customer_id=str(cid))
            for cid in frame.loc[frame[scope].isna(), "customer_id"]
        ]
        raise DataError(
            f"按{label}排名时，有 {len(problems)} 户客户的{label}为空",
            problems,
            fix=f"请在客户信息表中补全{label}，或改为全市统一排名",
        )


def _scope_totals(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """R-SCALE clause 2: Σ volume_h and Σ amount_c of each row's scope; a zero total is an error."""
    totals = frame.groupby("scope", sort=True)[["volume_h", "amount_c"]].transform("sum")
    total_v = totals["volume_h"].to_numpy(dtype=np.int64)
    total_a = totals["amount_c"].to_numpy(dtype=np.int64)
    empty = frame.loc[(total_v == 0) | (total_a == 0), "scope"].unique().tolist()
    if empty:
        raise DataError(
            f"排名范围「{'、'.join(sorted(empty))}」本季度购进量或购进额合计为 0，无法计算规模占比",
            fix="请检查销售数据是否覆盖所选季度，以及销售数据与客户信息表的客户编码是否一致",
        )
    return total_v, total_a


def _exact_keys(
    volume_h: np.ndarray, amount_c: np.ndarray, total_v: np.ndarray, total_a: np.ndarray
) -> np.ndarray | list[int]:
    """R-SCALE: v·A + a·V per row, exactly proportional to the score: as int64 where no key can
    leave int64 (a city's figures), else as Python ints (exact at any size)."""
    if not len(volume_h):
        return []
    largest = int(volume_h.max()) * int(total_a.max()) + int(amount_c.max()) * int(total_v.max())
    if largest < 2**63:
        return volume_h * total_a + amount_c * total_v
    return [
        v * ta + a * tv
        for v, a, tv, ta in zip(
            volume_h.tolist(), amount_c.tolist(), total_v.tolist(), total_a.tolist()
        )
    ]


def _dense_rank(keys: np.ndarray | list[int]) -> np.ndarray:
    """Replace exact keys by small int64 ranks with the same order and the same ties."""
    if isinstance(keys, np.ndarray):
        return np.unique(keys, return_inverse=True)[1].astype(np.int64).reshape(-1)
    index = {key: i for i, key in enumerate(sorted(set(keys)))}
    return np.fromiter((index[k] for k in keys), dtype=np.int64, count=len(keys))


def _assign_scales(out: pd.DataFrame, shares: ScaleConfig) -> None:
    """R-SCALE clauses 3–4 on a frame sorted by scope, key desc: position, rank, n, scale."""
    by_scope = out.groupby("scope", sort=False)
    out["position"] = by_scope.cumcount().to_numpy(dtype=np.int64) + 1
    out["n"] = by_scope["customer_id"].transform("size").to_numpy(dtype=np.int64)
    by_tie = out.groupby(["scope", "_key"], sort=False)["position"]
    out["rank"] = by_tie.transform("min").to_numpy(dtype=np.int64)
    last = by_tie.transform("max").to_numpy(dtype=np.int64)
    cuts = {n: cut_counts(n, shares) for n in out["n"].unique().tolist()}
    n = out["n"].to_numpy(dtype=np.int64)
    n_big = np.array([cuts[k][0] for k in n.tolist()], dtype=np.int64)
    n_small = np.array([cuts[k][1] for k in n.tolist()], dtype=np.int64)
    out["scale"] = np.select([last <= n_big, last > n - n_small], ["大", "小"], default="中")


def _label(column: str) -> str:
    """The Chinese name of a canonical customer column, for messages."""
    return next((f.label for f in CUSTOMER_FIELDS if f.name == column), column)
