"""R-TOP5 5: the anomaly flags of the customers on the month's list, each with its figures in words.

Four rules, thresholds from config ([top5]): volume up more than `jump` on the month before;
volume above `wholesale_multiple` × the median of the list's customers of the same 市场类型 +
业态 (批发性质嫌疑); one SKU over `sku_share` of the month's volume; 单条值 more than
`unit_value_deviation` away from its class median. "More than" is strict: a figure exactly at
its threshold is not flagged. Comparisons are exact: volumes in hundredths of 条 and amounts in 分
are integers, thresholds are read as the decimals written in the config (Fraction(str(x))).
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction

import numpy as np
import pandas as pd

from cmtool.config import Top5Config

RULES: dict[str, str] = {
    "volume_jump": "销量突增",
    "wholesale_suspect": "批发性质嫌疑",
    "sku_concentration": "单品规集中",
    "unit_value_outlier": "单条值异常",
}
COLUMNS = ["customer_id", "rule", "detail"]
MAX_DECIMALS = 6


def _exact(threshold: float) -> Fraction:
    """A config threshold as the decimal the user wrote (0.3 is 3/10, not the nearest float)."""
    return Fraction(str(threshold))


def _tiao(volume_h: int | Fraction) -> str:
    return f"{float(volume_h) / 100:,.2f} 条"


def _yuan(unit_value: Fraction) -> str:
    return f"{float(unit_value):,.2f} 元/条"


def _beyond(value: Fraction, limit: Fraction, *, times: int = 100, suffix: str = "%", decimals: int = 1) -> str:
    """`value × times` with the fewest decimals (at least `decimals`) that show it differs from
    `limit × times`: 50.001 % over a 50 % limit reads 50.001 %, not 50.0 %."""
    for places in range(decimals, MAX_DECIMALS + 1):
        shown = f"{float(value * times):,.{places}f}"
        if shown != f"{float(limit * times):,.{places}f}":
            break
    return f"{shown}{suffix}"


def _limit(threshold: Fraction, *, times: int = 100, suffix: str = "%") -> str:
    return f"{float(threshold * times):g}{suffix}"


def _frame(rows: Iterable[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=COLUMNS)


def _median(values: list[int]) -> Fraction:
    """The exact median of whole numbers (the mean of the middle two for an even count)."""
    ordered = sorted(values)
    mid = len(ordered) // 2
    return Fraction(ordered[mid]) if len(ordered) % 2 else Fraction(ordered[mid - 1] + ordered[mid], 2)


def volume_jumps(members: pd.DataFrame, previous_h: pd.Series | None, jump: float) -> pd.DataFrame:
    """R-TOP5 5: volume up more than `jump` on the month before (volume_h > previous × (1 + jump)).

    `previous_h`: M−1 purchases in hundredths of 条 indexed by customer_id, or None when the sales
    data lacks M−1 (then nothing is checked). A customer that bought nothing in M−1 is flagged.
    """
    if previous_h is None:
        return _frame([])
    limit = _exact(jump)
    rows = []
    earlier = members["customer_id"].map(previous_h).fillna(0).astype("int64").tolist()
    for cid, volume, before in zip(members["customer_id"], members["volume_h"].tolist(), earlier):
        if before == 0:
            rows.append((cid, "volume_jump", f"上月没有购进，本月购进 {_tiao(volume)}，属销量突增。"))
        elif volume * limit.denominator > before * (limit.denominator + limit.numerator):  # volume/before > 1 + limit
            growth = _beyond(Fraction(volume - before, before), limit)
            said = (f"本月购进 {_tiao(volume)}，比上月 {_tiao(before)}增长 {growth}，"
                    f"增幅超过 {_limit(limit)}，属销量突增。")
            rows.append((cid, "volume_jump", said))
    return _frame(rows)


def wholesale_suspects(members: pd.DataFrame, multiple: float) -> pd.DataFrame:
    """R-TOP5 5: volume above `multiple` × the median volume of the list's customers of the same
    市场类型 + 业态 (the customer itself included): 批发性质嫌疑."""
    limit = _exact(multiple)
    rows = []
    for (market, fmt), group in members.groupby(["market", "format"], sort=False):
        volumes = group["volume_h"].tolist()
        median = _median(volumes)
        above = limit * median
        for cid, volume in zip(group["customer_id"], volumes):
            if median > 0 and volume > above:
                times = _beyond(Fraction(volume) / median, limit, times=1, suffix=" 倍", decimals=2)
                said = (f"本月购进 {_tiao(volume)}，是名单上{market}{fmt}客户（{len(group)} 户）购进量中位数"
                        f" {_tiao(median)}的 {times}，超过 {_limit(limit, times=1, suffix=' 倍')}，有批发性质嫌疑。")
                rows.append((cid, "wholesale_suspect", said))
    return _frame(rows)


def sku_concentrations(structure: pd.DataFrame | None, share: float) -> pd.DataFrame:
    """R-TOP5 5: one SKU over `share` of the customer's month volume (top_sku_h > share × total_h).

    `structure`: the members' rows of `rules.top5.structure`, or None without order lines (then
    nothing is checked).
    """
    if structure is None:
        return _frame([])
    limit = _exact(share)
    rows = []
    for r in structure.itertuples(index=False):
        top, total = int(r.top_sku_h), int(r.total_h)
        if total > 0 and Fraction(top, total) > limit:
            name = f"「{r.top_sku_name}」（{r.top_sku}）" if isinstance(r.top_sku_name, str) else f"「{r.top_sku}」"
            said = (f"单一规格{name}购进 {_tiao(top)}，占本月购进量 {_tiao(total)}的"
                    f" {_beyond(Fraction(top, total), limit)}，超过 {_limit(limit)}，属单品规集中。")
            rows.append((r.customer_id, "sku_concentration", said))
    return _frame(rows)


def peer_class(frame: pd.DataFrame) -> pd.Series:
    """R-TOP5 5: the class a customer's 单条值 is compared within: its 综合分类 (class_name) where
    known, else its 市场类型 + 业态 (marked so the two kinds never mix)."""
    fallback = "市场类型+业态：" + frame["market"].astype(str) + frame["format"].astype(str)
    return frame["class_name"].astype(object).where(frame["class_name"].notna(), fallback)


def _class_medians(peers: pd.DataFrame) -> dict[str, tuple[Fraction, int]]:
    """Median 单条值 and the number of buyers of each class; a buyer with a 综合分类 is in its class
    and in its 市场类型 + 业态 group. Buyers are ordered within each class by the float value (a
    stable sort of class numbers and values: fast on a city), and the median is then taken exactly
    from the one or two middle buyers."""
    buyers = peers[peers["volume_h"] > 0]
    classed = buyers["class_name"].notna().to_numpy()
    own, fallback = peer_class(buyers), peer_class(buyers.assign(class_name=None))
    keys = np.concatenate([own.to_numpy(dtype=object), fallback.to_numpy(dtype=object)[classed]])
    amount_c = buyers["amount_c"].to_numpy(dtype=np.int64)
    volume_h = buyers["volume_h"].to_numpy(dtype=np.int64)
    amount_c, volume_h = np.concatenate([amount_c, amount_c[classed]]), np.concatenate([volume_h, volume_h[classed]])
    codes, classes = pd.factorize(keys)
    order = np.lexsort((amount_c / volume_h, codes))
    sizes = np.bincount(codes, minlength=len(classes))
    starts = np.cumsum(sizes) - sizes
    medians = {}
    for key, start, size in zip(classes, starts.tolist(), sizes.tolist()):
        middle = order[[start + (size - 1) // 2, start + size // 2]]
        values = [Fraction(int(amount_c[i]), int(volume_h[i])) for i in middle]
        medians[key] = ((values[0] + values[1]) / 2, size)
    return medians


def _class_label(key: str) -> str:
    return key.removeprefix("市场类型+业态：")


def unit_value_outliers(members: pd.DataFrame, peers: pd.DataFrame, deviation: float) -> pd.DataFrame:
    """R-TOP5 5: 单条值 (amount / volume) more than `deviation` away from its class median.

    The class is `peer_class`; the median is over every active customer of that class that bought
    in the month (`peers`: customer_id, volume_h, amount_c, market, format, class_name).
    """
    limit = _exact(deviation)
    medians = _class_medians(peers)
    rows = []
    for cid, key, volume, amount in zip(members["customer_id"], peer_class(members),
                                        members["volume_h"].tolist(), members["amount_c"].tolist()):
        median, count = medians.get(key, (Fraction(0), 0))
        if volume == 0 or median == 0:
            continue
        # |amount/volume − median| / median > limit, in integers (the same exact test, without Fractions)
        m, d = median.numerator, median.denominator
        if abs(amount * d - m * volume) * limit.denominator > limit.numerator * volume * m:
            value = Fraction(amount, volume)
            away = abs(value - median) / median
            side = "高" if value > median else "低"
            said = (f"单条值 {_yuan(value)}，比同类（{_class_label(key)}，{count} 户）中位数 {_yuan(median)}"
                    f"{side} {_beyond(away, limit)}，偏离超过 {_limit(limit)}，属单条值异常。")
            rows.append((cid, "unit_value_outlier", said))
    return _frame(rows)


def find_anomalies(members: pd.DataFrame, *, previous_h: pd.Series | None, structure: pd.DataFrame | None,
                   peers: pd.DataFrame, config: Top5Config) -> pd.DataFrame:
    """R-TOP5 5: every flag of the list's `members` (customer_id, volume_h, amount_c, market,
    format, class_name), ordered like the list, then by rule (RULES order)."""
    found = pd.concat([
        volume_jumps(members, previous_h, config.jump),
        wholesale_suspects(members, config.wholesale_multiple),
        sku_concentrations(structure, config.sku_share),
        unit_value_outliers(members, peers, config.unit_value_deviation),
    ], ignore_index=True)
    order = {cid: i for i, cid in enumerate(members["customer_id"])}
    found = found[found["customer_id"].isin(order)]
    found = found.assign(_at=found["customer_id"].map(order), _rule=found["rule"].map(list(RULES).index))
    return found.sort_values(["_at", "_rule"], kind="stable", ignore_index=True)[COLUMNS]
