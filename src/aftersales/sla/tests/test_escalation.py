"""The tick: warnings, breaches, the escalation chain and progress reminders, at frozen moments.

The seeded chain (SPEC §4): warning → handler and owner; breach → supervisor; breach + 2 h →
department head; any P1 breach → department head at once. Most tests watch the plan clock
of a case dispatched at T0 (2 h limit: warning at T0 + 96 min, breach at T0 + 2 h).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db.models import Count
from django.urls import reverse

from aftersales.notify.jobs import flush
from aftersales.notify.models import DeliveryStatus, Notification
from aftersales.sla.jobs import REMINDER_KEY, tick
from aftersales.sla.models import ClockStatus, EscalationStep, SlaBreach, SlaClock, SlaEscalation
from aftersales.tickets import services as svc
from aftersales.tickets.models import Ticket, TicketEvent
from aftersales.tickets.scenarios import advance
from conftest import registration

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH)  # a Monday
MIN = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)


@contextlib.contextmanager
def at(moment: dt.datetime) -> Iterator[None]:
    with time_machine.travel(moment, tick=False):
        yield


def tick_at(moment: dt.datetime):
    with at(moment):
        return tick()


def dispatched(agent, cast, priority: str = "P2", **kwargs) -> Ticket:
    with at(T0):
        ticket, _created = svc.ticket_register(actor=agent, data=registration(**kwargs))
        return advance(ticket, to="assigned", cast=cast, priority=priority)


def step(stage: str, delay: int = 0, priority: str = "") -> EscalationStep:
    return EscalationStep.objects.get(stage=stage, delay_minutes=delay, priority=priority)


def fired(ticket: Ticket, metric: str = "plan") -> list[tuple[str, str, list[str]]]:
    """(stage, step key, recipients) of the clock's escalations, in firing order."""
    return [(e.stage, e.key, e.recipients)
            for e in SlaEscalation.objects.filter(clock__ticket=ticket, clock__metric=metric).order_by("fired_at", "id")]


def events(ticket: Ticket, kind: str, metric: str = "plan") -> list[TicketEvent]:
    return [e for e in TicketEvent.objects.filter(ticket=ticket, kind=kind).order_by("id")
            if e.data.get("metric") == metric]


def notified(ticket: Ticket, template: str) -> set[str]:
    return set(Notification.objects.filter(ticket=ticket, template=template)
               .values_list("recipient__username", flat=True))


# ---------------------------------------------------------------- warning, breach, +2 h


def test_the_warning_tells_the_handler_and_the_owner(agent, handler, cast):
    ticket = dispatched(agent, cast)
    plan = SlaClock.objects.get(ticket=ticket, metric="plan")
    assert (plan.warn_at, plan.due_at, plan.next_check_at) == (T0 + 96 * MIN, T0 + 2 * HOUR, T0 + 96 * MIN)

    assert tick_at(T0 + 95 * MIN).warnings == 0
    report = tick_at(T0 + 96 * MIN)

    assert (report.warnings, report.escalations, report.breaches) == (1, 1, 0)
    assert fired(ticket) == [("warning", step("warning").key, ["tech", "agent"])]
    [event] = events(ticket, "sla_warning")
    assert event.is_internal and event.created_at == T0 + 96 * MIN
    assert event.data["recipients"] == ["tech", "agent"] and event.data["stage"] == "warning"
    assert notified(ticket, "sla_warning") == {"tech", "agent"}
    message = Notification.objects.get(ticket=ticket, template="sla_warning", recipient=handler)
    assert (message.channel, message.status, message.next_attempt_at) == ("in_app", "pending", T0 + 96 * MIN)
    assert ticket.number in message.subject and "2026-03-02 12:00" in message.subject
    assert ticket.number in message.subject_en and "due 2026-03-02 12:00" in message.subject_en
    plan.refresh_from_db()
    assert (plan.warned_at, plan.next_check_at) == (T0 + 96 * MIN, T0 + 2 * HOUR)


def test_a_breach_tells_the_supervisor_and_is_counted_with_department_and_person(agent, supervisor, handler,
                                                                                  cast):
    ticket = dispatched(agent, cast)
    tick_at(T0 + 96 * MIN)

    report = tick_at(T0 + 2 * HOUR)

    assert (report.breaches, report.escalations) == (1, 1)
    assert fired(ticket)[-1] == ("breach", step("breach").key, ["supervisor"])
    [breached] = events(ticket, "sla_breached")
    assert breached.data == {"metric": "plan", "cycle": 1, "due_at": (T0 + 2 * HOUR).astimezone(dt.UTC).isoformat()}
    assert len(events(ticket, "sla_escalated")) == 1
    assert notified(ticket, "sla_breach") == {"supervisor"}
    breach = SlaBreach.objects.get(ticket=ticket, metric="plan")
    assert (breach.department.code, breach.person, breach.priority, breach.breached_at) == (
        "technical_support", handler, "P2", T0 + 2 * HOUR)
    plan = SlaClock.objects.get(ticket=ticket, metric="plan")
    assert plan.status == ClockStatus.RUNNING and plan.breached_at == T0 + 2 * HOUR  # still owed
    assert plan.next_check_at == T0 + 4 * HOUR  # the +2 h step

    with at(T0 + 2 * HOUR + MIN):
        assert flush().delivered == Notification.objects.count()
    assert Notification.objects.get(recipient=supervisor).status == DeliveryStatus.DELIVERED


def test_two_hours_after_the_breach_the_department_head_is_told(agent, head, cast):
    ticket = dispatched(agent, cast)
    tick_at(T0 + 2 * HOUR)
    tick_at(T0 + 4 * HOUR - MIN)
    assert "techhead" not in notified(ticket, "sla_breach")

    tick_at(T0 + 4 * HOUR)

    assert fired(ticket)[-1] == ("breach", step("breach", 120).key, ["techhead"])
    message = Notification.objects.get(ticket=ticket, recipient=head)
    assert "120" in message.subject  # overdue by 120 minutes
    assert SlaClock.objects.get(ticket=ticket, metric="plan").next_check_at is None  # nothing left to do


def test_a_p1_breach_reaches_the_department_head_at_once(agent, cast):
    ticket = dispatched(agent, cast, priority="P1")

    tick_at(T0 + 2 * HOUR)

    breach_steps = [(key, who) for stage, key, who in fired(ticket) if stage == "breach"]
    assert breach_steps == [(step("breach").key, ["supervisor"]), (step("breach", 0, "P1").key, ["techhead"])]
    assert notified(ticket, "sla_breach") == {"supervisor", "techhead"}
    # Two hours on, the +2 h step is a link of its own and still fires, once.
    tick_at(T0 + 4 * HOUR)
    assert [key for _stage, key, _who in fired(ticket)].count(step("breach", 120).key) == 1


def test_a_p2_breach_does_not_use_the_p1_step(agent, cast):
    ticket = dispatched(agent, cast, priority="P2")
    tick_at(T0 + 2 * HOUR)
    assert step("breach", 0, "P1").key not in [key for _stage, key, _who in fired(ticket)]


def test_every_step_fires_exactly_once_however_often_the_tick_runs(agent, cast):
    ticket = dispatched(agent, cast)

    for minutes in range(0, 6 * 60, 5):
        tick_at(T0 + minutes * MIN)
        tick_at(T0 + minutes * MIN)  # twice at the same moment, as two workers would

    assert [key for _stage, key, _who in fired(ticket)] == [
        step("warning").key, step("breach").key, step("breach", 120).key]
    assert [len(events(ticket, kind)) for kind in ("sla_warning", "sla_breached", "sla_escalated")] == [1, 1, 2]
    assert Notification.objects.filter(ticket=ticket, template__in=["sla_warning", "sla_breach"],
                                       context__metric_en="Plan made").count() == 4  # 2 + supervisor + head
    assert SlaBreach.objects.filter(ticket=ticket, metric="plan").count() == 1


def test_a_late_tick_fires_what_is_due_and_skips_a_stale_warning(agent, cast):
    ticket = dispatched(agent, cast)

    report = tick_at(T0 + 5 * HOUR)  # the first tick after an outage

    assert [key for _stage, key, _who in fired(ticket)] == [step("breach").key, step("breach", 120).key]
    assert SlaClock.objects.get(ticket=ticket, metric="plan").breached_at == T0 + 2 * HOUR
    assert report.breaches >= 1
    assert tick_at(T0 + 5 * HOUR).clocks == 0


def test_a_clock_met_in_time_escalates_nothing_more(agent, cast):
    ticket = dispatched(agent, cast)
    tick_at(T0 + 96 * MIN)
    with at(T0 + 100 * MIN):
        advance(ticket, to="plan_proposed", cast=cast)

    for minutes in (120, 240, 600):
        tick_at(T0 + minutes * MIN)

    assert [stage for stage, _key, _who in fired(ticket)] == ["warning"]
    assert not SlaBreach.objects.filter(ticket=ticket, metric="plan").exists()


def test_a_step_with_nobody_to_tell_is_still_recorded_once(agent):
    with at(T0):
        ticket, _ = svc.ticket_register(actor=agent, data=registration(channel="web"))
    # First response: no department yet, and customer service has no head in this test.
    tick_at(T0 + 30 * MIN)
    tick_at(T0 + 150 * MIN)
    tick_at(T0 + 151 * MIN)
    assert fired(ticket, "first_response")[-1] == ("breach", step("breach", 120).key, [])


def test_breaches_are_counted_per_clock_department_and_person(agent, cast):
    first = dispatched(agent, cast, priority="P1")
    second = dispatched(agent, cast, priority="P1")
    for minutes in range(0, 12 * 60, 30):
        tick_at(T0 + minutes * MIN)

    counts = {(row["metric"], row["department__code"], row["person__username"]): row["n"]
              for row in SlaBreach.objects.values("metric", "department__code", "person__username")
              .annotate(n=Count("id"))}
    assert counts[("plan", "technical_support", "tech")] == 2  # one per case, never more
    assert counts[("handling_start", "technical_support", "tech")] == 2
    assert SlaBreach.objects.filter(ticket=first).values("clock").distinct().count() == \
        SlaBreach.objects.filter(ticket=first).count()
    assert SlaBreach.objects.filter(ticket=second, metric="plan").count() == 1


# ---------------------------------------------------------------- progress-update reminders


@pytest.mark.parametrize(("priority", "cadence"), [("P1", 4 * HOUR), ("P2", 8 * HOUR), ("P3", 24 * HOUR)])
def test_no_customer_update_within_the_cadence_reminds_counts_and_starts_the_next_cycle(agent, handler, cast,
                                                                                        priority, cadence):
    ticket = dispatched(agent, cast, priority=priority)
    first = SlaClock.objects.get(ticket=ticket, metric="progress_update", cycle=1)
    assert (first.started_at, first.due_at) == (T0, T0 + cadence)

    assert tick_at(T0 + cadence - dt.timedelta(seconds=1)).reminders == 0
    assert tick_at(T0 + cadence).reminders == 1
    assert tick_at(T0 + cadence).reminders == 0  # once

    first.refresh_from_db()
    assert (first.status, first.breached_at, first.stopped_at) == (ClockStatus.BREACHED, T0 + cadence,
                                                                   T0 + cadence)
    assert fired(ticket, "progress_update") == [("breach", REMINDER_KEY, ["tech", "agent"])]
    [event] = events(ticket, "progress_reminder", "progress_update")
    assert event.data["cycle"] == 1 and event.created_at == T0 + cadence
    assert notified(ticket, "progress_reminder") == {"tech", "agent"}
    missed = SlaBreach.objects.get(ticket=ticket, metric="progress_update")
    assert (missed.person, missed.department.code) == (handler, "technical_support")
    following = SlaClock.objects.get(ticket=ticket, metric="progress_update", cycle=2)
    assert (following.status, following.started_at, following.due_at) == (ClockStatus.RUNNING, T0 + cadence,
                                                                           T0 + 2 * cadence)
    ticket.refresh_from_db()
    assert ticket.sla_due_at <= following.due_at

    assert tick_at(T0 + 2 * cadence).reminders == 1
    assert SlaBreach.objects.filter(ticket=ticket, metric="progress_update").count() == 2  # two missed updates
    assert SlaClock.objects.get(ticket=ticket, metric="progress_update", cycle=3).due_at == T0 + 3 * cadence


def test_a_customer_update_in_time_puts_the_reminder_off(agent, cast):
    ticket = dispatched(agent, cast, priority="P1")
    with at(T0 + 3 * HOUR):
        svc.ticket_add_note(number=ticket.number, actor=agent, body="工程师今天下午上门", internal=False)

    assert tick_at(T0 + 4 * HOUR).reminders == 0
    assert tick_at(T0 + 7 * HOUR).reminders == 1
    assert not SlaBreach.objects.filter(ticket=ticket, metric="progress_update", clock__cycle=1).exists()


def test_reminders_do_not_warn_or_escalate_up_the_chain(agent, cast):
    ticket = dispatched(agent, cast, priority="P1")
    for minutes in range(0, 7 * 60, 10):
        tick_at(T0 + minutes * MIN)
    stages = {(stage, key) for stage, key, _who in fired(ticket, "progress_update")}
    assert stages == {("breach", REMINDER_KEY)}
    assert not events(ticket, "sla_warning", "progress_update")
    assert not events(ticket, "sla_escalated", "progress_update")


# ---------------------------------------------------------------- an edited chain


def change_step(admin_client, item: EscalationStep, **changes) -> None:
    data = {"stage": item.stage, "delay_minutes": item.delay_minutes, "priority": item.priority,
            "metric": item.metric, "recipients": item.recipients, "order": item.order,
            "is_active": "on" if item.is_active else "", **changes}
    if not data["is_active"]:
        del data["is_active"]
    url = reverse("admin:sla_escalationstep_change", args=[item.pk]) if item.pk else \
        reverse("admin:sla_escalationstep_add")
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]


def test_a_step_made_earlier_in_the_admin_applies_to_running_clocks(admin_client, agent, cast):
    ticket = dispatched(agent, cast)
    with at(T0 + 10 * MIN):
        change_step(admin_client, step("breach", 120), delay_minutes=30)

    tick_at(T0 + 2 * HOUR)
    tick_at(T0 + 150 * MIN)

    keys = [key for _stage, key, _who in fired(ticket)]
    assert keys[-1] == EscalationStep.objects.get(stage="breach", delay_minutes=30).key
    assert notified(ticket, "sla_breach") == {"supervisor", "techhead"}


def test_a_step_added_after_the_chain_ran_out_still_fires(admin_client, agent, cast):
    ticket = dispatched(agent, cast)
    tick_at(T0 + 4 * HOUR)
    assert SlaClock.objects.get(ticket=ticket, metric="plan").next_check_at is None

    with at(T0 + 4 * HOUR + MIN):
        change_step(admin_client, EscalationStep(stage="breach", delay_minutes=5 * 60, metric="plan",
                                                 recipients=["owner"], order=40, is_active=True))
    assert SlaClock.objects.get(ticket=ticket, metric="plan").next_check_at == T0 + 7 * HOUR

    tick_at(T0 + 7 * HOUR)
    assert fired(ticket)[-1][2] == ["agent"]
    assert not any(who == ["agent"] for _s, _k, who in fired(ticket, "handling_start"))  # only for the plan


def test_a_deactivated_step_does_not_fire(admin_client, agent, cast):
    ticket = dispatched(agent, cast)
    with at(T0):
        change_step(admin_client, step("warning"), is_active="")
    tick_at(T0 + 96 * MIN)
    tick_at(T0 + 2 * HOUR)
    assert [stage for stage, _key, _who in fired(ticket)] == ["breach"]
    assert not notified(ticket, "sla_warning")
