"""Business-time arithmetic on working calendars. Pure: no ORM, no clock.

A calendar is either always open (24×7) or a set of daily working windows per
weekday, in one time zone, minus public holidays, plus adjusted working days
(调休, e.g. a Sunday worked to bridge a holiday). An adjusted working day works
the hours of the calendar's first working weekday (Monday in the seeded ones).

``add`` and ``elapsed`` are inverse to the microsecond: for any start and any
non-negative duration, ``elapsed(cal, start, add(cal, start, d)) == d``.
Windows are built from local wall times and converted through the zone, so a
zone with daylight saving gets the hours it actually works on each date.

All arithmetic runs in UTC. Python adds and subtracts two aware datetimes that
share a tzinfo on their *wall clocks* (``09:00 CET + 3 h`` on the night the
clocks go forward is ``12:00 CEST``, two real hours later), so windows and
moments are converted to UTC first and results converted back to the zone of
the ``start`` the caller gave.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

ONE_DAY = dt.timedelta(days=1)
# A calendar with working time finds some within a week, and a holiday run is
# never longer than a few weeks; a year of nothing means the calendar is empty.
MAX_EMPTY_DAYS = 400


class CalendarHasNoWorkingTime(ValueError):
    """Raised when a calendar never opens (every weekday off, or all hours empty)."""


@dataclass(frozen=True)
class WorkingCalendar:
    tz: ZoneInfo
    always_open: bool = False
    # weekday (0 = Monday) → sorted, non-overlapping (start, end) local times; end may be 24:00 as time.max
    hours: dict[int, tuple[tuple[dt.time, dt.time], ...]] = field(default_factory=dict)
    holidays: frozenset[dt.date] = frozenset()
    workdays: frozenset[dt.date] = frozenset()  # 调休: worked although the weekday is normally off

    @classmethod
    def around_the_clock(cls, tz: str | ZoneInfo = "Asia/Shanghai") -> WorkingCalendar:
        return cls(tz=ZoneInfo(tz) if isinstance(tz, str) else tz, always_open=True)

    def day_windows(self, day: dt.date) -> tuple[tuple[dt.time, dt.time], ...]:
        """The local working windows of ``day`` after holidays and 调休."""
        if day in self.holidays:
            return ()
        windows = self.hours.get(day.weekday(), ())
        if not windows and day in self.workdays:
            return self._adjusted_day_hours()
        return windows

    def _adjusted_day_hours(self) -> tuple[tuple[dt.time, dt.time], ...]:
        for weekday in range(7):
            if self.hours.get(weekday):
                return self.hours[weekday]
        return ()

    def is_working_time(self, moment: dt.datetime) -> bool:
        if self.always_open:
            return True
        local = moment.astimezone(self.tz)
        return any(start <= moment < end for start, end in self._windows_of(local.date()))

    def _windows_of(self, day: dt.date) -> Iterator[tuple[dt.datetime, dt.datetime]]:
        for start, end in self.day_windows(day):
            begin = dt.datetime.combine(day, start, self.tz)
            finish = (dt.datetime.combine(day + ONE_DAY, dt.time(0), self.tz) if end == dt.time.max
                      else dt.datetime.combine(day, end, self.tz))
            if finish > begin:
                # UTC: arithmetic on two datetimes of one ZoneInfo is wall-clock arithmetic (wrong across DST).
                yield begin.astimezone(dt.UTC), finish.astimezone(dt.UTC)

    def _windows_from(self, moment: dt.datetime) -> Iterator[tuple[dt.datetime, dt.datetime]]:
        """Working windows (aware) that end after ``moment``, in order, forever."""
        day = moment.astimezone(self.tz).date() - ONE_DAY  # a window of the previous day may run past midnight
        empty_run = 0
        last_finish: dt.datetime | None = None
        while True:
            found = False
            for begin, finish in self._windows_of(day):
                found = True
                # A local time in a DST gap (fold=0) maps *later* than the valid times after it, so
                # 01:00–02:30 and 03:00–04:00 on the spring-forward night overlap in UTC: clip, or the
                # overlap would be counted twice.
                if last_finish is not None and begin < last_finish:
                    begin = last_finish
                if finish <= begin:
                    continue
                last_finish = finish
                if finish > moment:
                    yield begin, finish
            empty_run = 0 if found else empty_run + 1
            if empty_run > MAX_EMPTY_DAYS:
                raise CalendarHasNoWorkingTime("no working time in over a year")
            day += ONE_DAY


def _aware(moment: dt.datetime) -> dt.datetime:
    """The moment in UTC (see the module docstring for why); naive datetimes are refused."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("business-time arithmetic needs an aware datetime")
    return moment.astimezone(dt.UTC)


def add(calendar: WorkingCalendar, start: dt.datetime, duration: dt.timedelta) -> dt.datetime:
    """The moment when ``duration`` of working time has passed since ``start``.

    A start outside working time counts from the next opening. A zero duration
    from outside working time gives that next opening: a due time is always a
    moment the team is at work (or the end of a working window, exactly).
    """
    zone = start.tzinfo
    start = _aware(start)
    if duration < dt.timedelta(0):
        raise ValueError("duration must not be negative")
    if calendar.always_open:
        return (start + duration).astimezone(zone)
    remaining = duration
    for begin, finish in calendar._windows_from(start):
        begin = max(begin, start)
        available = finish - begin
        if remaining <= available:
            return (begin + remaining).astimezone(zone)
        remaining -= available
    raise AssertionError("unreachable")  # pragma: no cover - _windows_from never ends


def elapsed(calendar: WorkingCalendar, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """Working time between ``start`` and ``end`` (negative when end is earlier)."""
    start, end = _aware(start), _aware(end)
    if end < start:
        return -elapsed(calendar, end, start)
    if calendar.always_open:
        return end - start
    total = dt.timedelta(0)
    for begin, finish in calendar._windows_from(start):
        if begin >= end:
            break
        total += min(finish, end) - max(begin, start)
    return total


def add_minutes(calendar: WorkingCalendar, start: dt.datetime, minutes: float) -> dt.datetime:
    return add(calendar, start, dt.timedelta(minutes=minutes))


def elapsed_minutes(calendar: WorkingCalendar, start: dt.datetime, end: dt.datetime) -> float:
    return elapsed(calendar, start, end).total_seconds() / 60
