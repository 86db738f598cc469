"""The SQLite ledger: the history that later runs compare against.

Holds each classified quarter (R-SCALE/R-STAT: the previous quarter of a later run). Later issues
add the top-5% archive, measures and applications through new migrations. A run changes the
ledger in one transaction, after its documents are ready, so a refused run leaves it untouched.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from datetime import datetime
from pathlib import Path

import pandas as pd

from cmtool.errors import CmtoolError


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


# MIGRATIONS[i] brings the schema from version i to i + 1; append, never edit.
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_v1,)
SCHEMA_VERSION = len(MIGRATIONS)

_CLASS_COLUMNS = (
    "customer_id", "name", "department", "manager", "market", "format", "scale",
    "class_name", "class_code", "volume", "amount", "score", "rank", "n", "scope",
)


def _bad_ledger(path: Path, why: str) -> CmtoolError:
    return CmtoolError(
        f"台账文件 {path} 无法使用：{why}",
        fix="请用 --db 指定正确的台账文件；如文件已损坏，请从备份恢复",
    )


class Ledger:
    """The ledger at `path`. Reading a missing file reads nothing; only a write creates it."""

    def __init__(self, path: Path):
        self.path = path

    @contextmanager
    def _connect(self, write: bool) -> Iterator[sqlite3.Connection]:
        try:
            if write:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                con = sqlite3.connect(self.path)
            else:
                con = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)
            with closing(con):
                con.execute("PRAGMA foreign_keys = ON")
                self._migrate(con, write)
                yield con
        except sqlite3.IntegrityError:
            raise
        except sqlite3.DatabaseError as e:
            raise _bad_ledger(self.path, str(e)) from None

    def _migrate(self, con: sqlite3.Connection, write: bool) -> None:
        version = con.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise _bad_ledger(self.path, f"它由更新版本的 cmtool 写入（结构版本 {version}）；请升级 cmtool")
        if version == SCHEMA_VERSION or not write:
            return
        with con:
            for migrate in MIGRATIONS[version:]:
                migrate(con)
            con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _readable(self) -> bool:
        return self.path.exists()

    def quarter_classes(self, quarter: str) -> pd.DataFrame | None:
        """The classification recorded for `quarter`, or None when the ledger does not hold it."""
        if not self._readable():
            return None
        with self._connect(write=False) as con:
            if con.execute("PRAGMA user_version").fetchone()[0] == 0:
                return None
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
        rows = result[list(_CLASS_COLUMNS)].astype(object).where(result[list(_CLASS_COLUMNS)].notna(), None)
        with self._connect(write=True) as con, con:
            con.execute("DELETE FROM quarters WHERE quarter = ?", (quarter,))
            con.execute(
                "INSERT INTO quarters VALUES (?, ?, ?, ?, ?)",
                (quarter, scope, effective_from, len(result), recorded_at.isoformat(timespec="seconds")),
            )
            con.executemany(
                f"INSERT INTO classifications (quarter, {', '.join(_CLASS_COLUMNS)})"
                f" VALUES (?, {', '.join('?' * len(_CLASS_COLUMNS))})",
                ((quarter, *r) for r in rows.itertuples(index=False, name=None)),
            )
