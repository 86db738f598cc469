"""Writing a large document in a second process while the run goes on.

The statistic workbook of a city (hundreds of sheets) takes as long to write as everything after
the ranking together, on one core. `Background.write(fn, path, ...)` starts it in a worker
process where the machine has a second core and the document is large, and `wait()` returns
once it is written (re-raising its error). The worker writes a staged path (`atomic.Staging`),
so the all-or-nothing publish is unchanged: the command waits before it publishes, and `settled()`
keeps a failing run from removing a staged path the worker is still writing. A worker can be
started early with the modules it will need (`warm`), so that its imports overlap the loading.
Elsewhere the call runs in place, so the result is the same file either way.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent import futures
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any


class Background:
    """At most one document written beside the run; `wait()` before publishing."""

    def __init__(self, worthwhile: bool, warm: tuple[str, ...] = ()) -> None:
        """`warm`: modules the worker imports at once, while the run is still loading its input
        (importing pandas and a writer takes a second; the worker is idle then anyway)."""
        self._use = worthwhile and (os.cpu_count() or 1) >= 2
        self._pool: ProcessPoolExecutor | None = None
        self._pending: list[Future[None]] = []
        if self._use and warm:
            self._worker().submit(_import, warm)

    def _worker(self) -> ProcessPoolExecutor:
        # spawn, not fork: the loaders' thread pools must not be copied mid-state into a child
        self._pool = self._pool or ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
        return self._pool

    def write(self, fn: Callable[..., None], path: Path, *args: Any, **kwargs: Any) -> None:
        """`fn(path, *args, **kwargs)` in the worker, or here and now."""
        if not self._use:
            fn(path, *args, **kwargs)
            return
        self._pending.append(self._worker().submit(fn, path, *args, **kwargs))

    def wait(self) -> None:
        """Block until every document is written; its error, if any, is raised here."""
        pending, self._pending = self._pending, []
        for future in pending:
            future.result()

    @contextmanager
    def settled(self) -> Iterator[Background]:
        """A block after which no document is being written, also when it fails: enter it inside
        the `Staging` block, so that a staged path is not removed while the worker writes it."""
        try:
            yield self
        finally:
            pending, self._pending = self._pending, []
            for future in pending:
                future.cancel()
            futures.wait(pending)  # a worker still writing finishes into its staged path

    def __enter__(self) -> Background:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._pool is not None:
            for future in self._pending:
                future.cancel()
            self._pool.shutdown(wait=True)
            self._pool = None


def _import(modules: tuple[str, ...]) -> None:
    for name in modules:
        importlib.import_module(name)
