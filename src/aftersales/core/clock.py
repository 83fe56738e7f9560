"""The one place the code asks what time it is.

``travel_to`` lets the demo seed write a believable history (cases received
over past weeks) through the real services; tests use time-machine instead.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from django.utils import timezone

SHANGHAI = ZoneInfo("Asia/Shanghai")
_frozen: dt.datetime | None = None


def now() -> dt.datetime:
    return _frozen if _frozen is not None else timezone.now()


def local_today() -> dt.date:
    return now().astimezone(SHANGHAI).date()


@contextlib.contextmanager
def travel_to(moment: dt.datetime) -> Iterator[None]:
    """Make ``now()`` return ``moment`` inside the block (single-threaded use only)."""
    global _frozen
    previous, _frozen = _frozen, moment
    try:
        yield
    finally:
        _frozen = previous
