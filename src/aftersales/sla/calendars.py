"""Calendar rows → the pure ``WorkingCalendar`` the arithmetic uses, cached per process.

The cache is dropped whenever a calendar, its hours or a public day is saved or
deleted in this process, and in any case after ``CACHE_SECONDS``, so an edit in
the admin reaches every worker within a minute.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from zoneinfo import ZoneInfo

from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext as _

from aftersales.core import calendars as maths
from aftersales.core.errors import NotFound

from .models import Calendar, DayKind, PublicDay, WorkingHours

CACHE_SECONDS = 60
_lock = threading.Lock()
_cache: dict[int, tuple[float, maths.WorkingCalendar]] = {}
_public_days: tuple[float, frozenset[dt.date], frozenset[dt.date]] | None = None


def clear_cache(**_kwargs: object) -> None:
    global _public_days
    with _lock:
        _cache.clear()
        _public_days = None


for _model in (Calendar, WorkingHours, PublicDay):
    post_save.connect(clear_cache, sender=_model, dispatch_uid=f"sla-calendar-cache-save-{_model.__name__}")
    post_delete.connect(clear_cache, sender=_model, dispatch_uid=f"sla-calendar-cache-delete-{_model.__name__}")


def _holidays_and_workdays() -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    global _public_days
    cached = _public_days
    if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1], cached[2]
    holidays, workdays = set(), set()
    for day, kind in PublicDay.objects.values_list("date", "kind"):
        (holidays if kind == DayKind.HOLIDAY else workdays).add(day)
    result = (time.monotonic(), frozenset(holidays), frozenset(workdays))
    with _lock:
        _public_days = result
    return result[1], result[2]


def working_calendar(calendar: Calendar) -> maths.WorkingCalendar:
    cached = _cache.get(calendar.pk)
    if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    tz = ZoneInfo(calendar.time_zone)
    if calendar.always_open:
        built = maths.WorkingCalendar.around_the_clock(tz)
    else:
        hours: dict[int, list[tuple[dt.time, dt.time]]] = {}
        for row in WorkingHours.objects.filter(calendar=calendar).order_by("weekday", "start"):
            hours.setdefault(row.weekday, []).append((row.start, row.end))
        holidays, workdays = _holidays_and_workdays() if calendar.observes_public_holidays else (
            frozenset(), frozenset())
        built = maths.WorkingCalendar(tz=tz, hours={k: tuple(v) for k, v in hours.items()},
                                      holidays=holidays, workdays=workdays)
    with _lock:
        _cache[calendar.pk] = (time.monotonic(), built)
    return built


def calendar_get(code: str) -> Calendar:
    calendar = Calendar.objects.filter(code=code).first()
    if calendar is None:
        raise NotFound(_("Calendar “{code}” was not found.").format(code=code), code="calendar_not_found",
                       detail={"code": code})
    return calendar
