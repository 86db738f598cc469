"""Atomic output: write to a temporary file beside the target, then rename.

A reader never sees a half-written document: on any exception the temporary files are removed
and the targets are left as they were (data.md, "What bad input gets").
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType


class Staging:
    """Outputs written to temporary files and published together by `commit()`.

    ```
    with Staging() as st:
        write_xlsx(st.path(out / "a.xlsx"))
        write_html(st.path(out / "b.html"))
        ledger.record(...)          # still nothing published if this raises
        st.commit()
    ```
    Leaving the block without `commit()` (by an exception or not) deletes every temporary file.
    Each rename is atomic; a failure between two renames (a full disk, a file locked by Excel on
    Windows) can leave the earlier ones published, and the later temporaries are removed.
    """

    def __init__(self) -> None:
        self._pending: list[tuple[Path, Path]] = []

    def path(self, final: str | os.PathLike[str]) -> Path:
        """A fresh temporary path in `final`'s folder (created if missing), with its suffix."""
        final = Path(final)
        final.parent.mkdir(parents=True, exist_ok=True)
        temp = final.with_name(f".{final.stem}.{secrets.token_hex(4)}.tmp{final.suffix}")
        self._pending.append((temp, final))
        return temp

    def commit(self) -> list[Path]:
        """Rename every temporary onto its target, in the order staged; return the targets."""
        published = []
        try:
            for temp, final in self._pending:
                if not temp.exists():
                    raise FileNotFoundError(f"暂存文件 {temp} 没有写出，无法发布 {final.name}")
                os.replace(temp, final)
                published.append(final)
        finally:
            self._discard()
        return published

    def _discard(self) -> None:
        for temp, _ in self._pending:
            temp.unlink(missing_ok=True)
        self._pending.clear()

    def __enter__(self) -> Staging:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._discard()


@contextmanager
def atomic_path(final: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary path to write; renamed onto `final` if the block ends without an exception."""
    with Staging() as staging:
        yield staging.path(final)
        staging.commit()
