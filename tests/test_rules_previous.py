"""R-STAT: where the previous quarter's classes come from."""

import pandas as pd

from cmtool.config import CodesConfig
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
