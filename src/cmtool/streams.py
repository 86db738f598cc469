"""Writing to the standard streams: UTF-8 bytes, whatever the terminal's code page."""

from __future__ import annotations

from typing import IO


def write_text(stream: IO[str], text: str) -> None:
    """Write `text` to a standard stream as UTF-8 bytes whatever the locale or Windows code page
    (cli.md: the JSON is UTF-8; cp936 cannot even encode every name)."""
    stream.flush()
    buffer = getattr(stream, "buffer", None)
    if buffer is None:  # a stream replaced by a test harness: text only
        stream.write(text)
        stream.flush()
        return
    buffer.write(text.encode("utf-8", errors="replace"))
    buffer.flush()
