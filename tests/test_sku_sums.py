"""io/sku_sums (issue 13): the sums per (customer, month, SKU) kept in parts and folded in
without a sort of the whole are exactly the sums of the lines, however often they are merged."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cmtool.io import sku_sums
from cmtool.io.sku_sums import SkuSums, _fold

keysets = st.lists(st.integers(0, 10**6), unique=True).map(sorted)


@given(old=keysets, new=keysets)
def test_fold_adds_what_is_there_and_inserts_the_rest_in_order(old, new):
    sums = (np.array(old, np.int64), np.array(old, np.int64) * 2, np.ones(len(old), np.int64))
    got = _fold(sums, np.array(new, np.int64), np.array(new, np.int64) * 3, np.full(len(new), 5, np.int64))
    expected = pd.concat([pd.DataFrame({"k": old, "v": [2 * k for k in old], "a": 1}),
                          pd.DataFrame({"k": new, "v": [3 * k for k in new], "a": 5})]).groupby("k").sum()
    assert got[0].tolist() == expected.index.tolist()
    assert got[1].tolist() == expected["v"].tolist() and got[2].tolist() == expected["a"].tolist()


def _lines(rng: np.random.Generator, n: int) -> tuple[pa.Table, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    skus = rng.integers(0, 30, n)
    part = pa.table({"sku": pa.array([f"69{s:03d}" for s in skus], pa.string()),
                     "sku_name": pa.array([f"品规{s}" for s in skus], pa.string()),
                     "price_class": pa.array(["一类"] * n, pa.string()), "key_brand": pa.array([True] * n, pa.bool_())})
    return part, rng.integers(0, 200, n), 680 + rng.integers(0, 2, n), rng.integers(0, 10**6, n), rng.integers(0, 10**9, n)


@settings(deadline=None, max_examples=25)
@given(seed=st.integers(0, 10**6), batches=st.integers(1, 12), merge_at=st.sampled_from([1, 50, 10**9]))
def test_sums_do_not_depend_on_when_they_are_merged(seed, batches, merge_at):
    rng = np.random.default_rng(seed)
    data = [_lines(rng, int(rng.integers(0, 300))) for _ in range(batches)]
    codes = np.array([f"{i:05d}" for i in range(200)], dtype=object)
    tables = []
    for limit in (merge_at, 10**9):
        with pytest.MonkeyPatch.context() as m:
            m.setattr(sku_sums, "_MERGE_AT", limit)
            sums = SkuSums()
            for part, ids, months, volume, amount in data:
                sums.add(part, ids, months, volume, amount)
            tables.append(sums.detail(codes).table())
    assert tables[0].equals(tables[1])
    assert tables[0]["volume_h"].to_numpy().sum() == sum(int(d[3].sum()) for d in data)
    assert tables[0].num_rows == len({(i, m, s) for d in data for i, m, s in zip(d[1], d[2], d[0]["sku"].to_pylist())})


@settings(deadline=None, max_examples=25)
@given(seed=st.integers(0, 10**6), batches=st.integers(1, 8), merge_at=st.sampled_from([1, 120, 10**9]),
       chosen=st.sets(st.integers(0, 199), max_size=40))
def test_the_rows_of_some_customers_are_theirs_of_the_whole(seed, batches, merge_at, chosen):
    """Lines still pending at the end stay loose and are summed with the merged ones only for
    the customers asked for: the same rows as the whole table has for them."""
    rng = np.random.default_rng(seed)
    data = [_lines(rng, int(rng.integers(0, 300))) for _ in range(batches)]
    codes = np.array([f"{i:05d}" for i in range(200)], dtype=object)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(sku_sums, "_MERGE_AT", merge_at)
        sums = SkuSums()
        for part, ids, months, volume, amount in data:
            sums.add(part, ids, months, volume, amount)
        detail = sums.detail(codes)
    wanted = {codes[i] for i in chosen}
    whole = detail.table().to_pandas()
    some = detail.table(wanted).to_pandas()
    expected = whole[whole["customer_id"].isin(wanted)].reset_index(drop=True)
    pd.testing.assert_frame_equal(some, expected)
    assert not some.duplicated(["customer_id", "month", "sku"]).any()
