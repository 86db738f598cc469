"""R-SCALE clause 1: the population of a quarter."""

from datetime import date

import pandas as pd

from cmtool.rules.population import quarter_population


QUARTER = ["2026-07", "2026-08", "2026-09"]
END = date(2026, 9, 30)


def _customers(joined=(None, None, None, None)):
    return pd.DataFrame({
        "customer_id": ["001", "002", "003", "004"],
        "active": [True, True, True, False],
        "joined": pd.to_datetime(list(joined)),
    })


def _monthly(rows):
    return pd.DataFrame(rows, columns=["customer_id", "month", "volume_h", "amount_c"]).astype(
        {"volume_h": "int64", "amount_c": "int64"})


def test_r_scale_population_includes_zero_buyers_and_sums_the_quarter():
    monthly = _monthly([
        ("001", "2026-07", 100, 1000), ("001", "2026-08", 250, 2550), ("002", "2026-09", 5, 50),
        ("001", "2026-06", 999, 999),  # outside the quarter
    ])
    pop = quarter_population(_customers(), monthly, QUARTER, END)
    got = pop.frame.set_index("customer_id")[["volume_h", "amount_c"]].to_dict("index")
    assert got == {"001": {"volume_h": 350, "amount_c": 3550}, "002": {"volume_h": 5, "amount_c": 50},
                   "003": {"volume_h": 0, "amount_c": 0}}
    assert pop.frame["volume_h"].dtype == "int64"
    assert pop.unknown.empty and pop.inactive_buyers == 0


def test_r_scale_unknown_and_inactive_buyers_are_left_out():
    monthly = _monthly([("009", "2026-07", 10, 100), ("004", "2026-07", 10, 100), ("008", "2026-08", 1, 1),
                        ("009", "2026-08", 5, 5)])
    pop = quarter_population(_customers(), monthly, QUARTER, END)
    assert set(pop.frame["customer_id"]) == {"001", "002", "003"}
    assert pop.unknown.to_dict("records") == [
        {"customer_id": "008", "volume_h": 1, "amount_c": 1}, {"customer_id": "009", "volume_h": 15, "amount_c": 105}]
    assert pop.inactive_buyers == 1


def test_r_scale_customers_who_joined_after_the_quarter_end_are_not_ranked():
    customers = _customers(joined=("2020-01-01", "2026-09-30", "2026-10-08", None))
    monthly = _monthly([("003", "2026-09", 10, 100)])
    pop = quarter_population(customers, monthly, QUARTER, END)
    assert pop.frame["customer_id"].tolist() == ["001", "002"]  # joined on the last day still counts
    assert pop.late_buyers["customer_id"].tolist() == ["003"]
    assert pop.unknown.empty


def test_r_scale_population_with_chosen_master_columns_is_the_same_rows():
    """issue 13: `columns` keeps the master columns a ranking needs; rows and sums do not change."""
    customers = _customers(joined=(None, "2026-10-01", None, None)).assign(name=["甲", "乙", "丙", "丁"],
                                                                             address=["a", "b", "c", "d"])
    monthly = _monthly([("001", "2026-07", 100, 1000), ("003", "2026-08", 7, 70), ("009", "2026-08", 1, 1)])
    whole = quarter_population(customers, monthly, QUARTER, END)
    slim = quarter_population(customers, monthly, QUARTER, END, ["customer_id", "name"])
    assert list(slim.frame.columns) == ["customer_id", "name", "volume_h", "amount_c"]
    assert slim.frame.equals(whole.frame[list(slim.frame.columns)])
    assert slim.unknown.equals(whole.unknown) and slim.late_buyers.equals(whole.late_buyers)
