"""The service's clock. Custodial statements are stamped with `now()`; tests and replays of recorded
operations (the two-roads example happened in 2023) set it with `frozen_at`."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

_fixed: list[int] = []


def now() -> int:
    return _fixed[-1] if _fixed else int(time.time())


@contextlib.contextmanager
def frozen_at(seconds: int) -> Iterator[None]:
    _fixed.append(seconds)
    try:
        yield
    finally:
        _fixed.pop()
