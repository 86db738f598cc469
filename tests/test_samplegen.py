"""The sample generator: deterministic, every file readable, the quirks of data.md present."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from cli_support import SAMPLE, cmtool
from cmtool.config import Config, load_config
from cmtool.periods import Month
from cmtool.samplegen import generate_company, write_company
from cmtool.samplegen.quotas import QUOTA_DOWN, QUOTA_UP
from cmtool.samplegen.scenarios import NEWCOMER, band_of
from cmtool.samplegen.summaries import summary_style
from cmtool.samplegen.writers import MASTER_HEADERS

N = 300
NEWCOMERS = 3  # at least 3: the big one, the one without 月预计销量, an ordinary one (8 at 2,000)
SEED = 11
ALL_MONTHS = [Month(2025, 10).shift(i).key for i in range(13)]
QUARTER = ALL_MONTHS[-4:-1]  # 2026Q3, the last complete quarter


@pytest.fixture(scope="module")
def company():
    return generate_company(N, seed=SEED)


@pytest.fixture(scope="module")
def sample(company, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    write_company(company, out)
    return out


def _grid(path: Path) -> pd.DataFrame:
    """A sheet as the user sees it: no header, everything as text."""
    return pd.read_excel(path, engine="calamine", header=None, dtype=str)


def _month_key(value: object) -> str:
    """'2026-01', 202601, '202601', '2026年1月' or a date → '2026-01'."""
    if isinstance(value, (datetime, pd.Timestamp)):
        return f"{value.year:04d}-{value.month:02d}"
    text = str(value).removesuffix(".0")
    if "年" in text:
        year, month = text.rstrip("月").split("年")
        return f"{int(year):04d}-{int(month):02d}"
    if "-" in text:
        return text[:7]
    return f"{text[:4]}-{text[4:6]}"


def _sales_rows(path: Path) -> pd.DataFrame:
    """customer_id and month of every data row of a sales file."""
    if path.name.startswith("订单明细"):
        raw = path.read_bytes()
        encoding = "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "gbk"
        frame = pd.read_csv(path, encoding=encoding, dtype=str)
        return pd.DataFrame({"customer_id": frame["客户编码"], "month": frame["订单日期"].str[:7]})
    if path.suffix == ".csv":
        frame = pd.read_csv(path, encoding="gbk", dtype=str)
    else:
        grid = pd.read_excel(path, engine="calamine", header=None)
        top = grid.index[grid[0].isin(["客户编码", "零售户编码"])][0]
        frame = grid.iloc[top + 1 :].set_axis(grid.iloc[top], axis=1)
        frame = frame[frame.iloc[:, 0] != "合计"]
    code = frame.iloc[:, 0].map(lambda v: str(v).removesuffix(".0"))
    month = next(c for c in frame.columns if c in ("月份", "年月", "统计月份"))
    return pd.DataFrame({"customer_id": code, "month": frame[month].map(_month_key)})


def test_same_seed_same_company_and_bytes(company, sample, tmp_path):
    again = generate_company(N, seed=SEED)
    pd.testing.assert_frame_equal(company.customers, again.customers)
    assert np.array_equal(company.volumes, again.volumes)
    write_company(again, tmp_path)
    for path in sample.rglob("*"):
        if path.is_file():
            assert path.read_bytes() == (tmp_path / path.relative_to(sample)).read_bytes(), path.name
    other = generate_company(N, seed=SEED + 1)
    assert not np.array_equal(company.volumes, other.volumes)


def test_layout_and_formats(company, sample):
    summaries = company.summary_months
    expected = {"客户信息.xlsx", f"诚信经营违约记录_{ALL_MONTHS[-1]}.xlsx", f"管理小组审议决定_{ALL_MONTHS[-1]}.xlsx",
                "cmtool.toml", "README.txt"}
    expected |= {
        f"sales/销售汇总_{m.key}.{summary_style(i, len(summaries)).ext}" for i, m in enumerate(summaries)
    }
    expected |= {f"sales/订单明细_{m.key}.csv" for m in company.order_months}
    found = {p.relative_to(sample).as_posix() for p in sample.rglob("*") if p.is_file()}
    assert found == expected
    extensions = [p.suffix for p in (sample / "sales").glob("销售汇总_*")]
    assert extensions.count(".xls") == 2 and extensions.count(".csv") == 1


def test_master_has_title_rows_blank_row_and_total(sample):
    grid = _grid(sample / "客户信息.xlsx")
    assert grid.iat[0, 0] == "客户信息查询"
    assert grid.iat[1, 0].startswith("导出时间：")
    assert grid.iloc[2].tolist() == list(MASTER_HEADERS.values())
    assert grid.iloc[3:-1].isna().all(axis=1).sum() == 1
    assert grid.iat[-1, 0] == "合计"
    assert len(grid) == 3 + N + NEWCOMERS + 2
    assert grid.iat[1, 0] == "导出时间：2026-11-20 17:45"  # after the newcomers joined
    sheet = openpyxl.load_workbook(sample / "客户信息.xlsx").active
    assert "A1:W1" in {str(r) for r in sheet.merged_cells.ranges}  # 23 columns: the visit fields at the end


def test_ids_keep_leading_zeros_everywhere(sample):
    grid = _grid(sample / "客户信息.xlsx")
    ids = grid.iloc[3:-1, 0].dropna()
    assert ids.str.fullmatch(r"\d{12}").all()
    legacy = set(ids[ids.str.startswith("0")])
    assert len(legacy) >= 3
    ordered = pd.concat(_sales_rows(p) for p in (sample / "sales").glob("订单明细_*.csv"))
    assert legacy & set(ordered["customer_id"])


def test_tricky_names_are_text_not_formulas(sample):
    sheet = openpyxl.load_workbook(sample / "客户信息.xlsx").active
    names = {c.value: c.data_type for c in sheet["B"]}
    assert names["=一号店"] == "s"
    assert "<b>旺旺</b>便利店" in names


def test_gbk_files_are_gbk_not_utf8(sample):
    gbk = [p for p in (sample / "sales").glob("*.csv") if not p.read_bytes().startswith(b"\xef\xbb\xbf")]
    assert {p.name.split("_")[0] for p in gbk} == {"销售汇总", "订单明细"}
    for path in gbk:
        raw = path.read_bytes()
        assert "客户编码" in raw.decode("gbk")
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")


def test_xls_files_are_biff8_with_numeric_codes(sample):
    xls = sorted((sample / "sales").glob("*.xls"))
    assert len(xls) == 2
    for path in xls:
        assert path.read_bytes()[:4] == b"\xd0\xcf\x11\xe0"
    grid = pd.read_excel(xls[0], engine="calamine", header=None)
    codes = grid.iloc[1:, 0]
    assert any(not isinstance(v, str) for v in codes)
    assert all(v.startswith("0") for v in codes if isinstance(v, str))


def test_titled_summary_has_title_export_time_and_total(company, sample):
    last = company.summary_months[-1]
    grid = pd.read_excel(sample / "sales" / f"销售汇总_{last.key}.xlsx", engine="calamine", header=None)
    assert grid.iat[0, 0] == "销售汇总查询"
    assert grid.iat[1, 0] == f"导出时间：{last.next().key}-02 09:13"
    assert grid.iat[-1, 0] == "合计"
    volume = grid.iloc[2].tolist().index("购进量")
    assert grid.iat[-1, volume] == grid.iloc[3:-1, volume].astype(float).sum()


def test_months_covered_once_and_no_customer_month_overlap(company, sample):
    seen: dict[tuple[str, str], str] = {}
    months: list[str] = []
    for path in sorted((sample / "sales").iterdir()):
        rows = _sales_rows(path)
        file_months = rows["month"].unique().tolist()
        assert file_months == [path.stem.split("_")[1]]
        months += file_months
        for key in set(zip(rows["customer_id"], rows["month"])):
            assert key not in seen, f"{key} 同时出现在 {seen[key]} 和 {path.name}"
            seen[key] = path.name
    assert sorted(months) == ALL_MONTHS


def test_order_lines_add_up_to_the_volumes(company):
    for month in company.order_months:
        lines = company.order_lines(month)
        total = lines.groupby("customer_id", observed=False)["volume"].sum()
        assert np.array_equal(total.to_numpy(), company.volumes[:, company.months.index(month)])
        per_order = lines.groupby(["customer_id", "date"], observed=True)
        assert not lines.duplicated(["customer_id", "date", "sku"]).any()
        assert per_order.ngroups > 0
        assert (lines["amount_c"] % lines["volume"] == 0).all()


def test_config_file_states_the_defaults(sample):
    """Every default is written out; only [plan] standard is the sample company's own: the six
    services of 第二章 一(四)2 (R-PLAN 2)."""
    config = load_config(sample / "cmtool.toml")
    assert config.model_copy(update={"plan": Config().plan}) == Config()
    assert [s.action for s in config.plan.standard] == [
        "规范陈列", "盘点库存和价格采集", "指导经营", "传递营销活动信息", "推介适销品牌", "新品牌推荐和促销"]


def test_planted_group_changes(company):
    bands = Config().groups.bands
    last3 = company.volumes[:, -3:]
    for i in company.profile.index[company.profile["scenario"] == "持续增长"]:
        band = next(b for b in bands if b.name == company.customers.at[i, "group"])
        assert (last3[i] >= band.max).all()
    for i in company.profile.index[company.profile["scenario"] == "持续下降"]:
        band = next(b for b in bands if b.name == company.customers.at[i, "group"])
        assert (last3[i] < band.min).all()
    for i in company.profile.index[company.profile["scenario"] == "月销量突增"]:
        assert company.volumes[i, -1] > 1.5 * company.volumes[i, -2]


def test_breach_records_include_an_unknown_type(company, sample):
    path = sample / f"诚信经营违约记录_{ALL_MONTHS[-1]}.xlsx"
    records = pd.read_excel(path, engine="calamine", dtype={"客户编码": str})
    assert "未按规定明码标价" in set(records["违约类型"])
    assert records["日期"].dt.strftime("%Y-%m").eq(ALL_MONTHS[-1]).all()
    assert set(records["客户编码"]) <= set(company.customers["customer_id"])


def test_realistic_mix():
    master = generate_company(2000, seed=3).customers
    formats = master["format"].value_counts(normalize=True)
    assert 0.48 < formats["食杂店"] < 0.62 and 0.10 < formats["便利店"] < 0.20
    assert 0.52 < (master["market"] == "城镇").mean() < 0.70
    assert master.groupby("manager")["department"].nunique().eq(1).all()
    assert 8 <= master["manager"].nunique() <= 10
    assert 0.01 < master["status"].isin(["注销", "歇业", "停业"]).mean() < 0.04
    assert master["scale"].value_counts()["大"] == master["scale"].value_counts()["小"]


def test_band_of_is_lower_inclusive():
    bands = Config().groups.bands
    assert [band_of(v, bands) for v in (0, 39.9, 40, 200, 399, 400, 5000)] == [
        "五组", "五组", "四组", "二组", "二组", "一组", "一组",
    ]


def _per_order(company, months: list[str]) -> tuple[pd.Series, pd.Series]:
    """Volume and distinct order dates per customer over `months`, from the order lines, as
    R-QUOTA counts them (every customer of the master, 0 without orders)."""
    lines = pd.concat(company.order_lines(Month.parse(m)) for m in months)
    ids = company.customers["customer_id"]
    volume = lines.groupby("customer_id", observed=False)["volume"].sum().reindex(ids, fill_value=0)
    orders = lines.drop_duplicates(["customer_id", "date"]).groupby("customer_id", observed=False).size()
    return volume, orders.reindex(ids, fill_value=0)


def _quota_limits(company) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bound of each customer's 定量组别 (NaN without one)."""
    bands = {b.name: (b.min, np.inf if b.max is None else b.max) for b in Config().quota.bands}
    limits = [bands.get(g, (np.nan, np.nan)) for g in company.customers["quota_group"].fillna("")]
    return np.array([lo for lo, _ in limits]), np.array([hi for _, hi in limits])


def test_quota_groups_are_those_of_the_last_quarter_orders(company):
    volume, orders = _per_order(company, QUARTER)
    scenario = company.profile["scenario"].to_numpy()
    bought = (orders > 0).to_numpy()
    ideal = np.array([band_of(v / o, Config().quota.bands) if o else None for v, o in zip(volume, orders)])
    quota = company.customers["quota_group"].to_numpy()
    planted = np.isin(scenario, [QUOTA_UP, QUOTA_DOWN])
    assert bought.sum() > 0.9 * N
    assert (quota[bought & ~planted] == ideal[bought & ~planted]).all()
    assert planted.sum() >= 3 and (quota[planted] != ideal[planted]).all()
    assert company.customers.loc[scenario != NEWCOMER, "quota_group"].notna().all()


def test_only_planted_customers_move_quota_groups(company):
    """R-QUOTA-ADJUST over the last 2 months: every month above the band (or every one below)
    only for planted customers; the quota movers in the planted direction."""
    per_order = [(v / o.where(o > 0)).to_numpy() for v, o in (_per_order(company, [m]) for m in ALL_MONTHS[-2:])]
    per_order = np.column_stack(per_order)
    lower, upper = _quota_limits(company)
    up = (per_order >= upper[:, None]).all(axis=1)
    down = (per_order < lower[:, None]).all(axis=1)
    scenario = company.profile["scenario"].to_numpy()
    ordinary = (scenario == "") & (company.customers["status"] == "正常").to_numpy()
    assert not (ordinary & (up | down)).any()
    assert up[scenario == QUOTA_UP].all() and down[scenario == QUOTA_DOWN].all()


def test_newcomers_have_no_groups_and_no_purchases(company, sample):
    new = company.newcomers
    assert len(new) == NEWCOMERS and len(company.customers) == N + NEWCOMERS
    rows = company.customers.loc[new]
    assert (rows["joined"] > pd.Timestamp(Month.parse(ALL_MONTHS[-1]).last_day)).all()
    assert (rows["joined"] < pd.Timestamp("2026-11-20")).all()
    assert (rows["status"] == "正常").all() and rows["visit_cycle"].notna().all()
    assert rows[["group", "quota_group", "scale", "class_name"]].isna().all().all()
    assert (company.volumes[new] == 0).all()
    expected = rows["expected_monthly"]
    assert expected.isna().sum() == 1 and expected.max() >= Config().groups.on_demand_entry
    assert company.customers["customer_id"].is_unique and company.customers["customer_id"].is_monotonic_increasing
    readme = (sample / "README.txt").read_text(encoding="utf-8")
    assert all(cid in readme for cid in rows["customer_id"])


@pytest.fixture(scope="module")
def full_sample():
    """The sample_data company (2,000 customers, seed 2026): sample_data must be what it generates."""
    return generate_company(2000, seed=2026)


def test_sample_data_group_commands_find_only_the_planted_customers(full_sample, tmp_path):
    profile, ids = full_sample.profile, full_sample.customers["customer_id"]
    planted = {d: set(ids[profile["scenario"] == label]) for d, label in (("上调", QUOTA_UP), ("下调", QUOTA_DOWN))}
    new = full_sample.customers.loc[full_sample.newcomers]
    blank = set(new.loc[new["expected_monthly"].isna(), "customer_id"])
    big = new.loc[new["expected_monthly"].idxmax(), "customer_id"]

    init = cmtool("group-init", "--customers", SAMPLE / "客户信息.xlsx", "--date", "2026-11-23",
                  "--out", tmp_path, "--json", cwd=tmp_path)
    assert init.code == 0, init.stderr
    assigned = {a["customer_id"]: a for a in init.json["assignments"]}
    assert set(assigned) == set(new["customer_id"]) - blank and len(assigned) == 7
    assert (assigned[big]["group"], assigned[big]["quota_group"]) == ("一组", "定量一组")
    assert {u["customer_id"] for u in init.json["unassigned"]} == blank

    review = cmtool("quota-review", "--quarter", "2026Q3", "--customers", SAMPLE / "客户信息.xlsx",
                    "--sales", SAMPLE / "sales", "--out", tmp_path, "--json", cwd=tmp_path)
    assert review.code == 0, review.stderr
    found = {d: {c["customer_id"] for c in review.json["changes"] if c["direction"] == d} for d in planted}
    assert found == planted and len(planted["上调"]) == 3 and len(planted["下调"]) == 2

    adjust = cmtool("--db", tmp_path / "cmtool.db", "group-adjust", "--month", "2026-10", "--kind", "quota",
                    "--customers", SAMPLE / "客户信息.xlsx", "--sales", SAMPLE / "sales", "--out", tmp_path,
                    "--json", cwd=tmp_path)
    assert adjust.code == 0, adjust.stderr
    moved = profile.loc[ids.isin({p["customer_id"] for p in adjust.json["proposals"]}), "scenario"]
    assert set(moved) <= {QUOTA_UP, QUOTA_DOWN, "持续增长", "持续下降", "调入按需供货", "调出按需供货",
                          "新入网高销量", "月销量突增"}  # none whose volumes were not moved on purpose
    for direction, customers in planted.items():
        assert customers <= {p["customer_id"] for p in adjust.json["proposals"] if p["direction"] == direction}
