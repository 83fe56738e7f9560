"""API: working calendars and business-time arithmetic (mounted at ``/calendars``).

``add`` answers "when is this due?" and ``elapsed`` "how much working time lies
between these two moments?", on the same calendars the SLA clocks use, so an
integrator's figures always agree with the case's deadlines. A moment without
an offset is read in the calendar's own time zone; answers are in that zone.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import BeforeValidator

from aftersales.accounts.api import ApiRequest
from aftersales.core import calendars as maths
from aftersales.core.api import READ_ERRORS, ErrorOut
from aftersales.core.errors import ValidationFailed

from .calendars import calendar_get, working_calendar
from .models import Calendar

router = Router(tags=["calendars"])

# A leap year of minutes: far beyond any service limit, and it keeps one request's work bounded
# (the arithmetic walks the calendar day by day).
MAX_MINUTES = 366 * 24 * 60
# The longest span ``elapsed`` measures in one call.
MAX_SPAN = dt.timedelta(days=3660)

# "2026-02-14T09:00:00 08:00": a "+" sent unencoded in a query string arrives as a space.
_UNENCODED_PLUS = re.compile(r"(T?\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}(?::?\d{2})?)$")


def _iso_8601(value: Any) -> dt.datetime:
    """Parse an ISO 8601 date-time (or date) string; offsets optional, ``Z`` allowed. Nothing else."""
    if isinstance(value, dt.datetime):
        return value
    text = str(value).strip() if isinstance(value, str) else ""
    text = _UNENCODED_PLUS.sub(r"\1+\2", text)
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(_("Not an ISO 8601 date and time (e.g. 2026-02-14T09:00:00+08:00).")) from None


Moment = Annotated[dt.datetime, BeforeValidator(_iso_8601)]


# ---------------------------------------------------------------- schemas


class WorkingHoursOut(Schema):
    weekday: int = Field(description="0 = Monday … 6 = Sunday")
    start: dt.time
    end: dt.time


class CalendarOut(Schema):
    code: str
    name: str
    name_en: str
    label: str
    time_zone: str
    always_open: bool = Field(description="24×7: every minute counts; hours and holidays are ignored")
    observes_public_holidays: bool = Field(description="public holidays are off and 调休 days are worked")
    hours: list[WorkingHoursOut] = Field(description="working windows per weekday (two rows make a lunch break)")

    @staticmethod
    def resolve_hours(obj: Calendar) -> list[Any]:
        return list(obj.hours.all())  # prefetched by the handler


class AddQuery(Schema):
    start: Moment = Field(description="ISO 8601; without an offset it is read in the calendar's time zone")
    minutes: int = Field(ge=0, le=MAX_MINUTES, description="working minutes to add")


class ElapsedQuery(Schema):
    start: Moment = Field(description="ISO 8601; without an offset it is read in the calendar's time zone")
    end: Moment = Field(description="ISO 8601; earlier than start gives a negative answer")


class DueOut(Schema):
    due: dt.datetime = Field(description="ISO 8601 with the offset of the calendar's time zone")


class ElapsedOut(Schema):
    minutes: float = Field(description="working minutes between start and end, to the second")



# ---------------------------------------------------------------- helpers


def _local(moment: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    return moment.replace(tzinfo=zone) if moment.tzinfo is None or moment.utcoffset() is None else moment


def _arithmetic_errors(exc: Exception, *, code: str) -> ValidationFailed:
    if isinstance(exc, maths.CalendarHasNoWorkingTime):
        return ValidationFailed(_("Calendar “{code}” has no working time.").format(code=code),
                                code="calendar_has_no_working_time", detail={"code": code})
    return ValidationFailed(_("The answer would fall outside the dates this server can represent."),
                            code="out_of_range", detail={"code": code})


# ---------------------------------------------------------------- operations


@router.get("", response={200: list[CalendarOut], 401: ErrorOut}, summary="Working calendars")
def calendar_list(request: ApiRequest) -> QuerySet[Calendar]:
    return Calendar.objects.prefetch_related("hours").order_by("code")


@router.get("/{code}/add", response={200: DueOut, **READ_ERRORS}, summary="Add working minutes",
            description="The moment when `minutes` of the calendar's working time have passed since `start`. "
                        "A start outside working time counts from the next opening; the answer is always "
                        "working time or the exact end of a working window. Encode `+` in the offset as "
                        "`%2B` (an unencoded `+` is accepted too).")
def calendar_add(request: ApiRequest, code: str, query: Query[AddQuery]) -> dict[str, dt.datetime]:
    calendar = calendar_get(code)
    zone = ZoneInfo(calendar.time_zone)
    try:
        due = maths.add(working_calendar(calendar), _local(query.start, zone), dt.timedelta(minutes=query.minutes))
    except (maths.CalendarHasNoWorkingTime, OverflowError) as exc:
        raise _arithmetic_errors(exc, code=code) from exc
    return {"due": due.astimezone(zone)}


@router.get("/{code}/elapsed", response={200: ElapsedOut, **READ_ERRORS}, summary="Working minutes between",
            description="Working minutes of the calendar between `start` and `end` (negative when `end` is "
                        f"earlier), at most {MAX_SPAN.days} days apart.")
def calendar_elapsed(request: ApiRequest, code: str, query: Query[ElapsedQuery]) -> dict[str, float]:
    calendar = calendar_get(code)
    zone = ZoneInfo(calendar.time_zone)
    start, end = _local(query.start, zone), _local(query.end, zone)
    if abs(end - start) > MAX_SPAN:
        raise ValidationFailed(_("Start and end may be at most {days} days apart.").format(days=MAX_SPAN.days),
                               code="span_too_long", detail={"max_days": MAX_SPAN.days})
    try:
        minutes = maths.elapsed_minutes(working_calendar(calendar), start, end)
    except (maths.CalendarHasNoWorkingTime, OverflowError) as exc:
        raise _arithmetic_errors(exc, code=code) from exc
    return {"minutes": minutes}
