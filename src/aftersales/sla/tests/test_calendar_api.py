"""GET /api/v1/calendars…: the seeded calendars against hand-checked dates of 2024–2026, and the errors.

Every holiday and 调休 premise below is asserted against chinese-calendar first
(``premise``), so a wrong expectation fails loudly as a wrong premise, not as a
mysterious off-by-a-day answer. cn-workday works 09:00–18:00, Monday to Friday.
"""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest

from aftersales.accounts.tests.api.client import ApiClient, assert_error, error_fields
from aftersales.sla.api import MAX_MINUTES
from aftersales.sla.models import Calendar, DayKind, PublicDay, WorkingHours

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(agent) -> ApiClient:
    return ApiClient(agent)


def premise(*, off: list[str] = (), worked: list[str] = ()) -> None:
    """What the State Council published, as chinese-calendar knows it (weekday noted in each test)."""
    for day in off:
        assert not chinese_calendar.is_workday(dt.date.fromisoformat(day)), f"{day} should be off"
    for day in worked:
        assert chinese_calendar.is_workday(dt.date.fromisoformat(day)), f"{day} should be worked"


def due(api: ApiClient, start: str, minutes: int, calendar: str = "cn-workday") -> str:
    response = api.get(f"/calendars/{calendar}/add", {"start": start, "minutes": minutes})
    assert response.status_code == 200, response.content
    return response.json()["due"]


def elapsed(api: ApiClient, start: str, end: str, calendar: str = "cn-workday") -> float:
    response = api.get(f"/calendars/{calendar}/elapsed", {"start": start, "end": end})
    assert response.status_code == 200, response.content
    return response.json()["minutes"]


# ---------------------------------------------------------------- the list


def test_the_seeded_calendars_are_listed_with_their_hours(api, django_assert_max_num_queries):
    api.get("/calendars")
    with django_assert_max_num_queries(3):  # token, calendars, their hours
        body = api.get("/calendars").json()
    by_code = {row["code"]: row for row in body}
    assert set(by_code) >= {"24x7", "cn-workday"}
    assert by_code["24x7"]["always_open"] is True and by_code["24x7"]["hours"] == []
    workday = by_code["cn-workday"]
    assert workday["time_zone"] == "Asia/Shanghai" and workday["observes_public_holidays"] is True
    assert workday["hours"] == [{"weekday": day, "start": "09:00:00", "end": "18:00:00"} for day in range(5)]


# ---------------------------------------------------------------- 2024 Spring Festival


def test_2024_spring_festival_is_skipped_to_the_adjusted_sunday(api):
    # Fri 9 Feb worked; Sat 10 – Sat 17 Feb off (Mon 12 – Fri 16 included); Sun 18 Feb worked.
    premise(off=["2024-02-10", "2024-02-12", "2024-02-14", "2024-02-16", "2024-02-17"],
            worked=["2024-02-09", "2024-02-18"])
    assert due(api, "2024-02-09T17:00:00+08:00", 120) == "2024-02-18T10:00:00+08:00"
    assert due(api, "2024-02-09T17:00:00+08:00", 60) == "2024-02-09T18:00:00+08:00"  # the end of Friday
    # A limit used up exactly at closing time is due at closing time, not the next morning.
    assert due(api, "2024-02-09T17:00:00+08:00", 9 * 60 + 60) == "2024-02-18T18:00:00+08:00"
    assert due(api, "2024-02-09T17:00:00+08:00", 9 * 60 + 61) == "2024-02-19T09:01:00+08:00"
    assert elapsed(api, "2024-02-09T09:00:00+08:00", "2024-02-19T09:00:00+08:00") == 2 * 9 * 60
    assert elapsed(api, "2024-02-10T00:00:00+08:00", "2024-02-18T00:00:00+08:00") == 0


def test_2024_spring_festival_adjusted_sunday_before_it_is_worked(api):
    # Sun 4 Feb 2024 was worked in exchange for the festival.
    premise(off=["2024-02-03"], worked=["2024-02-04"])
    assert due(api, "2024-02-03T12:00:00+08:00", 60) == "2024-02-04T10:00:00+08:00"
    assert elapsed(api, "2024-02-03T00:00:00+08:00", "2024-02-05T00:00:00+08:00") == 9 * 60


# ---------------------------------------------------------------- 2024 National Day


def test_2024_national_day_and_its_adjusted_sunday_and_saturday(api):
    # Sun 29 Sep worked; Tue 1 – Mon 7 Oct off; Tue 8 Oct back; Sat 12 Oct worked.
    premise(off=["2024-09-28", "2024-10-01", "2024-10-04", "2024-10-07"],
            worked=["2024-09-29", "2024-09-30", "2024-10-08", "2024-10-12"])
    assert due(api, "2024-09-28T12:00:00+08:00", 60) == "2024-09-29T10:00:00+08:00"
    assert due(api, "2024-09-30T17:00:00+08:00", 120) == "2024-10-08T10:00:00+08:00"
    assert due(api, "2024-10-11T17:30:00+08:00", 60) == "2024-10-12T09:30:00+08:00"
    assert elapsed(api, "2024-09-30T00:00:00+08:00", "2024-10-08T00:00:00+08:00") == 9 * 60
    # 28 Sep – 13 Oct: Sun 29, Mon 30 Sep, then Tue 8 – Sat 12 Oct (five days) are worked.
    assert elapsed(api, "2024-09-28T00:00:00+08:00", "2024-10-13T00:00:00+08:00") == 7 * 9 * 60


# ---------------------------------------------------------------- 2025 Spring Festival


def test_2025_spring_festival_and_its_adjusted_sunday_and_saturday(api):
    # Sun 26 Jan worked; Tue 28 Jan – Tue 4 Feb off; Sat 8 Feb worked.
    premise(off=["2025-01-25", "2025-01-28", "2025-01-31", "2025-02-03", "2025-02-04"],
            worked=["2025-01-26", "2025-01-27", "2025-02-05", "2025-02-08"])
    assert due(api, "2025-01-25T12:00:00+08:00", 60) == "2025-01-26T10:00:00+08:00"
    assert due(api, "2025-01-27T17:00:00+08:00", 120) == "2025-02-05T10:00:00+08:00"
    assert due(api, "2025-02-07T17:30:00+08:00", 60) == "2025-02-08T09:30:00+08:00"
    assert elapsed(api, "2025-01-27T00:00:00+08:00", "2025-02-05T00:00:00+08:00") == 9 * 60


# ---------------------------------------------------------------- 2026 New Year and the year end


def test_2025_to_2026_year_end_skips_new_year_to_the_adjusted_sunday(api):
    # Wed 31 Dec 2025 worked; Thu 1 – Sat 3 Jan 2026 off; Sun 4 Jan worked.
    premise(off=["2026-01-01", "2026-01-02", "2026-01-03"], worked=["2025-12-31", "2026-01-04"])
    assert due(api, "2025-12-31T17:00:00+08:00", 120) == "2026-01-04T10:00:00+08:00"
    assert elapsed(api, "2025-12-31T17:00:00+08:00", "2026-01-04T10:00:00+08:00") == 120
    assert due(api, "2025-12-31T18:00:00+08:00", 0) == "2026-01-04T09:00:00+08:00"  # the next opening


def test_the_year_end_on_the_24x7_calendar_is_plain_time(api):
    assert due(api, "2025-12-31T23:30:00+08:00", 45, "24x7") == "2026-01-01T00:15:00+08:00"
    assert elapsed(api, "2025-12-31T23:30:00+08:00", "2026-01-01T00:15:00+08:00", "24x7") == 45
    # The Spring Festival is working time for a 24×7 calendar.
    assert due(api, "2026-02-16T10:00:00+08:00", 60, "24x7") == "2026-02-16T11:00:00+08:00"


# ---------------------------------------------------------------- 2026 Spring Festival


def test_2026_spring_festival_and_its_adjusted_saturdays(api):
    # Sat 14 Feb worked; Sun 15 – Mon 23 Feb off; Tue 24 Feb back; Sat 28 Feb worked.
    premise(off=["2026-02-15", "2026-02-17", "2026-02-20", "2026-02-23"],
            worked=["2026-02-13", "2026-02-14", "2026-02-24", "2026-02-28"])
    assert due(api, "2026-02-13T17:30:00+08:00", 60) == "2026-02-14T09:30:00+08:00"
    assert due(api, "2026-02-14T17:00:00+08:00", 120) == "2026-02-24T10:00:00+08:00"
    assert due(api, "2026-02-27T17:30:00+08:00", 60) == "2026-02-28T09:30:00+08:00"
    assert elapsed(api, "2026-02-14T00:00:00+08:00", "2026-02-25T00:00:00+08:00") == 2 * 9 * 60


# ---------------------------------------------------------------- input forms


def test_a_start_without_offset_is_read_in_the_calendar_zone(api):
    assert due(api, "2024-02-09T17:00:00", 120) == "2024-02-18T10:00:00+08:00"
    assert due(api, "2024-02-09T17:00", 120) == "2024-02-18T10:00:00+08:00"
    assert elapsed(api, "2024-02-09T17:00", "2024-02-18T10:00:00+08:00") == 120


def test_other_offsets_are_converted_and_the_answer_is_in_the_calendar_zone(api):
    assert due(api, "2024-02-09T09:00:00Z", 120) == "2024-02-18T10:00:00+08:00"
    assert due(api, "2024-02-09T10:00:00+01:00", 120) == "2024-02-18T10:00:00+08:00"


def test_an_unencoded_plus_in_the_offset_is_understood(api):
    response = api.client.get("/api/v1/calendars/cn-workday/add?start=2024-02-09T17:00:00+08:00&minutes=120")
    assert response.json() == {"due": "2024-02-18T10:00:00+08:00"}


def test_answers_are_exact_to_the_second(api):
    assert due(api, "2024-02-09T17:59:59+08:00", 1) == "2024-02-18T09:00:59+08:00"
    assert elapsed(api, "2024-02-09T17:59:30+08:00", "2024-02-18T09:00:15+08:00") == 0.75


def test_an_end_before_the_start_is_negative(api):
    assert elapsed(api, "2024-02-18T10:00:00+08:00", "2024-02-09T17:00:00+08:00") == -120


def test_the_next_year_added_by_an_administrator_is_used_at_once(api):
    # chinese-calendar stops at 2026: the administrator types 2027's National Day in.
    assert due(api, "2027-09-30T17:00:00+08:00", 120) == "2027-10-01T10:00:00+08:00"
    PublicDay.objects.bulk_create([PublicDay(date=dt.date(2027, 10, day), kind=DayKind.HOLIDAY, name="国庆节")
                                   for day in range(1, 8)])
    PublicDay.objects.create(date=dt.date(2027, 10, 9), kind=DayKind.WORKDAY, name="国庆节调休")  # Saturday
    # bulk_create sends no signal; the single save above drops the cache for both.
    assert due(api, "2027-09-30T17:00:00+08:00", 120) == "2027-10-08T10:00:00+08:00"
    assert due(api, "2027-10-08T17:30:00+08:00", 60) == "2027-10-09T09:30:00+08:00"


# ---------------------------------------------------------------- errors


def test_an_unknown_calendar_is_a_404(api):
    body = assert_error(api.get("/calendars/mars/add", {"start": "2026-01-05T09:00", "minutes": 1}), 404,
                        "calendar_not_found")
    assert body["detail"] == {"code": "mars"}
    assert_error(api.get("/calendars/mars/elapsed", {"start": "2026-01-05T09:00", "end": "2026-01-06T09:00"}),
                 404, "calendar_not_found")


@pytest.mark.parametrize("start", ["tomorrow", "2026-13-01T09:00", "2026-02-30", "1700000000", "2026/02/14 09:00",
                                   ""])
def test_an_unreadable_start_is_a_422(api, start):
    response = api.get("/calendars/cn-workday/add", {"start": start, "minutes": 10})
    assert_error(response, 422, "invalid")
    assert error_fields(response) == {"start"}


@pytest.mark.parametrize("minutes", ["-1", "1.5", "ten", "", str(MAX_MINUTES + 1)])
def test_bad_minutes_are_a_422(api, minutes):
    response = api.get("/calendars/cn-workday/add", {"start": "2026-01-05T09:00", "minutes": minutes})
    assert_error(response, 422, "invalid")
    assert error_fields(response) == {"minutes"}


def test_missing_parameters_are_a_422(api):
    assert error_fields(assert_error_response(api.get("/calendars/cn-workday/add"))) == {"start", "minutes"}
    response = api.get("/calendars/cn-workday/elapsed", {"start": "2026-01-05T09:00", "end": "soon"})
    assert error_fields(assert_error_response(response)) == {"end"}


def assert_error_response(response):
    assert_error(response, 422, "invalid")
    return response


def test_a_span_too_long_or_out_of_range_is_a_422(api):
    assert_error(api.get("/calendars/24x7/elapsed", {"start": "2000-01-01T00:00", "end": "2026-01-01T00:00"}),
                 422, "span_too_long")
    assert_error(api.get("/calendars/cn-workday/add", {"start": "9999-12-31T17:00", "minutes": 1200}),
                 422, "out_of_range")


def test_a_calendar_without_working_time_is_a_422(api):
    closed = Calendar.objects.create(code="closed", name="停业")
    assert_error(api.get("/calendars/closed/add", {"start": "2026-01-05T09:00", "minutes": 1}), 422,
                 "calendar_has_no_working_time")
    WorkingHours.objects.create(calendar=closed, weekday=2, start=dt.time(10), end=dt.time(11))
    assert due(api, "2026-01-05T09:00", 30, "closed") == "2026-01-07T10:30:00+08:00"  # Wednesdays only


@pytest.mark.parametrize("path", ["/calendars", "/calendars/cn-workday/add?start=2026-01-05T09:00&minutes=1",
                                  "/calendars/cn-workday/elapsed?start=2026-01-05T09:00&end=2026-01-06T09:00"])
def test_calendars_need_a_token(path):
    assert_error(ApiClient().get(path), 401, "unauthenticated")
    assert_error(ApiClient(token="not-a-token").get(path), 401, "unauthenticated")


def test_only_get_is_allowed(api):
    assert_error(api.post("/calendars/cn-workday/add"), 405, "method_not_allowed")
