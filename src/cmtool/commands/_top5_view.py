"""What `cmtool top5` shows: the JSON document of cli.md, the terminal summary, the content of
the workbook (`io.top5book.Top5Book`), and `top5 history`."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cmtool.commands.common import json_records
from cmtool.errors import Problem
from cmtool.documents.cn_text import cn_date
from cmtool.documents.top5book import Dossier, Top5Book
from cmtool.rules.anomalies import RULES
from cmtool.rules.top5 import KEPT, NEW, exit_reasons, retain_until, volume_ranks
from cmtool.rules.top5_archive import CONTINUED, EXPIRED, OPENED, REOPENED, STATE_LABELS

if TYPE_CHECKING:
    from cmtool.commands.top5 import MonthResult

NO_MANAGER = "未填客户经理"
SHOWN_IN_TERMINAL = 10


def _scoped(frame: pd.DataFrame, scope: set[str] | None) -> pd.DataFrame:
    """The rows of the customers in `scope` (--manager), or all."""
    return frame if scope is None else frame[frame["customer_id"].isin(scope)]


def _text(value: object) -> str:
    """A cell value as text: '' for missing, dates as ISO."""
    if isinstance(value, str):
        return value
    if value is None or pd.isna(value):
        return ""
    if isinstance(value, pd.Timestamp | date):
        return value.strftime("%Y-%m-%d")
    return str(value)


def document(result: MonthResult, scope: set[str] | None, outputs: list[Path]) -> dict[str, Any]:
    """The `top5` JSON document exactly as cli.md specifies (lists limited to `scope`)."""
    listed, moved = result.listed, result.movement
    members = _scoped(moved.members, scope)
    exited = _scoped(moved.exited, scope)
    until = retain_until(result.published).isoformat()
    return {
        "command": "top5",
        "month": result.month.key,
        "publish_date": result.published.isoformat(),
        "population": int(listed.population),
        "cutoff": int(listed.cutoff),
        "threshold_volume": float(listed.threshold_volume),
        "members": [
            {"customer_id": str(r.customer_id), "rank": int(r.rank), "volume": float(r.volume),
             "amount": float(r.amount), "status": str(r.status)}
            for r in members.itertuples()
        ],
        "exited": [
            {"customer_id": str(r.customer_id), "previous_rank": int(r.previous_rank), "retain_until": until}
            for r in exited.itertuples()
        ],
        "anomalies": [
            {"customer_id": str(r.customer_id), "rule": str(r.rule), "detail": str(r.detail)}
            for r in _scoped(result.anomalies, scope).itertuples()
        ],
        "outputs": [str(p) for p in outputs],
    }


def _file_actions(result: MonthResult) -> pd.Series:
    """What happened to each member's file this month, in words with its date; a customer that
    stayed on the list (保持) but has no file yet (the ledger's first month) says why it is new."""
    files = result.archive.files.set_index("customer_id")
    kept = set(result.movement.members.loc[result.movement.members["status"] == KEPT, "customer_id"])
    words = {}
    for cid, action in result.archive.actions.items():
        if action == REOPENED:
            words[cid] = f"重新启用档案（原 {cn_date(result.archive.reopened_from[cid])} 归档）"
        elif action == CONTINUED and cid in files.index:
            words[cid] = f"继续维护（{cn_date(files.at[cid, 'opened_on'])} 建档）"
        elif action == OPENED and cid in kept:
            words[cid] = f"{action}（{cn_date(result.published)}；上月已在名单，台账中尚无其档案）"
        else:
            words[cid] = f"{action}（{cn_date(result.published)}）"
    return result.movement.members["customer_id"].map(words)


def _members(result: MonthResult) -> pd.DataFrame:
    """The 名单 rows: the members with unit value, file action and anomaly labels."""
    members = result.movement.members
    labels = result.anomalies.assign(label=result.anomalies["rule"].map(RULES))
    flags = labels.groupby("customer_id", sort=False)["label"].agg("、".join)
    return members.assign(
        unit_value=members["amount"] / members["volume"],
        file_action=_file_actions(result),
        flags=members["customer_id"].map(flags),
    )


def _month_rows(result: MonthResult, month: str) -> pd.DataFrame:
    return result.history[result.history["month"] == month].set_index("customer_id")


def _entered(members: pd.DataFrame, result: MonthResult) -> pd.DataFrame:
    """The 新进入 rows with last month's volume and city rank."""
    entered = members[members["status"] == NEW]
    before = _month_rows(result, result.month.prev().key)
    return entered.assign(
        previous_volume=entered["customer_id"].map(before["volume_h"] / 100),
        previous_month_rank=entered["customer_id"].map(before["rank"]),
    )


def _exited(result: MonthResult, customers: pd.DataFrame) -> pd.DataFrame:
    """The 退出 rows: who left, why, this month's volume and rank, archive dates."""
    exited = result.movement.exited.merge(customers[["customer_id", "name", "manager"]], on="customer_id", how="left")
    population = result.population.set_index("customer_id")
    ranks = volume_ranks(population["volume_h"]).where(population["volume_h"] > 0)
    return exited.assign(
        volume=exited["customer_id"].map(population["volume_h"] / 100),
        rank=exited["customer_id"].map(ranks),
        reason=exit_reasons(exited, customers, population["volume_h"], result.listed.threshold_h),
        archived_on=result.published.isoformat(),
        retain_until=retain_until(result.published).isoformat(),
    )


def _anomalies(members: pd.DataFrame, result: MonthResult) -> pd.DataFrame:
    """The 异常监控 rows, with empty columns for the manager's findings."""
    info = members[["customer_id", "rank", "name", "manager"]]
    found = result.anomalies.merge(info, on="customer_id", how="left")
    return found.assign(label=found["rule"].map(RULES), cause="", measure="")


def _expired(result: MonthResult, customers: pd.DataFrame) -> pd.DataFrame:
    """The 过期档案 rows: files past retention, deleted or waiting for --purge."""
    files = result.expired.merge(customers[["customer_id", "name", "manager"]], on="customer_id", how="left")
    state = f"{STATE_LABELS[EXPIRED]}，" + ("已按 --purge 从台账删除" if result.purged else "可用 --purge 删除")
    return files.assign(**{c: files[c].map(_text) for c in ("opened_on", "archived_on", "retain_until")}, state=state)


def _percent(share: object, missing: str) -> str:
    return missing if share is None or pd.isna(share) else f"{float(share):.1%}"


Pairs = list[list[tuple[str, str]]]  # rows of (label, value) pairs, as Dossier.info


def _structure(member: dict[str, Any], lines: dict[str, dict[str, Any]]) -> tuple[Pairs, str | None]:
    """The 卷烟结构 rows of one file (`lines`: structure rows by customer_id), and why parts are missing."""
    unit = [("单条值", f"{member['unit_value']:,.2f} 元/条")]
    s = lines.get(member["customer_id"])
    if s is None:
        return [unit], "本月销售数据是月度汇总，没有规格明细，无法分析一二类烟占比、重点品牌和规格集中情况。"
    name = f"{s['top_sku_name']}（{s['top_sku']}）" if isinstance(s["top_sku_name"], str) else str(s["top_sku"])
    rows = [
        [*unit, ("一二类烟占比", _percent(s["first_second_share"], "无价类数据")),
         ("重点品牌占比", _percent(s["key_brand_share"], "无重点品牌标记"))],
        [("规格数", str(int(s["skus"]))), ("主销规格", f"{name}，占购进量 {s['top_sku_h'] / s['total_h']:.1%}")],
    ]
    return rows, None


def _histories(result: MonthResult) -> dict[str, list[tuple[object, ...]]]:
    """The 12-month rows of every file (HISTORY_COLUMNS values; None where there is nothing)."""
    h = result.history
    volume, amount = h["volume_h"] / 100, h["amount_c"] / 100
    rows = pd.DataFrame({
        "customer_id": h["customer_id"], "month": h["month"], "volume": volume, "amount": amount,
        "unit_value": (amount / volume).where(volume > 0), "rank": h["rank"].astype("Float64"),
        "on_list": h["on_list"].map({True: "是", False: "否"}),
    }).astype(object)
    rows = rows.where(rows.notna(), None)
    histories: dict[str, list[tuple[object, ...]]] = {}
    for cid, *values in rows.itertuples(index=False, name=None):
        histories.setdefault(cid, []).append(tuple(values))
    return histories


def _dossier(member: dict[str, Any], master: dict[str, Any], result: MonthResult, lines: dict[str, dict[str, Any]],
             history: list[tuple[object, ...]], sentences: list[str]) -> Dossier:
    """One customer's file: `member` is its row on the list (status = 新进入/保持, class_name = the
    综合分类 in force), `master` its row of the customer master."""
    structure, note = _structure(member, lines)
    size = len(result.listed.members)
    on_list = f"{result.month.label}全市第 {member['rank']} 名（名单 {size} 户），{member['status']}"
    info = [
        [("客户编码", member["customer_id"]), ("客户名称", _text(master["name"]))],
        [("营销部", _text(master["department"])), ("客户经理", _text(master["manager"])),
         ("客户状态", _text(master["status"]) or "正常")],
        [("经营业态", _text(master["format"])), ("市场类型", _text(master["market"])),
         ("综合分类", _text(member["class_name"]) or _text(master["class_name"]))],
        [("许可证号", _text(master["license_no"])), ("客户组别", _text(master["group"])),
         ("入网日期", cn_date(master["joined"].date()) if pd.notna(master["joined"]) else "")],
        [("经营地址", _text(master["address"]))],
        [("名单情况", on_list), ("档案", member["file_action"])],
    ]
    heading = f"{_text(master['name'])}（客户编码 {member['customer_id']}）"
    return Dossier(heading, info, history, structure, note, sentences)


# the master's columns a file shows (missing ones are None, as json_records gives them)
_MASTER_FIELDS = ["name", "department", "manager", "status", "format", "market", "class_name", "license_no",
                  "group", "joined", "address"]


def _dossiers(members: pd.DataFrame, result: MonthResult, customers: pd.DataFrame, by_manager: bool) -> list[Dossier]:
    """The files in print order: by 客户经理 (for the whole city), then as on the list."""
    if by_manager:
        members = members.assign(_m=members["manager"].fillna(NO_MANAGER)).sort_values("_m", kind="stable")
    masters = json_records(customers.set_index("customer_id").loc[members["customer_id"]], _MASTER_FIELDS)
    structure = result.structure
    lines = dict(zip(structure["customer_id"], json_records(structure, list(structure.columns))))
    sentences = result.anomalies.assign(text=result.anomalies["rule"].map(RULES) + "：" + result.anomalies["detail"])
    said = sentences.groupby("customer_id", sort=False)["text"].agg(list).to_dict()
    histories = _histories(result)
    return [
        _dossier(m, master, result, lines, histories.get(m["customer_id"], []), said.get(m["customer_id"], []))
        for m, master in zip(json_records(members, list(members.columns)), masters)
    ]


def book(result: MonthResult, customers: pd.DataFrame, problems: list[Problem], *, company: str,
         manager: str | None, scope: set[str] | None) -> Top5Book:
    """The workbook's content, limited to the customers of `--manager` when given."""
    members = _members(result)
    scoped = _scoped(members, scope)
    return Top5Book(
        company=company, month=result.month, published=result.published,
        scope=f"客户经理 {manager}" if manager else "全市",
        members=scoped,
        entered=_entered(scoped, result),
        exited=_scoped(_exited(result, customers), scope),
        anomalies=_scoped(_anomalies(members, result), scope),
        dossiers=_dossiers(scoped, result, customers, by_manager=scope is None),
        expired=_scoped(_expired(result, customers), scope),
        problems=problems,
    )


def _top_table(doc: dict[str, Any], result: MonthResult) -> Table:
    table = Table(title=f"名单前 {min(SHOWN_IN_TERMINAL, len(doc['members']))} 户", title_justify="left")
    for header, justify in (("名次", "right"), ("客户编码", "left"), ("客户名称", "left"), ("客户经理", "left"),
                            ("购进量(条)", "right"), ("状态", "left")):
        table.add_column(header, justify=justify)
    info = result.movement.members.set_index("customer_id")
    for m in doc["members"][:SHOWN_IN_TERMINAL]:
        row = info.loc[m["customer_id"]]
        table.add_row(str(m["rank"]), escape(m["customer_id"]), escape(_text(row["name"])), escape(_text(row["manager"])),
                      f"{m['volume']:,.2f}", m["status"])
    return table


def print_purge(console: Console, result: MonthResult) -> None:
    """The expired files: listed, and the confirmation line when --purge deleted them."""
    if result.expired.empty:
        return
    ids = "、".join(result.expired["customer_id"].head(20)) + ("……" if len(result.expired) > 20 else "")
    if result.purged:
        console.print(f"已按 --purge 从台账删除 {len(result.expired)} 份保存期已过的档案：{ids}", markup=False)
    else:
        console.print(f"[yellow]有 {len(result.expired)} 份档案保存期已过（已过期）：{escape(ids)}；"
                      "见「过期档案」工作表，加 --purge 可从台账删除[/]")


def print_summary(console: Console, doc: dict[str, Any], result: MonthResult, skipped: int,
                  manager: str | None) -> None:
    """The human summary: the list, its movement, the anomalies, the files, where files went."""
    listed = result.listed
    console.print(f"[bold]{result.month.label} 月销量排名前5%客户名单[/]（{cn_date(result.published)}发布）："
                  f"全市在册客户 {listed.population:,} 户，前 5% 为 {listed.cutoff:,} 户，"
                  f"入围门槛 {listed.threshold_volume:,.2f} 条，名单共 {len(listed.members):,} 户（含并列）。")
    scope = f"客户经理 {escape(manager)} 的客户" if manager else "全市"
    new = sum(1 for m in doc["members"] if m["status"] == NEW)
    reopened = sum(1 for cid in (m["customer_id"] for m in doc["members"])
                   if result.archive.actions.get(cid) == REOPENED)
    console.print(f"{scope}：名单上 {len(doc['members']):,} 户；与上月 {result.month.prev().key} 名单"
                  f"（{escape(result.previous_source)}）相比，"
                  f"新进入 {new:,} 户（其中重新启用档案 {reopened:,} 户），保持 {len(doc['members']) - new:,} 户，"
                  f"退出 {len(doc['exited']):,} 户（档案保存至 {cn_date(retain_until(result.published))}）。")
    if doc["members"]:
        console.print(_top_table(doc, result))
    elif listed.members.empty:
        console.print("[yellow]本月在册客户都没有购进，名单为空：请检查销售数据的月份，以及它与客户信息的客户编码是否一致[/]")
    counts = pd.Series([a["rule"] for a in doc["anomalies"]], dtype=object).value_counts()
    console.print("异常监控：" + "，".join(f"{label} {int(counts.get(rule, 0)):,} 户" for rule, label in RULES.items())
                  + f"（单条值按{escape(result.class_source)}比较）")
    for why in result.unchecked:
        console.print(f"[yellow]未检查：{escape(why)}[/]")
    print_purge(console, result)
    if skipped:
        console.print(f"[yellow]注意：{skipped} 条数据未参加排名（详见工作簿「数据问题」工作表）[/]")
    console.print("输出文件：")
    for path in doc["outputs"]:
        console.print(f"  {path}", markup=False)


def history_document(customer_id: str, months: pd.DataFrame, rows: pd.DataFrame, files: pd.DataFrame) -> dict[str, Any]:
    """`top5 history`: the months the customer was on a recorded list, and its file."""
    file = None
    if not files.empty:
        f = files.iloc[0]
        file = {k: (None if f[k] is None or pd.isna(f[k]) else str(f[k]))
                for k in ("opened_on", "archived_on", "reopened_on", "retain_until", "state")}
    return {
        "command": "top5 history",
        "customer_id": customer_id,
        "recorded_months": months["month"].tolist(),
        "months": [
            {"month": r.month, "rank": int(r.rank), "volume": float(r.volume), "amount": float(r.amount),
             "status": r.status}
            for r in rows.itertuples()
        ],
        "file": file,
    }


def print_history(console: Console, doc: dict[str, Any]) -> None:
    """The human form of `top5 history`: every recorded month, on the list or not, and the file."""
    on = {m["month"]: m for m in doc["months"]}
    table = Table(title=f"客户 {doc['customer_id']} 的前5%名单记录", title_justify="left")
    for header in ("月份", "名次", "购进量(条)", "购进额(元)", "名单状态"):
        table.add_column(header)
    for month in doc["recorded_months"]:
        m = on.get(month)
        if m:
            table.add_row(month, str(m["rank"]), f"{m['volume']:,.2f}", f"{m['amount']:,.2f}", m["status"])
        else:
            table.add_row(month, "", "", "", "未入围")
    console.print(table)
    file = doc["file"]
    if file is None:
        console.print("台账中没有该客户的档案（从未入围，或过期档案已用 --purge 删除）。")
        return
    parts = [f"档案状态：{STATE_LABELS[file['state']]}", f"建档 {file['opened_on']}"]
    parts += [f"{label} {file[key]}" for key, label in
              (("reopened_on", "重新启用"), ("archived_on", "归档"), ("retain_until", "保存至")) if file[key]]
    console.print("，".join(parts))
