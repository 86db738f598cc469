"""R-TOP5 3: the 档案 (files) of the customers on the monthly lists, replayed from the lists.

The files follow from the lists recorded in the ledger, taken in month order, each on its
publish date P:

1. an archived file whose retention ended before P (31 December of the year it was archived)
   expires (过期);
2. a customer on the list without a file, or whose file expired, gets a new file (新建档案);
   one whose file is archived gets it back (重新启用档案);
3. a customer with an open file that is not on the list has its file archived (归档) until
   31 December of P's year.

Replaying the recorded lists (rather than updating the files run by run) makes re-running a
month, or recording an older month later, give the same files as running the months in order.
A file deleted with --purge stays deleted: it is left out until the customer comes back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date

import pandas as pd

from cmtool.rules.top5 import retain_until

OPEN, ARCHIVED, EXPIRED = "open", "archived", "expired"
STATE_LABELS = {OPEN: "在档", ARCHIVED: "已归档", EXPIRED: "已过期"}
OPENED, REOPENED, CONTINUED = "新建档案", "重新启用档案", "继续维护"
FILE_COLUMNS = ["customer_id", "opened_on", "archived_on", "reopened_on", "retain_until", "state"]


@dataclass(frozen=True)
class ListedMonth:
    """One recorded list: its month, publish date and the customers on it."""

    month: str
    published: date
    members: frozenset[str]


@dataclass(frozen=True)
class CustomerFile:
    """One customer's file (a row of the ledger's top5_files)."""

    customer_id: str
    opened_on: date
    archived_on: date | None = None
    reopened_on: date | None = None
    retain_until: date | None = None
    state: str = OPEN


@dataclass(frozen=True)
class Archive:
    """The files after the last recorded month, and what the target month did to its members."""

    files: pd.DataFrame  # FILE_COLUMNS, dates as date objects, by customer_id
    actions: dict[str, str]  # each member of the target month: OPENED, REOPENED or CONTINUED
    reopened_from: dict[str, date]  # members whose archived file came back: the date it was archived


def _step(files: dict[str, CustomerFile], listed: ListedMonth) -> tuple[dict[str, str], dict[str, date]]:
    """Apply one month's list to `files` (in place); return the members' actions."""
    day = listed.published
    for cid, f in files.items():
        if f.state == ARCHIVED and f.retain_until is not None and f.retain_until < day:
            files[cid] = replace(f, state=EXPIRED)
    actions, reopened_from = {}, {}
    for cid in sorted(listed.members):
        f = files.get(cid)
        if f is None or f.state == EXPIRED:
            files[cid], actions[cid] = CustomerFile(cid, opened_on=day), OPENED
        elif f.state == ARCHIVED:
            reopened_from[cid] = f.archived_on
            files[cid] = replace(f, state=OPEN, reopened_on=day, archived_on=None, retain_until=None)
            actions[cid] = REOPENED
        else:
            actions[cid] = CONTINUED
    for cid, f in files.items():
        if f.state == OPEN and cid not in listed.members:
            files[cid] = replace(f, state=ARCHIVED, archived_on=day, retain_until=retain_until(day))
    return actions, reopened_from


def rebuild_archive(months: Sequence[ListedMonth], target: str, purged: Iterable[str] = ()) -> Archive:
    """R-TOP5 3: replay `months` in month order; the files at the end and the target's actions.

    `purged`: customers whose expired file was deleted (--purge); their file is left out while it
    stays expired, and a new one is opened if they come back.
    """
    files: dict[str, CustomerFile] = {}
    actions: dict[str, str] = {}
    reopened_from: dict[str, date] = {}
    for listed in sorted(months, key=lambda m: m.month):
        step = _step(files, listed)
        if listed.month == target:
            actions, reopened_from = step
    gone = set(purged)
    kept = [f for cid, f in sorted(files.items()) if not (cid in gone and f.state == EXPIRED)]
    frame = pd.DataFrame([vars(f) for f in kept], columns=FILE_COLUMNS)
    return Archive(frame, actions, reopened_from)


def expired(files: pd.DataFrame) -> pd.DataFrame:
    """R-TOP5 3: the files whose retention is over (listed every run, deleted only with --purge)."""
    return files[files["state"] == EXPIRED].reset_index(drop=True)
