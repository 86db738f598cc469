"""Write a Company as the files users get from V3 and colleagues, quirks included (data.md)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from cmtool.periods import Month
from cmtool.samplegen import catalog, texts
from cmtool.samplegen.company import Company
from cmtool.samplegen.decisions import DECISION_HEADERS, decisions_frame
from cmtool.samplegen.excel import Cell, write_xlsx
from cmtool.samplegen.summaries import summary_style, write_summary

MASTER_HEADERS: dict[str, str] = {
    "customer_id": "客户编码", "name": "客户名称", "license_no": "许可证号", "format": "经营业态",
    "market": "市场类型", "department": "营销部", "manager": "客户经理", "status": "客户状态",
    "scale": "经营规模", "class_name": "综合分类", "group": "客户组别", "quota_group": "定量组别",
    "joined": "入网日期", "order_weekday": "订货日", "visit_cycle": "访销周期",
    "expected_monthly": "月预计销量", "phone": "订货电话", "address": "经营地址",
    "visit_frequency": "拜访周期", "visit_weekday": "拜访日", "visit_mode": "拜访方式", "route": "送货线路",
    "route_order": "线路顺序",
}
ORDER_HEADERS: dict[str, str] = {
    "customer_id": "客户编码", "date": "订单日期", "sku": "卷烟编码", "sku_name": "卷烟名称",
    "price_class": "价类", "key_brand": "是否重点品牌", "volume": "购进量", "amount_c": "购进额",
    "demand": "需求量",
}
BREACH_HEADERS = ("客户编码", "客户名称", "日期", "违约类型", "说明")
WEEKDAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
SYNONYM_SHARE = 0.03  # of the master's rows spelled the V3 way (城网, 烟酒店, …)
STRANGERS = 2  # customers in one order-line file that are not in the master
GBK_ORDER_FILE = 1  # index among the order-line months of the GBK file


def write_company(company: Company, out_dir: Path) -> list[Path]:
    """Write the sample into `out_dir`; returns the files written, README.txt last."""
    sales = out_dir / "sales"
    sales.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng([company.seed, 99])
    written = [(write_master(company, out_dir / "客户信息.xlsx", rng), "")]
    summaries = company.summary_months
    for i, month in enumerate(summaries):
        written.append(write_summary(company, month, sales, summary_style(i, len(summaries)), rng))
    for i, month in enumerate(company.order_months):
        written.append(_write_orders(company, month, sales, i, rng))
    written.append((_write_breaches(company, out_dir), ""))
    written.append((_write_decisions(company, out_dir), ""))
    config = out_dir / "cmtool.toml"
    config.write_text(texts.CONFIG_TOML, encoding="utf-8")
    written.append((config, ""))
    readme = out_dir / "README.txt"
    listing = [(path.relative_to(out_dir), note) for path, note in written]
    readme.write_text(texts.readme(company, listing), encoding="utf-8")
    return [path for path, _ in written] + [readme]


def _write_breaches(company: Company, out_dir: Path) -> Path:
    """诚信经营违约记录_<M>.xlsx: one row per breach record of the last month."""
    path = out_dir / f"诚信经营违约记录_{company.months[-1].key}.xlsx"
    frame = company.breaches.assign(date=company.breaches["date"].dt.date)
    rows = frame[["customer_id", "name", "date", "breach_type", "detail"]].values.tolist()
    write_xlsx(path, "违约记录", BREACH_HEADERS, rows, text_columns=(0,))
    return path


def _write_decisions(company: Company, out_dir: Path) -> Path:
    """管理小组审议决定_<M>.xlsx: the meeting's decisions on the last month's breach records."""
    month = company.months[-1]
    path = out_dir / f"管理小组审议决定_{month.key}.xlsx"
    frame = decisions_frame(company.breaches, company.customers.set_index("customer_id")["group"], month)
    rows = [[None if pd.isna(v) else v for v in r] for r in frame.itertuples(index=False)]
    titles = (f"{month.label}客户动态管理小组审议决定",)
    write_xlsx(path, "审议决定", DECISION_HEADERS, rows, titles=titles, text_columns=(0,))
    return path


def master_frame(customers: pd.DataFrame) -> pd.DataFrame:
    """The master as V3 shows it: Chinese headers, 订货日 as 周一…, 入网日期 without a time."""
    out = customers[list(MASTER_HEADERS)].copy()
    for weekday in ("order_weekday", "visit_weekday"):
        out[weekday] = out[weekday].astype(object).map(lambda d: WEEKDAY_NAMES[d - 1], na_action="ignore")
    out["joined"] = out["joined"].dt.date
    return out.rename(columns=MASTER_HEADERS)


def write_master(company: Company, path: Path, rng: np.random.Generator) -> Path:
    """客户信息.xlsx: merged title row, export-time row, 客户编码 as text, a few V3 spellings,
    one blank row in the middle and a trailing 合计 row."""
    frame = master_frame(_respell(company.customers, company.newcomers, rng))
    rows: list[list[Cell]] = [
        [None if pd.isna(v) else v for v in record] for record in frame.itertuples(index=False)
    ]
    total: list[Cell] = [None] * len(frame.columns)
    total[0], total[1] = "合计", f"共 {len(rows)} 户"
    total[frame.columns.get_loc("月预计销量")] = float(frame["月预计销量"].sum())
    rows = [*rows[: len(rows) // 2], [None] * len(frame.columns), *rows[len(rows) // 2 :], total]
    titles = ("客户信息查询", f"导出时间：{company.exported.isoformat()} 17:45")
    text_columns = [frame.columns.get_loc(h) for h in ("客户编码", "许可证号", "订货电话")]
    write_xlsx(path, "客户信息", list(frame.columns), rows, titles=titles, text_columns=text_columns)
    return path


def _respell(master: pd.DataFrame, newcomers: pd.Index, rng: np.random.Generator) -> pd.DataFrame:
    """A few values as V3 or colleagues spell them, and two with stray spaces; the newcomers' rows
    (entered just now) as they are."""
    out = master.drop(index=newcomers)
    for field, spellings in catalog.VALUE_SYNONYMS.items():
        picked = (rng.random(len(out)) < SYNONYM_SHARE) & out[field].isin(list(spellings)).to_numpy()
        out.loc[picked, field] = out.loc[picked, field].map(spellings)
    spaced = rng.choice(len(out), size=2, replace=False)
    out.loc[out.index[spaced], "format"] = " " + out.loc[out.index[spaced], "format"] + " "
    return pd.concat([out, master.loc[newcomers]]).sort_index()


def _write_orders(
    company: Company, month: Month, folder: Path, index: int, rng: np.random.Generator
) -> tuple[Path, str]:
    """One month of order lines; the second file is GBK and holds customers not in the master."""
    lines = company.order_lines(month)
    note = "UTF-8（带 BOM）"
    if index == GBK_ORDER_FILE:
        lines = _add_strangers(lines, rng)
        note = f"GBK 编码；含 {STRANGERS} 户客户信息表里没有的客户"
    path = folder / f"订单明细_{month.key}.csv"
    write_order_lines(lines, path, "gbk" if index == GBK_ORDER_FILE else "utf-8-sig")
    return path, note


def _add_strangers(lines: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Copy the lines of a few orders under customer ids that are not in the master."""
    known = list(lines["customer_id"].cat.categories)
    district = known[-1][:6]
    strangers = [f"{district}9{n:05d}" for n in rng.choice(10**5, size=STRANGERS, replace=False)]
    donors = rng.choice(lines["customer_id"].cat.codes.unique(), size=STRANGERS, replace=False)
    copies = []
    for stranger, donor in zip(strangers, donors):
        copy = lines[lines["customer_id"].cat.codes == donor].copy()
        copy["customer_id"] = stranger
        copies.append(copy)
    out = pd.concat([lines.astype({"customer_id": str}), *copies], ignore_index=True)
    out["customer_id"] = out["customer_id"].astype("category")
    return out.sort_values(["date", "customer_id"], kind="stable").reset_index(drop=True)


def write_order_lines(
    lines: pd.DataFrame, path: Path, encoding: str = "utf-8-sig",
    headers: dict[str, str] | None = None,
) -> None:
    """Order lines as CSV (fast, via Arrow): amounts with two decimals, 是/否 for key brands,
    dates as 2026-07-06. `encoding` is utf-8, utf-8-sig (with BOM) or gbk."""
    headers = headers or ORDER_HEADERS
    table = pa.table({label: _arrow(lines[field], field) for field, label in headers.items()})
    options = pacsv.WriteOptions(include_header=False, quoting_style="none")
    header = ",".join(headers.values()) + "\n"
    if encoding == "gbk":
        buffer = io.BytesIO()
        pacsv.write_csv(table, buffer, options)
        path.write_bytes((header + buffer.getvalue().decode("utf-8")).encode("gbk"))
        return
    with path.open("wb") as out:
        out.write((("\ufeff" if encoding == "utf-8-sig" else "") + header).encode("utf-8"))
        pacsv.write_csv(table, out, options)


def _arrow(column: pd.Series, field: str) -> pa.Array:
    """A frame column as the Arrow array the CSV shows."""
    if field == "amount_c":
        cents = np.zeros((len(column), 2), dtype=np.int64)
        cents[:, 0] = column.to_numpy(dtype=np.int64)
        return pa.Array.from_buffers(pa.decimal128(18, 2), len(column), [None, pa.py_buffer(cents)])
    if field == "date":
        return pa.array(column.to_numpy().astype("datetime64[D]"))
    if field == "key_brand":
        flags = pa.array(column.to_numpy().astype(np.int8))
        return pa.DictionaryArray.from_arrays(flags, pa.array(["否", "是"]))
    if isinstance(column.dtype, pd.CategoricalDtype):
        labels = pa.array(column.cat.categories.astype(str).to_numpy())
        return pa.DictionaryArray.from_arrays(pa.array(column.cat.codes.to_numpy()), labels)
    return pa.array(column.to_numpy())
