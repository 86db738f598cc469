"""The one publish step: every document of a run and its ledger change, all or nothing.

Documents are written into a staging folder `.cmtool-staging/<run>/` inside their output folder
(same disk, so every rename is atomic), never beside the targets. `commit()` first checks every
target (not a folder, not open in Excel/WPS or locked, the folder writable), then moves each old
document into the staging folder as a backup and renames the new one into place, and only when
every rename succeeded commits the ledger transaction that joined the run (`join`). If a rename or
the ledger commit fails, the documents already renamed are put back and the ledger is rolled
back. A run killed (kill -9, a power cut) leaves its staging folder; the next run that writes
into that output folder finds it (its lock is free), puts back or keeps what the dead run
renamed — keeps it only if the dead run's ledger commit happened — and removes it, scratch
files of xlsxwriter included (data.md, "What bad input gets"; issue 8).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Protocol

from cmtool.errors import CmtoolError, found_os_error, os_error

STAGING_DIR = ".cmtool-staging"
MANIFEST = "manifest.json"
DONE = "done"
LOCK = "lock"
PUBLISH_TABLE = "publishes"  # the ledger's table of committed run tokens (ledger.py creates it)
ORPHAN_AGE = 600  # seconds: a staging folder without a lock file older than this is a dead run's

_active: ContextVar[Staging | None] = ContextVar("cmtool_staging", default=None)


class Participant(Protocol):
    """A resource committed together with the documents (the ledger's open transaction)."""

    def journal(self) -> dict[str, str]:
        """What the next run needs to tell whether `commit` happened (e.g. the ledger's path)."""

    def commit(self, token: str) -> None:
        """Make the change durable, recording `token`; raise (a CmtoolError) if it cannot."""

    def rollback(self) -> None:
        """Drop the change."""


def active_staging() -> Staging | None:
    """The Staging whose `with` block is running, if any: a ledger write joins it."""
    return _active.get()


@dataclass
class _Entry:
    temp: Path
    final: Path
    backup: Path
    existed: bool = False
    moved_old: bool = False
    placed: bool = False


def _lock(path: Path) -> IO[bytes] | None:
    """`path` opened and locked for this process (released when closed or the process dies), or
    None when another live process holds it. msvcrt on Windows, fcntl elsewhere."""
    fh = open(path, "a+b")  # noqa: SIM115 - held open for the run
    try:
        if os.name == "nt":
            import msvcrt

            fh.seek(0)
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        fh.close()
        return None
    return fh


def _check_folder(folder: Path) -> list[Path]:
    """`folder` exists as a folder (created if missing), or a Chinese message naming it; returns
    the folders created, deepest first."""
    for part in (folder, *folder.parents):
        if part.exists() and not part.is_dir():
            raise CmtoolError(f"输出文件夹 {folder} 无法使用：{part} 是一个文件，不是文件夹",
                              fix="请用 --out 指定一个文件夹（不存在时会自动创建），或把同名文件改名")
        if part.exists():
            break
    created = [p for p in (folder, *folder.parents) if not p.exists()]
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise os_error(e, "创建输出文件夹", folder) from None
    return created


class _RunFolder:
    """This run's staging folder inside one output folder, locked while the run lives."""

    def __init__(self, parent: Path, token: str):
        self.parent = parent
        self.root = parent / STAGING_DIR
        self.dir = self.root / token
        try:
            self.dir.mkdir(parents=True)
            self._lock = _lock(self.dir / LOCK)
        except PermissionError:
            raise CmtoolError(f"无法写入输出文件夹 {parent}：该文件夹是只读的、被锁定，或没有写入权限",
                              fix="请去掉该文件夹的只读属性（或取得写入权限），或用 --out 指定其他文件夹；"
                                  "本次运行没有写出任何文档，台账没有改动") from None
        except OSError as e:
            raise os_error(e, "写入输出文件夹", parent) from None

    def close(self) -> None:
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def remove(self) -> None:
        self.close()
        shutil.rmtree(self.dir, ignore_errors=True)
        try:
            self.root.rmdir()  # only when no other run stages here
        except OSError:
            pass


class Staging:
    """Outputs staged and published together by `commit()`, with the ledger change that joined.

    ```
    with Staging() as st:
        write_xlsx(st.path(out / "a.xlsx"))
        write_html(st.path(out / "b.html"))
        ledger.record(...)          # joins the run: committed by st.commit(), after the renames
        st.commit()
    ```
    Leaving the block without `commit()` (by an exception or not) deletes every staged file and
    rolls back the ledger change. `commit()` is all or nothing (see the module docstring).
    """

    def __init__(self) -> None:
        self.token = f"{time.strftime('%Y%m%d%H%M%S')}-{os.getpid()}-{secrets.token_hex(4)}"
        self._entries: list[_Entry] = []
        self._folders: dict[Path, _RunFolder] = {}
        self._participants: dict[str, Participant] = {}
        self._created: list[Path] = []  # output folders this run made: removed again if it fails
        self._reset: object = None

    def path(self, final: str | os.PathLike[str]) -> Path:
        """A fresh staging path for `final` (its folder is created if missing), with its name."""
        final = Path(final).absolute()
        if final.is_dir():
            raise _folder_in_the_way(final)
        run = self._folder(final.parent)
        n = len(self._entries)
        entry = _Entry(run.dir / f"{n}-{final.name}", final, run.dir / f"{n}-old-{final.name}")
        self._entries.append(entry)
        return entry.temp

    def join(self, key: str, open_participant: Callable[[], Participant]) -> Participant:
        """The participant under `key`, opened at the first call: committed after the renames."""
        if key not in self._participants:
            self._participants[key] = open_participant()
        return self._participants[key]

    def commit(self) -> list[Path]:
        """Publish every staged file onto its target, in the order staged, then commit the
        participants; on any failure nothing is published. Returns the targets."""
        try:
            self._check_targets()
            self._write_manifests()
            try:
                for entry in self._entries:
                    self._publish(entry)
                for participant in self._participants.values():
                    participant.commit(self.token)
            except BaseException:
                self._undo()
                raise
            self._participants.clear()
            self._created.clear()
            for run in self._folders.values():
                try:
                    (run.dir / DONE).touch()  # the run is published: a crash from here on keeps it
                except OSError:
                    pass  # the folder is removed next anyway
            return [e.final for e in self._entries]
        finally:
            self._discard()

    def _folder(self, parent: Path) -> _RunFolder:
        if parent not in self._folders:
            self._created += _check_folder(parent)
            recover(parent)
            self._folders[parent] = _RunFolder(parent, self.token)
        return self._folders[parent]

    def _check_targets(self) -> None:
        """Every target can be replaced: its staged file exists, it is no folder, not open."""
        for entry in self._entries:
            if not entry.temp.exists():
                raise CmtoolError(f"暂存文件 {entry.temp} 没有写出，无法发布 {entry.final.name}",
                                  fix="请重新运行")
            if entry.final.is_dir():
                raise _folder_in_the_way(entry.final)
            entry.existed = entry.final.exists()
            if entry.existed:
                try:
                    with open(entry.final, "r+b"):
                        pass
                except OSError as e:
                    raise _target_error(entry.final, e) from None

    def _write_manifests(self) -> None:
        ledgers = [p.journal() for p in self._participants.values()]
        for parent, run in self._folders.items():
            entries = [{"final": str(e.final), "temp": str(e.temp), "backup": str(e.backup), "existed": e.existed}
                       for e in self._entries if e.final.parent == parent]
            try:
                with open(run.dir / MANIFEST, "w", encoding="utf-8") as fh:
                    json.dump({"token": self.token, "entries": entries, "participants": ledgers}, fh,
                              ensure_ascii=False)
                    fh.flush()
                    os.fsync(fh.fileno())
            except OSError as e:
                raise os_error(e, "写入输出文件夹", parent) from None

    def _publish(self, entry: _Entry) -> None:
        try:
            if entry.existed:
                os.replace(entry.final, entry.backup)
                entry.moved_old = True
            os.replace(entry.temp, entry.final)
            entry.placed = True
        except OSError as e:
            raise _target_error(entry.final, e) from None

    def _undo(self) -> None:
        """Put back what `commit` renamed, newest first; roll the participants back."""
        failed = []
        for entry in reversed(self._entries):
            try:
                _restore(entry.final, entry.backup, entry.existed, entry.moved_old, entry.placed)
            except OSError:
                failed.append(entry)
        for participant in self._participants.values():
            participant.rollback()
        self._participants.clear()
        if failed:
            for entry in failed:  # keep the backups: the next run puts them back
                kept = self._folders.pop(entry.final.parent, None)
                if kept is not None:
                    kept.close()
            raise CmtoolError(
                "发布文档失败，且未能放回以下原有文档：" + "、".join(str(e.final) for e in failed),
                fix="请关闭这些文件后再运行一次 cmtool，原有文档会自动放回；台账没有改动",
            )

    def _discard(self) -> None:
        for participant in self._participants.values():
            participant.rollback()
        self._participants.clear()
        for run in self._folders.values():
            run.remove()
        self._folders.clear()
        self._entries.clear()
        for folder in self._created:  # deepest first; a folder something else wrote into stays
            try:
                folder.rmdir()
            except OSError:
                break
        self._created.clear()

    def __enter__(self) -> Staging:
        self._reset = _active.set(self)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._reset is not None:
            _active.reset(self._reset)  # type: ignore[arg-type]
            self._reset = None
        where = self._target_of(exc)
        self._discard()
        if where is not None:
            raise where
        return None

    def _target_of(self, exc: BaseException | None) -> CmtoolError | None:
        """A write that failed with an OS error (a full disk inside xlsxwriter), as the Chinese
        message naming the document being written rather than its staging file."""
        if exc is None or isinstance(exc, CmtoolError):
            return None
        cause = found_os_error(exc)
        if cause is None:
            return None
        staged = {str(e.temp): e.final for e in self._entries}
        where = staged.get(str(cause.filename)) or (
            self._entries[-1].final if self._entries else "、".join(map(str, self._folders)) or None)
        return os_error(cause, "写入", where)


def _folder_in_the_way(final: Path) -> CmtoolError:
    return CmtoolError(f"无法写出 {final}：已有同名的文件夹", fix="请把该文件夹改名或移走，或用 --out 指定其他文件夹")


def _target_error(final: Path, exc: OSError) -> CmtoolError:
    """A target that cannot be replaced: open in Excel/WPS (Windows locks it) or locked."""
    if isinstance(exc, PermissionError):
        return CmtoolError(
            f"无法替换 {final}：该文件正被其他程序（如 Excel/WPS）打开，或被设为只读/锁定",
            fix="请关闭该文件（或去掉只读属性）后重新运行；本次运行没有写出任何文档，台账没有改动",
        )
    error = os_error(exc, "发布", final)
    error.fix = f"{error.fix}；本次运行没有写出任何文档，台账没有改动"
    return error


def _restore(final: Path, backup: Path, existed: bool, moved_old: bool, placed: bool) -> None:
    if placed and not existed:
        final.unlink(missing_ok=True)
    elif moved_old and backup.exists():
        os.replace(backup, final)


def _committed(participant: dict[str, str], token: str) -> bool:
    """Whether the ledger named in a dead run's manifest holds its token (its commit happened)."""
    ledger = participant.get("ledger")
    if not ledger or not Path(ledger).exists():
        return False
    try:
        con = sqlite3.connect(f"{Path(ledger).as_uri()}?mode=ro", uri=True)
        try:
            found = con.execute(f"SELECT 1 FROM {PUBLISH_TABLE} WHERE token = ?", (token,)).fetchone()
        finally:
            con.close()
    except sqlite3.Error:
        return False
    return found is not None


def _recover_run(run: Path) -> None:
    """Finish a dead run's staging folder: keep its documents if it committed, else put back."""
    manifest = run / MANIFEST
    if manifest.exists() and not (run / DONE).exists():
        try:
            journal = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            journal = None  # written partly: the run died before renaming anything
        if journal is not None:
            participants = journal.get("participants", [])
            if not (participants and all(_committed(p, journal["token"]) for p in participants)):
                for e in reversed(journal["entries"]):
                    temp, backup = Path(e["temp"]), Path(e["backup"])
                    placed = not temp.exists()
                    try:
                        _restore(Path(e["final"]), backup, e["existed"], backup.exists(), placed)
                    except OSError as exc:
                        raise _target_error(Path(e["final"]), exc) from None
    shutil.rmtree(run, ignore_errors=True)


def recover(parent: Path) -> list[Path]:
    """Clean up the staging folders that dead runs left in `parent`; returns them."""
    root = parent / STAGING_DIR
    if not root.is_dir():
        return []
    done = []
    for run in sorted(root.iterdir()):
        if not run.is_dir():
            run.unlink(missing_ok=True)
            continue
        lock_file = run / LOCK
        if not lock_file.exists():
            if time.time() - run.stat().st_mtime < ORPHAN_AGE:
                continue  # a run being set up right now
            _recover_run(run)
            done.append(run)
            continue
        try:
            held = _lock(lock_file)
        except OSError:
            continue
        if held is None:
            continue  # a live run
        held.close()
        _recover_run(run)
        done.append(run)
    try:
        root.rmdir()
    except OSError:
        pass
    return done


@contextmanager
def atomic_path(final: str | os.PathLike[str]) -> Iterator[Path]:
    """A staging path to write; published onto `final` if the block ends without an exception."""
    with Staging() as staging:
        yield staging.path(final)
        staging.commit()
