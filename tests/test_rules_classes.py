"""R-CLASS: 综合分类 names, codes, parsing, and the change against last quarter (rules/classes.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cmtool.config import CodesConfig
from cmtool.errors import ConfigError
from cmtool.fields import FORMATS, MARKETS, SCALES
from cmtool.rules.classes import (
    CHANGES,
    add_classes,
    all_class_names,
    change_label,
    check_codes,
    class_code,
    class_name,
    parse_class_name,
)


def test_r_class_42_unique_names_in_canonical_order():
    """R-CLASS: 2 × 7 × 3 = 42 names, 城镇 first, 业态 in FORMATS order, 大/中/小."""
    names = all_class_names()
    assert len(names) == 42 == len(set(names))
    assert names[:4] == ["城镇食杂店大", "城镇食杂店中", "城镇食杂店小", "城镇便利店大"]
    assert names[20] == "城镇其他小" and names[21] == "乡村食杂店大"
    assert names[-1] == "乡村其他小"


def test_r_class_name_and_default_code():
    """R-CLASS: 城镇食杂店大 / CZ1, 乡村娱乐服务类小 / XF3."""
    codes = CodesConfig()
    assert class_name("城镇", "食杂店", "大") == "城镇食杂店大"
    assert class_code("城镇", "食杂店", "大", codes) == "CZ1"
    assert class_code("乡村", "娱乐服务类", "小", codes) == "XF3"
    all_codes = [class_code(m, f, s, codes) for m in MARKETS for f in FORMATS for s in SCALES]
    assert len(set(all_codes)) == 42


def test_r_class_codes_come_from_config():
    """R-CLASS: a config may rename the letters."""
    codes = CodesConfig(markets={"城镇": "U", "乡村": "R"}, scales={"大": "A", "中": "B", "小": "C"})
    assert class_code("乡村", "超市", "中", codes) == "RSB"


def test_r_class_incomplete_or_ambiguous_codes_are_config_errors():
    """R-CLASS: every value needs a letter, and no two classes may share a code."""
    with pytest.raises(ConfigError, match="乡村"):
        check_codes(CodesConfig(markets={"城镇": "C"}))
    with pytest.raises(ConfigError):
        check_codes(CodesConfig(scales={"大": "1", "中": "1", "小": "3"}))
    check_codes(CodesConfig())


@pytest.mark.parametrize("name", all_class_names())
def test_r_class_parse_every_canonical_name(name):
    """R-CLASS: each of the 42 canonical names parses back to its parts."""
    parsed = parse_class_name(name)
    assert parsed is not None and class_name(*parsed) == name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("农网烟酒店小户", ("乡村", "烟酒商店", "小")),
        ("城网食杂大户", ("城镇", "食杂店", "大")),
        ("城镇超市规模中", ("城镇", "超市", "中")),
        ("农村大型超市大", ("乡村", "超市", "大")),
        ("城区其它中", ("城镇", "其他", "中")),
        ("　城镇 便利店 大 ", ("城镇", "便利店", "大")),
        ("乡村娱乐服务类中户", ("乡村", "娱乐服务类", "中")),
    ],
)
def test_r_class_parse_synonyms_and_spacing(text, expected):
    """R-CLASS: synonyms of each part, spaces and full-width spaces are accepted."""
    assert parse_class_name(text) == expected


@pytest.mark.parametrize(
    "text", ["", "城镇批发部大", "城镇食杂店", "食杂店大", "城镇食杂店特大", "大城镇食杂店", None,
             float("nan"), "CZ1"],
)
def test_r_class_parse_refuses_anything_else(text):
    """R-CLASS: not parseable → None (never guessed); codes only when codes are given."""
    assert parse_class_name(text) is None


def test_r_class_parse_codes_when_given():
    """R-CLASS: with the code letters, a code such as CZ1 (any case, full width) is accepted."""
    codes = CodesConfig()
    assert parse_class_name("CZ1", codes) == ("城镇", "食杂店", "大")
    assert parse_class_name("ｘｑ３", codes) == ("乡村", "其他", "小")
    assert parse_class_name("CZ9", codes) is None
    assert parse_class_name("城镇超市中", codes) == ("城镇", "超市", "中")


@pytest.mark.parametrize(
    ("previous", "current", "expected"),
    [
        ((None, None, None), ("城镇", "食杂店", "大"), "新增"),
        ((pd.NA, pd.NA, pd.NA), ("城镇", "食杂店", "大"), "新增"),
        (("城镇", "食杂店", "小"), ("城镇", "食杂店", "中"), "上调"),
        (("城镇", "食杂店", "中"), ("城镇", "食杂店", "大"), "上调"),
        (("城镇", "食杂店", "小"), ("城镇", "食杂店", "大"), "上调"),
        (("城镇", "食杂店", "大"), ("城镇", "食杂店", "小"), "下调"),
        (("城镇", "食杂店", "大"), ("城镇", "食杂店", "中"), "下调"),
        (("城镇", "食杂店", "中"), ("城镇", "食杂店", "小"), "下调"),
        (("城镇", "食杂店", "小"), ("乡村", "超市", "中"), "上调"),
        (("城镇", "食杂店", "中"), ("城镇", "便利店", "中"), "调整"),
        (("城镇", "食杂店", "中"), ("乡村", "食杂店", "中"), "调整"),
        (("城镇", "食杂店", "中"), ("城镇", "食杂店", "中"), "不变"),
        ((None, None, "中"), ("城镇", "食杂店", "中"), "不变"),
        ((None, None, "中"), ("城镇", "食杂店", "大"), "上调"),
    ],
)
def test_r_class_change_label(previous, current, expected):
    """R-CLASS change: 新增, 上调, 下调, 调整, 不变 (only 经营规模 known counts as same 业态/市场类型)."""
    assert change_label(*previous, *current) == expected
    assert expected in CHANGES


def test_r_class_add_classes_matches_change_label_row_by_row():
    """R-CLASS: the vectorised add_classes agrees with change_label and names the classes."""
    rows = [
        ("001", "城镇", "食杂店", "大", None, None, None),
        ("002", "城镇", "食杂店", "中", "城镇", "食杂店", "小"),
        ("003", "乡村", "超市", "小", "乡村", "超市", "大"),
        ("004", "乡村", "超市", "中", "城镇", "超市", "中"),
        ("005", "城镇", "其他", "中", "城镇", "其他", "中"),
        ("006", "城镇", "商场", "大", None, None, "大"),
        ("007", "城镇", "商场", "大", None, "便利店", "大"),
    ]
    columns = ["customer_id", "market", "format", "scale",
               "previous_market", "previous_format", "previous_scale"]
    frame = pd.DataFrame(rows, columns=columns)
    out = add_classes(frame, CodesConfig())
    assert out["class_name"].tolist()[:2] == ["城镇食杂店大", "城镇食杂店中"]
    assert out["class_code"].tolist() == ["CZ1", "CZ2", "XS3", "XS2", "CQ2", "CM1", "CM1"]
    assert out["change"].tolist() == ["新增", "上调", "下调", "调整", "不变", "不变", "调整"]
    assert out["change"].tolist() == [change_label(*r[4:], *r[1:4]) for r in rows]
    assert out["previous_class"].isna().tolist() == [True, False, False, False, False, True, True]
    assert out["previous_class"].iloc[1] == "城镇食杂店小"
    assert list(frame.columns) == columns  # the input is not modified


_part = st.tuples(st.sampled_from(MARKETS), st.sampled_from(FORMATS), st.sampled_from(SCALES))
_previous_part = st.tuples(*(st.one_of(st.none(), st.sampled_from(v)) for v in (MARKETS, FORMATS, SCALES)))


@settings(deadline=None, max_examples=60)
@given(rows=st.lists(st.tuples(_part, _previous_part), max_size=60), seed=st.integers(0, 2**32 - 1))
def test_r_class_add_classes_is_change_label_of_each_row_in_any_order(rows, seed):
    """R-CLASS, property: every row gets its own name, code, previous class and change_label,
    whatever the other rows are and in whatever order they come (the parts are worked out once
    per combination)."""
    columns = ["market", "format", "scale", "previous_market", "previous_format", "previous_scale"]
    frame = pd.DataFrame([(*now, *before) for now, before in rows], columns=columns, dtype="str")
    frame = frame.where(frame.notna(), None).assign(customer_id=[f"{i:04d}" for i in range(len(rows))])
    out = add_classes(frame, CodesConfig())
    codes = CodesConfig()
    assert len(out) == len(rows)
    for (now, before), got in zip(rows, out.itertuples()):
        assert got.class_name == class_name(*now) and got.class_code == class_code(*now, codes)
        assert got.change == change_label(*before, *now)
        assert (got.previous_class == class_name(*before)) if None not in before else pd.isna(got.previous_class)
    order = np.random.default_rng(seed).permutation(len(rows))
    shuffled = add_classes(frame.iloc[order], codes)
    pd.testing.assert_frame_equal(shuffled, out.iloc[order])


def test_r_class_add_classes_refuses_non_canonical_values():
    """R-CLASS: loaders map synonyms; a rule that sees 城网 has been called wrongly."""
    frame = pd.DataFrame({"market": ["城网"], "format": ["食杂店"], "scale": ["大"],
                          "previous_market": [None], "previous_format": [None],
                          "previous_scale": [None]})
    with pytest.raises(ValueError, match="market"):
        add_classes(frame, CodesConfig())
