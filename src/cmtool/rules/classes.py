"""R-CLASS: the 42 综合分类 (市场类型 + 业态 + 规模), their codes, and the change against last quarter."""

from __future__ import annotations

import unicodedata
from itertools import product

import numpy as np
import pandas as pd

from cmtool.config import CodesConfig
from cmtool.errors import ConfigError
from cmtool.fields import (
    FORMAT_SYNONYMS,
    FORMATS,
    MARKET_SYNONYMS,
    MARKETS,
    SCALE_SYNONYMS,
    SCALES,
)

CHANGES: tuple[str, ...] = ("新增", "上调", "下调", "调整", "不变")
_PARTS: tuple[tuple[str, str, str], ...] = tuple(product(MARKETS, FORMATS, SCALES))
_SCALE_ORDER = {scale: i for i, scale in enumerate(SCALES)}  # 大 = 0: a smaller number is higher


def class_name(market: str, format: str, scale: str) -> str:
    """R-CLASS: the 综合分类 name, e.g. 城镇食杂店大."""
    return f"{market}{format}{scale}"


def class_code(market: str, format: str, scale: str, codes: CodesConfig) -> str:
    """R-CLASS: the class code from the configured letters, e.g. CZ1."""
    return f"{codes.markets[market]}{codes.formats[format]}{codes.scales[scale]}"


def all_class_names() -> list[str]:
    """R-CLASS: the 42 names in canonical order: 城镇 then 乡村, 业态 in FORMATS order, 大/中/小."""
    return [class_name(*parts) for parts in _PARTS]


def parse_class_name(text: object, codes: CodesConfig | None = None) -> tuple[str, str, str] | None:
    """R-CLASS: (market, format, scale) of a 综合分类 as written in a customer master, or None.

    Accepts the canonical name and names written with the R-CLASS synonyms of each part (e.g.
    农网烟酒店小户), after removing spaces and folding full-width characters; with `codes`, also
    the class code (e.g. CZ1). Anything else is None: the caller reports it, it is never guessed.
    """
    if not isinstance(text, str):
        return None
    clean = "".join(unicodedata.normalize("NFKC", text).split())
    if codes is not None and (parsed := _parse_code(clean.upper(), codes)):
        return parsed
    for market_word, market in _spellings(MARKETS, MARKET_SYNONYMS):
        if not clean.startswith(market_word):
            continue
        for scale_word, scale in _spellings(SCALES, SCALE_SYNONYMS):
            middle = clean[len(market_word) : len(clean) - len(scale_word)]
            if clean.endswith(scale_word) and (format := _format_of(middle)):
                return market, format, scale
    return None


def change_label(
    prev_market: object,
    prev_format: object,
    prev_scale: object,
    market: str,
    format: str,
    scale: str,
) -> str:
    """R-CLASS/R-STAT: 新增, 上调, 下调, 调整 or 不变 against the previous quarter's class.

    No previous scale is 新增. A scale move is 上调/下调 whatever else changed. With the same
    scale, a changed 业态 or 市场类型 is 调整; a missing previous 业态/市场类型 (only 经营规模
    known) counts as unchanged.
    """
    if pd.isna(prev_scale):
        return "新增"
    if prev_scale != scale:
        return "上调" if _SCALE_ORDER[scale] < _SCALE_ORDER[str(prev_scale)] else "下调"
    pairs = ((prev_market, market), (prev_format, format))
    moved = any(not pd.isna(before) and before != now for before, now in pairs)
    return "调整" if moved else "不变"


_PART_COLUMNS = ["market", "format", "scale", "previous_market", "previous_format", "previous_scale"]


def add_classes(frame: pd.DataFrame, codes: CodesConfig) -> pd.DataFrame:
    """R-CLASS: a copy of `frame` with class_name, class_code, previous_class and change.

    `frame` has market, format, scale (canonical values) and previous_market, previous_format,
    previous_scale (canonical or NA). previous_class is the previous 综合分类 name when all three
    previous parts are known, else NA. A city has tens of thousands of customers but a few
    hundred combinations of the six parts: each combination is worked out once.
    """
    combinations, index = _combinations(frame[_PART_COLUMNS])
    _check_values(combinations)
    check_codes(codes)
    classes = _classes(combinations, codes)
    out = frame.copy()
    for column in classes.columns:
        out[column] = pd.Series(classes[column].array.take(index), index=out.index)
    return out


def _combinations(parts: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """The distinct rows of `parts` (NA a value like any other), and each row's position in them."""
    index = parts.groupby(list(parts.columns), dropna=False, sort=False).ngroup().to_numpy()
    _, first = np.unique(index, return_index=True)
    return parts.iloc[first].reset_index(drop=True), index


def _classes(parts: pd.DataFrame, codes: CodesConfig) -> pd.DataFrame:
    """class_name, class_code, previous_class and change of each row of the six parts."""
    out = pd.DataFrame(index=parts.index)
    out["class_name"] = parts["market"] + parts["format"] + parts["scale"]
    out["class_code"] = (
        parts["market"].map(codes.markets) + parts["format"].map(codes.formats) + parts["scale"].map(codes.scales)
    )
    previous = parts[["previous_market", "previous_format", "previous_scale"]]
    known = previous.notna().all(axis=1)
    out["previous_class"] = (
        previous["previous_market"] + previous["previous_format"] + previous["previous_scale"]
    ).where(known)
    out["change"] = _changes(parts)
    return out


def _changes(frame: pd.DataFrame) -> np.ndarray:
    """R-CLASS: change_label over a whole frame."""
    now = frame["scale"].map(_SCALE_ORDER).to_numpy(dtype=float)
    before = frame["previous_scale"].map(_SCALE_ORDER).to_numpy(dtype=float)
    moved = np.zeros(len(frame), dtype=bool)
    for prev, cur in (("previous_market", "market"), ("previous_format", "format")):
        moved |= (frame[prev].astype(object).fillna(frame[cur]) != frame[cur]).to_numpy(dtype=bool)
    return np.select(
        [np.isnan(before), now < before, now > before, moved],
        ["新增", "上调", "下调", "调整"],
        default="不变",
    )


def _check_values(frame: pd.DataFrame) -> None:
    """Refuse non-canonical values: loaders map synonyms before rules run."""
    for part, values in (("market", MARKETS), ("format", FORMATS), ("scale", SCALES)):
        current = frame[part]
        previous = frame[f"previous_{part}"].dropna()
        bad = set(current.tolist()) - set(values) | set(previous.tolist()) - set(values)
        if bad:
            raise ValueError(f"add_classes: non-canonical {part} values {sorted(map(str, bad))}")


def check_codes(codes: CodesConfig) -> None:
    """R-CLASS: every 市场类型, 业态 and 规模 needs a letter, and the 42 codes must differ."""
    parts = ((MARKETS, codes.markets), (FORMATS, codes.formats), (SCALES, codes.scales))
    missing = [value for values, letters in parts for value in values if value not in letters]
    if missing:
        raise ConfigError(
            f"配置 [codes] 缺少以下取值的代码：{'、'.join(missing)}",
            fix="请在 [codes] 中为每个市场类型、业态、经营规模都写上代码，或删去 [codes] 使用默认代码",
        )
    all_codes = [class_code(*parts, codes) for parts in _PARTS]
    if len(set(all_codes)) != len(all_codes):
        raise ConfigError(
            "配置 [codes] 的代码会使不同的综合分类得到相同的分类代码",
            fix="请为各市场类型、业态、经营规模分别使用互不相同的代码",
        )


def _spellings(
    canonical: tuple[str, ...], synonyms: dict[str, tuple[str, ...]]
) -> list[tuple[str, str]]:
    """Every accepted spelling with its canonical value, longest first."""
    pairs = [(word, value) for value in canonical for word in (value, *synonyms[value])]
    return sorted(pairs, key=lambda pair: -len(pair[0]))


def _format_of(word: str) -> str | None:
    """The canonical 业态 of an exact spelling, else None."""
    return dict(_spellings(FORMATS, FORMAT_SYNONYMS)).get(word)


def _parse_code(text: str, codes: CodesConfig) -> tuple[str, str, str] | None:
    """The (market, format, scale) of a class code such as CZ1, else None."""
    check_codes(codes)
    return next((parts for parts in _PARTS if text == class_code(*parts, codes).upper()), None)
