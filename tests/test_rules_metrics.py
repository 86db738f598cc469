"""R-ANA metrics (rules/metrics.py): hand-checked per-customer figures from order lines, and the
metrics monthly summaries cannot give left out with a warning, never zero."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cmtool.rules.metrics import customer_metrics, metric_key

MONTHS = ["2026-07", "2026-08"]


def _population() -> pd.DataFrame:
    return pd.DataFrame({"customer_id": ["A", "B", "C"], "volume_h": [1000, 300, 0], "amount_c": [150000, 30000, 0]})


def _monthly(orders: list[object]) -> pd.DataFrame:
    return pd.DataFrame({"customer_id": ["A", "A", "B"], "month": ["2026-07", "2026-08", "2026-08"],
                         "volume_h": [600, 400, 300], "amount_c": [90000, 60000, 30000],
                         "orders": pd.array(orders, dtype="Int64")})


def _detail(price_class: list[object], key_brand: list[object]) -> pd.DataFrame:
    return pd.DataFrame({
        "customer_id": ["A", "A", "A", "B"], "month": ["2026-07", "2026-07", "2026-08", "2026-08"],
        "sku": ["s1", "s2", "s1", "s3"], "sku_name": ["一", "二", "一", "三"],
        "price_class": price_class, "key_brand": pd.array(key_brand, dtype="boolean"),
        "volume_h": [400, 200, 400, 300], "amount_c": [80000, 10000, 60000, 30000],
    })


def test_r_ana_metrics_from_order_lines_hand_checked() -> None:
    got = customer_metrics(_population(), _monthly([2, 1, 3]), _detail(["一类", "四类", "一类", "二类"],
                                                                        [True, False, True, False]), MONTHS)
    f = got.frame.set_index("customer_id")
    assert got.warnings == ()
    assert got.available == ("volume", "amount", "unit_value", "sku_count", "premium_share", "key_brand_share", "orders")
    assert f.loc["A", ["volume", "amount", "unit_value"]].tolist() == [10.0, 1500.0, 150.0]
    assert f.loc["A", "sku_count"] == 2  # s1 in both months counts once
    assert f.loc["A", "premium_share"] == 0.8  # 一类 8 条 of 10
    assert f.loc["A", "key_brand_share"] == 0.8
    assert f.loc["A", "orders"] == 3
    assert f.loc["B", "premium_share"] == 1.0 and f.loc["B", "key_brand_share"] == 0.0
    # no purchases: volume 0, no 单条值, no shares, 0 SKUs and 0 orders (true figures, not fillers)
    assert f.loc["C", "volume"] == 0 and np.isnan(f.loc["C", "unit_value"])
    assert np.isnan(f.loc["C", "premium_share"]) and f.loc["C", "sku_count"] == 0 and f.loc["C", "orders"] == 0


def test_r_ana_share_over_the_volume_whose_class_is_known() -> None:
    got = customer_metrics(_population(), _monthly([1, 1, 1]), _detail(["一类", None, None, None],
                                                                        [None, None, None, None]), MONTHS)
    f = got.frame.set_index("customer_id")
    assert f.loc["A", "premium_share"] == 1.0  # 4 条 of the 4 with a 价类
    assert np.isnan(f.loc["B", "premium_share"])
    assert "key_brand_share" not in got.available
    assert any("是否重点品牌" in w for w in got.warnings)


def test_r_ana_monthly_summaries_leave_out_sku_metrics_with_warning() -> None:
    got = customer_metrics(_population(), _monthly([None, None, None]), None, MONTHS)
    assert got.available == ("volume", "amount", "unit_value")
    for column in ("sku_count", "premium_share", "key_brand_share", "orders"):
        assert column not in got.frame.columns  # absent, never zero
    assert len(got.warnings) == 4
    assert all("卷烟编码" in w for w in got.warnings if not w.startswith("订货次数"))
    assert any("订货次数" in w and "订单日期" in w for w in got.warnings)


def test_r_ana_sku_metrics_need_order_lines_for_every_month() -> None:
    partial = _detail(["一类"] * 4, [True] * 4).assign(month="2026-08")
    got = customer_metrics(_population(), _monthly([1, 1, 1]), partial, MONTHS)
    assert "sku_count" not in got.available
    assert any("2026-07" in w for w in got.warnings)


def test_metric_key_accepts_chinese_names() -> None:
    assert metric_key("单条值") == "unit_value"
    assert metric_key(" volume ") == "volume"
    assert metric_key("销量额") is None
