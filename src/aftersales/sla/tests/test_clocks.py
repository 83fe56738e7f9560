"""Every clock of SPEC §3 through the real lifecycle services, at frozen moments (time-machine).

The seeded standard policy counts on the 24×7 calendar: first response 30 min, registration
2 h, classification 1 h, handling start P1 4 h / P2 8 h / P3 24 h (from registration), plan
2 h (from dispatch), initial plan 24 h, progress update P1 4 h / P2 8 h / P3 24 h, feedback
1 h, closed loop 72 h. Warnings at 80 %.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine

from aftersales.accounts.tests.api.client import ApiClient
from aftersales.customers.services import CustomerInput
from aftersales.sla.jobs import tick
from aftersales.sla.models import (
    Calendar,
    ClockStatus,
    CustomerSegment,
    SlaBreach,
    SlaClock,
    SlaPolicy,
    SlaTarget,
)
from aftersales.sla.services import sla_sync
from aftersales.tickets import services as svc
from aftersales.tickets.models import Category, Ticket, TicketEvent
from aftersales.tickets.scenarios import advance, proof_photo
from conftest import registration

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH)  # a Monday, nowhere near a holiday
MIN = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)


@contextlib.contextmanager
def at(moment: dt.datetime) -> Iterator[None]:
    with time_machine.travel(moment, tick=False):
        yield


def clock(ticket: Ticket, metric: str, cycle: int | None = None) -> SlaClock:
    rows = SlaClock.objects.filter(ticket=ticket, metric=metric)
    found = rows.get(cycle=cycle) if cycle is not None else rows.order_by("-cycle").first()
    assert found is not None, f"no {metric} clock"
    return found


def metrics(ticket: Ticket, *statuses: str) -> set[str]:
    rows = SlaClock.objects.filter(ticket=ticket)
    if statuses:
        rows = rows.filter(status__in=statuses)
    return set(rows.values_list("metric", flat=True))


def register(agent, moment: dt.datetime = T0, **kwargs) -> Ticket:
    with at(moment):
        ticket, _created = svc.ticket_register(actor=agent, data=registration(**kwargs))
    return ticket


def walk(ticket: Ticket, to: str, cast, moment: dt.datetime, **kwargs) -> Ticket:
    with at(moment):
        return advance(ticket, to=to, cast=cast, **kwargs)


def policy(code: str, *, order: int = 10, calendar: str = "24x7", minutes: dict[str, int] | None = None,
           **fields) -> SlaPolicy:
    """A policy with the standard limits, some of them changed (an administrator's copy)."""
    created = SlaPolicy.objects.create(code=code, name=code, order=order, calendar=Calendar.objects.get(code=calendar),
                                       **fields)
    overrides = minutes or {}
    SlaTarget.objects.bulk_create([
        SlaTarget(policy=created, metric=row.metric, priority=row.priority, calendar=row.calendar,
                  minutes=overrides.get(f"{row.metric}:{row.priority}", overrides.get(row.metric, row.minutes)))
        for row in SlaTarget.objects.filter(policy__code="standard")
    ])
    created.save()  # bulk_create sends no signal: this save drops the cached policies
    return created


# ---------------------------------------------------------------- first response and registration


@pytest.mark.parametrize("channel", ["phone", "store", "chat"])
def test_a_live_channel_meets_first_response_and_registration_at_once(agent, channel):
    ticket = register(agent, channel=channel)

    first = clock(ticket, "first_response")
    assert (first.status, first.started_at, first.stopped_at) == (ClockStatus.MET, T0, T0)
    assert clock(ticket, "registration").status == ClockStatus.MET
    classification = clock(ticket, "classification")
    assert classification.status == ClockStatus.RUNNING
    assert (classification.due_at, classification.warn_at) == (T0 + 60 * MIN, T0 + 48 * MIN)
    assert clock(ticket, "initial_plan").due_at == T0 + 24 * HOUR
    assert clock(ticket, "closed_loop").due_at == T0 + 72 * HOUR
    # No priority yet, no dispatch yet: those clocks have not started.
    assert metrics(ticket) == {"first_response", "registration", "classification", "initial_plan", "closed_loop"}
    ticket.refresh_from_db()
    assert (ticket.sla_due_at, ticket.sla_warn_at, ticket.sla_paused) == (T0 + 60 * MIN, T0 + 48 * MIN, False)


def test_a_web_case_waits_for_the_first_customer_visible_reply(agent):
    ticket = register(agent, channel="web")
    first = clock(ticket, "first_response")
    assert (first.status, first.due_at, first.warn_at) == (ClockStatus.RUNNING, T0 + 30 * MIN, T0 + 24 * MIN)
    ticket.refresh_from_db()
    assert ticket.sla_due_at == T0 + 30 * MIN

    with at(T0 + 10 * MIN):
        svc.ticket_add_note(number=ticket.number, actor=agent, body="内部备注：已查询订单", internal=True)
    assert clock(ticket, "first_response").status == ClockStatus.RUNNING
    with at(T0 + 20 * MIN):
        svc.ticket_add_note(number=ticket.number, actor=agent, body="您好，我们已收到您的反馈", internal=False)

    first = clock(ticket, "first_response")
    assert (first.status, first.stopped_at, first.breached_at) == (ClockStatus.MET, T0 + 20 * MIN, None)
    ticket.refresh_from_db()
    assert ticket.sla_due_at == T0 + 60 * MIN  # now the classification is nearest


def test_a_late_first_reply_is_a_breach_counted_for_the_owner(agent):
    ticket = register(agent, channel="web")
    with at(T0 + 45 * MIN):
        svc.ticket_add_note(number=ticket.number, actor=agent, body="抱歉久等", internal=False)

    first = clock(ticket, "first_response")
    assert (first.status, first.breached_at, first.stopped_at) == (ClockStatus.BREACHED, T0 + 30 * MIN,
                                                                   T0 + 45 * MIN)
    breach = SlaBreach.objects.get(clock=first)
    assert (breach.metric, breach.person, breach.department.code) == ("first_response", agent, "customer_service")
    assert breach.breached_at == T0 + 30 * MIN


def test_registration_runs_from_first_contact_until_it_is_confirmed(agent):
    on_time = register(agent, first_contact_at=T0 - 30 * MIN, confirm=False)
    late = register(agent, first_contact_at=T0 - 30 * MIN, confirm=False)
    assert clock(on_time, "registration").due_at == T0 + 90 * MIN
    assert "classification" not in metrics(on_time)  # it starts with the registration

    with at(T0 + 60 * MIN):
        svc.ticket_confirm_registration(number=on_time.number, actor=agent)
    with at(T0 + 100 * MIN):
        svc.ticket_confirm_registration(number=late.number, actor=agent)

    assert clock(on_time, "registration").status == ClockStatus.MET
    assert clock(on_time, "classification").started_at == T0 + 60 * MIN
    assert clock(late, "registration").status == ClockStatus.BREACHED
    assert SlaBreach.objects.filter(ticket=late, metric="registration").count() == 1


def test_a_backdated_first_contact_starts_late_clocks_breached_and_counted(agent):
    ticket = register(agent, first_contact_at=T0 - 3 * HOUR)

    for metric in ("first_response", "registration"):
        item = clock(ticket, metric)
        assert item.status == ClockStatus.BREACHED and item.started_at == T0 - 3 * HOUR
    assert set(SlaBreach.objects.filter(ticket=ticket).values_list("metric", flat=True)) == {
        "first_response", "registration"}


# ---------------------------------------------------------------- classification, handling start, plan


@pytest.mark.parametrize(("priority", "limit"), [("P1", 4 * HOUR), ("P2", 8 * HOUR), ("P3", 24 * HOUR)])
def test_classification_starts_the_handling_clock_of_the_priority(agent, cast, priority, limit):
    ticket = register(agent)
    walk(ticket, "classified", cast, T0 + 30 * MIN, priority=priority)

    classification = clock(ticket, "classification")
    assert (classification.status, classification.stopped_at) == (ClockStatus.MET, T0 + 30 * MIN)
    handling = clock(ticket, "handling_start")
    assert (handling.status, handling.priority, handling.started_at) == (ClockStatus.RUNNING, priority, T0)
    assert handling.due_at == T0 + limit  # counted from intake, not from the classification


def test_a_late_classification_is_a_breach(agent, cast):
    ticket = register(agent)
    walk(ticket, "classified", cast, T0 + 61 * MIN)
    assert clock(ticket, "classification").status == ClockStatus.BREACHED


def test_handling_starts_with_the_handlers_first_action_not_the_supervisors(agent, supervisor, handler, cast):
    ticket = register(agent)
    walk(ticket, "assigned", cast, T0 + HOUR, priority="P1")
    with at(T0 + 90 * MIN):
        svc.ticket_add_note(number=ticket.number, actor=supervisor, body="请尽快处理", internal=True)
    assert clock(ticket, "handling_start").status == ClockStatus.RUNNING

    with at(T0 + 2 * HOUR):
        svc.ticket_add_note(number=ticket.number, actor=handler, body="已联系客户，准备上门", internal=True)

    handling = clock(ticket, "handling_start")
    assert (handling.status, handling.stopped_at) == (ClockStatus.MET, T0 + 2 * HOUR)


def test_the_plan_clock_runs_from_dispatch_to_the_proposal(agent, cast):
    ticket = register(agent)
    walk(ticket, "assigned", cast, T0 + HOUR)
    plan = clock(ticket, "plan")
    assert (plan.started_at, plan.due_at, plan.warn_at) == (T0 + HOUR, T0 + 3 * HOUR, T0 + HOUR + 96 * MIN)

    walk(ticket, "plan_proposed", cast, T0 + 2 * HOUR)

    plan = clock(ticket, "plan")
    assert (plan.status, plan.stopped_at) == (ClockStatus.MET, T0 + 2 * HOUR)
    assert clock(ticket, "handling_start").status == ClockStatus.MET  # the handler's proposal starts handling


def test_the_initial_plan_clock_runs_from_first_contact_to_the_offer(agent, cast):
    ticket = register(agent)
    walk(ticket, "plan_proposed", cast, T0 + HOUR)
    assert clock(ticket, "initial_plan").status == ClockStatus.RUNNING

    walk(ticket, "awaiting_customer", cast, T0 + 5 * HOUR)

    initial = clock(ticket, "initial_plan")
    assert (initial.status, initial.started_at, initial.stopped_at) == (ClockStatus.MET, T0, T0 + 5 * HOUR)


# ---------------------------------------------------------------- the progress-update cadence


def progress_cycles(ticket: Ticket) -> list[tuple[int, str, dt.datetime, dt.datetime | None]]:
    return [(c.cycle, c.status, c.started_at, c.stopped_at)
            for c in SlaClock.objects.filter(ticket=ticket, metric="progress_update").order_by("cycle")]


def test_the_progress_cadence_restarts_at_every_customer_visible_update(agent, handler, cast):
    ticket = register(agent)
    walk(ticket, "assigned", cast, T0 + 20 * MIN, priority="P2")
    assert progress_cycles(ticket) == [(1, "running", T0 + 20 * MIN, None)]
    assert clock(ticket, "progress_update").due_at == T0 + 20 * MIN + 8 * HOUR

    walk(ticket, "plan_proposed", cast, T0 + HOUR)  # internal: no news for the customer
    walk(ticket, "awaiting_customer", cast, T0 + 2 * HOUR)  # the offer is news
    walk(ticket, "in_progress", cast, T0 + 3 * HOUR)  # the customer's answer is not our update
    with at(T0 + 4 * HOUR):
        svc.ticket_add_note(number=ticket.number, actor=agent, body="工程师明天上门", internal=False)
    with at(T0 + 4 * HOUR + 30 * MIN):
        svc.ticket_add_note(number=ticket.number, actor=handler, body="备件已申请", internal=True)
    with at(T0 + 5 * HOUR):
        svc.ticket_hold(number=ticket.number, actor=handler, hold_reason="parts", note="等待主板到货")
    with at(T0 + 6 * HOUR):
        svc.ticket_resume(number=ticket.number, actor=handler, note="主板已到")

    assert progress_cycles(ticket) == [
        (1, "met", T0 + 20 * MIN, T0 + 2 * HOUR),
        (2, "met", T0 + 2 * HOUR, T0 + 4 * HOUR),
        (3, "met", T0 + 4 * HOUR, T0 + 5 * HOUR),
        (4, "running", T0 + 5 * HOUR, None),
    ]
    assert clock(ticket, "progress_update").due_at == T0 + 13 * HOUR

    with at(T0 + 7 * HOUR):
        svc.ticket_resolve(number=ticket.number, actor=handler, result="已更换主板", attachments=[proof_photo()])
    assert progress_cycles(ticket)[-1] == (4, "met", T0 + 5 * HOUR, T0 + 7 * HOUR)  # the work left the department


@pytest.mark.parametrize("answer_after", [HOUR, 72 * HOUR])
def test_a_dispute_after_feedback_restarts_the_cadence_from_the_dispute(agent, cast, answer_after):
    ticket = register(agent)
    walk(ticket, "awaiting_confirmation", cast, T0 + HOUR, priority="P1")
    cycles = len(progress_cycles(ticket))
    assert clock(ticket, "progress_update").status == ClockStatus.MET  # stopped when the work was resolved

    # The customer answers: the cadence counts from the dispute, not from the feedback before it
    # (three days later that would be a cycle born overdue, reminding at every tick).
    disputed = T0 + HOUR + answer_after
    with at(disputed):
        svc.ticket_dispute(number=ticket.number, actor=agent, reason="问题仍然存在")
        assert tick().reminders == 0

    current = clock(ticket, "progress_update")
    assert current.cycle == cycles + 1
    assert (current.status, current.started_at, current.due_at) == (ClockStatus.RUNNING, disputed,
                                                                     disputed + 4 * HOUR)
    assert tick_count_after(disputed + 4 * HOUR) == 1


def tick_count_after(moment: dt.datetime) -> int:
    with at(moment):
        return tick().reminders


# ---------------------------------------------------------------- feedback and the closed loop


def test_the_feedback_clock_runs_from_resolution_to_the_feedback(agent, cast):
    ticket = register(agent)
    walk(ticket, "resolved", cast, T0 + 2 * HOUR)
    feedback = clock(ticket, "feedback")
    assert (feedback.status, feedback.started_at, feedback.due_at) == (ClockStatus.RUNNING, T0 + 2 * HOUR,
                                                                       T0 + 3 * HOUR)

    walk(ticket, "awaiting_confirmation", cast, T0 + 2 * HOUR + 30 * MIN)

    assert clock(ticket, "feedback").status == ClockStatus.MET


def test_a_second_resolution_starts_a_second_feedback_cycle(agent, cast):
    ticket = register(agent)
    walk(ticket, "awaiting_confirmation", cast, T0 + HOUR)
    with at(T0 + 2 * HOUR):
        svc.ticket_dispute(number=ticket.number, actor=agent, reason="仍有异响")
    walk(ticket, "resolved", cast, T0 + 5 * HOUR)

    second = clock(ticket, "feedback")
    assert (second.cycle, second.started_at, second.status) == (2, T0 + 5 * HOUR, ClockStatus.RUNNING)
    assert clock(ticket, "feedback", cycle=1).status == ClockStatus.MET


def test_the_loop_closes_on_confirmation_and_nothing_stays_open(agent, cast):
    ticket = register(agent)
    walk(ticket, "closed", cast, T0 + 30 * HOUR)

    loop = clock(ticket, "closed_loop")
    assert (loop.status, loop.stopped_at) == (ClockStatus.MET, T0 + 30 * HOUR)
    assert not SlaClock.objects.filter(ticket=ticket, status__in=["running", "paused"]).exists()
    ticket.refresh_from_db()
    assert (ticket.sla_due_at, ticket.sla_warn_at, ticket.sla_paused) == (None, None, False)


def test_a_loop_closed_after_72_hours_is_breached(agent, cast):
    ticket = register(agent)
    walk(ticket, "closed", cast, T0 + 73 * HOUR)
    assert clock(ticket, "closed_loop").status == ClockStatus.BREACHED


def test_a_cancelled_case_cancels_its_open_clocks(agent, supervisor):
    ticket = register(agent)
    with at(T0 + 10 * MIN):
        svc.ticket_cancel(number=ticket.number, actor=supervisor, reason="重复登记")
    classification = clock(ticket, "classification")
    assert (classification.status, classification.stopped_at) == (ClockStatus.CANCELLED, T0 + 10 * MIN)
    assert classification.next_check_at is None


def test_the_sync_is_idempotent(agent, cast):
    ticket = register(agent)
    walk(ticket, "in_progress", cast, T0 + HOUR)
    before = list(SlaClock.objects.filter(ticket=ticket).order_by("pk").values())
    events_before = TicketEvent.objects.filter(ticket=ticket).count()

    with at(T0 + 2 * HOUR):
        sla_sync(Ticket.objects.get(pk=ticket.pk))
        sla_sync(Ticket.objects.get(pk=ticket.pk))

    assert list(SlaClock.objects.filter(ticket=ticket).order_by("pk").values()) == before
    assert TicketEvent.objects.filter(ticket=ticket).count() == events_before


# ---------------------------------------------------------------- pauses


def test_waiting_on_the_customer_pauses_the_clocks_and_pushes_them_by_the_pause(agent, handler, cast):
    ticket = register(agent)
    walk(ticket, "in_progress", cast, T0, priority="P2")
    with at(T0 + 2 * HOUR):
        svc.ticket_hold(number=ticket.number, actor=handler, hold_reason="customer", note="等客户寄回")

    loop = clock(ticket, "closed_loop")
    assert (loop.status, loop.paused_at, loop.next_check_at) == (ClockStatus.PAUSED, T0 + 2 * HOUR, None)
    ticket.refresh_from_db()
    assert (ticket.sla_paused, ticket.sla_due_at) == (True, None)
    with at(T0 + 4 * HOUR):
        assert tick().clocks == 0  # a paused clock is not the tick's business

    with at(T0 + 5 * HOUR):
        svc.ticket_resume(number=ticket.number, actor=handler, note="已收到")

    loop = clock(ticket, "closed_loop")
    assert (loop.status, loop.paused_at) == (ClockStatus.RUNNING, None)
    assert loop.due_at == T0 + 72 * HOUR + 3 * HOUR
    assert (loop.paused_seconds, loop.paused_business_seconds) == (3 * 3600, 3 * 3600)
    progress = clock(ticket, "progress_update")  # the hold was news: a cycle from then, paused throughout
    assert (progress.started_at, progress.due_at) == (T0 + 2 * HOUR, T0 + 2 * HOUR + 8 * HOUR + 3 * HOUR)
    ticket.refresh_from_db()
    assert ticket.sla_paused is False and ticket.sla_due_at == progress.due_at


def test_a_reply_during_the_hold_starts_a_cycle_paused_only_from_the_reply(agent, handler, cast):
    ticket = register(agent)
    walk(ticket, "in_progress", cast, T0, priority="P2")
    with at(T0 + 2 * HOUR):
        svc.ticket_hold(number=ticket.number, actor=handler, hold_reason="customer")
    with at(T0 + 3 * HOUR):
        svc.ticket_add_note(number=ticket.number, actor=agent, body="请您尽快寄回故障件", internal=False)
    with at(T0 + 5 * HOUR):
        svc.ticket_resume(number=ticket.number, actor=handler)

    progress = clock(ticket, "progress_update")
    assert progress.started_at == T0 + 3 * HOUR
    assert progress.paused_business_seconds == 2 * 3600
    assert progress.due_at == T0 + 3 * HOUR + 8 * HOUR + 2 * HOUR


def test_waiting_on_parts_does_not_pause_under_the_standard_policy(agent, handler, cast):
    ticket = register(agent)
    walk(ticket, "in_progress", cast, T0)
    due_before = clock(ticket, "closed_loop").due_at
    with at(T0 + 2 * HOUR):
        svc.ticket_hold(number=ticket.number, actor=handler, hold_reason="parts")
    assert clock(ticket, "closed_loop").status == ClockStatus.RUNNING
    with at(T0 + 5 * HOUR):
        svc.ticket_resume(number=ticket.number, actor=handler)
    assert clock(ticket, "closed_loop").due_at == due_before


def test_a_policy_may_pause_on_parts_and_not_on_the_customer(agent, handler, cast):
    policy("parts-pause", pause_waiting_on_parts=True, pause_waiting_on_customer=False)
    parts = register(agent)
    customer = register(agent)
    walk(parts, "in_progress", cast, T0)
    walk(customer, "in_progress", cast, T0)
    with at(T0 + HOUR):
        svc.ticket_hold(number=parts.number, actor=handler, hold_reason="parts")
        svc.ticket_hold(number=customer.number, actor=handler, hold_reason="customer")
    assert clock(parts, "closed_loop").status == ClockStatus.PAUSED
    assert clock(customer, "closed_loop").status == ClockStatus.RUNNING


def test_a_pause_on_a_working_day_calendar_pushes_by_the_working_time_it_lasted(agent, handler, cast):
    policy("workday", calendar="cn-workday", minutes={"closed_loop": 600})
    friday = dt.datetime(2026, 3, 6, 10, 0, tzinfo=SH)
    ticket = register(agent, friday)
    walk(ticket, "in_progress", cast, friday)
    assert clock(ticket, "closed_loop").due_at == dt.datetime(2026, 3, 9, 11, 0, tzinfo=SH)  # 8 h + 2 h

    with at(dt.datetime(2026, 3, 6, 17, 0, tzinfo=SH)):
        svc.ticket_hold(number=ticket.number, actor=handler, hold_reason="customer")
    with at(dt.datetime(2026, 3, 9, 10, 0, tzinfo=SH)):  # Monday: the weekend did not count
        svc.ticket_resume(number=ticket.number, actor=handler)

    loop = clock(ticket, "closed_loop")
    assert loop.paused_business_seconds == 2 * 3600  # Fri 17–18 and Mon 9–10
    assert loop.paused_seconds == 65 * 3600
    assert loop.due_at == dt.datetime(2026, 3, 9, 13, 0, tzinfo=SH)


# ---------------------------------------------------------------- priority changes


def test_a_priority_change_replans_the_open_clocks_and_says_why(agent, supervisor, cast):
    ticket = register(agent)
    walk(ticket, "assigned", cast, T0, priority="P3")
    assert clock(ticket, "handling_start").due_at == T0 + 24 * HOUR
    assert clock(ticket, "progress_update").due_at == T0 + 24 * HOUR
    plan_due = clock(ticket, "plan").due_at

    with at(T0 + HOUR):
        svc.ticket_classify(number=ticket.number, actor=supervisor, category="technical_fault",
                            subcategory="function_abnormal", priority="P1")

    handling, progress = clock(ticket, "handling_start"), clock(ticket, "progress_update")
    assert (handling.priority, handling.target_minutes, handling.due_at) == ("P1", 240, T0 + 4 * HOUR)
    assert (progress.cycle, progress.due_at) == (1, T0 + 4 * HOUR)  # the same cycle, re-planned
    assert clock(ticket, "plan").due_at == plan_due  # not priority-dependent: untouched
    event = TicketEvent.objects.get(ticket=ticket, kind="sla_replanned")
    assert event.is_internal and event.created_at == T0 + HOUR and event.data["priority"] == "P1"
    replans = {row["metric"]: row for row in event.data["clocks"]}
    assert set(replans) == {"handling_start", "progress_update"}
    assert replans["handling_start"] == {
        "metric": "handling_start", "reason": "priority", "priority_before": "P3", "priority_after": "P1",
        "minutes_before": 1440, "minutes_after": 240, "due_before": (T0 + 24 * HOUR).astimezone(dt.UTC).isoformat(),
        "due_after": (T0 + 4 * HOUR).astimezone(dt.UTC).isoformat(), "policy": "standard",
    }
    ticket.refresh_from_db()
    assert ticket.sla_due_at == T0 + 2 * HOUR  # the plan (dispatch + 2 h) is still the nearest


def test_a_priority_raised_after_the_new_limit_passed_is_breached_by_the_next_tick(agent, supervisor, cast):
    ticket = register(agent)
    walk(ticket, "assigned", cast, T0, priority="P3")
    with at(T0 + 5 * HOUR):
        svc.ticket_classify(number=ticket.number, actor=supervisor, category="technical_fault", priority="P1")
        assert clock(ticket, "handling_start").next_check_at <= T0 + 5 * HOUR
        tick()
    assert clock(ticket, "handling_start").breached_at == T0 + 4 * HOUR


def test_reclassifying_without_a_priority_change_replans_nothing(agent, supervisor, cast):
    ticket = register(agent)
    walk(ticket, "assigned", cast, T0, priority="P2")
    with at(T0 + HOUR):
        svc.ticket_classify(number=ticket.number, actor=supervisor, category="technical_fault",
                            subcategory="", priority="P2")
    assert not TicketEvent.objects.filter(ticket=ticket, kind="sla_replanned").exists()


# ---------------------------------------------------------------- which policy


def test_a_priority_policy_takes_over_once_the_priority_is_known(agent, cast):
    policy("p1-fast", match_priority="P1", minutes={"handling_start:P1": 60, "progress_update:P1": 120})
    p1 = register(agent)
    p2 = register(agent)
    walk(p1, "assigned", cast, T0, priority="P1")
    walk(p2, "assigned", cast, T0, priority="P2")

    assert (clock(p1, "handling_start").policy.code, clock(p1, "handling_start").due_at) == ("p1-fast", T0 + HOUR)
    assert clock(p1, "progress_update").due_at == T0 + 2 * HOUR
    assert clock(p1, "closed_loop").policy.code == "p1-fast"  # re-planned onto it (same limit)
    assert clock(p2, "handling_start").policy.code == "standard"


def test_a_category_policy_applies_to_that_category_only(agent, supervisor):
    policy("faults", match_category=Category.objects.get(code="technical_fault"), minutes={"handling_start": 30})
    fault, other = register(agent), register(agent)
    other_category = Category.objects.filter(parent=None, is_active=True).exclude(code="technical_fault").first()
    with at(T0):
        svc.ticket_classify(number=fault.number, actor=supervisor, category="technical_fault", priority="P2")
        svc.ticket_classify(number=other.number, actor=supervisor, category=other_category.code, priority="P2")
    assert (clock(fault, "handling_start").policy.code, clock(fault, "handling_start").due_at) == ("faults",
                                                                                                  T0 + 30 * MIN)
    assert clock(other, "handling_start").policy.code == "standard"


@pytest.mark.parametrize(("customer", "flags", "matches"), [
    (CustomerInput(name="华为采购部", phone="13900000001", customer_type="enterprise"), [], {"enterprise"}),
    (CustomerInput(name="李先生", phone="13900000002", is_vip=True), [], {"vip"}),
    (CustomerInput(name="王女士", phone="13900000003"), ["vip"], {"vip"}),
    (CustomerInput(name="赵总", phone="13900000004", customer_type="enterprise", is_vip=True), [],
     {"enterprise", "vip"}),
    (CustomerInput(name="张伟", phone="13800138000"), [], set()),
])
def test_customer_type_policies_for_enterprise_and_vip(agent, customer, flags, matches):
    policy("vip", order=10, match_segment=CustomerSegment.VIP, minutes={"first_response": 10})
    policy("enterprise", order=20, match_segment=CustomerSegment.ENTERPRISE, minutes={"first_response": 15})
    ticket = register(agent, channel="web", customer=customer, risk_flags=flags)

    first = clock(ticket, "first_response")
    expected = "vip" if "vip" in matches else "enterprise" if matches else "standard"  # the lower order wins
    assert first.policy.code == expected
    assert first.due_at == T0 + {"vip": 10, "enterprise": 15, "standard": 30}[expected] * MIN


def test_a_channel_policy_applies_to_that_channel_only(agent):
    policy("web-desk", match_channel="web", minutes={"first_response": 20})
    web, email = register(agent, channel="web"), register(agent, channel="email")
    assert clock(web, "first_response").due_at == T0 + 20 * MIN
    assert clock(email, "first_response").due_at == T0 + 30 * MIN


def test_the_lowest_order_wins_and_inactive_policies_are_skipped(agent):
    policy("second", order=20, match_channel="web", minutes={"first_response": 20})
    first = policy("first", order=10, match_channel="web", minutes={"first_response": 10})
    assert clock(register(agent, channel="web"), "first_response").policy.code == "first"

    first.is_active = False
    first.save()
    assert clock(register(agent, channel="web"), "first_response").policy.code == "second"


def test_a_case_no_policy_matches_carries_no_clocks(agent):
    SlaPolicy.objects.update(is_active=False)
    SlaPolicy.objects.first().save()  # the admin's save drops the cached policies
    ticket = register(agent, channel="web")
    assert not SlaClock.objects.filter(ticket=ticket).exists()
    ticket.refresh_from_db()
    assert ticket.sla_due_at is None


def test_an_edited_policy_replans_open_clocks_at_the_next_write(agent):
    ticket = register(agent, channel="web")
    target = SlaTarget.objects.get(policy__code="standard", metric="first_response")
    target.minutes = 45
    target.save()
    with at(T0 + 5 * MIN):
        svc.ticket_add_note(number=ticket.number, actor=agent, body="内部备注", internal=True)

    assert clock(ticket, "first_response").due_at == T0 + 45 * MIN
    [row] = TicketEvent.objects.get(ticket=ticket, kind="sla_replanned").data["clocks"]
    assert (row["metric"], row["reason"], row["minutes_before"], row["minutes_after"]) == (
        "first_response", "policy", 30, 45)


def test_a_limit_may_count_on_its_own_calendar(agent):
    workday = Calendar.objects.get(code="cn-workday")
    SlaTarget.objects.filter(policy__code="standard", metric="first_response").update(calendar=workday)
    SlaTarget.objects.get(policy__code="standard", metric="first_response").save()
    friday_evening = dt.datetime(2026, 3, 6, 17, 50, tzinfo=SH)
    first = clock(register(agent, friday_evening, channel="web"), "first_response")
    assert first.calendar == workday
    assert first.due_at == dt.datetime(2026, 3, 9, 9, 20, tzinfo=SH)  # 10 min on Friday, 20 on Monday


# ---------------------------------------------------------------- working-day calendars across holidays


@pytest.mark.parametrize(("start", "due", "warn"), [
    # 2024 Spring Festival: Fri 9 Feb 17:00 → Feb 10–17 off → Sun 18 Feb (调休) worked.
    ((2024, 2, 9, 17, 0), (2024, 2, 18, 10, 0), (2024, 2, 18, 9, 36)),
    # 2026: the 调休 Saturday 14 Feb is worked, then Feb 15–23 off.
    ((2026, 2, 14, 17, 0), (2026, 2, 24, 10, 0), (2026, 2, 24, 9, 36)),
    # The year end: Wed 31 Dec 2025 → Jan 1–3 off → Sun 4 Jan 2026 worked.
    ((2025, 12, 31, 17, 30), (2026, 1, 4, 10, 30), (2026, 1, 4, 10, 6)),
    # A plain weekend.
    ((2026, 3, 6, 20, 0), (2026, 3, 9, 11, 0), (2026, 3, 9, 10, 36)),
])
def test_a_working_day_policy_skips_nights_weekends_and_holidays(agent, start, due, warn):
    policy("office", calendar="cn-workday", minutes={"first_response": 120})
    item = clock(register(agent, dt.datetime(*start, tzinfo=SH), channel="web"), "first_response")
    assert (item.calendar.code, item.due_at, item.warn_at) == ("cn-workday", dt.datetime(*due, tzinfo=SH),
                                                               dt.datetime(*warn, tzinfo=SH))


# ---------------------------------------------------------------- the case API shows the clocks


def test_the_case_api_shows_the_nearest_deadline_and_every_clock(agent, handler, cast):
    ticket = register(agent)
    walk(ticket, "in_progress", cast, T0, priority="P1")
    client = ApiClient(agent)

    [row] = client.get("/tickets").json()["items"]
    ticket.refresh_from_db()
    assert row["sla_due_at"] == ticket.sla_due_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    assert row["sla_paused"] is False

    body = client.get(f"/tickets/{ticket.number}").json()
    assert body["sla_due_at"] == row["sla_due_at"]
    shown = {(c["metric"], c["cycle"]): c for c in body["clocks"]}
    assert set(shown) == set(SlaClock.objects.filter(ticket=ticket).values_list("metric", "cycle"))
    loop = shown[("closed_loop", 1)]
    assert loop["status"] == "running" and loop["calendar"] == "24x7" and loop["target_minutes"] == 72 * 60
    assert set(loop) >= {"metric", "cycle", "status", "started_at", "due_at", "warn_at", "breached_at",
                         "paused_seconds"}

    with at(T0 + HOUR):
        svc.ticket_hold(number=ticket.number, actor=handler, hold_reason="customer")
    body = client.get(f"/tickets/{ticket.number}").json()
    assert (body["sla_paused"], body["sla_due_at"]) == (True, None)
    assert {c["status"] for c in body["clocks"] if c["metric"] == "closed_loop"} == {"paused"}
    assert client.get(f"/tickets/{ticket.number}", {"audience": "customer"}).json()["clocks"] == []
