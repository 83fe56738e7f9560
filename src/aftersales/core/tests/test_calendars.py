"""Business-time arithmetic (core/calendars.py): properties over random calendars, then hand-checked cases.

No database: the calendars are built directly, the Chinese ones from chinese-calendar's own tables.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from chinese_calendar import constants as cn
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from aftersales.core.calendars import (
    CalendarHasNoWorkingTime,
    WorkingCalendar,
    add,
    add_minutes,
    elapsed,
    elapsed_minutes,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
UTC = dt.UTC
MICRO = dt.timedelta(microseconds=1)
# DST at 02:00 (Berlin, New York), at midnight (Santiago), by 30 minutes (Lord Howe), and none at all.
ZONES = ["Asia/Shanghai", "Europe/Berlin", "America/New_York", "America/Santiago", "Australia/Lord_Howe", "UTC"]

NINE_TO_SIX = {day: ((dt.time(9), dt.time(18)),) for day in range(5)}
LUNCH_BREAK = {day: ((dt.time(9), dt.time(12)), (dt.time(13, 30), dt.time(18))) for day in range(5)}
CN_HOLIDAYS = frozenset(cn.holidays)
CN_WORKDAYS = frozenset(cn.workdays)
CN_WORKDAY = WorkingCalendar(tz=SHANGHAI, hours=NINE_TO_SIX, holidays=CN_HOLIDAYS, workdays=CN_WORKDAYS)
CN_LUNCH = WorkingCalendar(tz=SHANGHAI, hours=LUNCH_BREAK, holidays=CN_HOLIDAYS, workdays=CN_WORKDAYS)
PLAIN_WEEK = WorkingCalendar(tz=SHANGHAI, hours=NINE_TO_SIX)


def sh(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


def minutes(n: float) -> dt.timedelta:
    return dt.timedelta(minutes=n)


# ---------------------------------------------------------------- strategies


def _time(minute: int) -> dt.time:
    return dt.time.max if minute >= 24 * 60 else dt.time(minute // 60, minute % 60)


@st.composite
def calendars(draw: st.DrawFn) -> WorkingCalendar:
    tz = ZoneInfo(draw(st.sampled_from(ZONES)))
    if draw(st.integers(0, 9)) == 0:
        return WorkingCalendar.around_the_clock(tz)
    hours: dict[int, tuple[tuple[dt.time, dt.time], ...]] = {}
    for weekday in range(7):
        bounds = sorted(draw(st.lists(st.integers(0, 24 * 60), max_size=6, unique=True)))
        bounds = bounds[: len(bounds) // 2 * 2]
        windows = tuple((_time(a), _time(b)) for a, b in zip(bounds[::2], bounds[1::2], strict=True))
        if windows:
            hours[weekday] = windows
    assume(hours)
    first = draw(st.dates(dt.date(2023, 12, 1), dt.date(2026, 12, 31)))
    run = {first + dt.timedelta(days=i) for i in range(draw(st.integers(0, 9)))}  # a holiday run
    scattered = draw(st.frozensets(st.dates(dt.date(2023, 12, 1), dt.date(2027, 1, 31)), max_size=12))
    workdays = draw(st.frozensets(st.dates(dt.date(2023, 12, 1), dt.date(2027, 1, 31)), max_size=6))
    return WorkingCalendar(tz=tz, hours=hours, holidays=frozenset(run | scattered), workdays=workdays)


def weekly_seconds(calendar: WorkingCalendar) -> int:
    if calendar.always_open:
        return 7 * 24 * 3600
    total = 0
    for windows in calendar.hours.values():
        for start, end in windows:
            finish = 24 * 3600 if end == dt.time.max else end.hour * 3600 + end.minute * 60
            total += finish - (start.hour * 3600 + start.minute * 60)
    return total


def _transitions(tz: ZoneInfo) -> list[dt.date]:
    """The days of 2024–2026 on which the zone's offset changes."""
    day, found = dt.date(2024, 1, 1), []
    while day < dt.date(2027, 1, 1):
        following = day + dt.timedelta(days=1)
        if dt.datetime.combine(day, dt.time(0), tz).utcoffset() != \
                dt.datetime.combine(following, dt.time(0), tz).utcoffset():
            found.append(day)
        day = following
    return found


TRANSITIONS = {zone: _transitions(ZoneInfo(zone)) for zone in ZONES}


def moments(calendar: WorkingCalendar) -> st.SearchStrategy[dt.datetime]:
    # In the calendar's zone (DST folds and all) or in UTC; microseconds included. Half of them
    # within two days of a DST change of the calendar's zone, where wall clocks and real time part.
    zones = st.sampled_from([calendar.tz, UTC])
    # hypothesis wants naive bounds and attaches the zone itself.
    anywhere = st.datetimes(dt.datetime(2024, 1, 1), dt.datetime(2026, 12, 31),  # noqa: DTZ001
                            allow_imaginary=False, timezones=zones)
    changes = TRANSITIONS.get(str(calendar.tz), [])
    if not changes:
        return anywhere
    near = st.builds(
        lambda day, offset, tz: (dt.datetime.combine(day, dt.time(0), UTC) + offset).astimezone(tz),
        st.sampled_from(changes), st.timedeltas(dt.timedelta(days=-2), dt.timedelta(days=2)), zones)
    return st.one_of(anywhere, near)


def durations(calendar: WorkingCalendar, weeks: int = 6) -> st.SearchStrategy[dt.timedelta]:
    # Up to a few weeks of the calendar's working time, so sparse calendars stay quick.
    limit = weekly_seconds(calendar) * weeks
    return st.builds(lambda s, us: dt.timedelta(seconds=s, microseconds=us),
                     st.integers(0, limit), st.integers(0, 999_999))


# No example database: nothing written into the working tree; a failure prints its reproduction.
PROPERTY = settings(max_examples=150, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow])


# ---------------------------------------------------------------- properties


@PROPERTY
@given(data=st.data())
def test_add_then_elapsed_round_trips(data):
    calendar = data.draw(calendars())
    start = data.draw(moments(calendar))
    duration = data.draw(durations(calendar))

    due = add(calendar, start, duration)

    assert due >= start
    assert elapsed(calendar, start, due) == duration


@PROPERTY
@given(data=st.data())
def test_adding_in_pieces_equals_adding_at_once(data):
    calendar = data.draw(calendars())
    start = data.draw(moments(calendar))
    first = data.draw(durations(calendar, weeks=3))
    second = data.draw(durations(calendar, weeks=3))
    assume(second > dt.timedelta(0))

    assert add(calendar, add(calendar, start, first), second) == add(calendar, start, first + second)


@PROPERTY
@given(data=st.data())
def test_a_zero_piece_moves_no_working_time(data):
    # Adding 0 at the end of a window jumps to the next opening: a later moment, but no working time apart.
    calendar = data.draw(calendars())
    start = data.draw(moments(calendar))
    first = data.draw(durations(calendar, weeks=3))

    at_once = add(calendar, start, first)
    in_pieces = add(calendar, at_once, dt.timedelta(0))

    assert in_pieces >= at_once
    assert elapsed(calendar, at_once, in_pieces) == dt.timedelta(0)


@PROPERTY
@given(data=st.data())
def test_a_due_time_is_working_time_or_the_exact_end_of_a_window(data):
    calendar = data.draw(calendars())
    start = data.draw(moments(calendar))
    duration = data.draw(durations(calendar))

    due = add(calendar, start, duration)

    if duration == dt.timedelta(0):
        assert calendar.is_working_time(due)  # the start itself, or the next opening
    else:
        assert calendar.is_working_time(due) or calendar.is_working_time(due - MICRO)


@PROPERTY
@given(data=st.data())
def test_elapsed_is_antisymmetric_bounded_and_additive(data):
    calendar = data.draw(calendars())
    spans = st.timedeltas(dt.timedelta(0), dt.timedelta(days=60))
    # Real-time spans: ``+`` on a datetime in a DST zone would move its wall clock instead.
    a = data.draw(moments(calendar))
    b = (a.astimezone(UTC) + data.draw(spans)).astimezone(data.draw(st.sampled_from([calendar.tz, UTC])))
    c = (b.astimezone(UTC) + data.draw(spans)).astimezone(calendar.tz)

    forward = elapsed(calendar, a, c)

    assert elapsed(calendar, c, a) == -forward
    assert dt.timedelta(0) <= forward <= c.astimezone(UTC) - a.astimezone(UTC)
    assert forward == elapsed(calendar, a, b) + elapsed(calendar, b, c)


@PROPERTY
@given(data=st.data())
def test_add_is_monotonic_in_the_duration(data):
    calendar = data.draw(calendars())
    start = data.draw(moments(calendar))
    shorter, longer = sorted(data.draw(st.lists(durations(calendar), min_size=2, max_size=2)))

    assert add(calendar, start, shorter) <= add(calendar, start, longer)


# ---------------------------------------------------------------- nights, weekends, lunch


def test_time_after_closing_continues_next_morning():
    assert add(PLAIN_WEEK, sh(2025, 3, 10, 17, 30), minutes(60)) == sh(2025, 3, 11, 9, 30)
    assert elapsed(PLAIN_WEEK, sh(2025, 3, 10, 17, 30), sh(2025, 3, 11, 9, 30)) == minutes(60)


def test_a_start_at_night_counts_from_the_next_opening():
    assert add(PLAIN_WEEK, sh(2025, 3, 10, 20, 0), minutes(0)) == sh(2025, 3, 11, 9, 0)
    assert add(PLAIN_WEEK, sh(2025, 3, 11, 3, 0), minutes(30)) == sh(2025, 3, 11, 9, 30)
    assert elapsed(PLAIN_WEEK, sh(2025, 3, 10, 20, 0), sh(2025, 3, 11, 8, 59)) == dt.timedelta(0)


def test_a_due_time_may_be_the_exact_end_of_the_day():
    due = add(PLAIN_WEEK, sh(2025, 3, 10, 9, 0), minutes(9 * 60))
    assert due == sh(2025, 3, 10, 18, 0)
    assert not PLAIN_WEEK.is_working_time(due) and PLAIN_WEEK.is_working_time(due - MICRO)


def test_a_weekend_is_skipped():
    friday = sh(2025, 3, 7, 17, 0)
    assert add(PLAIN_WEEK, friday, minutes(120)) == sh(2025, 3, 10, 10, 0)
    assert elapsed(PLAIN_WEEK, friday, sh(2025, 3, 10, 10, 0)) == minutes(120)
    assert elapsed(PLAIN_WEEK, sh(2025, 3, 8, 9, 0), sh(2025, 3, 9, 18, 0)) == dt.timedelta(0)


def test_a_week_of_working_time_is_five_days_of_nine_hours():
    monday = sh(2025, 3, 10, 9, 0)
    assert add(PLAIN_WEEK, monday, minutes(5 * 9 * 60)) == sh(2025, 3, 14, 18, 0)
    assert elapsed_minutes(PLAIN_WEEK, monday, sh(2025, 3, 17, 9, 0)) == 5 * 9 * 60


def test_the_lunch_break_does_not_count():
    calendar = WorkingCalendar(tz=SHANGHAI, hours=LUNCH_BREAK)
    assert add(calendar, sh(2025, 3, 10, 11, 30), minutes(60)) == sh(2025, 3, 10, 14, 0)
    assert add(calendar, sh(2025, 3, 10, 12, 15), minutes(10)) == sh(2025, 3, 10, 13, 40)
    assert add(calendar, sh(2025, 3, 10, 9, 0), minutes(180)) == sh(2025, 3, 10, 12, 0)  # the morning's end
    assert elapsed(calendar, sh(2025, 3, 10, 11, 0), sh(2025, 3, 10, 14, 0)) == minutes(90)
    assert not calendar.is_working_time(sh(2025, 3, 10, 12, 30))


def test_exact_to_the_second_and_the_microsecond():
    start = sh(2025, 3, 10, 17, 59, 59)
    assert add(PLAIN_WEEK, start, dt.timedelta(seconds=2)) == sh(2025, 3, 11, 9, 0, 1)
    assert elapsed(PLAIN_WEEK, start, sh(2025, 3, 11, 9, 0, 1)) == dt.timedelta(seconds=2)
    assert add_minutes(PLAIN_WEEK, start, 1 / 60) == sh(2025, 3, 10, 18, 0)
    assert elapsed(PLAIN_WEEK, sh(2025, 3, 10, 9, 0), sh(2025, 3, 10, 9, 0, 0, 1)) == MICRO


# ---------------------------------------------------------------- Chinese holidays and 调休


def test_the_2024_spring_festival_is_off_and_its_adjusted_sundays_are_worked():
    # Fri 9 Feb 17:00 + 2 h: one hour on Friday, then Feb 10–17 off, Sunday 18 Feb worked.
    assert add(CN_WORKDAY, sh(2024, 2, 9, 17, 0), minutes(120)) == sh(2024, 2, 18, 10, 0)
    assert elapsed_minutes(CN_WORKDAY, sh(2024, 2, 9, 9, 0), sh(2024, 2, 19, 9, 0)) == 2 * 9 * 60
    assert CN_WORKDAY.is_working_time(sh(2024, 2, 4, 10, 0))  # Sunday 4 Feb, 调休
    assert not CN_WORKDAY.is_working_time(sh(2024, 2, 15, 10, 0))  # a Thursday in the festival


def test_an_adjusted_saturday_is_worked():
    # 2024 National Day: Oct 1–7 off, Saturday 12 Oct worked.
    assert add(CN_WORKDAY, sh(2024, 10, 11, 17, 30), minutes(60)) == sh(2024, 10, 12, 9, 30)
    assert add(CN_WORKDAY, sh(2024, 9, 30, 17, 0), minutes(120)) == sh(2024, 10, 8, 10, 0)
    assert elapsed_minutes(CN_WORKDAY, sh(2024, 9, 28, 0, 0), sh(2024, 9, 30, 0, 0)) == 9 * 60  # Sun 29 Sep


def test_an_adjusted_day_works_the_hours_of_a_normal_working_day():
    # Sunday 4 Feb 2024 on a calendar with a lunch break works 09:00–12:00 and 13:30–18:00.
    assert add(CN_LUNCH, sh(2024, 2, 3, 12, 0), minutes(200)) == sh(2024, 2, 4, 13, 50)
    assert elapsed_minutes(CN_LUNCH, sh(2024, 2, 4, 0, 0), sh(2024, 2, 5, 0, 0)) == 7.5 * 60


def test_the_year_end_crosses_new_year_holidays_into_an_adjusted_sunday():
    # 31 Dec 2025 (Wed) 17:00 + 2 h → 1–3 Jan 2026 off → Sunday 4 Jan worked.
    assert add(CN_WORKDAY, sh(2025, 12, 31, 17, 0), minutes(120)) == sh(2026, 1, 4, 10, 0)
    assert elapsed_minutes(CN_WORKDAY, sh(2025, 12, 31, 17, 0), sh(2026, 1, 4, 10, 0)) == 120


def test_calendars_that_ignore_holidays_keep_the_plain_week():
    assert add(PLAIN_WEEK, sh(2024, 2, 9, 17, 0), minutes(120)) == sh(2024, 2, 12, 10, 0)


# ---------------------------------------------------------------- around the clock and time zones


def test_around_the_clock_counts_every_second_across_the_year_end():
    calendar = WorkingCalendar.around_the_clock()
    assert add(calendar, sh(2025, 12, 31, 23, 30), minutes(45)) == sh(2026, 1, 1, 0, 15)
    assert elapsed_minutes(calendar, sh(2025, 12, 31, 23, 30), sh(2026, 1, 1, 0, 15)) == 45


def test_shanghai_never_changes_its_offset():
    for moment in (sh(2024, 1, 15, 10, 0), sh(2024, 7, 15, 10, 0), sh(2026, 3, 29, 10, 0)):
        assert add(CN_WORKDAY, moment, minutes(1)).utcoffset() == dt.timedelta(hours=8)


def test_the_result_is_in_the_zone_of_the_start():
    start = sh(2025, 3, 10, 17, 30).astimezone(UTC)
    due = add(PLAIN_WEEK, start, minutes(60))
    assert due.tzinfo is UTC and due == sh(2025, 3, 11, 9, 30)


def test_around_the_clock_in_berlin_counts_real_hours_across_dst():
    calendar = WorkingCalendar.around_the_clock(BERLIN)
    spring = dt.datetime(2026, 3, 29, 0, 0, tzinfo=BERLIN)  # 02:00 CET → 03:00 CEST
    assert add(calendar, spring, dt.timedelta(hours=3)) == dt.datetime(2026, 3, 29, 4, 0, tzinfo=BERLIN)
    assert elapsed(calendar, spring, spring + dt.timedelta(days=1)) == dt.timedelta(hours=23)
    autumn = dt.datetime(2026, 10, 25, 0, 0, tzinfo=BERLIN)  # 03:00 CEST → 02:00 CET
    assert elapsed(calendar, autumn, dt.datetime(2026, 10, 26, 0, 0, tzinfo=BERLIN)) == dt.timedelta(hours=25)


def test_berlin_office_hours_keep_local_hours_across_dst():
    calendar = WorkingCalendar(tz=BERLIN, hours={day: ((dt.time(9), dt.time(17)),) for day in range(5)})
    friday = dt.datetime(2026, 3, 27, 16, 0, tzinfo=BERLIN)  # CET, +01:00
    due = add(calendar, friday, minutes(120))
    assert due == dt.datetime(2026, 3, 30, 10, 0, tzinfo=BERLIN)
    assert due.utcoffset() == dt.timedelta(hours=2)  # CEST on Monday
    assert elapsed_minutes(calendar, friday, due) == 120


def test_a_whole_day_window_on_the_dst_night_has_23_or_25_hours():
    calendar = WorkingCalendar(tz=BERLIN, hours={day: ((dt.time(0), dt.time.max),) for day in range(7)})
    assert elapsed(calendar, dt.datetime(2026, 3, 29, tzinfo=BERLIN),
                   dt.datetime(2026, 3, 30, tzinfo=BERLIN)) == dt.timedelta(hours=23)
    assert elapsed(calendar, dt.datetime(2026, 10, 25, tzinfo=BERLIN),
                   dt.datetime(2026, 10, 26, tzinfo=BERLIN)) == dt.timedelta(hours=25)
    start = dt.datetime(2026, 3, 29, 0, 0, tzinfo=BERLIN)
    assert add(calendar, start, dt.timedelta(hours=3)) == dt.datetime(2026, 3, 29, 4, 0, tzinfo=BERLIN)


def test_windows_meeting_in_a_dst_gap_are_not_counted_twice():
    # 01:00–02:30 and 03:00–04:00 on the spring-forward Sunday: 02:30 does not exist; the wall clock
    # runs 01:00 CET → 04:00 CEST, two real hours, all of them working time.
    calendar = WorkingCalendar(tz=BERLIN, hours={6: ((dt.time(1), dt.time(2, 30)), (dt.time(3), dt.time(4)))})
    night = dt.datetime(2026, 3, 29, 0, 0, tzinfo=BERLIN)
    assert elapsed(calendar, night, dt.datetime(2026, 3, 29, 5, 0, tzinfo=BERLIN)) == dt.timedelta(hours=2)
    assert add(calendar, night, dt.timedelta(hours=2)) == dt.datetime(2026, 3, 29, 4, 0, tzinfo=BERLIN)


# ---------------------------------------------------------------- refusals


def test_naive_moments_and_negative_durations_are_refused():
    with pytest.raises(ValueError, match="aware"):
        add(PLAIN_WEEK, dt.datetime(2025, 3, 10, 9, 0), minutes(1))  # noqa: DTZ001
    with pytest.raises(ValueError, match="aware"):
        elapsed(PLAIN_WEEK, sh(2025, 3, 10, 9, 0), dt.datetime(2025, 3, 10, 10, 0))  # noqa: DTZ001
    with pytest.raises(ValueError, match="negative"):
        add(PLAIN_WEEK, sh(2025, 3, 10, 9, 0), minutes(-1))


def test_a_calendar_without_working_time_says_so():
    empty = WorkingCalendar(tz=SHANGHAI, hours={})
    with pytest.raises(CalendarHasNoWorkingTime):
        add(empty, sh(2025, 3, 10, 9, 0), minutes(1))
