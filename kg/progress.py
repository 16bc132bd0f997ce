"""A progress bar for long steps on a terminal; silent when the output is piped or in tests."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def progress(items: Iterable[T], label: str, total: int | None = None, *, every: float = 0.2) -> Iterator[T]:
    stream = sys.stderr
    if not stream.isatty():
        yield from items
        return
    count = 0
    last = 0.0
    size = total if total is not None else (len(items) if hasattr(items, "__len__") else None)  # type: ignore[arg-type]
    for item in items:
        yield item
        count += 1
        now = time.monotonic()
        if now - last >= every:
            last = now
            if size:
                filled = int(30 * count / size)
                stream.write(f"\r{label} [{'#' * filled}{'.' * (30 - filled)}] {count}/{size}")
            else:
                stream.write(f"\r{label} {count}")
            stream.flush()
    stream.write(f"\r{label} done ({count})" + " " * 30 + "\n")
    stream.flush()
