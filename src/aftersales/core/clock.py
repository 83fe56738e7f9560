"""The one place the code asks what time it is, so tests can move time."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

SHANGHAI = ZoneInfo("Asia/Shanghai")


def now() -> dt.datetime:
    return timezone.now()


def local_today() -> dt.date:
    return now().astimezone(SHANGHAI).date()
