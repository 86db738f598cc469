"""io/digit_codes (issue 13): whether a batch's codes are all digits, and their numeric keys, read
from the bytes, agree with the text of every code."""

from __future__ import annotations

import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from cmtool.io.digit_codes import MAX_DIGITS, all_digits, digit_keys

texts = st.one_of(st.from_regex(r"[0-9]{1,20}", fullmatch=True), st.text(max_size=4),
                  st.sampled_from(["", " 7", "7 ", "１２", "٣", "0", "007", "/", ":"]))


@given(st.lists(st.one_of(texts, st.none()), max_size=20), st.booleans(), st.integers(0, 3))
def test_all_digits_is_what_the_texts_say(values, large, skip):
    array = pa.array(values, pa.large_string() if large else pa.string()).slice(min(skip, len(values)))
    kept = values[min(skip, len(values)):]
    expected = bool(kept) and all(v is not None and v != "" and all("0" <= c <= "9" for c in v) for v in kept)
    assert all_digits(array) is expected


@given(st.integers(1, 20).flatmap(lambda n: st.lists(st.from_regex(rf"[0-9]{{{n}}}", fullmatch=True), min_size=1)),
       st.integers(0, 2))
def test_keys_of_codes_of_one_length_are_value_and_length(codes, skip):
    array = pa.array(["x"] * skip + codes).slice(skip)
    keys = digit_keys(array)
    if len(codes[0]) > MAX_DIGITS:
        assert keys is None
    else:
        assert keys.tolist() == [int(c) * 32 + len(c) for c in codes]


def test_codes_of_mixed_lengths_or_not_digits_have_no_keys_from_the_bytes():
    assert digit_keys(pa.array(["007", "7"])) is None
    assert digit_keys(pa.array(["007", "A07"])) is None
    assert digit_keys(pa.array(["007", None])) is None
    assert digit_keys(pa.array([], pa.string())) is None
