"""R-STAT: where the previous quarter's classes come from."""

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from cmtool.config import CodesConfig
from cmtool.rules.classes import parse_class_name
from cmtool.rules.previous import previous_from_ledger, previous_from_master


def _master(class_names, scales):
    n = len(class_names)
    return pd.DataFrame({
        "customer_id": [f"00{i}" for i in range(n)], "source_row": list(range(4, 4 + n)),
        "market": ["城镇"] * n, "format": ["便利店"] * n, "class_name": class_names, "scale": scales,
    })


def test_r_stat_previous_from_master_class_name_scale_or_nothing():
    master = _master(["乡村食杂店大", "x Z 2", None, None, "农网烟酒店小户"], ["小", None, "中", None, None])
    prev = previous_from_master(master, CodesConfig())
    rows = prev.frame.astype(object).where(prev.frame.notna(), None).values.tolist()
    assert rows == [
        ["000", "乡村", "食杂店", "大"],  # the 综合分类 wins over 经营规模
        ["001", "乡村", "食杂店", "中"],  # a class code with spaces
        ["002", "城镇", "便利店", "中"],  # only 经营规模: current 市场类型 and 业态
        ["003", None, None, None],  # nothing: 新增
        ["004", "乡村", "烟酒商店", "小"],  # synonyms
    ]
    assert prev.unreadable.empty


def test_r_stat_unreadable_class_is_reported_not_guessed():
    prev = previous_from_master(_master(["城镇食杂店特大", "城镇食杂店大"], [None, None]), CodesConfig())
    assert prev.unreadable.to_dict("records") == [{"source_row": 4, "customer_id": "000", "class_name": "城镇食杂店特大"}]
    assert prev.frame["previous_scale"].isna().tolist() == [True, False]


def test_r_stat_previous_from_ledger():
    recorded = pd.DataFrame({"customer_id": ["1"], "market": ["乡村"], "format": ["超市"], "scale": ["小"],
                             "class_name": ["乡村超市小"]})
    assert previous_from_ledger(recorded).frame.values.tolist() == [["1", "乡村", "超市", "小"]]


_written = st.one_of(st.none(), st.sampled_from(["乡村食杂店大", "城镇超市中", "CZ1", "x Z 2", "农网烟酒店小户", "不知道", ""]))


@settings(deadline=None, max_examples=80)
@given(rows=st.lists(st.tuples(_written, st.one_of(st.none(), st.sampled_from(["大", "中", "小"])),
                               st.sampled_from(["城镇", "乡村"])), max_size=25), dtype=st.sampled_from(["str", object]))
def test_r_stat_previous_from_master_is_each_rows_own_reading(rows, dtype):
    """R-STAT, property: each customer's previous class is its own 综合分类 read by
    parse_class_name, else its 经营规模 with the current 市场类型 and 业态, else nothing; an
    unreadable 综合分类 is reported, never guessed; whatever the other rows hold."""
    master = pd.DataFrame({
        "customer_id": [f"{i:03d}" for i in range(len(rows))], "source_row": list(range(4, 4 + len(rows))),
        "market": pd.Series([m for _, _, m in rows], dtype=dtype), "format": pd.Series(["便利店"] * len(rows), dtype=dtype),
        "class_name": pd.Series([c for c, _, _ in rows], dtype=dtype), "scale": pd.Series([s for _, s, _ in rows], dtype=dtype),
    })
    prev = previous_from_master(master, CodesConfig())
    got = prev.frame.astype(object).where(prev.frame.notna(), None).values.tolist()
    expected, bad = [], []
    for i, (written, scale, market) in enumerate(rows):
        parts = parse_class_name(written, CodesConfig()) if written is not None else None
        if written is not None and parts is None:
            bad.append(f"{i:03d}")
        if written is None and scale is not None:
            parts = (market, "便利店", scale)
        expected.append([f"{i:03d}", *(parts or (None, None, None))])
    assert got == expected
    assert prev.unreadable["customer_id"].tolist() == bad
