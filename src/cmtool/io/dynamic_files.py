"""The R-DYN input files (data.md): breach records, the management group's decisions, and the list
of notices that came back signed.

    load_breaches(path, config, known, *, sheet=None, encoding=None, skip_invalid=False) -> Loaded
    load_decisions(path, config, known, *, sheet=None, encoding=None) -> Loaded
    load_signed(path, config, *, sheet=None, encoding=None) -> Loaded

Bad input raises `DataError` naming file, sheet, row, column and value: a row that cannot be read
(a breach record with no date), a customer not in the master (`known`: the master's codes), a
decision whose measure or term cannot be read (`待定`), two decisions of one measure for one
customer. Decisions are never skipped: a notice must not go out on a guess.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from cmtool.config import Config
from cmtool.errors import DataError, Problem
from cmtool.fields import BREACH_FIELDS, DECISION_FIELDS, SIGNED_FIELDS
from cmtool.io.loaders import Loaded, load_table
from cmtool.io.rows import SOURCE_ROW
from cmtool.rules.dynamic import NO_ACTION, read_measure, read_term

DECISION_FIX = "请改正审议决定文件后重新运行（审议决定不能跳过，以免按猜测送达通知书）"
NOT_IN_MASTER = "客户信息中没有该客户"


def _problem(loaded: Loaded, path: Path, row: int, field: str, value: object, message: str, fix: str,
             customer_id: str | None) -> Problem:
    return Problem(message, str(path), loaded.sheet, int(row), loaded.headers.get(field, field),
                   "" if value is None or pd.isna(value) else str(value), fix, customer_id)


def _fail(path: Path, what: str, problems: list[Problem], fix: str) -> DataError:
    return DataError(f"{what} {path.name} 中有 {len(problems)} 处问题", problems, fix=fix)


def load_breaches(path: Path, config: Config, known: set[str], *, sheet: str | None = None,
                  encoding: str | None = None, skip_invalid: bool = False) -> Loaded:
    """R-DYN 1: 诚信经营协议 breach records (customer_id, date, breach_type, detail, source_row),
    in file order. A customer not in the master is an error, or left out under skip_invalid."""
    loaded = load_table(path, BREACH_FIELDS, config, sheet=sheet, encoding=encoding, skip_invalid=skip_invalid)
    frame = loaded.frame
    stranger = ~frame["customer_id"].isin(known)
    problems = [
        _problem(loaded, path, r.source_row, "customer_id", r.customer_id, NOT_IN_MASTER,
                 "请核对客户编码，或使用包含该客户的客户信息文件", r.customer_id)
        for r in frame[stranger].itertuples()
    ]
    if problems and not skip_invalid:
        raise _fail(path, "违约记录", problems, "请改正后重新运行，或加 --skip-invalid 跳过这些行")
    return Loaded(frame[~stranger].reset_index(drop=True), loaded.problems + problems, loaded.headers, loaded.sheet)


def load_decisions(path: Path, config: Config, known: set[str], *, sheet: str | None = None,
                   encoding: str | None = None) -> Loaded:
    """R-DYN 2: the decisions (customer_id, measure: 组别下调/取消紧俏控制品牌/暂停访销/不处理,
    steps (组别下调), term (`rules.dynamic.Term`, None for 不处理), term_text, remark, source_row),
    in file order; every problem of the file is collected before it fails."""
    try:
        loaded = load_table(path, DECISION_FIELDS, config, sheet=sheet, encoding=encoding)
    except DataError as e:
        e.fix = DECISION_FIX
        raise
    frame = loaded.frame
    problems: list[Problem] = []
    measures, steps, terms = [], [], []
    for r in frame.itertuples():
        cid = r.customer_id
        if cid not in known:
            problems.append(_problem(loaded, path, r.source_row, "customer_id", cid, NOT_IN_MASTER,
                                     "请核对客户编码，或使用包含该客户的客户信息文件", cid))
        measure = read_measure(str(r.measure))
        if measure is None:
            problems.append(_problem(
                loaded, path, r.source_row, "measure", r.measure, "措施无法识别", "措施应为 组别下调（或 组别下调2档）、"
                "取消紧俏控制品牌、暂停访销 或 不处理 之一；尚未决定的客户请先不要列入", cid))
        term = None if pd.isna(r.term) else read_term(str(r.term))
        if measure is not None and measure[0] != NO_ACTION and term is None:
            problems.append(_problem(
                loaded, path, r.source_row, "term", r.term,
                "期限为空" if pd.isna(r.term) else "期限无法识别",
                "期限应写成 4周、2个月 或 3月 这样的形式（只有“不处理”可以不写期限）", cid))
        measures.append(None if measure is None else measure[0])
        steps.append(None if measure is None else measure[1])
        terms.append(term)
    frame = frame.assign(measure=measures, steps=pd.array(steps, dtype="Int64"), term=terms,
                         term_text=frame["term"])
    for (cid, measure), rows in frame[frame["measure"].notna()].groupby(["customer_id", "measure"], sort=False):
        if len(rows) > 1 and measure != NO_ACTION:
            at = rows[SOURCE_ROW].tolist()
            problems += [
                _problem(loaded, path, row, "measure", measure,
                         f"同一客户的同一措施有多条决定（第 {'、'.join(map(str, at))} 行）", "请只保留一条", cid)
                for row in at
            ]
    if problems:
        raise _fail(path, "审议决定文件", problems, DECISION_FIX)
    return Loaded(frame[["customer_id", "measure", "steps", "term", "term_text", "remark", SOURCE_ROW]],
                  [], loaded.headers, loaded.sheet)


def load_signed(path: Path, config: Config, *, sheet: str | None = None, encoding: str | None = None) -> Loaded:
    """R-DYN 3: the notices that came back signed (customer_id, measure or None for all of the
    customer's, date or NaT, source_row)."""
    try:
        loaded = load_table(path, SIGNED_FIELDS, config, sheet=sheet, encoding=encoding)
    except DataError as e:
        e.fix = "请改正签收文件后重新运行"
        raise
    frame = loaded.frame
    parsed = [None if pd.isna(m) else read_measure(str(m)) for m in frame["measure"]]
    problems = [
        _problem(loaded, path, r.source_row, "measure", r.measure, "措施无法识别",
                 "措施应为 组别下调、取消紧俏控制品牌 或 暂停访销；不写措施则记该客户全部未签收的通知书", r.customer_id)
        for r, p in zip(frame.itertuples(), parsed) if not pd.isna(r.measure) and (p is None or p[0] == NO_ACTION)
    ]
    if problems:
        raise _fail(path, "签收文件", problems, "请改正签收文件后重新运行")
    frame = frame.assign(measure=pd.Series([None if p is None else p[0] for p in parsed], index=frame.index,
                                           dtype=object))
    return Loaded(frame, [], loaded.headers, loaded.sheet)
