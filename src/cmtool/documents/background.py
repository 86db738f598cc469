"""Writing a large document in a second process while the run goes on.

The statistic workbook of a city (hundreds of sheets) takes as long to write as everything after
the ranking together, on one core. `Background.write(fn, path, ...)` starts it in a worker
process where the machine has a second core and the document is large, and `wait()` returns
once it is written (re-raising its error). The worker writes a staged path (`atomic.Staging`),
so the all-or-nothing publish is unchanged: the command waits before it publishes, and `settled()`
keeps a failing run from removing a staged path the worker is still writing. A worker can be
started early with the modules it will need (`warm`), so that its imports overlap the loading.
Elsewhere the call runs in place, so the result is the same file either way. `start_early`
starts a worker before the command's own modules are imported (cli.py, for the commands in
`commands.EARLY_WORKERS`): its imports then take the second core while this process imports
pandas, not during the load, which keeps both busy; the next `Background` takes it over.
"""

from __future__ import annotations

import gc
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


_early: ProcessPoolExecutor | None = None  # a worker started by start_early, not yet taken over


def start_early(modules: tuple[str, ...]) -> None:
    """Start the worker now, importing `modules` (where the machine has a second core)."""
    global _early
    if _early is None and (os.cpu_count() or 1) >= 2:
        _early = _new_worker()
        _early.submit(_import, modules)


def _new_worker() -> ProcessPoolExecutor:
    # spawn, not fork: the loaders' thread pools must not be copied mid-state into a child
    return ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))


class Background:
    """At most one document written beside the run; `wait()` before publishing."""

    def __init__(self, worthwhile: bool, warm: tuple[str, ...] = ()) -> None:
        """`warm`: modules the worker imports at once, while the run is still loading its input
        (importing pandas and a writer takes a second; the worker is idle then anyway)."""
        global _early
        self._use = worthwhile and (os.cpu_count() or 1) >= 2
        self._pool: ProcessPoolExecutor | None = None
        self._pending: list[Future[None]] = []
        early, _early = _early, None
        if self._use:
            self._pool = early
            if warm:  # a no-op in a worker started early with them
                self._worker().submit(_import, warm)
        elif early is not None:
            early.shutdown(wait=False, cancel_futures=True)  # it exits once its imports are done

    @property
    def uses_worker(self) -> bool:
        """Whether `write` runs in the worker (else in place)."""
        return self._use

    def _worker(self) -> ProcessPoolExecutor:
        self._pool = self._pool or _new_worker()
        return self._pool

    def write(self, fn: Callable[..., Any], path: Path, *args: Any, **kwargs: Any) -> Future[Any]:
        """`fn(path, *args, **kwargs)` in the worker, or here and now; what it returns, once done."""
        if not self._use:
            done: Future[Any] = Future()
            done.set_result(fn(path, *args, **kwargs))
            return done
        future = self._worker().submit(_frozen_after, fn, path, *args, **kwargs)
        self._pending.append(future)
        return future

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


def _frozen_after(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """`fn(*args, **kwargs)` in the worker, its objects frozen after: a spawned worker ends with
    the interpreter's full shutdown, and collecting what a document left (pandas objects hold
    cycles) kept the run waiting 0.15–0.25 s in `__exit__`; frozen, they go with the process."""
    try:
        return fn(*args, **kwargs)
    finally:
        gc.freeze()
