"""The sample customer master and each customer's hidden purchasing profile."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd

from cmtool.fields import FORMATS
from cmtool.periods import Month
from cmtool.samplegen import catalog

CUSTOMERS_PER_MANAGER = 230
CUSTOMERS_PER_DEPARTMENT = 500
MIN_DEPARTMENTS = 4
LEGACY_PREFIX = "0282"  # ids taken over from the former county company keep their leading zero
LEGACY_DEPARTMENT = "双流营销部"
STATUS_SHARES: dict[str, float] = {
    "正常": 0.925, "暂停": 0.055, "注销": 0.010, "歇业": 0.006, "停业": 0.004,
}
BIG_FORMATS = ("超市", "商场", "烟酒商店")
PRICE_SPREAD = 1.1  # width of a customer's spread over the five price classes


def make_customers(
    n: int, rng: np.random.Generator, months: tuple[Month, ...], as_of: date
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`n` customers: the master (canonical fields; scale, class and groups still empty) and
    the profile (base monthly volume, price-class mix, biweekly parity, active months)."""
    count = max(MIN_DEPARTMENTS, math.ceil(n / CUSTOMERS_PER_DEPARTMENT))
    departments = catalog.DEPARTMENTS[: min(len(catalog.DEPARTMENTS), count)]
    sizes = rng.multinomial(n, rng.dirichlet(np.full(len(departments), 30.0)))
    master = pd.concat(
        [_department_block(dep, int(size), rng) for dep, size in zip(departments, sizes)],
        ignore_index=True,
    )
    master["format"] = rng.choice(FORMATS, size=n, p=[catalog.FORMAT_SHARES[f] for f in FORMATS])
    urban = rng.random(n) < master["urban_share"].to_numpy()
    master["market"] = np.where(urban | (master["format"] == "商场").to_numpy(), "城镇", "乡村")
    master["name"] = _names(master, rng)
    master["address"] = _addresses(master, rng)
    master["status"] = rng.choice(list(STATUS_SHARES), size=n, p=list(STATUS_SHARES.values()))
    master["joined"] = _joined(n, rng, months[0].first_day, as_of)
    master["order_weekday"] = pd.array(rng.integers(1, 6, size=n), dtype="Int8")
    biweekly_odds = np.where(master["format"].isin(BIG_FORMATS), 0.05, 0.22)
    master["visit_cycle"] = np.where(rng.random(n) < biweekly_odds, "双周", "每周")
    prefixes = rng.choice(list("35789"), n)
    master["phone"] = [f"1{p}{d:09d}" for p, d in zip(prefixes, rng.integers(0, 10**9, n))]
    profile = _profile(master, rng, months, as_of)
    guess = profile["base"].to_numpy() * rng.uniform(0.8, 1.2, n)
    master["expected_monthly"] = np.maximum(10.0, np.round(guess, -1))
    master = master.drop(columns=["urban_share", "street_pool", "area"])
    order = np.argsort(master["customer_id"].to_numpy(), kind="stable")
    return master.iloc[order].reset_index(drop=True), profile.iloc[order].reset_index(drop=True)


def _department_block(
    dep: catalog.Department, size: int, rng: np.random.Generator
) -> pd.DataFrame:
    """The customers of one 营销部: ids, license numbers and managers (territories by id)."""
    seq = 100000 + np.cumsum(rng.integers(1, 4, size))
    ids = np.array([f"{dep.district}{s:06d}" for s in seq], dtype=object)
    if dep.name == LEGACY_DEPARTMENT and size:
        legacy = rng.choice(size, size=min(size, max(3, size // 100)), replace=False)
        ids[legacy] = [f"{LEGACY_PREFIX}{s:08d}" for s in seq[legacy]]
    licenses = rng.choice(900000, size=size, replace=False) + 100000
    managers = _manager_names(max(1, round(size / CUSTOMERS_PER_MANAGER)), rng)
    return pd.DataFrame(
        {
            "customer_id": ids,
            "license_no": [f"{dep.district}{x:06d}" for x in licenses],
            "department": dep.name,
            "manager": [managers[i * len(managers) // size] for i in range(size)],
            "area": dep.area,
            "urban_share": dep.urban_share,
            "street_pool": [dep.streets] * size,
        }
    )


def _manager_names(count: int, rng: np.random.Generator) -> list[str]:
    """`count` distinct Chinese personal names (names may repeat across departments)."""
    names: list[str] = []
    while len(names) < count:
        given = "".join(rng.choice(catalog.GIVEN_CHARS, size=int(rng.integers(1, 3))))
        name = str(rng.choice(catalog.SURNAMES)) + given
        if name not in names:
            names.append(name)
    return names


def _names(master: pd.DataFrame, rng: np.random.Generator, tricky: bool = True) -> list[str]:
    """Shop names from the templates of each 业态, plus (`tricky`) the two deliberately tricky ones."""
    n = len(master)
    pick = {key: rng.integers(0, 10**6, n) for key in "tspwckm"}
    names = []
    for i, (fmt, streets) in enumerate(zip(master["format"], master["street_pool"])):
        templates = catalog.NAME_TEMPLATES[fmt]
        names.append(
            templates[pick["t"][i] % len(templates)].format(
                s=catalog.SURNAMES[pick["s"][i] % len(catalog.SURNAMES)],
                p=streets[pick["p"][i] % len(streets)],
                w=catalog.SHOP_WORDS[pick["w"][i] % len(catalog.SHOP_WORDS)],
                c=catalog.CHAINS[pick["c"][i] % len(catalog.CHAINS)],
                k=catalog.SUPERMARKETS[pick["k"][i] % len(catalog.SUPERMARKETS)],
                m=catalog.MALLS[pick["m"][i] % len(catalog.MALLS)],
            )
        )
    if tricky:
        slots = rng.choice(n, size=len(catalog.TRICKY_NAMES), replace=False)
        for slot, name in zip(slots, catalog.TRICKY_NAMES):
            names[slot] = name
    return names


def _addresses(master: pd.DataFrame, rng: np.random.Generator) -> list[str]:
    """经营地址: street and number in town, village group in the countryside."""
    n = len(master)
    street_pick = rng.integers(0, 10**6, n)
    number = rng.integers(1, 400, n)
    group = rng.integers(1, 12, n)
    village = rng.choice(catalog.SHOP_WORDS, n)
    out = []
    columns = zip(master["area"], master["street_pool"], master["market"])
    for i, (area, streets, market) in enumerate(columns):
        street = streets[street_pick[i] % len(streets)]
        if market == "城镇":
            out.append(f"{area}{street}{number[i]}号")
        else:
            town = street if street.endswith(("镇", "乡")) else f"{street}镇"
            out.append(f"{area}{town}{village[i]}村{group[i]}组{number[i]}号")
    return out


def _joined(n: int, rng: np.random.Generator, window_start: date, as_of: date) -> pd.Series:
    """入网日期: most customers years ago, about 7 % during the sample's months."""
    old_start = np.datetime64("2003-01-01")
    start, end = np.datetime64(window_start), np.datetime64(as_of)
    recent = rng.random(n) < 0.07
    old_days = rng.integers(0, int((start - old_start).astype(int)), n)
    new_days = rng.integers(0, int((end - start).astype(int)) + 1, n)
    days = np.where(recent, start + new_days, old_start + old_days)
    return pd.Series(days.astype("datetime64[s]"))


def _profile(
    master: pd.DataFrame, rng: np.random.Generator, months: tuple[Month, ...], as_of: date
) -> pd.DataFrame:
    """Hidden purchasing behaviour: base volume (条/月), price-class mix, order parity, the
    first month with purchases (joined) and the first month without: closed customers stopped
    by `as_of`, suspended ones within the last six months."""
    n = len(master)
    fmt = master["format"].to_numpy()
    rural = (master["market"] == "乡村").to_numpy()
    median = np.array([catalog.FORMAT_MEDIAN_VOLUME[f] for f in fmt])
    median = median * np.where(rural, catalog.RURAL_FACTOR, 1.0)
    base = np.clip(median * rng.lognormal(0.0, 0.75, n), 2, 3000)
    tilt = np.array([catalog.FORMAT_PRICE_TILT[f] for f in fmt]) + rural * catalog.RURAL_PRICE_SHIFT
    tilt = np.clip(tilt + rng.normal(0, 0.5, n), -0.5, 4.5)
    keys = [m.key for m in months]
    joined_month = master["joined"].dt.strftime("%Y-%m").to_numpy()
    start = np.searchsorted(keys, joined_month)
    status = master["status"].to_numpy()
    closed_by = keys.index(Month(as_of.year, as_of.month).key) + 1
    closed = rng.integers(start + 1, np.maximum(start + 1, closed_by) + 1)
    paused = rng.integers(np.maximum(start + 1, len(months) - 6), len(months) + 1)
    stop = np.select([status == "暂停", status != "正常"], [paused, closed], len(months))
    profile = pd.DataFrame(
        {
            "base": base,
            "trend": rng.normal(0, 0.008, n),
            "parity": rng.integers(0, 2, n),
            "start": start,
            "prorate": joined_month >= keys[0],
            "stop": np.maximum(stop, start),
            "favourite": -1,
            "scenario": "",
        }
    )
    classes = np.arange(5)
    weights = np.exp(-((classes[None, :] - tilt[:, None]) ** 2) / (2 * PRICE_SPREAD**2))
    for k, label in enumerate(catalog.PRICE_CLASSES):
        profile[f"p_{label}"] = weights[:, k] / weights.sum(axis=1)
    return profile


NEWCOMERS_PER_CUSTOMER = 1 / 250  # customers joining after the last month, for group-init
MIN_NEWCOMERS = 3  # the big one, the one without 月预计销量, and an ordinary one
BIG_NEWCOMER_FORMATS = ("超市", "烟酒商店")
BIG_NEWCOMER_VOLUMES = (850, 1200)  # 月预计销量 of the big newcomer: above the 按需供货 entry volume


def make_newcomers(
    master: pd.DataFrame, rng: np.random.Generator, days: list[date]
) -> pd.DataFrame:
    """Customers that joined on `days` (after every month with purchases): next 客户编码 of their
    营销部, its last manager, 正常, 订货日, 访销周期 and 月预计销量, but no scale, class or groups
    yet (R-GROUP-NEW: group-init). The first has a 月预计销量 above the 按需供货 entry volume,
    the second none at all. Rows in joining order."""
    count = max(MIN_NEWCOMERS, round(len(master) * NEWCOMERS_PER_CUSTOMER))
    by_name = {d.name: d for d in catalog.DEPARTMENTS}
    names = sorted(master["department"].unique(), key=list(by_name).index)
    deps = [by_name[d] for d in rng.choice(names, size=count)]
    ids, managers = [], []
    taken = set(master["customer_id"])
    for dep in deps:
        own = master.loc[master["customer_id"].str.startswith(dep.district), ["customer_id", "manager"]]
        last = int(max(own["customer_id"]).removeprefix(dep.district))
        seq = max([last, *(int(c.removeprefix(dep.district)) for c in ids if c.startswith(dep.district))])
        ids.append(f"{dep.district}{seq + int(rng.integers(1, 4)):06d}")
        managers.append(own.sort_values("customer_id")["manager"].iloc[-1])
    licenses = set(master["license_no"])
    license_no = []
    for dep in deps:
        while (number := f"{dep.district}{int(rng.integers(100000, 1000000)):06d}") in licenses:
            pass
        licenses.add(number)
        license_no.append(number)
    assert not taken & set(ids)
    fmt = rng.choice(FORMATS, size=count, p=[catalog.FORMAT_SHARES[f] for f in FORMATS])
    fmt[0] = rng.choice(BIG_NEWCOMER_FORMATS)
    new = pd.DataFrame(
        {
            "customer_id": ids, "license_no": license_no, "department": [d.name for d in deps],
            "manager": managers, "format": fmt, "area": [d.area for d in deps],
            "urban_share": [d.urban_share for d in deps], "street_pool": [d.streets for d in deps],
        }
    )
    urban = rng.random(count) < new["urban_share"].to_numpy()
    new["market"] = np.where(urban | (new["format"] == "商场").to_numpy() | (np.arange(count) == 0), "城镇", "乡村")
    new["name"] = _names(new, rng, tricky=False)
    new["address"] = _addresses(new, rng)
    new["status"] = "正常"
    new["joined"] = pd.Series(np.array(sorted(rng.choice(days, size=count)), dtype="datetime64[s]"))
    new["order_weekday"] = pd.array(rng.integers(1, 6, size=count), dtype="Int8")
    biweekly_odds = np.where(new["format"].isin(BIG_FORMATS), 0.05, 0.22)
    new["visit_cycle"] = np.where(rng.random(count) < biweekly_odds, "双周", "每周")
    prefixes = rng.choice(list("35789"), count)
    new["phone"] = [f"1{p}{d:09d}" for p, d in zip(prefixes, rng.integers(0, 10**9, count))]
    median = np.array([catalog.FORMAT_MEDIAN_VOLUME[f] for f in new["format"]])
    median = median * np.where(new["market"] == "乡村", catalog.RURAL_FACTOR, 1.0)
    expected = np.maximum(10.0, np.round(median * rng.lognormal(0.0, 0.5, count), -1))
    expected[0] = float(rng.integers(*BIG_NEWCOMER_VOLUMES) // 10 * 10)
    expected[1] = np.nan
    new["expected_monthly"] = expected
    return new.drop(columns=["urban_share", "street_pool", "area"])
