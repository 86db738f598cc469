"""io/dense_ids (issue 13): numeric codes are looked up as numbers, the others by a dict; every
code gets the id of its first appearance, as a plain dict would give it."""

from __future__ import annotations

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from cmtool.io.dense_ids import DenseIds

codes = st.one_of(st.from_regex(r"[0-9]{1,20}", fullmatch=True), st.from_regex(r"[0-9A-Z\-]{1,6}", fullmatch=True),
                  st.sampled_from(["0", "00", "007", "7", "0007", "99999999999999999", "１２３", "٣"]))
batches = st.lists(st.lists(codes, unique=True, max_size=30), max_size=8)


@settings(deadline=None)
@given(batches)
def test_ids_are_those_of_first_appearance(given_batches: list[list[str]]) -> None:
    ids, expected = DenseIds(), {}
    for batch in given_batches:
        got = ids.of(pa.array(batch, pa.string())).tolist()
        assert got == [expected.setdefault(code, len(expected)) for code in batch]
    assert ids.codes.tolist() == list(expected) and len(ids) == len(expected)


def test_leading_zeros_and_long_codes_are_kept_apart() -> None:
    ids = DenseIds()
    assert ids.of(pa.array(["7", "07", "007", "123456789012345678"])).tolist() == [0, 1, 2, 3]
    assert ids.of(pa.array(["007", "X7", "7", "123456789012345678"])).tolist() == [2, 4, 0, 3]
