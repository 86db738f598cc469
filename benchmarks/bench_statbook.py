"""Time `write_statbook` (R-STAT, 客户分类情况统计表) alone, on the generated city or on sample_data/.

Its input is the result frame a real `cmtool classify` run hands to `write_statbook`: captured once
in-process (the writer wrapped by a recorder) and cached as a pickle in benchmarks/data/. Reports
the best and median wall and CPU time of `--repeat` runs. A measurement, not a test.

    python benchmarks/bench_statbook.py [--customers 60000] [--repeat 5] [--profile]
    python benchmarks/bench_statbook.py --sample            # sample_data/ (2,000 customers)
"""

from __future__ import annotations

import argparse
import cProfile
import pickle
import pstats
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pandas as pd
from gen_city import DATA_DIR, QUARTER, ensure_city

import cmtool.commands.classify as classify
from cmtool.cli import app
from cmtool.documents.statbook import plan_sheets, write_statbook
from cmtool.rules.stat import changed_rows

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_data"


@dataclass(frozen=True)
class Source:
    """Where a result frame comes from: the `cmtool classify` arguments and the cache file."""

    label: str
    options: list[str]  # global options (before the command)
    classify: list[str]  # the classify command's inputs
    cache: Path


def city_source(customers: int, data_dir: Path) -> Source:
    city = ensure_city(customers, data_dir)
    return Source(f"city_{customers}", [], ["--customers", str(city.master), "--sales", str(city.sales)],
                  city.root / "statbook_input.pkl")


def sample_source(data_dir: Path) -> Source:
    return Source("sample_data", ["--config", str(SAMPLE_DIR / "cmtool.toml")],
                  ["--customers", str(SAMPLE_DIR / "客户信息.xlsx"), "--sales", str(SAMPLE_DIR / "sales")],
                  data_dir / "sample_statbook_input.pkl")


def capture(source: Source) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Run `cmtool classify` in-process and keep what it hands to `write_statbook`."""
    seen: dict[str, Any] = {}

    def record(path: Path, result: pd.DataFrame, **kwargs: Any) -> None:
        seen.update(result=result, kwargs=kwargs)
        write_statbook(path, result, **kwargs)

    # in place, not in the worker: the recorder lives in this process
    with (tempfile.TemporaryDirectory() as work, patch.object(classify, "write_statbook", record),
          patch.object(classify, "BACKGROUND_ROWS", float("inf"))):
        app([*source.options, "--db", f"{work}/bench.db", "classify", "--quarter", QUARTER, *source.classify,
             "--out", work, "--result-format", "csv", "--notices", "none"], standalone_mode=False)
    return seen["result"], seen["kwargs"]


def load_input(source: Source) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The cached input, captured first when missing."""
    if not source.cache.exists():
        source.cache.parent.mkdir(parents=True, exist_ok=True)
        source.cache.write_bytes(pickle.dumps(capture(source)))
    return pickle.loads(source.cache.read_bytes())


def time_runs(path: Path, result: pd.DataFrame, kwargs: dict[str, Any], repeat: int) -> list[tuple[float, float]]:
    """(wall, CPU) seconds of each run."""
    runs = []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        write_statbook(path, result, **kwargs)
        runs.append((time.perf_counter() - wall, time.process_time() - cpu))
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description="《客户分类情况统计表》写出用时（不是测试，不做断言）")
    parser.add_argument("--customers", type=int, default=60000, help="城市客户户数（默认 60000）")
    parser.add_argument("--sample", action="store_true", help="改用 sample_data/（2000 户）")
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR, help="生成数据与输入缓存的文件夹")
    parser.add_argument("--repeat", type=int, default=5, help="重复次数（默认 5）")
    parser.add_argument("--profile", action="store_true", help="再跑一次 cProfile，列出累计用时前 25 的函数")
    args = parser.parse_args()
    source = sample_source(args.data_dir) if args.sample else city_source(args.customers, args.data_dir)
    result, kwargs = load_input(source)
    sheets, changed = len(plan_sheets(result, changed_rows(result))), len(changed_rows(result))
    print(f"{source.label}：{len(result):,} 户，{sheets} 张表，分类变动 {changed:,} 户")
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "客户分类情况统计表.xlsx"
        runs = time_runs(path, result, kwargs, args.repeat)
        print(f"文件 {path.stat().st_size / 1e6:.2f} MB")
        for label, values in (("墙钟", [w for w, _ in runs]), ("CPU", [c for _, c in runs])):
            print(f"  {label}  最短 {min(values):.3f} 秒  中位 {statistics.median(values):.3f} 秒")
        if args.profile:
            profile = cProfile.Profile()
            profile.runcall(write_statbook, path, result, **kwargs)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
