"""Transfers are recorded and counted; too many flag the case; the first-contact owner stays."""

from __future__ import annotations

import pytest

from aftersales.accounts.roles import Role
from aftersales.core.errors import PermissionDenied, ValidationFailed
from aftersales.tickets import events
from aftersales.tickets import services as svc
from aftersales.tickets.models import Ticket, TicketEvent, TicketSettings
from aftersales.tickets.selectors import TicketFilters, ticket_is_flagged, ticket_list
from aftersales.tickets.states import State

from .support import event_ids, make_user, new_events, plan_data, unchanged

pytestmark = pytest.mark.django_db

ROUND_TRIP = ["logistics", "quality_control", "warehouse", "finance", "technical_support"]


def _transfer(ticket: Ticket, actor, department: str, assignee: str | None = None, reason: str = "不属于本部门") -> None:
    svc.ticket_transfer(number=ticket.number, actor=actor, department=department, assignee=assignee, reason=reason)


def _flag_events(ticket: Ticket) -> int:
    return TicketEvent.objects.filter(ticket=ticket, kind=events.TRANSFER_FLAGGED).count()


def test_a_transfer_to_another_department_is_counted_and_recorded(make_ticket, supervisor, agent):
    ticket = make_ticket(State.ASSIGNED)
    seen = event_ids(ticket)

    _transfer(ticket, supervisor, "logistics", reason="实为运输破损")

    ticket.refresh_from_db()
    assert (ticket.department.code, ticket.assignee, ticket.transfer_count) == ("logistics", None, 1)
    assert ticket.owner == agent
    [event] = new_events(ticket, seen)
    assert (event.kind, event.actor, event.body, event.is_internal) == (
        events.TRANSFERRED, supervisor, "实为运输破损", True)
    assert event.data["before"] == {"department": "technical_support", "assignee": "tech"}
    assert event.data["after"] == {"department": "logistics", "assignee": None}
    assert event.data["counted"] is True


def test_a_handover_inside_the_department_is_recorded_but_not_counted(make_ticket, supervisor):
    make_user("tech2", Role.HANDLER, "technical_support")
    ticket = make_ticket(State.ASSIGNED)

    _transfer(ticket, supervisor, "technical_support", assignee="tech2", reason="张工休假")

    ticket.refresh_from_db()
    assert (ticket.assignee.username, ticket.transfer_count) == ("tech2", 0)
    assert TicketEvent.objects.filter(ticket=ticket, kind=events.TRANSFERRED).get().data["counted"] is False


def test_a_transfer_to_where_it_already_is_changes_nothing(make_ticket, supervisor):
    ticket = make_ticket(State.ASSIGNED)

    with unchanged(ticket):
        _transfer(ticket, supervisor, "technical_support", assignee="tech")


def test_a_transfer_needs_a_reason(make_ticket, supervisor):
    ticket = make_ticket(State.ASSIGNED)

    with unchanged(ticket), pytest.raises(ValidationFailed) as refused:
        _transfer(ticket, supervisor, "logistics", reason=" ")
    assert refused.value.code == "reason_required"


def test_the_assignee_must_belong_to_the_target_department(make_ticket, supervisor, logistics_handler):
    ticket = make_ticket(State.ASSIGNED)

    with unchanged(ticket), pytest.raises(ValidationFailed) as refused:
        _transfer(ticket, supervisor, "quality_control", assignee=logistics_handler.username)
    assert refused.value.code == "assignee_not_in_department"


def test_the_department_head_may_pass_the_case_on_but_a_handler_may_not(make_ticket, head, handler):
    ticket = make_ticket(State.ASSIGNED)

    with unchanged(ticket), pytest.raises(PermissionDenied):
        _transfer(ticket, handler, "logistics")
    _transfer(ticket, head, "logistics")

    ticket.refresh_from_db()
    assert ticket.department.code == "logistics"


def test_a_case_moved_more_than_twice_is_flagged_exactly_once(make_ticket, supervisor):
    ticket = make_ticket(State.ASSIGNED)

    for department in ROUND_TRIP[:2]:
        _transfer(ticket, supervisor, department)
    ticket.refresh_from_db()
    assert ticket.transfer_count == 2
    assert not ticket_is_flagged(ticket)
    assert _flag_events(ticket) == 0

    # the third move is one too many
    _transfer(ticket, supervisor, ROUND_TRIP[2])
    ticket.refresh_from_db()
    assert ticket_is_flagged(ticket)
    flag = TicketEvent.objects.get(ticket=ticket, kind=events.TRANSFER_FLAGGED)
    assert flag.data == {"transfer_count": 3, "threshold": 2}
    assert flag.is_internal

    # and further moves do not flag it again
    for department in ROUND_TRIP[3:]:
        _transfer(ticket, supervisor, department)
    ticket.refresh_from_db()
    assert ticket.transfer_count == 5
    assert _flag_events(ticket) == 1


def test_the_threshold_is_data_an_administrator_can_change(make_ticket, supervisor):
    ticket = make_ticket(State.ASSIGNED)
    for department in ROUND_TRIP[:3]:
        _transfer(ticket, supervisor, department)
    ticket.refresh_from_db()
    assert ticket_is_flagged(ticket)

    TicketSettings.objects.filter(pk=1).update(transfer_flag_threshold=5)
    assert not ticket_is_flagged(ticket)
    assert ticket not in ticket_list(viewer=supervisor, filters=TicketFilters(flagged=True))

    TicketSettings.objects.filter(pk=1).update(transfer_flag_threshold=1)
    assert ticket_is_flagged(ticket)
    assert list(ticket_list(viewer=supervisor, filters=TicketFilters(flagged=True))) == [ticket]


def test_a_lowered_threshold_flags_a_case_at_its_next_transfer(make_ticket, supervisor):
    # given a case moved twice under the default threshold of 2, so not flagged
    ticket = make_ticket(State.ASSIGNED)
    for department in ROUND_TRIP[:2]:
        _transfer(ticket, supervisor, department)

    # when the administrator lowers the threshold to 1 and the case is moved again
    TicketSettings.objects.filter(pk=1).update(transfer_flag_threshold=1)
    _transfer(ticket, supervisor, ROUND_TRIP[2])
    _transfer(ticket, supervisor, ROUND_TRIP[3])

    # then the flag event is written once, on the first transfer past the new threshold
    flag = TicketEvent.objects.get(ticket=ticket, kind=events.TRANSFER_FLAGGED)
    assert flag.data == {"transfer_count": 3, "threshold": 1}


def test_reassigning_a_reopened_case_to_another_department_counts_as_a_transfer(make_ticket, supervisor, agent):
    ticket = make_ticket(State.REOPENED)

    svc.ticket_assign(number=ticket.number, actor=supervisor, department="quality_control",
                      reason="复检发现是材质问题")

    ticket.refresh_from_db()
    assert (ticket.department.code, ticket.transfer_count, ticket.owner) == ("quality_control", 1, agent)


# ---------------------------------------------------------------- ownership


def test_the_owner_hands_the_case_to_another_agent_explicitly(make_ticket, agent, agent2):
    ticket = make_ticket(State.IN_PROGRESS)
    seen = event_ids(ticket)

    svc.ticket_transfer_owner(number=ticket.number, actor=agent, new_owner=agent2.username, reason="王芳调岗")

    ticket.refresh_from_db()
    assert (ticket.owner, ticket.registered_by, ticket.transfer_count) == (agent2, agent, 1)
    [event] = new_events(ticket, seen)
    assert (event.kind, event.actor, event.body) == (events.OWNER_TRANSFERRED, agent, "王芳调岗")
    assert event.data == {"before": "agent", "after": "agent2", "transfer_count": 1}


def test_the_new_owner_may_act_and_the_previous_one_may_not(make_ticket, agent, agent2):
    ticket = make_ticket(State.RESOLVED)
    svc.ticket_transfer_owner(number=ticket.number, actor=agent, new_owner=agent2.username, reason="交接")

    with pytest.raises(PermissionDenied):
        svc.ticket_feed_back(number=ticket.number, actor=agent, message="已修好")
    svc.ticket_feed_back(number=ticket.number, actor=agent2, message="已修好")

    ticket.refresh_from_db()
    assert ticket.state == State.AWAITING_CONFIRMATION


def test_ownership_changes_need_a_reason(make_ticket, agent, agent2):
    ticket = make_ticket(State.ASSIGNED)

    with unchanged(ticket), pytest.raises(ValidationFailed):
        svc.ticket_transfer_owner(number=ticket.number, actor=agent, new_owner=agent2.username, reason="")


def test_only_the_owner_or_a_manager_may_give_ownership_away(make_ticket, agent2, supervisor):
    ticket = make_ticket(State.ASSIGNED)

    with unchanged(ticket), pytest.raises(PermissionDenied):
        svc.ticket_transfer_owner(number=ticket.number, actor=agent2, new_owner=agent2.username, reason="我来跟")
    svc.ticket_transfer_owner(number=ticket.number, actor=supervisor, new_owner=agent2.username, reason="排班")

    ticket.refresh_from_db()
    assert ticket.owner == agent2


def test_giving_ownership_to_the_current_owner_changes_nothing(make_ticket, agent):
    ticket = make_ticket(State.ASSIGNED)

    with unchanged(ticket):
        svc.ticket_transfer_owner(number=ticket.number, actor=agent, new_owner=agent.username, reason="无")


@pytest.mark.parametrize("who", ["handler", "auditor", "nobody"])
def test_ownership_goes_only_to_someone_who_can_look_after_customers(make_ticket, agent, handler, auditor, who):
    ticket = make_ticket(State.ASSIGNED)
    target = {"handler": handler.username, "auditor": auditor.username, "nobody": "ghost"}[who]

    with unchanged(ticket), pytest.raises(ValidationFailed) as refused:
        svc.ticket_transfer_owner(number=ticket.number, actor=agent, new_owner=target, reason="交给他")
    assert refused.value.detail["field"] == "new_owner"


def test_dispatch_and_transfers_never_change_the_owner(make_ticket, agent, supervisor):
    ticket = make_ticket(State.REGISTERED)
    svc.ticket_classify(number=ticket.number, actor=supervisor, category="logistics", priority="P2")
    svc.ticket_assign(number=ticket.number, actor=supervisor, department="logistics")
    _transfer(ticket, supervisor, "technical_support", assignee="tech")

    ticket.refresh_from_db()
    assert ticket.owner == agent
    assert not TicketEvent.objects.filter(ticket=ticket, kind=events.OWNER_TRANSFERRED).exists()


def test_a_case_cannot_be_assigned_to_a_read_only_auditor(make_ticket, supervisor, auditor):
    # the auditor belongs to quality control, so department membership alone would let this through
    classified = make_ticket(State.CLASSIFIED)
    assigned = make_ticket(State.ASSIGNED)

    with unchanged(classified), pytest.raises(ValidationFailed) as refused:
        svc.ticket_assign(number=classified.number, actor=supervisor, department="quality_control",
                          assignee=auditor.username)
    assert refused.value.code == "assignee_cannot_handle"
    with unchanged(assigned), pytest.raises(ValidationFailed):
        _transfer(assigned, supervisor, "quality_control", assignee=auditor.username)


def test_a_customer_service_case_may_be_assigned_to_an_agent_who_then_works_it(make_ticket, supervisor, agent2):
    ticket = make_ticket(State.CLASSIFIED)

    svc.ticket_assign(number=ticket.number, actor=supervisor, department="customer_service",
                      assignee=agent2.username, reason="远程指导即可解决")
    svc.ticket_propose_plan(number=ticket.number, actor=agent2, plan=plan_data(
        kind="remote_guidance", repair_mode="", responsible_department="customer_service"))

    ticket.refresh_from_db()
    assert ticket.state == State.PLAN_PROPOSED
