"""What `cmtool check` prints: its JSON document (cli.md) and the terminal summary."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cmtool.documents.checkbook import KIND_LABELS, SEVERITY_LABELS, CheckReport
from cmtool.errors import Problem

SHOWN = 15


def _problem(severity: str, p: Problem) -> dict[str, Any]:
    message = p.message if not p.fix else f"{p.message.rstrip('。')}。{p.fix}"
    return {"severity": severity, "file": p.file, "sheet": p.sheet, "row": p.row, "column": p.column,
            "value": p.value, "customer_id": p.customer_id, "message": message}


def check_document(report: CheckReport, outputs: list[Path]) -> dict[str, Any]:
    """The `check` JSON document of cli.md; `changes`/`added`/`removed` when a previous master
    was compared, `overdue_new` when a master was read."""
    document: dict[str, Any] = {
        "command": "check",
        "date": report.day.isoformat(),
        "files": [f.info() for f in report.files],
        "problems": [_problem(s, p) for s, p in report.problems],
        "summary": {"errors": report.count("error"), "warnings": report.count("warning")},
    }
    if report.overdue is not None:
        document["overdue_new"] = [
            {"customer_id": r.customer_id, "joined": r.joined.isoformat(), "due": r.due.isoformat(),
             "missing": list(r.missing)}
            for r in report.overdue.itertuples()
        ]
    if report.changes is not None:
        c = report.changes
        document["changes"] = [
            {"customer_id": r.customer_id, "field": r.field, "old": r.old, "new": r.new, "route": r.route,
             "flag": r.flag}
            for r in c.changes.itertuples()
        ]
        document["added"] = c.added["customer_id"].tolist()
        document["removed"] = c.removed["customer_id"].tolist()
    document["outputs"] = [str(p) for p in outputs]
    return document


def print_check(console: Console, document: dict[str, Any], report: CheckReport) -> None:
    """The files read, the counts and the first problems."""
    files = Table(title=f"数据检查（{document['date']}）")
    for header in ("文件", "类型", "数据行数", "错误", "提醒"):
        files.add_column(header)
    for f in report.files:
        files.add_row(escape(f.path.name), KIND_LABELS[f.kind], str(f.rows or "—"), str(report.count("error", f.path)),
                      str(report.count("warning", f.path)))
    console.print(files)
    summary = document["summary"]
    console.print(f"错误 {summary['errors']} 处，提醒 {summary['warnings']} 处；"
                  f"新入网逾期未维护 {len(document.get('overdue_new', []))} 户；"
                  f"信息变更 {len(document.get('changes', []))} 项。", soft_wrap=True, highlight=False)
    for severity, p in [x for x in report.problems if x[0] == "error"][:SHOWN]:
        console.print(f"  [{SEVERITY_LABELS[severity]}] {p.render()}", markup=False, highlight=False, soft_wrap=True)
    if summary["errors"] > SHOWN:
        console.print(f"  …… 另有 {summary['errors'] - SHOWN} 处错误，见报告")
    for path in document["outputs"]:
        console.print(f"报告：{path}", soft_wrap=True, highlight=False, markup=False)
