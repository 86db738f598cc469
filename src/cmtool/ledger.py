"""The SQLite ledger: the history that later runs compare against.

Holds each classified quarter (R-SCALE/R-STAT: the previous quarter of a later run). Later issues
add the top-5% archive, measures and applications through new migrations. A run changes the
ledger in one transaction, after its documents are ready, so a refused run leaves it untouched.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from cmtool.documents.atomic import PUBLISH_TABLE, active_staging
from cmtool.errors import CmtoolError, ledger_error
from cmtool.frames import python_values


def _v1(db: sqlite3.Connection) -> None:
    db.executescript(
        """
        CREATE TABLE quarters (
            quarter TEXT PRIMARY KEY,
            scope TEXT NOT NULL,
            effective_from TEXT NOT NULL,
            population INTEGER NOT NULL,
            recorded_at TEXT NOT NULL
        );
        CREATE TABLE classifications (
            quarter TEXT NOT NULL REFERENCES quarters(quarter) ON DELETE CASCADE,
            customer_id TEXT NOT NULL,
            name TEXT, department TEXT, manager TEXT,
            market TEXT NOT NULL, format TEXT NOT NULL, scale TEXT NOT NULL,
            class_name TEXT NOT NULL, class_code TEXT NOT NULL,
            volume REAL NOT NULL, amount REAL NOT NULL, score REAL NOT NULL,
            rank INTEGER NOT NULL, n INTEGER NOT NULL, scope TEXT NOT NULL,
            PRIMARY KEY (quarter, customer_id)
        );
        """
    )


def _v2(db: sqlite3.Connection) -> None:
    """R-TOP5: the monthly lists and the 档案 (files) of the customers on them."""
    db.executescript(
        """
        CREATE TABLE top5_months (
            month TEXT PRIMARY KEY,
            publish_date TEXT NOT NULL,
            population INTEGER NOT NULL,
            cutoff INTEGER NOT NULL,
            threshold_volume REAL NOT NULL,
            recorded_at TEXT NOT NULL
        );
        CREATE TABLE top5_members (
            month TEXT NOT NULL REFERENCES top5_months(month) ON DELETE CASCADE,
            customer_id TEXT NOT NULL,
            rank INTEGER NOT NULL,
            volume REAL NOT NULL,
            amount REAL NOT NULL,
            status TEXT NOT NULL,
            PRIMARY KEY (month, customer_id)
        );
        CREATE TABLE top5_files (
            customer_id TEXT PRIMARY KEY,
            opened_on TEXT NOT NULL,
            archived_on TEXT,
            reopened_on TEXT,
            retain_until TEXT,
            state TEXT NOT NULL CHECK (state IN ('open', 'archived', 'expired'))
        );
        """
    )


def _v3(db: sqlite3.Connection) -> None:
    """R-GROUP / R-QUOTA applications and R-DYN measures."""
    db.executescript(
        """
        CREATE TABLE applications (
            month TEXT NOT NULL,
            customer_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            current_group TEXT,
            proposed_group TEXT NOT NULL,
            direction TEXT NOT NULL,
            evidence TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            PRIMARY KEY (month, customer_id, kind)
        );
        CREATE TABLE measures (
            id INTEGER PRIMARY KEY,
            customer_id TEXT NOT NULL,
            measure TEXT NOT NULL,
            starts_on TEXT NOT NULL,
            ends_on TEXT,
            decided_month TEXT NOT NULL,
            restored_on TEXT
        );
        """
    )


def _v4(db: sqlite3.Connection) -> None:
    """R-INFO 3: the customer master as `cmtool check` last read it (one JSON object per customer)."""
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS master_snapshot (
            customer_id TEXT PRIMARY KEY,
            fields TEXT NOT NULL,
            stored_on TEXT NOT NULL
        );
        """
    )


def _v5(db: sqlite3.Connection) -> None:
    """R-DYN 2–3: what `dynamic notices` decides about each measure (the customer's name and manager
    for the restore list, term, notice, first order day,
    deliver_by, groups of a 组别下调, remark) and when its notice came back signed."""
    db.executescript(
        """
        ALTER TABLE measures ADD COLUMN name TEXT;
        ALTER TABLE measures ADD COLUMN manager TEXT;
        ALTER TABLE measures ADD COLUMN term TEXT;
        ALTER TABLE measures ADD COLUMN notice TEXT;
        ALTER TABLE measures ADD COLUMN first_order_day TEXT;
        ALTER TABLE measures ADD COLUMN deliver_by TEXT;
        ALTER TABLE measures ADD COLUMN from_group TEXT;
        ALTER TABLE measures ADD COLUMN to_group TEXT;
        ALTER TABLE measures ADD COLUMN remark TEXT;
        ALTER TABLE measures ADD COLUMN signed_on TEXT;
        ALTER TABLE measures ADD COLUMN recorded_at TEXT;
        CREATE INDEX measures_month ON measures (decided_month);
        """
    )


def _v6(db: sqlite3.Connection) -> None:
    """R-PLAN: the monthly plans per 客户经理, their customers, 营销动作 and status history."""
    db.executescript(
        """
        CREATE TABLE plans (
            month TEXT NOT NULL,
            manager TEXT NOT NULL,
            status TEXT NOT NULL,
            result_status TEXT,
            created_at TEXT NOT NULL,
            PRIMARY KEY (month, manager)
        );
        CREATE TABLE plan_customers (
            month TEXT NOT NULL,
            manager TEXT NOT NULL,
            customer_id TEXT NOT NULL,
            name TEXT,
            class_name TEXT,
            PRIMARY KEY (month, customer_id),
            FOREIGN KEY (month, manager) REFERENCES plans(month, manager) ON DELETE CASCADE
        );
        CREATE TABLE plan_actions (
            month TEXT NOT NULL,
            manager TEXT NOT NULL,
            customer_id TEXT NOT NULL,
            action TEXT NOT NULL,
            source TEXT NOT NULL,
            first_month TEXT NOT NULL,
            mark TEXT NOT NULL CHECK (mark IN ('☆', '●', '★')),
            note TEXT,
            marked_at TEXT,
            PRIMARY KEY (month, customer_id, action),
            FOREIGN KEY (month, manager) REFERENCES plans(month, manager) ON DELETE CASCADE
        );
        CREATE TABLE plan_events (
            id INTEGER PRIMARY KEY,
            month TEXT NOT NULL,
            manager TEXT NOT NULL,
            stage TEXT NOT NULL,
            event TEXT NOT NULL,
            status TEXT NOT NULL,
            by_name TEXT,
            reason TEXT,
            on_date TEXT NOT NULL,
            FOREIGN KEY (month, manager) REFERENCES plans(month, manager) ON DELETE CASCADE
        );
        """
    )


def _v7(db: sqlite3.Connection) -> None:
    """Issue 8: the token of every run whose change was committed with its documents, so that
    the run after a kill -9 knows whether to keep or put back what the dead run renamed."""
    db.executescript(
        f"""
        CREATE TABLE IF NOT EXISTS {PUBLISH_TABLE} (
            token TEXT PRIMARY KEY,
            published_at TEXT NOT NULL
        );
        """
    )


LOCK_TIMEOUT = 10.0  # seconds to wait for another run's change to the ledger

# MIGRATIONS[i] brings the schema from version i to i + 1; append, never edit.
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_v1, _v2, _v3, _v4, _v5, _v6, _v7)
SCHEMA_VERSION = len(MIGRATIONS)


def _plain_rows(frame: pd.DataFrame, columns: tuple[str, ...], chunk: int = 50_000,
                first: str | None = None) -> Iterator[tuple[object, ...]]:
    """The rows of `columns` as Python values (None where missing), converted a chunk at a time
    and column by column: a province's 500,000 rows are never all Python objects at once. With
    `first`, each row starts with it (the key every row shares)."""
    for start in range(0, len(frame), chunk):
        part = frame.iloc[start : start + chunk]
        # shared texts: SQLite encodes each once (Python keeps a text's UTF-8 with it)
        values = [python_values(part[c]) for c in columns]
        yield from zip(itertools.repeat(first, len(part)), *values) if first is not None else zip(*values)


APPLICATION_COLUMNS = ("customer_id", "kind", "current_group", "proposed_group", "direction", "evidence")
MEASURE_COLUMNS = ("customer_id", "measure", "starts_on", "ends_on", "decided_month", "restored_on")
# R-DYN: what `dynamic notices` records besides (migration _v5); MEASURE_DETAIL_COLUMNS as read back.
MEASURE_NOTICE_COLUMNS = ("name", "manager", "term", "notice", "first_order_day", "deliver_by", "from_group", "to_group", "remark")
MEASURE_DETAIL_COLUMNS = ("id", *MEASURE_COLUMNS, *MEASURE_NOTICE_COLUMNS, "signed_on")

_CLASS_COLUMNS = (
    "customer_id", "name", "department", "manager", "market", "format", "scale",
    "class_name", "class_code", "volume", "amount", "score", "rank", "n", "scope",
)


PLAN_COLUMNS = ("month", "manager", "status", "result_status", "created_at")
PLAN_CUSTOMER_COLUMNS = ("month", "manager", "customer_id", "name", "class_name")
PLAN_ACTION_COLUMNS = ("month", "manager", "customer_id", "action", "source", "first_month", "mark", "note",
                       "marked_at")
PLAN_EVENT_COLUMNS = ("month", "manager", "stage", "event", "status", "by_name", "reason", "on_date")


@dataclass
class PlanWrite:
    """One plan's new state for `Ledger.record_plans`: its status and result status, the event
    that brought it there (PLAN_EVENT_COLUMNS without month and manager), and, when given, the
    customers (PLAN_CUSTOMER_COLUMNS) and 营销动作 (PLAN_ACTION_COLUMNS) that replace its own."""

    month: str
    manager: str
    status: str
    result_status: str | None
    event: dict[str, str | None]
    customers: pd.DataFrame | None = None
    actions: pd.DataFrame | None = None


def _bad_ledger(path: Path, why: str) -> CmtoolError:
    return CmtoolError(
        f"台账文件 {path} 无法使用：{why}",
        fix="请用 --db 指定正确的台账文件；如文件已损坏，请从备份恢复",
    )


class _Transaction:
    """A run's ledger change, open until the run's documents are published (atomic.Staging)."""

    def __init__(self, ledger: Ledger):
        self.path = ledger.path
        self.con = ledger.open()
        try:  # the write lock now, holding no read lock while waiting: two runs cannot deadlock
            self.con.execute("BEGIN IMMEDIATE")
        except sqlite3.DatabaseError as e:
            self.con.close()
            raise ledger_error(self.path, e) from None

    def journal(self) -> dict[str, str]:
        return {"ledger": str(self.path.absolute())}

    def commit(self, token: str) -> None:
        try:
            self.con.execute(f"INSERT INTO {PUBLISH_TABLE} VALUES (?, ?)",
                             (token, datetime.now().isoformat(timespec="seconds")))
            self.con.commit()
        except sqlite3.DatabaseError as e:
            raise ledger_error(self.path, e) from None
        finally:
            self.con.close()

    def rollback(self) -> None:
        try:
            self.con.rollback()
        except sqlite3.Error:
            pass
        finally:
            self.con.close()


class Ledger:
    """The ledger at `path`. Reading a missing file reads nothing; only a write creates it."""

    def __init__(self, path: Path):
        self.path = path

    def open(self) -> sqlite3.Connection:
        """A new connection with the schema brought up to date (migrations add tables, never
        data); SQLite's and the OS's errors become Chinese messages (errors.ledger_error)."""
        if self.path.is_dir():
            raise CmtoolError(f"台账文件 {self.path} 是一个文件夹", fix="请用 --db 指定一个文件，如 cmtool.db")
        con = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            con = sqlite3.connect(self.path, timeout=LOCK_TIMEOUT)
            con.execute("PRAGMA foreign_keys = ON")
            self._migrate(con)
            return con
        except (sqlite3.DatabaseError, OSError) as e:
            if con is not None:
                con.close()
            if isinstance(e, CmtoolError):
                raise
            raise ledger_error(self.path, e) from None

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """A connection (see `open`) closed after the block."""
        with closing(self.open()) as con:
            try:
                yield con
            except sqlite3.IntegrityError:
                raise
            except sqlite3.DatabaseError as e:
                raise ledger_error(self.path, e) from None

    @contextmanager
    def writing(self) -> Iterator[sqlite3.Connection]:
        """The connection a change is made on: inside an `atomic.Staging` block the run's open
        transaction, committed only after its documents are published; else its own."""
        staging = active_staging()
        if staging is None:
            with self.connect() as con, con:
                yield con
            return
        key = f"ledger:{self.path.absolute()}"
        transaction = staging.join(key, lambda: _Transaction(self))
        try:
            yield transaction.con  # type: ignore[attr-defined]
        except sqlite3.IntegrityError:
            raise
        except sqlite3.DatabaseError as e:
            raise ledger_error(self.path, e) from None

    def _migrate(self, con: sqlite3.Connection) -> None:
        version = con.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise _bad_ledger(self.path, f"它由更新版本的 cmtool 写入（结构版本 {version}）；请升级 cmtool")
        if version == SCHEMA_VERSION:
            return
        with con:
            for migrate in MIGRATIONS[version:]:
                migrate(con)
            con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def exists(self) -> bool:
        """Whether the ledger file exists; readers return nothing rather than create it."""
        return self.path.exists()

    def quarter_classes(self, quarter: str) -> pd.DataFrame | None:
        """The classification recorded for `quarter`, or None when the ledger does not hold it."""
        if not self.exists():
            return None
        with self.connect() as con:
            rows = con.execute(
                f"SELECT {', '.join(_CLASS_COLUMNS)} FROM classifications WHERE quarter = ?"
                " ORDER BY scope, rank, customer_id",
                (quarter,),
            ).fetchall()
        if not rows:
            return None
        return pd.DataFrame(rows, columns=list(_CLASS_COLUMNS))

    def record_quarter(
        self, quarter: str, scope: str, effective_from: str, result: pd.DataFrame, recorded_at: datetime
    ) -> None:
        """Store a classified quarter, replacing an earlier run of it, in one transaction."""
        with self.writing() as con:
            con.execute("DELETE FROM quarters WHERE quarter = ?", (quarter,))
            con.execute(
                "INSERT INTO quarters VALUES (?, ?, ?, ?, ?)",
                (quarter, scope, effective_from, len(result), recorded_at.isoformat(timespec="seconds")),
            )
            con.executemany(
                f"INSERT INTO classifications (quarter, {', '.join(_CLASS_COLUMNS)})"
                f" VALUES (?, {', '.join('?' * len(_CLASS_COLUMNS))})",
                _plain_rows(result, _CLASS_COLUMNS, first=quarter),
            )

    # ---- issue 3 (R-TOP5) adds its reading/recording methods below this line ----

    TOP5_MONTH_COLUMNS = ("month", "publish_date", "population", "cutoff", "threshold_volume", "recorded_at")
    TOP5_MEMBER_COLUMNS = ("month", "customer_id", "rank", "volume", "amount", "status")
    TOP5_FILE_COLUMNS = ("customer_id", "opened_on", "archived_on", "reopened_on", "retain_until", "state")

    def _select(self, sql: str, params: tuple[object, ...], columns: tuple[str, ...]) -> pd.DataFrame:
        """Rows of a query as a frame; empty (and no file created) when the ledger does not exist."""
        if not self.exists():
            return pd.DataFrame(columns=list(columns))
        with self.connect() as con:
            rows = con.execute(sql, params).fetchall()
        return pd.DataFrame(rows, columns=list(columns))

    def quarter_in_force(self, day: str) -> str | None:
        """The latest classified quarter in effect on `day` (ISO date): effective_from ≤ day."""
        found = self._select("SELECT quarter FROM quarters WHERE effective_from <= ? ORDER BY effective_from DESC"
                             " LIMIT 1", (day,), ("quarter",))
        return None if found.empty else str(found.at[0, "quarter"])

    def latest_quarter(self, at_most: str) -> str | None:
        """The latest classified quarter at or before `at_most` (a quarter key such as 2026Q3)."""
        found = self._select("SELECT quarter FROM quarters WHERE quarter <= ? ORDER BY quarter DESC LIMIT 1",
                             (at_most,), ("quarter",))
        return None if found.empty else str(found.at[0, "quarter"])

    def top5_months(self) -> pd.DataFrame:
        """Every recorded R-TOP5 list (TOP5_MONTH_COLUMNS), by month."""
        return self._select(f"SELECT {', '.join(self.TOP5_MONTH_COLUMNS)} FROM top5_months ORDER BY month",
                            (), self.TOP5_MONTH_COLUMNS)

    def top5_members(self, month: str | None = None, customer_id: str | None = None) -> pd.DataFrame:
        """The customers on recorded lists (TOP5_MEMBER_COLUMNS), of one month and/or one customer
        when given; by month, then rank, then 客户编码."""
        return self._select(
            f"SELECT {', '.join(self.TOP5_MEMBER_COLUMNS)} FROM top5_members"
            " WHERE (? IS NULL OR month = ?) AND (? IS NULL OR customer_id = ?) ORDER BY month, rank, customer_id",
            (month, month, customer_id, customer_id), self.TOP5_MEMBER_COLUMNS)

    def top5_files(self, customer_id: str | None = None) -> pd.DataFrame:
        """The 档案 (TOP5_FILE_COLUMNS, dates as ISO text), of one customer when given."""
        return self._select(
            f"SELECT {', '.join(self.TOP5_FILE_COLUMNS)} FROM top5_files"
            " WHERE ? IS NULL OR customer_id = ? ORDER BY customer_id",
            (customer_id, customer_id), self.TOP5_FILE_COLUMNS)

    def top5_purged(self) -> set[str]:
        """Customers that were on a recorded list but have no file: theirs was deleted by --purge."""
        found = self._select(
            "SELECT DISTINCT customer_id FROM top5_members"
            " WHERE customer_id NOT IN (SELECT customer_id FROM top5_files)", (), ("customer_id",))
        return set(found["customer_id"])

    def record_top5(self, month: dict[str, object], members: pd.DataFrame, files: pd.DataFrame) -> None:
        """Store a month's list (`month`: TOP5_MONTH_COLUMNS; `members`: TOP5_MEMBER_COLUMNS
        without month) replacing an earlier run of that month, and replace every file with
        `files` (TOP5_FILE_COLUMNS, dates as ISO text or None), in one transaction."""
        key = month["month"]
        member_rows = members[list(self.TOP5_MEMBER_COLUMNS[1:])].astype(object)
        file_rows = files[list(self.TOP5_FILE_COLUMNS)].astype(object)
        file_rows = file_rows.where(file_rows.notna(), None)
        with self.writing() as con:
            con.execute("DELETE FROM top5_months WHERE month = ?", (key,))
            con.execute(f"INSERT INTO top5_months VALUES ({', '.join('?' * len(self.TOP5_MONTH_COLUMNS))})",
                        tuple(month[c] for c in self.TOP5_MONTH_COLUMNS))
            con.executemany(
                f"INSERT INTO top5_members ({', '.join(self.TOP5_MEMBER_COLUMNS)})"
                f" VALUES (?, {', '.join('?' * (len(self.TOP5_MEMBER_COLUMNS) - 1))})",
                ((key, *r) for r in member_rows.itertuples(index=False, name=None)),
            )
            con.execute("DELETE FROM top5_files")
            con.executemany(
                f"INSERT INTO top5_files VALUES ({', '.join('?' * len(self.TOP5_FILE_COLUMNS))})",
                file_rows.itertuples(index=False, name=None),
            )

    # ---- issue 4 (R-GROUP/R-QUOTA) adds its reading/recording methods below this line ----

    def record_applications(
        self, month: str, kinds: list[str], applications: pd.DataFrame, recorded_at: datetime
    ) -> None:
        """R-GROUP/R-QUOTA: store the applications of `month` (columns of APPLICATION_COLUMNS,
        evidence as JSON text), replacing an earlier run's applications of `kinds` for that
        month, in one transaction: running a month again never duplicates them."""
        with self.writing() as con:
            con.executemany("DELETE FROM applications WHERE month = ? AND kind = ?", ((month, k) for k in kinds))
            con.executemany(
                f"INSERT INTO applications (month, {', '.join(APPLICATION_COLUMNS)}, recorded_at)"
                f" VALUES (?, {', '.join('?' * len(APPLICATION_COLUMNS))}, ?)",
                ((month, *row, recorded_at.isoformat(timespec="seconds"))
                 for row in applications[list(APPLICATION_COLUMNS)].itertuples(index=False, name=None)),
            )

    def applications(self, before: str | None = None) -> pd.DataFrame:
        """Recorded applications (of the months before `before` when given), oldest first:
        month, APPLICATION_COLUMNS, recorded_at. Empty when there are none."""
        columns = ("month", *APPLICATION_COLUMNS, "recorded_at")
        return self._select(f"SELECT {', '.join(columns)} FROM applications WHERE ? IS NULL OR month < ?"
                            " ORDER BY month, kind, customer_id", (before, before), columns)

    def measures(self) -> pd.DataFrame:
        """Every recorded R-DYN measure (MEASURE_COLUMNS, dates as ISO text); empty when none."""
        return self._select(f"SELECT {', '.join(MEASURE_COLUMNS)} FROM measures ORDER BY id", (), MEASURE_COLUMNS)

    # ---- issue 9 (R-DYN) -----------------------------------------------------------------------

    def measure_details(self, decided_month: str | None = None) -> pd.DataFrame:
        """R-DYN: the recorded measures with everything their notice said (MEASURE_DETAIL_COLUMNS,
        dates as ISO text), of one decided month when given; by id (the order recorded)."""
        return self._select(
            f"SELECT {', '.join(MEASURE_DETAIL_COLUMNS)} FROM measures WHERE ? IS NULL OR decided_month = ?"
            " ORDER BY id", (decided_month, decided_month), MEASURE_DETAIL_COLUMNS)

    def measures_on(self, day: date) -> pd.DataFrame:
        """R-DYN / R-VISIT 3: the measures in force on `day`: begun on or before it, not ended before
        it, not restored by it (MEASURE_DETAIL_COLUMNS; customer_id, measure, starts_on, ends_on…)."""
        on = day.isoformat()
        return self._select(
            f"SELECT {', '.join(MEASURE_DETAIL_COLUMNS)} FROM measures WHERE starts_on <= ?"
            " AND (ends_on IS NULL OR ends_on >= ?) AND (restored_on IS NULL OR restored_on > ?)"
            " ORDER BY customer_id, starts_on, id", (on, on, on), MEASURE_DETAIL_COLUMNS)

    def record_measures(self, decided_month: str, measures: pd.DataFrame, recorded_at: datetime) -> None:
        """R-DYN 2: store the measures decided in `decided_month` (MEASURE_COLUMNS without
        decided_month and restored_on, plus MEASURE_NOTICE_COLUMNS; dates as ISO text), replacing
        that month's earlier ones in one transaction. A measure recorded before with the same
        customer, kind, start and end keeps its signed and restored dates."""
        columns = ("customer_id", "measure", "starts_on", "ends_on", *MEASURE_NOTICE_COLUMNS)
        with self.writing() as con:
            kept = {
                tuple(r[:4]): r[4:]
                for r in con.execute("SELECT customer_id, measure, starts_on, ends_on, signed_on, restored_on"
                                     " FROM measures WHERE decided_month = ?", (decided_month,))
            }
            con.execute("DELETE FROM measures WHERE decided_month = ?", (decided_month,))
            con.executemany(
                f"INSERT INTO measures (decided_month, {', '.join(columns)}, signed_on, restored_on, recorded_at)"
                f" VALUES (?, {', '.join('?' * len(columns))}, ?, ?, ?)",
                ((decided_month, *row, *kept.get(tuple(row[:4]), (None, None)),
                  recorded_at.isoformat(timespec="seconds"))
                 for row in _plain_rows(measures, columns)),
            )

    def record_restores(self, ids: list[int], day: date) -> None:
        """R-DYN 3: mark the measures `ids` restored on `day`, in one transaction."""
        with self.writing() as con:
            con.executemany("UPDATE measures SET restored_on = ? WHERE id = ? AND restored_on IS NULL",
                            ((day.isoformat(), i) for i in ids))

    def record_signed(self, signed: dict[int, date]) -> None:
        """R-DYN 3: mark the notices of the measures (id → date) as signed, in one transaction."""
        with self.writing() as con:
            con.executemany("UPDATE measures SET signed_on = ? WHERE id = ?",
                            ((d.isoformat(), i) for i, d in signed.items()))

    # ---- issue 11 (R-INFO) adds its reading/recording methods below this line ----

    def master_snapshot(self) -> tuple[pd.DataFrame, str] | None:
        """The master stored by the last `check` (customer_id plus the stored fields, as text or
        numbers) and the date it was stored; None when none is stored."""
        found = self._select("SELECT customer_id, fields, stored_on FROM master_snapshot ORDER BY customer_id",
                             (), ("customer_id", "fields", "stored_on"))
        if found.empty:
            return None
        fields = pd.DataFrame([json.loads(f) for f in found["fields"]])
        frame = pd.concat([found[["customer_id"]], fields], axis=1)
        return frame, str(found.at[0, "stored_on"])

    def record_master_snapshot(self, master: pd.DataFrame, columns: list[str], stored_on: str) -> None:
        """Replace the stored master with `master`'s `columns` (R-INFO 3), in one transaction."""
        values = master[columns].astype(object).where(master[columns].notna(), None)
        rows = [(cid, json.dumps(dict(zip(columns, vals)), ensure_ascii=False, default=str), stored_on)
                for cid, vals in zip(master["customer_id"], values.itertuples(index=False, name=None))]
        with self.writing() as con:
            con.execute("DELETE FROM master_snapshot")
            con.executemany("INSERT INTO master_snapshot VALUES (?, ?, ?)", rows)

    CUSTOMER_CLASS_COLUMNS = ("quarter", "effective_from", "scale", "class_name", "class_code", "rank", "n", "scope",
                              "volume", "amount")

    def customer_classes(self, customer_id: str) -> pd.DataFrame:
        """R-CARD: the customer's class in every recorded quarter (CUSTOMER_CLASS_COLUMNS), oldest first."""
        return self._select(
            "SELECT c.quarter, q.effective_from, c.scale, c.class_name, c.class_code, c.rank, c.n, c.scope,"
            " c.volume, c.amount FROM classifications c JOIN quarters q ON q.quarter = c.quarter"
            " WHERE c.customer_id = ? ORDER BY c.quarter", (customer_id,), self.CUSTOMER_CLASS_COLUMNS)

    # ---- issue 10 (R-PLAN) adds its reading/recording methods below this line ----

    def plans(self, month: str | None = None, manager: str | None = None) -> pd.DataFrame:
        """The recorded plans (PLAN_COLUMNS), of one month and/or manager when given."""
        return self._select(
            f"SELECT {', '.join(PLAN_COLUMNS)} FROM plans WHERE (? IS NULL OR month = ?)"
            " AND (? IS NULL OR manager = ?) ORDER BY month, manager",
            (month, month, manager, manager), PLAN_COLUMNS)

    def plan_customers(self, month: str, manager: str | None = None) -> pd.DataFrame:
        """The customers of the month's plans (PLAN_CUSTOMER_COLUMNS), of one manager when given."""
        return self._select(
            f"SELECT {', '.join(PLAN_CUSTOMER_COLUMNS)} FROM plan_customers WHERE month = ?"
            " AND (? IS NULL OR manager = ?) ORDER BY manager, customer_id",
            (month, manager, manager), PLAN_CUSTOMER_COLUMNS)

    def plan_actions(self, month: str, manager: str | None = None) -> pd.DataFrame:
        """The 营销动作 of the month's plans (PLAN_ACTION_COLUMNS), of one manager when given, in the
        order they were recorded."""
        return self._select(
            f"SELECT {', '.join(PLAN_ACTION_COLUMNS)} FROM plan_actions WHERE month = ?"
            " AND (? IS NULL OR manager = ?) ORDER BY manager, rowid",
            (month, manager, manager), PLAN_ACTION_COLUMNS)

    def plan_events(self, month: str, manager: str) -> pd.DataFrame:
        """The status history of one plan (PLAN_EVENT_COLUMNS), oldest first."""
        return self._select(
            f"SELECT {', '.join(PLAN_EVENT_COLUMNS)} FROM plan_events WHERE month = ? AND manager = ? ORDER BY id",
            (month, manager), PLAN_EVENT_COLUMNS)

    def customer_actions(self, customer_id: str) -> pd.DataFrame:
        """R-CARD: the customer's 营销动作 in the latest month planned for it (PLAN_ACTION_COLUMNS)."""
        return self._select(
            f"SELECT {', '.join(PLAN_ACTION_COLUMNS)} FROM plan_actions WHERE customer_id = ? AND month ="
            " (SELECT MAX(month) FROM plan_actions WHERE customer_id = ?) ORDER BY rowid",
            (customer_id, customer_id), PLAN_ACTION_COLUMNS)

    def record_plans(self, writes: list[PlanWrite], recorded_at: datetime) -> None:
        """Store each plan's new state, its event, and its customers and actions when given, in one
        transaction (a run that refuses one plan changes none)."""
        with self.writing() as con:
            for w in writes:
                key = (w.month, w.manager)
                con.execute(
                    "INSERT INTO plans VALUES (?, ?, ?, ?, ?) ON CONFLICT (month, manager)"
                    " DO UPDATE SET status = excluded.status, result_status = excluded.result_status",
                    (*key, w.status, w.result_status, recorded_at.isoformat(timespec="seconds")))
                if w.customers is not None:
                    con.execute("DELETE FROM plan_customers WHERE month = ? AND manager = ?", key)
                    con.executemany(f"INSERT INTO plan_customers VALUES ({', '.join('?' * len(PLAN_CUSTOMER_COLUMNS))})",
                                    _plain_rows(w.customers.assign(month=w.month, manager=w.manager), PLAN_CUSTOMER_COLUMNS))
                if w.actions is not None:
                    con.execute("DELETE FROM plan_actions WHERE month = ? AND manager = ?", key)
                    con.executemany(f"INSERT INTO plan_actions VALUES ({', '.join('?' * len(PLAN_ACTION_COLUMNS))})",
                                    _plain_rows(w.actions.assign(month=w.month, manager=w.manager), PLAN_ACTION_COLUMNS))
                event = {"month": w.month, "manager": w.manager, **w.event}
                con.execute(f"INSERT INTO plan_events ({', '.join(PLAN_EVENT_COLUMNS)})"
                            f" VALUES ({', '.join('?' * len(PLAN_EVENT_COLUMNS))})",
                            tuple(event.get(c) for c in PLAN_EVENT_COLUMNS))
