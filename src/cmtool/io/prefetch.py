"""Producing the items of an iterator in a background thread, a few ahead of the consumer.

pyarrow's streaming CSV reader parses on one core; fetching its next batch in a thread while the
loader sums the current one keeps both cores of a small machine busy. Errors of the producer are
raised in the consumer; a consumer that stops early stops the producer.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")
_END = object()


def prefetch(items: Iterator[T], depth: int = 2) -> Iterator[T]:
    """The items of `items`, produced by a background thread at most `depth` ahead."""
    pending: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(entry: tuple[object, BaseException | None]) -> None:
        while not stop.is_set():
            try:
                pending.put(entry, timeout=0.1)
                return
            except queue.Full:
                continue

    def produce() -> None:
        try:
            for item in items:
                put((item, None))
                if stop.is_set():
                    return
            put((_END, None))
        except BaseException as exc:  # handed over to the consumer, who raises it
            put((_END, exc))

    worker = threading.Thread(target=produce, name="cmtool-prefetch", daemon=True)
    worker.start()
    try:
        while True:
            item, error = pending.get()
            if item is _END:
                if error is not None:
                    raise error
                return
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        worker.join()
