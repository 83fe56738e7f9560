"""Calendar rows → the pure ``WorkingCalendar`` the arithmetic uses, cached per process.

The cache is dropped whenever a calendar, its hours or a public day is saved or
deleted in this process, and in any case after a minute (:mod:`aftersales.core.config_cache`).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from aftersales.core import calendars as maths
from aftersales.core.config_cache import ConfigCache
from aftersales.core.errors import NotFound

from .models import Calendar, DayKind, PublicDay, WorkingHours

_cache = ConfigCache("sla-calendars", models_=(Calendar, WorkingHours, PublicDay))
clear_cache = _cache.clear


def _holidays_and_workdays() -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    def load() -> tuple[frozenset[dt.date], frozenset[dt.date]]:
        holidays, workdays = set(), set()
        for day, kind in PublicDay.objects.values_list("date", "kind"):
            (holidays if kind == DayKind.HOLIDAY else workdays).add(day)
        return frozenset(holidays), frozenset(workdays)

    return _cache.get("public-days", load)


def working_calendar(calendar: Calendar) -> maths.WorkingCalendar:
    return _cache.get(calendar.pk, lambda: _build(calendar))


def _build(calendar: Calendar) -> maths.WorkingCalendar:
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
    return built


def calendar_get(code: str) -> Calendar:
    calendar = Calendar.objects.filter(code=code).first()
    if calendar is None:
        raise NotFound(_("Calendar “{code}” was not found.").format(code=code), code="calendar_not_found",
                       detail={"code": code})
    return calendar
