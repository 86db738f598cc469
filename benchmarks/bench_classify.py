"""Benchmark `cmtool classify` against a DuckDB reference on the generated city.

Each side runs in its own subprocess; wall time is measured around it and peak memory is the
child's maximum resident set size (os.wait4). Goal: cmtool time ≤ 1.5 × and peak memory ≤ 2 ×
the reference. This is a measurement, not a test: nothing here fails on a slow run.

    python benchmarks/bench_classify.py [--customers 60000] [--case classify] [--keep]

A case is a small function that returns its two runs; add one to CASES.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from gen_city import DATA_DIR, QUARTER, City, ensure_city

from cmtool.documents.cn_text import display_width

TIME_GOAL = 1.5
MEMORY_GOAL = 2.0
SCALE_LETTERS = {"大": "1", "中": "2", "小": "3"}
FORMAT_LETTERS = {"食杂店": "Z", "便利店": "B", "超市": "S", "商场": "M", "烟酒商店": "Y", "娱乐服务类": "F", "其他": "Q"}
MARKET_LETTERS = {"城镇": "C", "乡村": "X"}


@dataclass(frozen=True)
class Run:
    """One measured subprocess."""

    label: str
    seconds: float
    peak_mb: float
    returncode: int
    log: Path  # stdout and stderr of the run

    @property
    def ok(self) -> bool:
        return self.returncode == 0


@dataclass(frozen=True)
class Runs:
    """The runs of one side of a case; its figures are the medians."""

    label: str
    runs: list[Run]

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.runs)

    @property
    def seconds(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    @property
    def peak_mb(self) -> float:
        return statistics.median(r.peak_mb for r in self.runs)

    @property
    def log(self) -> Path:
        return self.runs[-1].log

    @property
    def returncode(self) -> int:
        return next((r.returncode for r in self.runs if not r.ok), 0)

    def spread(self) -> str:
        low, high = min(r.seconds for r in self.runs), max(r.seconds for r in self.runs)
        return f"（{len(self.runs)} 次 {low:.2f}–{high:.2f} 秒）" if len(self.runs) > 1 else ""


@dataclass(frozen=True)
class Comparison:
    """A case's runs on both sides and an optional note (e.g. whether the results agree)."""

    case: str
    reference: Runs
    tool: Runs
    note: str = ""
    phases: dict[str, dict[str, float]] | None = None  # one more cmtool run, timed (phases.py)
    time_goal: float = 1.5
    lines: int = 0  # order lines read, for the time per million lines


def measure(label: str, cmd: list[str], work: Path) -> Run:
    """Run `cmd` in `work`, its output to `work/<label>.log`; wall time and peak RSS."""
    log = work / f"{label}.log"
    with log.open("wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=work, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4; tell Popen
    return Run(label, seconds, usage.ru_maxrss / 1024, proc.returncode, log)


RUNS = 3  # each side of a case, alternately; the figures are medians (the machine is noisy)


def measure_pair(reference: list[str], tool: list[str], work: Path, runs: int) -> tuple[Runs, Runs]:
    """Run the reference and cmtool alternately `runs` times each (so that both meet the same
    moments of a busy machine)."""
    pairs = [(measure("duckdb", reference, work), measure("cmtool", tool, work)) for _ in range(runs)]
    return Runs("duckdb", [a for a, _ in pairs]), Runs("cmtool", [b for _, b in pairs])


def _class_case(column: str, letters: dict[str, str]) -> str:
    whens = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in letters.items())
    return f"CASE {column} {whens} END"


QUARTER_END = "2026-09-30"  # of QUARTER
# R-SCALE 1 / R-TOP5 1: a customer that joined after the period's end is not ranked.
_JOINED_BY = "(nullif(trim({column}), '') IS NULL OR CAST({column} AS DATE) <= DATE '{end}')"


def classify_sql(city: City, result: Path) -> str:
    """R-SCALE in SQL: quarter totals per customer, population = master minus 注销/歇业/停业 and
    minus those that joined after the quarter, shares and score, exact integer ordering key
    (v·A + a·V), round-half-up cuts, ties take the scale of their lowest position, 42-class name
    and code, change against the master's class."""
    files = ", ".join(f"'{p.as_posix()}'" for p in sorted(city.sales.glob("*.csv")))
    code = " || ".join([
        _class_case("market", MARKET_LETTERS), _class_case("format", FORMAT_LETTERS),
        _class_case("scale", SCALE_LETTERS),
    ])
    return f"""
    COPY (
      WITH sales AS (
        SELECT 客户编码 AS customer_id,
               sum(CAST(购进量 AS DECIMAL(18, 2))) AS volume,
               sum(CAST(购进额 AS DECIMAL(18, 2))) AS amount
        FROM read_csv([{files}], all_varchar = true, header = true)
        GROUP BY 客户编码
      ),
      master AS (
        SELECT 客户编码 AS customer_id, 客户名称 AS name, 营销部 AS department, 客户经理 AS manager,
               trim(经营业态) AS format, trim(市场类型) AS market,
               经营规模 AS previous_scale, 综合分类 AS previous_class
        FROM read_csv('{city.master.as_posix()}', all_varchar = true, header = true)
        WHERE coalesce(trim(客户状态), '') NOT IN ('注销', '歇业', '停业')
          AND {_JOINED_BY.format(column='入网日期', end=QUARTER_END)}
      ),
      population AS (
        SELECT m.*, coalesce(s.volume, 0) AS volume, coalesce(s.amount, 0) AS amount
        FROM master m LEFT JOIN sales s USING (customer_id)
      ),
      totals AS (SELECT sum(volume) AS tv, sum(amount) AS ta, count(*) AS n FROM population),
      scored AS (
        SELECT p.*, t.n,
               CAST(p.volume / t.tv AS DOUBLE) AS volume_share,
               CAST(p.amount / t.ta AS DOUBLE) AS amount_share,
               CAST(p.volume * 100 AS HUGEINT) * CAST(t.ta * 100 AS HUGEINT)
                 + CAST(p.amount * 100 AS HUGEINT) * CAST(t.tv * 100 AS HUGEINT) AS sort_key,
               CAST(floor(t.n * 0.20 + 0.5) AS BIGINT) AS n_big,
               CAST(floor(t.n * 0.20 + 0.5) AS BIGINT) AS n_small
        FROM population p, totals t
      ),
      ranked AS (
        SELECT *, (volume_share + amount_share) / 2 AS score,
               rank() OVER (ORDER BY sort_key DESC) AS rank,
               row_number() OVER (ORDER BY sort_key DESC, customer_id) AS position
        FROM scored
      ),
      classed AS (
        SELECT *,
               CASE WHEN max(position) OVER (PARTITION BY sort_key) <= n_big THEN '大'
                    WHEN max(position) OVER (PARTITION BY sort_key) > n - n_small THEN '小'
                    ELSE '中' END AS scale
        FROM ranked
      )
      SELECT customer_id, name, department, manager, format, market, volume, amount,
             volume_share, amount_share, score, rank, position, n, '全市' AS scope, scale,
             market || format || scale AS class_name, {code} AS class_code,
             previous_class, previous_scale,
             CASE WHEN previous_scale IS NULL THEN '新增'
                  WHEN strpos('大中小', scale) < strpos('大中小', previous_scale) THEN '上调'
                  WHEN strpos('大中小', scale) > strpos('大中小', previous_scale) THEN '下调'
                  WHEN previous_class <> market || format || scale THEN '调整'
                  ELSE '不变' END AS change
      FROM classed
      ORDER BY position
    ) TO '{result.as_posix()}' (HEADER, DELIMITER ',')
    """


TOP5_MONTH = "2026-09"  # one month of the city's 2026Q3 order lines
TOP5_MONTH_END = "2026-09-30"


def top5_sql(city: City, result: Path) -> str:
    """R-TOP5 in SQL: the month's volume and amount per active customer (non-buyers 0),
    k = max(1, round half up 5 % of n), everyone at or above the k-th volume and above 0,
    competition rank on volume, shown by volume desc, amount desc, 客户编码 asc."""
    files = ", ".join(f"'{p.as_posix()}'" for p in sorted(city.sales.glob("*.csv")))
    return f"""
    COPY (
      WITH sales AS (
        SELECT 客户编码 AS customer_id,
               sum(CAST(购进量 AS DECIMAL(18, 2))) AS volume,
               sum(CAST(购进额 AS DECIMAL(18, 2))) AS amount
        FROM read_csv([{files}], all_varchar = true, header = true)
        WHERE strftime(CAST(订单日期 AS DATE), '%Y-%m') = '{TOP5_MONTH}'
        GROUP BY 客户编码
      ),
      population AS (
        SELECT m.客户编码 AS customer_id, coalesce(s.volume, 0) AS volume, coalesce(s.amount, 0) AS amount
        FROM read_csv('{city.master.as_posix()}', all_varchar = true, header = true) m
        LEFT JOIN sales s ON s.customer_id = m.客户编码
        WHERE coalesce(trim(m.客户状态), '') NOT IN ('注销', '歇业', '停业')
          AND {_JOINED_BY.format(column='m.入网日期', end=TOP5_MONTH_END)}
      ),
      ranked AS (
        SELECT *, rank() OVER (ORDER BY volume DESC) AS rank,
               row_number() OVER (ORDER BY volume DESC, amount DESC, customer_id) AS position,
               count(*) OVER () AS n
        FROM population
      ),
      cut AS (
        SELECT volume AS threshold FROM ranked
        WHERE position = greatest(1, CAST(floor(CAST(n AS DECIMAL(18, 2)) * 0.05 + 0.5) AS BIGINT))
      )
      SELECT customer_id, rank, volume, amount FROM ranked, cut
      WHERE volume >= threshold AND volume > 0
      ORDER BY position
    ) TO '{result.as_posix()}' (HEADER, DELIMITER ',')
    """


def analyze_sql(city: City, result: Path) -> str:
    """R-ANA-SINGLE by 业态 in SQL: the quarter's metrics per active customer from the order lines
    (volume, amount, distinct SKUs, distinct order dates), then per 业态 the customers, totals,
    单条值 = amount / volume and the median volume (the report computes this and much more)."""
    files = ", ".join(f"'{p.as_posix()}'" for p in sorted(city.sales.glob("*.csv")))
    return f"""
    COPY (
      WITH sales AS (
        SELECT 客户编码 AS customer_id,
               sum(CAST(购进量 AS DECIMAL(18, 2))) AS volume,
               sum(CAST(购进额 AS DECIMAL(18, 2))) AS amount,
               count(DISTINCT 卷烟编码) AS skus, count(DISTINCT 订单日期) AS orders
        FROM read_csv([{files}], all_varchar = true, header = true)
        GROUP BY 客户编码
      ),
      population AS (
        SELECT m.经营业态 AS format, coalesce(s.volume, 0) AS volume, coalesce(s.amount, 0) AS amount
        FROM read_csv('{city.master.as_posix()}', all_varchar = true, header = true) m
        LEFT JOIN sales s ON s.customer_id = m.客户编码
        WHERE coalesce(trim(m.客户状态), '') NOT IN ('注销', '歇业', '停业')
      )
      SELECT format, count(*) AS customers, sum(volume) AS volume, sum(amount) AS amount,
             sum(amount) / nullif(sum(volume), 0) AS unit_value, median(volume) AS median_volume
      FROM population GROUP BY format ORDER BY format
    ) TO '{result.as_posix()}' (HEADER, DELIMITER ',')
    """


REFERENCES: dict[str, Callable[[City, Path], str]] = {"classify": classify_sql, "top5": top5_sql,
                                                      "analyze_report": analyze_sql}


def run_reference(case: str, city: City, result: Path) -> None:
    """The DuckDB side of a case (runs inside the measured subprocess)."""
    import duckdb  # only the reference subprocess needs it

    duckdb.connect().execute(REFERENCES[case](city, result))


def _reference_cmd(case: str, city: City, result: Path) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--reference", case,
            "--customers", str(city.customers), "--data-dir", str(city.root.parent), "--result", str(result)]


def _cmtool() -> list[str]:
    """The cmtool entry point next to this interpreter, else the module through Python."""
    script = Path(sys.executable).with_name("cmtool")
    return [str(script)] if script.exists() else [sys.executable, "-c", "from cmtool.cli import main; main()"]


def _scales(path: Path) -> dict[str, str]:
    """customer_id → scale from a result CSV (cmtool's Chinese headers or the reference's)."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = csv.DictReader(f)
        fields = rows.fieldnames or []
        cid = next((c for c in ("客户编码", "customer_id") if c in fields), None)
        scale = next((c for c in ("经营规模", "scale") if c in fields), None)
        if cid is None or scale is None:
            return {}
        return {r[cid]: r[scale] for r in rows}


def case_classify(city: City, work: Path, runs: int = RUNS, profile: bool = True) -> Comparison:
    """cmtool classify --quarter 2026Q3 on the city against classify_sql."""
    reference_csv = work / "duckdb_result.csv"
    out = work / "cmtool_out"
    args = ["classify", "--quarter", QUARTER, "--customers", str(city.master), "--sales", str(city.sales),
            "--result-format", "csv", "--notices", "none", "--json", "--out", str(out)]
    reference, tool = measure_pair(_reference_cmd("classify", city, reference_csv),
                                   [*_cmtool(), "--db", str(work / "bench.db"), *args], work, runs)
    note = ""
    tool_csv = out / f"客户分类结果_{QUARTER}.csv"
    if reference.ok and tool.ok and tool_csv.exists():
        ours, theirs = _scales(tool_csv), _scales(reference_csv)
        differ = sum(1 for k, v in theirs.items() if ours.get(k) != v)
        note = f"经营规模不一致 {differ} 户（共 {len(theirs)} 户）" if ours else "未能在 cmtool 结果中找到客户编码/经营规模列"
    return Comparison("classify", reference, tool, note, phases(work, args) if profile else None, 1.5, city.lines)


def phases(work: Path, args: list[str]) -> dict[str, dict[str, float]] | None:
    """One more cmtool run with its phases timed (benchmarks/phases.py), a fresh ledger."""
    out = work / "phases.json"
    db = work / "phases.db"
    db.unlink(missing_ok=True)
    done = subprocess.run([sys.executable, str(Path(__file__).with_name("phases.py")), str(out), "--",
                           "--db", str(db), *args], capture_output=True, cwd=work)
    return json.loads(out.read_text(encoding="utf-8")) if done.returncode == 0 else None


def _json_document(log: Path) -> dict:
    """The JSON document a `--json` run printed (its log also holds stderr)."""
    line = next(x for x in log.read_text(encoding="utf-8").splitlines() if x.startswith('{"command"'))
    return json.loads(line)


def case_top5(city: City, work: Path, runs: int = RUNS, profile: bool = True) -> Comparison:
    """cmtool top5 --month 2026-09 (the list, the 12-month files of all its customers, the
    workbook and the ledger) against top5_sql (the list alone)."""
    work = work / "top5"
    work.mkdir()
    reference_csv = work / "duckdb_top5.csv"
    args = ["top5", "--month", TOP5_MONTH, "--customers", str(city.master), "--sales", str(city.sales), "--json",
            "--out", str(work / "cmtool_out")]
    reference, tool = measure_pair(_reference_cmd("top5", city, reference_csv),
                                   [*_cmtool(), "--db", str(work / "bench.db"), *args], work, runs)
    note = ""
    if reference.ok and tool.ok:
        ours = [(m["customer_id"], m["rank"]) for m in _json_document(tool.log)["members"]]
        with reference_csv.open(encoding="utf-8", newline="") as f:
            theirs = [(r["customer_id"], int(r["rank"])) for r in csv.DictReader(f)]
        note = (f"名单与参考一致（{len(ours)} 户）" if ours == theirs
                else f"名单不一致：cmtool {len(ours)} 户，参考 {len(theirs)} 户")
    return Comparison("top5", reference, tool, note, phases(work, args) if profile else None, 2.0, city.lines)


def case_analyze_report(city: City, work: Path, runs: int = RUNS, profile: bool = True) -> Comparison:
    """cmtool analyze report --quarter 2026Q3 (metrics, every R-ANA analysis, the HTML report with
    its charts and the workbook with native charts) against analyze_sql (the 业态 groups alone)."""
    work = work / "analyze"
    work.mkdir()
    reference, tool = measure_pair(_reference_cmd("analyze_report", city, work / "duckdb_analyze.csv"), [
        *_cmtool(), "--db", str(work / "bench.db"), "analyze", "report", "--quarter", QUARTER,
        "--customers", str(city.master), "--sales", str(city.sales), "--json", "--out", str(work / "cmtool_out"),
    ], work, runs)
    note = f"分析结论 {len(_json_document(tool.log)['findings'])} 条" if tool.ok else ""
    return Comparison("analyze_report", reference, tool, note, lines=city.lines)


CASES: dict[str, Callable[[City, Path], Comparison]] = {"classify": case_classify, "top5": case_top5,
                                                        "analyze_report": case_analyze_report}


def _tail(path: Path, lines: int = 8) -> str:
    text = path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    return "\n".join("    " + line for line in text[-lines:])


STARTUP_GOAL = 0.3  # seconds for `cmtool --help` and `cmtool --version`


def startup(work: Path, runs: int = 5) -> None:
    """The median wall time of `cmtool --help` and `cmtool --version` (what an office user waits)."""
    print("\n== startup ==")
    for option in ("--help", "--version"):
        times = sorted(measure("cmtool", [*_cmtool(), option], work).seconds for _ in range(runs))
        print(f"  cmtool {option:<10} 中位数 {times[runs // 2]:.2f} 秒（{runs} 次，目标 ≤ {STARTUP_GOAL} 秒）")


def report(c: Comparison, title: str = "") -> None:
    """Print both sides (medians) and the ratios against the goals."""
    print(f"\n== {title or c.case} ==")
    for side in (c.reference, c.tool):
        state = "完成" if side.ok else f"失败（退出码 {side.returncode}）"
        per_line = f"  每百万行 {side.seconds / c.lines * 1e6:5.2f} 秒" if c.lines else ""
        print(f"  {side.label:<7} 用时 {side.seconds:7.2f} 秒  峰值内存 {side.peak_mb:8.0f} MB  {state}"
              f"{per_line}{side.spread()}")
        if not side.ok:
            print(_tail(side.log))
    if c.reference.ok and c.tool.ok:
        t = c.tool.seconds / c.reference.seconds
        m = c.tool.peak_mb / c.reference.peak_mb
        print(f"  倍数    用时 {t:.2f}×（目标 ≤ {c.time_goal}×）  内存 {m:.2f}×（目标 ≤ {MEMORY_GOAL}×）")
    if c.note:
        print(f"  {c.note}")
    if c.phases:
        seconds, peaks = c.phases["seconds"], c.phases["peak_mb"]
        total = sum(seconds.values())
        print(f"  各阶段（另跑一次 cmtool，共 {total:.2f} 秒；峰值内存为该阶段结束时进程的峰值）：")
        for phase, spent in seconds.items():
            pad = " " * (36 - display_width(phase))
            print(f"    {phase}{pad} {spent:6.2f} 秒 {spent / total:6.1%}  峰值 {peaks[phase]:6.0f} MB")


PROVINCE = 500_000
PROVINCE_CASES = ("classify", "top5")
PROVINCE_MEMORY_MB = 2048  # the goal at province scale: peak under 2 GiB


def province(customers: int, data_dir: Path, work: Path, runs: int) -> None:
    """classify and top5 on a province-sized city (generated once, about 9 minutes): time per
    million lines beside the city's shows whether time grows linearly with the lines."""
    started = time.perf_counter()
    city = ensure_city(customers, data_dir)
    print(f"\n省级规模数据：{city.root}（{city.lines:,} 行，准备用时 {time.perf_counter() - started:.1f} 秒）")
    for name in PROVINCE_CASES:
        (work / f"province_{name}").mkdir()
        comparison = CASES[name](city, work / f"province_{name}", runs, False)
        report(comparison, f"{name}（{customers:,} 户）")
        print(f"  峰值内存目标 < {PROVINCE_MEMORY_MB} MB："
              f"{'达到' if comparison.tool.peak_mb < PROVINCE_MEMORY_MB else '未达到'}")


def main() -> None:
    parser = argparse.ArgumentParser(description="cmtool 与 DuckDB 参考实现的性能对比（不是测试，不做断言）")
    parser.add_argument("--customers", type=int, default=60000, help="城市客户户数（默认 60000；快速试跑用 6000）")
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR, help="生成数据的缓存文件夹")
    parser.add_argument("--case", choices=sorted(CASES), action="append", help="只跑指定场景（可重复）")
    parser.add_argument("--keep", action="store_true", help="保留工作文件夹（结果文件与日志）")
    parser.add_argument("--runs", type=int, default=RUNS, help=f"每个场景两边各跑几次，取中位数（默认 {RUNS}）")
    parser.add_argument("--province", type=int, default=0, metavar="户数",
                        help=f"再在省级规模的城市上跑 classify 和 top5（如 {PROVINCE}；默认不跑）")
    parser.add_argument("--reference", choices=sorted(REFERENCES), help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.reference:
        city = City(args.data_dir / f"city_{args.customers}", args.customers)
        run_reference(args.reference, city, args.result)
        return
    started = time.perf_counter()
    city = ensure_city(args.customers, args.data_dir)
    print(f"数据：{city.root}（准备用时 {time.perf_counter() - started:.1f} 秒）")
    work = Path(tempfile.mkdtemp(prefix="cmtool-bench-"))
    startup(work)
    for name in args.case or sorted(CASES):
        (work / name).mkdir(exist_ok=True)
        report(CASES[name](city, work / name, args.runs))
    if args.province:
        province(args.province, args.data_dir, work, args.runs)
    if args.keep:
        print(f"\n工作文件夹：{work}")
    else:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
