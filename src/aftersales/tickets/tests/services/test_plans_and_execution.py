"""Plans are checked before they are written; execution pauses, disputes, cancellation, archive."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from aftersales.core import clock
from aftersales.core.errors import ValidationFailed
from aftersales.resolutions.models import Plan
from aftersales.tickets import events
from aftersales.tickets import services as svc
from aftersales.tickets.errors import InvalidTransition
from aftersales.tickets.models import TicketEvent
from aftersales.tickets.states import State

from .support import plan_data, unchanged

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("overrides", "code"), [
    ({"kind": "repair", "repair_mode": ""}, "repair_mode_required"),
    ({"kind": "repair", "repair_mode": "teleport"}, "repair_mode_required"),
    ({"kind": "compensation", "repair_mode": "", "compensation_amount": Decimal("0")},
     "compensation_amount_required"),
    ({"due_at": "past"}, "due_in_past"),
    ({"cost": Decimal("-1")}, "negative_amount"),
    ({"kind": "exchange", "repair_mode": "", "compensation_amount": Decimal("-50")}, "negative_amount"),
    ({"kind": "miracle"}, "invalid_plan_kind"),
    ({"summary": "  "}, "plan_summary_required"),
    ({"responsible_department": "marketing"}, "unknown_department"),
], ids=["repair-without-mode", "repair-unknown-mode", "compensation-without-amount", "due-in-past",
        "negative-cost", "negative-compensation", "unknown-kind", "no-summary", "unknown-department"])
def test_an_invalid_plan_is_refused_and_nothing_is_written(make_ticket, handler, overrides, code):
    ticket = make_ticket(State.ASSIGNED)
    if overrides.get("due_at") == "past":
        overrides = {"due_at": clock.now() - dt.timedelta(minutes=1)}

    with unchanged(ticket), pytest.raises(ValidationFailed) as refused:
        svc.ticket_propose_plan(number=ticket.number, actor=handler, plan=plan_data(**overrides))

    assert refused.value.code == code
    assert not Plan.objects.filter(ticket=ticket).exists()


def test_a_valid_plan_is_recorded_in_the_dossier(make_ticket, handler):
    ticket = make_ticket(State.ASSIGNED)
    due = clock.now() + dt.timedelta(hours=48)

    svc.ticket_propose_plan(number=ticket.number, actor=handler, plan=plan_data(
        kind="repair", repair_mode="return_to_factory", cost=Decimal("180.50"), due_at=due,
        summary="寄回工厂更换加热盘"))

    ticket.refresh_from_db()
    plan = ticket.current_plan
    assert (plan.kind, plan.repair_mode, plan.cost, plan.due_at, plan.proposed_by) == (
        "repair", "return_to_factory", Decimal("180.50"), due, handler)
    event = TicketEvent.objects.get(ticket=ticket, kind=events.PLAN_PROPOSED)
    assert event.body == "寄回工厂更换加热盘"
    assert event.data["plan_id"] == plan.pk
    assert event.is_internal  # a proposal is not yet the customer's business


def test_a_repair_mode_given_for_another_kind_is_not_kept(make_ticket, handler):
    ticket = make_ticket(State.ASSIGNED)

    svc.ticket_propose_plan(number=ticket.number, actor=handler,
                            plan=plan_data(kind="exchange", repair_mode="onsite"))

    ticket.refresh_from_db()
    assert ticket.current_plan.repair_mode == ""


def test_offering_a_plan_tells_the_customer_its_summary(make_ticket, agent):
    ticket = make_ticket(State.PLAN_PROPOSED)

    svc.ticket_offer_plan(number=ticket.number, actor=agent)

    event = TicketEvent.objects.get(ticket=ticket, kind=events.PLAN_OFFERED)
    assert event.body == ticket.current_plan.summary
    assert not event.is_internal


# ---------------------------------------------------------------- hold and resume


def test_hold_and_resume_accumulate_the_paused_time(make_ticket, handler):
    ticket = make_ticket(State.IN_PROGRESS)
    start = clock.now() + dt.timedelta(minutes=1)

    with time_machine.travel(start, tick=False):
        svc.ticket_hold(number=ticket.number, actor=handler, hold_reason="parts", note="主板缺货")
    ticket.refresh_from_db()
    assert (ticket.state, ticket.hold_reason, ticket.hold_started_at) == (State.ON_HOLD, "parts", start)
    assert ticket.last_public_update_at == start

    with time_machine.travel(start + dt.timedelta(hours=2), tick=False):
        svc.ticket_resume(number=ticket.number, actor=handler, note="配件到了")
    with time_machine.travel(start + dt.timedelta(hours=3), tick=False):
        svc.ticket_hold(number=ticket.number, actor=handler, hold_reason="customer", note="客户出差")
    with time_machine.travel(start + dt.timedelta(hours=3, minutes=30), tick=False):
        svc.ticket_resume(number=ticket.number, actor=handler)

    ticket.refresh_from_db()
    assert ticket.state == State.IN_PROGRESS
    assert ticket.paused_seconds == 2 * 3600 + 30 * 60
    resumed = TicketEvent.objects.filter(ticket=ticket, kind=events.RESUMED).order_by("id")
    assert [(e.data["paused_seconds"], e.data["hold_reason"]) for e in resumed] == [
        (7200, "parts"), (1800, "customer")]


def test_a_hold_needs_to_say_what_it_waits_for(make_ticket, handler):
    ticket = make_ticket(State.IN_PROGRESS)

    with unchanged(ticket), pytest.raises(ValidationFailed) as refused:
        svc.ticket_hold(number=ticket.number, actor=handler, hold_reason="lunch")
    assert refused.value.code == "invalid_hold_reason"


# ---------------------------------------------------------------- confirmation and dispute


def test_a_dispute_sends_the_case_back_to_work(make_ticket, agent, handler):
    ticket = make_ticket(State.AWAITING_CONFIRMATION)

    svc.ticket_dispute(number=ticket.number, actor=agent, reason="修好两天后又出现E3")

    ticket.refresh_from_db()
    assert ticket.state == State.IN_PROGRESS
    assert (ticket.resolved_at, ticket.fed_back_at) == (None, None)
    event = TicketEvent.objects.filter(ticket=ticket).last()
    assert (event.kind, event.body, event.is_internal) == (events.DISPUTED, "修好两天后又出现E3", False)

    # and the handler can resolve it again
    from .support import png

    svc.ticket_resolve(number=ticket.number, actor=handler, result="更换温控器", attachments=[png()])
    ticket.refresh_from_db()
    assert ticket.state == State.RESOLVED


def test_a_dispute_needs_the_customers_words(make_ticket, agent):
    ticket = make_ticket(State.AWAITING_CONFIRMATION)

    with unchanged(ticket), pytest.raises(ValidationFailed):
        svc.ticket_dispute(number=ticket.number, actor=agent, reason="")


def test_feeding_back_needs_a_message(make_ticket, agent):
    ticket = make_ticket(State.RESOLVED)

    with unchanged(ticket), pytest.raises(ValidationFailed):
        svc.ticket_feed_back(number=ticket.number, actor=agent, message="  ")


# ---------------------------------------------------------------- cancel and archive


def test_cancelling_a_registered_case_closes_it_as_cancelled(make_ticket, supervisor):
    ticket = make_ticket(State.REGISTERED)

    svc.ticket_cancel(number=ticket.number, actor=supervisor, reason="客户重复来电，已合并到前一工单")

    ticket.refresh_from_db()
    assert (ticket.state, ticket.closure) == (State.CLOSED, "cancelled")
    assert ticket.closed_at is not None
    event = TicketEvent.objects.filter(ticket=ticket).last()
    assert (event.kind, event.body) == (events.CANCELLED, "客户重复来电，已合并到前一工单")


def test_cancelling_needs_a_reason(make_ticket, supervisor):
    ticket = make_ticket(State.REGISTERED)

    with unchanged(ticket), pytest.raises(ValidationFailed):
        svc.ticket_cancel(number=ticket.number, actor=supervisor, reason="")


def test_a_case_being_worked_on_cannot_be_cancelled(make_ticket, supervisor):
    ticket = make_ticket(State.ASSIGNED)

    with unchanged(ticket), pytest.raises(InvalidTransition):
        svc.ticket_cancel(number=ticket.number, actor=supervisor, reason="不想处理了")


@pytest.mark.parametrize("state", [State.RESOLVED, State.AWAITING_CONFIRMATION, State.REOPENED])
def test_only_a_closed_case_can_be_archived(make_ticket, supervisor, state):
    ticket = make_ticket(state)

    with unchanged(ticket), pytest.raises(InvalidTransition):
        svc.ticket_archive(number=ticket.number, actor=supervisor)


def test_an_archived_case_takes_no_more_notes(make_ticket, supervisor):
    ticket = make_ticket(State.ARCHIVED)

    with unchanged(ticket), pytest.raises(InvalidTransition):
        svc.ticket_add_note(number=ticket.number, actor=supervisor, body="补充说明")


def test_a_closed_case_still_takes_internal_notes_but_no_replies(make_ticket, supervisor):
    ticket = make_ticket(State.CLOSED)

    svc.ticket_add_note(number=ticket.number, actor=supervisor, body="回访记录：客户满意")
    with pytest.raises(InvalidTransition):
        svc.ticket_add_note(number=ticket.number, actor=supervisor, body="您好", internal=False)


# ---------------------------------------------------------------- classification


def test_reclassifying_records_before_and_after(make_ticket, supervisor):
    ticket = make_ticket(State.ASSIGNED)

    svc.ticket_classify(number=ticket.number, actor=supervisor, category="quality_objection",
                        subcategory="material_problem", priority="P1")

    ticket.refresh_from_db()
    assert ticket.state == State.ASSIGNED
    event = TicketEvent.objects.get(ticket=ticket, kind=events.RECLASSIFIED)
    assert event.data == {
        "before": {"category": "technical_fault", "subcategory": "function_abnormal", "priority": "P2"},
        "after": {"category": "quality_objection", "subcategory": "material_problem", "priority": "P1"},
    }


def test_reclassifying_to_the_same_values_changes_nothing(make_ticket, supervisor):
    ticket = make_ticket(State.ASSIGNED)

    with unchanged(ticket):
        svc.ticket_classify(number=ticket.number, actor=supervisor, category="technical_fault",
                            subcategory="function_abnormal", priority="P2")
        svc.ticket_classify(number=ticket.number, actor=supervisor, category="technical_fault",
                            subcategory="function_abnormal", priority="P2", risk_flags=[])


def test_changing_only_the_risk_flags_is_a_reclassification(make_ticket, supervisor):
    ticket = make_ticket(State.ASSIGNED)

    svc.ticket_classify(number=ticket.number, actor=supervisor, category="technical_fault",
                        subcategory="function_abnormal", priority="P2", risk_flags=["external_escalation"])

    ticket.refresh_from_db()
    assert ticket.risk_flags == ["external_escalation"]
    assert TicketEvent.objects.filter(ticket=ticket, kind=events.RECLASSIFIED).count() == 1


@pytest.mark.parametrize(("category", "subcategory", "priority", "code"), [
    ("", "", "P2", "category_required"),
    ("function_abnormal", "", "P2", "category_required"),  # a subcategory is not a top-level category
    ("nonsense", "", "P2", "unknown_category"),
    ("logistics", "function_abnormal", "P2", "subcategory_mismatch"),
    ("technical_fault", "", "P0", "invalid_priority"),
])
def test_an_invalid_classification_is_refused(make_ticket, supervisor, category, subcategory, priority, code):
    ticket = make_ticket(State.REGISTERED)

    with unchanged(ticket), pytest.raises(ValidationFailed) as refused:
        svc.ticket_classify(number=ticket.number, actor=supervisor, category=category, subcategory=subcategory,
                            priority=priority)
    assert refused.value.code == code


def test_assigning_to_an_unknown_department_or_user_is_refused(make_ticket, supervisor):
    ticket = make_ticket(State.CLASSIFIED)

    with unchanged(ticket), pytest.raises(ValidationFailed) as refused:
        svc.ticket_assign(number=ticket.number, actor=supervisor, department="marketing")
    assert refused.value.code == "unknown_department"
    with unchanged(ticket), pytest.raises(ValidationFailed) as refused:
        svc.ticket_assign(number=ticket.number, actor=supervisor, department="technical_support", assignee="ghost")
    assert refused.value.code == "unknown_user"
