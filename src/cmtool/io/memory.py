"""Handing the memory a load freed back to the system.

Reading a province's files allocates and frees gigabytes in blocks of tens of MB. pyarrow's
allocator keeps freed pages for reuse, and glibc's malloc keeps freed heap in the process
(its threshold for returning big blocks rises as they are freed), so the process would go on
holding hundreds of MB it no longer uses while the rest of the run allocates more. Both are
asked to give them back once a load is done; elsewhere than on glibc the second is a no-op.
"""

from __future__ import annotations

import ctypes
import sys

import pyarrow as pa


def return_freed_memory() -> None:
    """Give back the pages pyarrow and malloc hold for reuse (the run's data stays)."""
    pa.default_memory_pool().release_unused()
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None).malloc_trim(0)
        except (OSError, AttributeError):  # not glibc (e.g. musl)
            pass
