"""Where a cmtool run spends its time: one run in this process with the phases timed.

    python benchmarks/phases.py OUT.json -- classify --quarter 2026Q3 --customers ... --out ...

Times the imports, then runs the command with the functions of each phase wrapped by a timer
(loading, aggregation, ranking, each document, the ledger, the JSON), noting the peak memory of
the process when each phase ends (so the phase that raised it shows). Linux and macOS only. Nothing in cmtool is
changed: the wrappers replace the names the command modules call (none of them calls another,
so the phases add up). The rest of the wall time (options, config, small frames) is printed as 其他.
"""

from __future__ import annotations

import importlib
import json
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# (module, attribute, phase): the names a command module looks up when it runs.
PHASES: dict[str, list[tuple[str, str, str]]] = {
    "classify": [
        ("cmtool.commands.classify", "load_beside", "载入销售数据（读取+按户按月汇总；客户信息另一线程同时载入）"),
        ("cmtool.commands.classify", "quarter_population", "参评客户（R-SCALE 1）"),
        ("cmtool.commands.classify", "rank_scale", "排名（R-SCALE）"),
        ("cmtool.commands.classify", "add_classes", "42 类分类（R-CLASS）"),
        ("cmtool.commands.classify", "write_result", "文档：客户分类结果"),
        ("cmtool.documents.background", "Background.wait", "文档：统计表（另一进程写，等它写完）"),
        ("cmtool.documents.html", "notices_html", "文档：告知书（渲染）"),  # imported where notices are written
        ("cmtool.documents.html", "write_html", "文档：告知书（写出）"),
        ("cmtool.ledger", "Ledger.record_quarter", "台账写入"),
        ("cmtool.commands.classify", "render_json", "JSON 生成（统计表写出期间）"),
        ("cmtool.commands.classify", "emit_json", "JSON 输出"),
    ],
    "top5": [
        ("cmtool.commands.top5", "load_beside", "载入销售数据（读取+按户按月/按规格汇总；客户信息另一线程同时载入）"),
        ("cmtool.commands.top5", "quarter_population", "参评客户"),
        ("cmtool.commands.top5", "top5_list", "名单（R-TOP5）"),
        ("cmtool.commands.top5", "monthly_history", "近 12 个月历史"),
        ("cmtool.commands.top5", "find_anomalies", "异常监控"),
        ("cmtool.commands.top5", "rebuild_archive", "档案重放"),
        ("cmtool.commands._top5_view", "book", "文档：工作簿内容"),
        ("cmtool.commands.top5", "write_top5book", "文档：档案工作簿（写出）"),
        ("cmtool.commands.top5", "_record", "台账写入"),
        ("cmtool.commands.top5", "emit_json", "JSON 输出"),
    ],
}
IMPORTS = "导入模块"
OTHER = "其他"


def _peak_mb() -> float:
    """This process's peak resident memory so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu() -> float:
    """CPU seconds of this process so far, all its threads (not the worker process)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _timed(fn: Callable[..., Any], phase: str, totals: dict[str, float], peaks: dict[str, float],
           cpus: dict[str, float]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started, cpu = time.perf_counter(), _cpu()
        try:
            return fn(*args, **kwargs)
        finally:
            totals[phase] = totals.get(phase, 0.0) + time.perf_counter() - started
            cpus[phase] = cpus.get(phase, 0.0) + _cpu() - cpu
            peaks[phase] = _peak_mb()
    return wrapper


def _wrap(command: str, totals: dict[str, float], peaks: dict[str, float], cpus: dict[str, float]) -> None:
    for module_name, attribute, phase in PHASES[command]:
        owner: Any = importlib.import_module(module_name)
        *path, name = attribute.split(".")
        for part in path:
            owner = getattr(owner, part)
        setattr(owner, name, _timed(getattr(owner, name), phase, totals, peaks, cpus))


def profile(args: list[str]) -> dict[str, dict[str, float]]:
    """Run `cmtool ARGS` here: per phase (in the order of PHASES, plus imports and the rest) its
    seconds, the CPU seconds of this process's threads in it (above its seconds: more than one
    core at work) and the process's peak memory in MB once it ended."""
    command = next(a for a in args if a in PHASES)
    started = time.perf_counter()
    from cmtool.cli import app
    importlib.import_module(f"cmtool.commands.{command}")
    totals: dict[str, float] = {IMPORTS: time.perf_counter() - started}
    peaks: dict[str, float] = {IMPORTS: _peak_mb()}
    cpus: dict[str, float] = {IMPORTS: _cpu()}
    _wrap(command, totals, peaks, cpus)
    run_cpu = _cpu()
    run_started = time.perf_counter()
    try:
        app(args, standalone_mode=False)
    finally:
        sys.stdout.flush()
    wall = time.perf_counter() - run_started
    phases = [IMPORTS, *(phase for _, _, phase in PHASES[command])]
    timed = {phase: totals.get(phase, 0.0) for phase in phases}
    timed[OTHER] = max(wall - sum(timed.values()) + timed[IMPORTS], 0.0)  # the wrapped calls do not nest
    peaks[OTHER] = _peak_mb()
    cpu = {phase: cpus.get(phase, 0.0) for phase in phases}
    cpu[OTHER] = max(_cpu() - run_cpu - sum(cpu.values()) + cpu[IMPORTS], 0.0)
    return {"seconds": timed, "peak_mb": {phase: peaks.get(phase, 0.0) for phase in timed}, "cpu_seconds": cpu}


def main() -> None:
    out, sep, *args = sys.argv[1:]
    assert sep == "--", "usage: phases.py OUT.json -- COMMAND ARGS"
    Path(out).write_text(json.dumps(profile(args), ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
