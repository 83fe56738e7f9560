"""The action registry both interfaces go through: validation first, then the service."""

from __future__ import annotations

from decimal import Decimal

import pytest

from aftersales.core.errors import NotFound, ValidationFailed
from aftersales.tickets import events
from aftersales.tickets.actions import ACTIONS, run_action
from aftersales.tickets.models import Attachment, TicketEvent
from aftersales.tickets.states import STATELESS_ACTIONS, TRANSITIONS, Action, State

from .support import plan_data, png, unchanged

pytestmark = pytest.mark.django_db


def test_every_action_of_the_lifecycle_is_registered():
    assert set(ACTIONS) == set(TRANSITIONS) | set(STATELESS_ACTIONS)


def test_an_unknown_action_is_not_found(make_ticket, supervisor):
    ticket = make_ticket(State.REGISTERED)

    with unchanged(ticket), pytest.raises(NotFound) as refused:
        run_action(number=ticket.number, action="teleport", actor=supervisor, data={})

    assert (refused.value.code, refused.value.status) == ("unknown_action", 404)
    assert "classify" in refused.value.detail["actions"]


def test_invalid_fields_are_refused_with_every_error_listed(make_ticket, supervisor):
    ticket = make_ticket(State.REGISTERED)

    with unchanged(ticket), pytest.raises(ValidationFailed) as refused:
        run_action(number=ticket.number, action="classify", actor=supervisor,
                   data={"priority": "P9", "version": "yesterday"})

    assert refused.value.status == 422
    fields = {error["field"] for error in refused.value.detail["errors"]}
    assert {"category", "priority", "version"} <= fields
    assert all(error["message"] for error in refused.value.detail["errors"])


def test_a_required_reason_is_checked_before_the_service_runs(make_ticket, supervisor):
    ticket = make_ticket(State.REGISTERED)

    with unchanged(ticket), pytest.raises(ValidationFailed) as refused:
        run_action(number=ticket.number, action="cancel", actor=supervisor, data={"reason": ""})

    assert [e["field"] for e in refused.value.detail["errors"]] == ["reason"]


def test_files_on_an_action_that_takes_none_are_refused(make_ticket, supervisor):
    ticket = make_ticket(State.REGISTERED)

    with unchanged(ticket), pytest.raises(ValidationFailed) as refused:
        run_action(number=ticket.number, action="classify", actor=supervisor,
                   data={"category": "technical_fault", "priority": "P2"}, files=[png()])

    assert refused.value.code == "files_not_accepted"
    assert not Attachment.objects.exists()


def test_valid_fields_run_the_service(make_ticket, supervisor):
    ticket = make_ticket(State.REGISTERED)

    after = run_action(number=ticket.number, action="classify", actor=supervisor,
                       data={"category": "logistics", "subcategory": "delivery_delay", "priority": "P3",
                             "version": ticket.version})

    assert (after.state, after.category.code, after.subcategory.code, after.priority) == (
        State.CLASSIFIED, "logistics", "delivery_delay", "P3")


def test_a_plan_arrives_as_json_and_is_proposed(make_ticket, handler):
    ticket = make_ticket(State.ASSIGNED)
    data = plan_data(kind="compensation", repair_mode="", compensation_amount="200", compensation_form="coupon")
    data["due_at"] = data["due_at"].replace(tzinfo=None).isoformat()  # naive: Beijing time by convention

    after = run_action(number=ticket.number, action="propose_plan", actor=handler, data=data)

    assert after.state == State.PLAN_PROPOSED  # 200 yuan is within the handler's authority
    assert after.current_plan.compensation_amount == Decimal("200")


def test_files_go_with_a_resolution(make_ticket, handler):
    ticket = make_ticket(State.IN_PROGRESS)

    after = run_action(number=ticket.number, action="resolve", actor=handler,
                       data={"result": "已上门更换", "responsibility": "production"}, files=[png("维修单.png")])

    assert after.state == State.RESOLVED
    assert Attachment.objects.filter(ticket=ticket, event__kind=events.RESOLVED).count() == 1


def test_a_reply_through_the_registry_is_customer_visible(make_ticket, agent):
    ticket = make_ticket(State.IN_PROGRESS)

    run_action(number=ticket.number, action=Action.REPLY, actor=agent, data={"body": "工程师明早九点上门"})

    event = TicketEvent.objects.filter(ticket=ticket).last()
    assert (event.kind, event.is_internal) == (events.REPLY, False)
