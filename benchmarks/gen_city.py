"""Generate the benchmark city: a customer master and one quarter (2026Q3) of order lines.

60,000 customers give about 10 million order lines (~450 MB of UTF-8 CSV, one file a month),
generated with cmtool.samplegen (vectorised numpy) and written through Arrow. The result is cached
in benchmarks/data/city_<N>/ and reused while its stamp matches.

    python benchmarks/gen_city.py [--customers 60000] [--data-dir benchmarks/data] [--force]
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from cmtool.samplegen import generate_company
from cmtool.samplegen.writers import master_frame, write_order_lines

SEED = 2026
END_MONTH = "2026-09"  # the quarter's last month: order lines for 2026Q3 only
QUARTER = "2026Q3"
LINE_FACTOR = 4.2  # lines per order ≈ 1 + Poisson(4.2 × √volume): ~167 lines per customer a quarter
MAX_LINES = 60
VERSION = 2  # bump when the generated data changes
HEADERS = {
    "customer_id": "客户编码", "date": "订单日期", "sku": "卷烟编码", "volume": "购进量", "amount_c": "购进额",
}
DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class City:
    """A generated city on disk."""

    root: Path
    customers: int

    @property
    def master(self) -> Path:
        return self.root / "客户信息.csv"

    @property
    def sales(self) -> Path:
        return self.root / "sales"

    @property
    def stamp(self) -> Path:
        return self.root / "city.json"

    @property
    def lines(self) -> int:
        """Order lines generated (0 before the city is generated)."""
        return json.loads(self.stamp.read_text(encoding="utf-8")).get("lines", 0) if self.stamp.exists() else 0


def _wanted(customers: int) -> dict[str, object]:
    return {"version": VERSION, "customers": customers, "seed": SEED, "end_month": END_MONTH,
            "line_factor": LINE_FACTOR, "max_lines": MAX_LINES}


def ensure_city(customers: int, data_dir: Path = DATA_DIR, force: bool = False) -> City:
    """The city of `customers`, generated unless a matching one is cached."""
    city = City(data_dir / f"city_{customers}", customers)
    if not force and city.stamp.exists():
        stamp = json.loads(city.stamp.read_text(encoding="utf-8"))
        if {k: stamp.get(k) for k in _wanted(customers)} == _wanted(customers):
            return city
    generate_city(city)
    return city


def generate_city(city: City) -> dict[str, object]:
    """Write the master (UTF-8 CSV with BOM) and three monthly order-line CSVs (UTF-8)."""
    started = time.perf_counter()
    if city.root.exists():
        shutil.rmtree(city.root)
    city.sales.mkdir(parents=True)
    company = generate_company(city.customers, seed=SEED, end_month=END_MONTH)
    master_frame(company.customers).to_csv(city.master, index=False, encoding="utf-8-sig")
    lines = 0
    for month in company.order_months:
        frame = company.order_lines(month, line_factor=LINE_FACTOR, max_lines=MAX_LINES)
        write_order_lines(frame, city.sales / f"订单明细_{month.key}.csv", "utf-8", HEADERS)
        lines += len(frame)
    stats = {
        **_wanted(city.customers),
        "lines": lines,
        "bytes": sum(p.stat().st_size for p in city.sales.iterdir()),
        "seconds": round(time.perf_counter() - started, 1),
    }
    city.stamp.write_text(json.dumps(stats, ensure_ascii=False, indent=1), encoding="utf-8")
    return stats


def main() -> None:
    parser = argparse.ArgumentParser(description="生成基准测试用的城市数据（客户信息 + 一个季度的订单明细）")
    parser.add_argument("--customers", type=int, default=60000, help="客户户数（默认 60000）")
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR, help="数据文件夹（默认 benchmarks/data）")
    parser.add_argument("--force", action="store_true", help="即使已有缓存也重新生成")
    args = parser.parse_args()
    city = ensure_city(args.customers, args.data_dir, args.force)
    stats = json.loads(city.stamp.read_text(encoding="utf-8"))
    print(f"{city.root}：{stats['customers']} 户，{stats['lines']:,} 行订单明细，"
          f"{stats['bytes'] / 1e6:.0f} MB，生成用时 {stats['seconds']} 秒")


if __name__ == "__main__":
    main()
