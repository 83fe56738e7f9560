"""The SLA admin: calendars, holidays, policies and the chain are edited; clocks and breaches only read."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from aftersales.accounts.tests.api.client import ApiClient
from aftersales.sla.jobs import tick
from aftersales.sla.models import (
    Calendar,
    EscalationStep,
    PublicDay,
    SlaBreach,
    SlaClock,
    SlaEscalation,
    SlaPolicy,
)
from aftersales.tickets import services as svc
from conftest import registration

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(agent, supervisor):
    """A web case whose first response breached and escalated: a row in every read-only list."""
    start = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        ticket, _ = svc.ticket_register(actor=agent, data=registration(channel="web"))
    with time_machine.travel(start + dt.timedelta(hours=1), tick=False):
        tick()
    assert SlaBreach.objects.exists() and SlaEscalation.objects.exists()
    return ticket


MODELS = ["calendar", "publicday", "slapolicy", "escalationstep", "slaclock", "slaescalation", "slabreach"]


@pytest.mark.parametrize("model", MODELS)
def test_every_list_and_change_page_loads(admin_client, history, model):
    changelist = admin_client.get(reverse(f"admin:sla_{model}_changelist"))
    assert changelist.status_code == 200
    model_class = {"calendar": Calendar, "publicday": PublicDay, "slapolicy": SlaPolicy,
                   "escalationstep": EscalationStep, "slaclock": SlaClock, "slaescalation": SlaEscalation,
                   "slabreach": SlaBreach}[model]
    obj = model_class.objects.order_by("pk").first()
    assert admin_client.get(reverse(f"admin:sla_{model}_change", args=[obj.pk])).status_code == 200


@pytest.mark.parametrize(("model", "params"), [
    ("slaclock", {"status__exact": "breached"}), ("slaclock", {"metric__exact": "first_response"}),
    ("slaclock", {"q": "AS"}), ("slaescalation", {"stage__exact": "breach"}),
    ("slaescalation", {"clock__metric__exact": "first_response"}), ("slabreach", {"metric__exact": "first_response"}),
    ("slabreach", {"department__id__exact": "1"}), ("publicday", {"kind__exact": "workday", "year": "2026"}),
    ("publicday", {"q": "春节"}), ("slapolicy", {"is_active__exact": "1"}),
])
def test_filters_and_searches_answer(admin_client, history, model, params):
    assert admin_client.get(reverse(f"admin:sla_{model}_changelist"), params).status_code == 200


@pytest.mark.parametrize("model", ["slaclock", "slaescalation", "slabreach"])
def test_what_the_clocks_did_is_read_only(admin_client, history, model):
    obj = {"slaclock": SlaClock, "slaescalation": SlaEscalation, "slabreach": SlaBreach}[model].objects.first()
    assert admin_client.get(reverse(f"admin:sla_{model}_add")).status_code == 403
    assert admin_client.post(reverse(f"admin:sla_{model}_change", args=[obj.pk]), {}).status_code == 403
    assert admin_client.get(reverse(f"admin:sla_{model}_delete", args=[obj.pk])).status_code == 403


# ---------------------------------------------------------------- holidays


def listed(admin_client, url: str, params: dict) -> list:
    response = admin_client.get(url, params)
    assert response.status_code == 200
    return list(response.context["cl"].queryset)  # filtered and ordered, before pagination


def test_public_days_are_listed_by_date_and_filtered_by_year_and_kind(admin_client):
    url = reverse("admin:sla_publicday_changelist")
    workdays = [day.date.isoformat() for day in listed(admin_client, url, {"year": "2026", "kind__exact": "workday"})]
    assert workdays == sorted(workdays)  # by date
    assert {"2026-01-04", "2026-02-14", "2026-02-28"} <= set(workdays)
    assert all(day.startswith("2026-") for day in workdays)
    found = {day.date.isoformat() for day in listed(admin_client, url, {"q": "国庆"})}
    assert "2024-10-01" in found and "2024-09-29" in found and "2024-02-10" not in found
    years = admin_client.get(url).content.decode()
    assert "?year=2024" in years and "?year=2026" in years


def test_an_administrator_adds_next_years_holiday_and_the_calendar_uses_it(admin_client, agent):
    api = ApiClient(agent)
    start = {"start": "2027-02-05T17:00:00+08:00", "minutes": 120}  # a Friday
    assert api.get("/calendars/cn-workday/add", start).json() == {"due": "2027-02-08T10:00:00+08:00"}

    for day in (8, 9, 10):
        response = admin_client.post(reverse("admin:sla_publicday_add"),
                                     {"date": f"2027-02-{day:02d}", "kind": "holiday", "name": "春节"})
        assert response.status_code == 302, response.content.decode()[:500]
    response = admin_client.post(reverse("admin:sla_publicday_add"),
                                 {"date": "2027-02-07", "kind": "workday", "name": "春节调休"})  # a Sunday
    assert response.status_code == 302

    assert api.get("/calendars/cn-workday/add", start).json() == {"due": "2027-02-07T10:00:00+08:00"}
    assert api.get("/calendars/cn-workday/add", {"start": "2027-02-07T17:00:00+08:00", "minutes": 120}).json() == {
        "due": "2027-02-11T10:00:00+08:00"}
    assert admin_client.post(reverse("admin:sla_publicday_add"), {"date": "2027-02-08", "kind": "holiday",
                                                                  "name": "重复"}).status_code == 200  # unique


# ---------------------------------------------------------------- calendars


def calendar_form(code: str, windows: list[tuple[int, str, str]], **fields) -> dict:
    data = {"code": code, "name": "测试日历", "name_en": "Test", "time_zone": "Asia/Shanghai",
            "observes_public_holidays": "on", "hours-TOTAL_FORMS": str(len(windows)), "hours-INITIAL_FORMS": "0",
            "hours-MIN_NUM_FORMS": "0", "hours-MAX_NUM_FORMS": "1000", **fields}
    for i, (weekday, start, end) in enumerate(windows):
        data |= {f"hours-{i}-weekday": weekday, f"hours-{i}-start": start, f"hours-{i}-end": end}
    return data


def test_a_calendar_with_a_lunch_break_is_added_with_its_hours(admin_client, agent):
    windows = [(day, start, end) for day in range(5) for start, end in (("09:00", "12:00"), ("13:30", "18:00"))]
    response = admin_client.post(reverse("admin:sla_calendar_add"), calendar_form("lunch", windows))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Calendar.objects.get(code="lunch").hours.count() == 10
    due = ApiClient(agent).get("/calendars/lunch/add", {"start": "2026-03-02T11:30:00+08:00", "minutes": 60})
    assert due.json() == {"due": "2026-03-02T14:00:00+08:00"}
    assert "09:00–12:00" in admin_client.get(reverse("admin:sla_calendar_changelist")).content.decode()


def test_overlapping_windows_and_unknown_zones_are_refused(admin_client):
    overlapping = calendar_form("bad", [(0, "09:00", "12:00"), (0, "11:00", "14:00")])
    page = admin_client.post(reverse("admin:sla_calendar_add"), overlapping)
    assert page.status_code == 200
    [errors] = [str(f.formset.non_form_errors()) for f in page.context["inline_admin_formsets"]]
    assert "errorlist" in errors  # the formset's own error: the windows overlap
    assert admin_client.post(reverse("admin:sla_calendar_add"),
                             calendar_form("bad", [], time_zone="Mars/Olympus")).status_code == 200
    backwards = calendar_form("bad", [(0, "12:00", "09:00")])
    assert admin_client.post(reverse("admin:sla_calendar_add"), backwards).status_code == 200
    assert not Calendar.objects.filter(code="bad").exists()
    # Windows on different days may share their times.
    fine = calendar_form("fine", [(0, "09:00", "12:00"), (1, "11:00", "14:00")])
    assert admin_client.post(reverse("admin:sla_calendar_add"), fine).status_code == 302


# ---------------------------------------------------------------- policies and the chain


def test_a_policy_is_added_with_its_limits(admin_client):
    data = {"code": "vip", "name": "VIP 服务", "name_en": "VIP", "order": "10", "is_active": "on",
            "calendar": Calendar.objects.get(code="24x7").pk, "match_priority": "", "match_category": "",
            "match_segment": "vip", "match_channel": "web", "warn_percent": "75",
            "pause_waiting_on_customer": "on", "targets-TOTAL_FORMS": "2", "targets-INITIAL_FORMS": "0",
            "targets-MIN_NUM_FORMS": "0", "targets-MAX_NUM_FORMS": "1000",
            "targets-0-metric": "first_response", "targets-0-priority": "", "targets-0-minutes": "10",
            "targets-0-calendar": "",
            "targets-1-metric": "handling_start", "targets-1-priority": "P1", "targets-1-minutes": "60",
            "targets-1-calendar": Calendar.objects.get(code="cn-workday").pk}
    response = admin_client.post(reverse("admin:sla_slapolicy_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    policy = SlaPolicy.objects.get(code="vip")
    assert (policy.match_segment, policy.match_channel, policy.warn_percent) == ("vip", "web", 75)
    assert {(t.metric, t.priority, t.minutes) for t in policy.targets.all()} == {
        ("first_response", "", 10), ("handling_start", "P1", 60)}

    data["code"], data["match_channel"] = "pigeon", "pigeon"
    assert admin_client.post(reverse("admin:sla_slapolicy_add"), data).status_code == 200  # not a channel


def test_a_duplicate_limit_is_refused(admin_client):
    data = {"code": "dup", "name": "重复", "order": "10", "is_active": "on",
            "calendar": Calendar.objects.get(code="24x7").pk, "warn_percent": "80",
            "targets-TOTAL_FORMS": "2", "targets-INITIAL_FORMS": "0", "targets-MIN_NUM_FORMS": "0",
            "targets-MAX_NUM_FORMS": "1000",
            "targets-0-metric": "plan", "targets-0-priority": "", "targets-0-minutes": "10",
            "targets-1-metric": "plan", "targets-1-priority": "", "targets-1-minutes": "20"}
    assert admin_client.post(reverse("admin:sla_slapolicy_add"), data).status_code == 200
    assert not SlaPolicy.objects.filter(code="dup").exists()


def test_escalation_recipients_are_validated(admin_client):
    url = reverse("admin:sla_escalationstep_add")
    base = {"stage": "breach", "delay_minutes": "60", "priority": "", "metric": "", "order": "50",
            "is_active": "on"}
    assert admin_client.post(url, base).status_code == 200  # nobody chosen
    assert admin_client.post(url, {**base, "recipients": ["janitor"]}).status_code == 200
    assert admin_client.post(url, {**base, "recipients": ["owner", "supervisor", "owner"]}).status_code == 302
    assert EscalationStep.objects.get(order=50).recipients == ["owner", "supervisor"]  # once each, in order


def test_deleting_a_step_reschedules_the_running_clocks(admin_client, history):
    first = SlaClock.objects.get(ticket=history, metric="first_response")
    assert first.next_check_at == first.breached_at + dt.timedelta(hours=2)  # waiting for the +2 h step
    later = EscalationStep.objects.get(stage="breach", delay_minutes=120)

    response = admin_client.post(reverse("admin:sla_escalationstep_delete", args=[later.pk]), {"post": "yes"})

    assert response.status_code == 302
    first.refresh_from_db()
    assert first.next_check_at is None  # nothing left for the tick to do on it
