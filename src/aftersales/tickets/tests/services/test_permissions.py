"""Role rules are enforced by the services themselves; a refusal changes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from aftersales.accounts.roles import Role
from aftersales.core.errors import DomainError, PermissionDenied, ValidationFailed
from aftersales.resolutions.models import Approval, Decision, PlanStatus
from aftersales.tickets import events
from aftersales.tickets import services as svc
from aftersales.tickets.errors import InvalidTransition, TicketNotFound
from aftersales.tickets.models import Ticket, TicketEvent
from aftersales.tickets.permissions import allowed_actions
from aftersales.tickets.scenarios import proof_photo
from aftersales.tickets.states import State

from .support import make_user, plan_data, registration, unchanged
from .test_transitions import CALLS

pytestmark = pytest.mark.django_db


def _compensation(amount: str) -> dict:
    return plan_data(kind="compensation", repair_mode="", compensation_amount=Decimal(amount),
                     compensation_form="coupon", summary=f"补偿{amount}元优惠券")


def _awaiting_approval_for(make_ticket, handler, amount: str, priority: str = "P2") -> Ticket:
    ticket = make_ticket(State.ASSIGNED, priority=priority)
    svc.ticket_propose_plan(number=ticket.number, actor=handler, plan=_compensation(amount))
    ticket.refresh_from_db()
    return ticket


# ---------------------------------------------------------------- classification and dispatch


def test_an_agent_cannot_classify(make_ticket, agent):
    ticket = make_ticket(State.REGISTERED)

    with unchanged(ticket), pytest.raises(PermissionDenied) as refused:
        svc.ticket_classify(number=ticket.number, actor=agent, category="technical_fault", priority="P2")
    assert refused.value.status == 403


def test_an_agent_cannot_assign(make_ticket, agent):
    ticket = make_ticket(State.CLASSIFIED)

    with unchanged(ticket), pytest.raises(PermissionDenied):
        svc.ticket_assign(number=ticket.number, actor=agent, department="technical_support")


def test_an_agent_cannot_propose_a_plan(make_ticket, agent):
    ticket = make_ticket(State.ASSIGNED)

    with unchanged(ticket), pytest.raises(PermissionDenied):
        svc.ticket_propose_plan(number=ticket.number, actor=agent, plan=plan_data())


# ---------------------------------------------------------------- departments


def test_a_handler_of_another_department_cannot_plan_or_resolve_a_case_it_cannot_see(make_ticket,
                                                                                     logistics_handler):
    # given a technical-support case; the logistics handler is not assigned to it
    assigned = make_ticket(State.ASSIGNED)
    in_progress = make_ticket(State.IN_PROGRESS)

    # then, to them, the case does not exist (404, not 403: no probing for case numbers)
    with unchanged(assigned), pytest.raises(TicketNotFound):
        svc.ticket_propose_plan(number=assigned.number, actor=logistics_handler, plan=plan_data())
    with unchanged(in_progress), pytest.raises(TicketNotFound):
        svc.ticket_resolve(number=in_progress.number, actor=logistics_handler, result="已处理",
                           attachments=[proof_photo()])


def test_a_handler_of_another_department_can_plan_once_the_case_is_assigned_to_them(make_ticket, supervisor,
                                                                                    handler, logistics_handler):
    ticket = make_ticket(State.ASSIGNED)

    # when the supervisor hands the work to the logistics handler
    svc.ticket_transfer(number=ticket.number, actor=supervisor, department="logistics",
                        assignee=logistics_handler.username, reason="实为物流破损")
    svc.ticket_propose_plan(number=ticket.number, actor=logistics_handler,
                            plan=plan_data(kind="reship", repair_mode="", responsible_department="logistics"))

    # then the plan is theirs, and the technical handler has lost the case
    ticket.refresh_from_db()
    assert ticket.state == State.PLAN_PROPOSED
    assert ticket.current_plan.proposed_by == logistics_handler
    with pytest.raises(TicketNotFound):
        svc.ticket_add_note(number=ticket.number, actor=handler, body="看看")


def test_a_handler_of_another_department_can_resolve_once_assigned(make_ticket, supervisor, logistics_handler):
    ticket = make_ticket(State.IN_PROGRESS)
    svc.ticket_transfer(number=ticket.number, actor=supervisor, department="logistics",
                        assignee=logistics_handler.username, reason="改为补发配件")

    svc.ticket_resolve(number=ticket.number, actor=logistics_handler, result="配件已补发并签收",
                       attachments=[proof_photo("签收单.png")])

    ticket.refresh_from_db()
    assert ticket.state == State.RESOLVED


def test_any_handler_of_the_case_department_may_work_on_it(make_ticket):
    colleague = make_user("tech2", Role.HANDLER, "technical_support")
    ticket = make_ticket(State.ASSIGNED)  # assigned to the other technical handler

    svc.ticket_propose_plan(number=ticket.number, actor=colleague, plan=plan_data())

    ticket.refresh_from_db()
    assert ticket.state == State.PLAN_PROPOSED


# ---------------------------------------------------------------- authority matrix


def test_compensation_over_the_handlers_limit_waits_for_approval(make_ticket, handler):
    ticket = _awaiting_approval_for(make_ticket, handler, "800")

    assert ticket.state == State.AWAITING_APPROVAL
    assert ticket.current_plan.status == PlanStatus.AWAITING_APPROVAL
    assert ticket.current_plan.approval_reasons == ["over_authority"]


def test_compensation_within_the_proposers_limit_on_a_p2_case_needs_no_approval(make_ticket, handler):
    ticket = _awaiting_approval_for(make_ticket, handler, "300")  # the handler's own limit

    assert ticket.state == State.PLAN_PROPOSED
    assert ticket.current_plan.status == PlanStatus.READY
    assert not Approval.objects.filter(plan=ticket.current_plan).exists()


def test_an_agent_cannot_approve_compensation_beyond_their_500_yuan(make_ticket, handler, agent):
    ticket = _awaiting_approval_for(make_ticket, handler, "800")

    with unchanged(ticket), pytest.raises(PermissionDenied) as refused:
        svc.ticket_decide_plan(number=ticket.number, actor=agent, approve=True)
    assert refused.value.code == "approval_beyond_authority"


def test_another_handler_cannot_approve_compensation_beyond_their_limit(make_ticket, handler):
    colleague = make_user("tech2", Role.HANDLER, "technical_support")
    ticket = _awaiting_approval_for(make_ticket, handler, "800")

    with unchanged(ticket), pytest.raises(PermissionDenied):
        svc.ticket_decide_plan(number=ticket.number, actor=colleague, approve=True)


def test_a_supervisor_approves_800_yuan_and_the_approval_is_recorded(make_ticket, handler, supervisor):
    ticket = _awaiting_approval_for(make_ticket, handler, "800")

    svc.ticket_decide_plan(number=ticket.number, actor=supervisor, approve=True, reason="金额合理")

    ticket.refresh_from_db()
    assert ticket.state == State.PLAN_PROPOSED
    assert ticket.current_plan.status == PlanStatus.READY
    approval = Approval.objects.get(plan=ticket.current_plan)
    assert (approval.approver, approval.decision, approval.reason) == (supervisor, Decision.APPROVED, "金额合理")


def test_3000_yuan_is_beyond_the_supervisor_and_needs_the_department_head(make_ticket, handler, supervisor, head):
    ticket = _awaiting_approval_for(make_ticket, handler, "3000")

    with unchanged(ticket), pytest.raises(PermissionDenied):
        svc.ticket_decide_plan(number=ticket.number, actor=supervisor, approve=True)
    svc.ticket_decide_plan(number=ticket.number, actor=head, approve=True)

    ticket.refresh_from_db()
    assert ticket.state == State.PLAN_PROPOSED
    assert Approval.objects.get(plan=ticket.current_plan).approver == head


def test_an_edited_authority_limit_is_applied_at_once(make_ticket, handler):
    from aftersales.resolutions.models import AuthorityLimit

    AuthorityLimit.objects.filter(role=Role.HANDLER).update(max_compensation=Decimal("1000"))

    ticket = _awaiting_approval_for(make_ticket, handler, "800")

    assert ticket.state == State.PLAN_PROPOSED


# ---------------------------------------------------------------- P1 plans


def test_p1_plan_needs_department_head_approval(make_ticket, handler, head):
    ticket = make_ticket(State.ASSIGNED, priority="P1")

    svc.ticket_propose_plan(number=ticket.number, actor=handler, plan=plan_data())
    ticket.refresh_from_db()
    assert ticket.state == State.AWAITING_APPROVAL
    assert ticket.current_plan.approval_reasons == ["p1_plan"]

    svc.ticket_decide_plan(number=ticket.number, actor=head, approve=True)
    ticket.refresh_from_db()
    assert ticket.state == State.PLAN_PROPOSED


def test_a_supervisor_cannot_approve_a_p1_plan(make_ticket, supervisor):
    ticket = make_ticket(State.AWAITING_APPROVAL, priority="P1")

    with unchanged(ticket), pytest.raises(PermissionDenied):
        svc.ticket_decide_plan(number=ticket.number, actor=supervisor, approve=True)


def test_another_departments_head_cannot_approve_a_p1_plan(make_ticket, logistics_head):
    ticket = make_ticket(State.AWAITING_APPROVAL, priority="P1")

    # the logistics head does not even see a technical-support case
    with unchanged(ticket), pytest.raises(TicketNotFound):
        svc.ticket_decide_plan(number=ticket.number, actor=logistics_head, approve=True)


def test_a_p1_plan_naming_another_department_still_needs_the_case_departments_head(make_ticket, handler,
                                                                                   logistics_head):
    from aftersales.resolutions.services import plan_can_approve

    ticket = make_ticket(State.ASSIGNED, priority="P1")
    svc.ticket_propose_plan(number=ticket.number, actor=handler,
                            plan=plan_data(kind="reship", repair_mode="", responsible_department="logistics"))
    ticket.refresh_from_db()

    assert not plan_can_approve(plan=ticket.current_plan, approver=logistics_head,
                                case_department_id=ticket.department_id)


def test_the_proposer_cannot_approve_their_own_plan(make_ticket, supervisor):
    # A supervisor (limit 2000) steps in with 3000 yuan: it must go up, not be self-approved.
    ticket = make_ticket(State.ASSIGNED, priority="P2")
    svc.ticket_propose_plan(number=ticket.number, actor=supervisor, plan=plan_data(
        kind="compensation", repair_mode="", compensation_amount=Decimal("3000"), compensation_form="cash"))
    ticket.refresh_from_db()
    assert ticket.state == State.AWAITING_APPROVAL

    with unchanged(ticket), pytest.raises(PermissionDenied):
        svc.ticket_decide_plan(number=ticket.number, actor=supervisor, approve=True)


# ---------------------------------------------------------------- refusal


def test_refusing_a_plan_needs_a_reason(make_ticket, head):
    ticket = make_ticket(State.AWAITING_APPROVAL, priority="P1")

    with unchanged(ticket), pytest.raises(ValidationFailed) as refused:
        svc.ticket_decide_plan(number=ticket.number, actor=head, approve=False, reason="  ")
    assert refused.value.code == "reason_required"


def test_a_refused_plan_is_recorded_and_the_case_goes_back_to_planning(make_ticket, handler, head):
    ticket = make_ticket(State.AWAITING_APPROVAL, priority="P1")
    refused_plan = ticket.current_plan

    svc.ticket_decide_plan(number=ticket.number, actor=head, approve=False, reason="先远程排查，不要直接上门")

    ticket.refresh_from_db()
    refused_plan.refresh_from_db()
    assert ticket.state == State.ASSIGNED
    assert refused_plan.status == PlanStatus.REFUSED
    approval = Approval.objects.get(plan=refused_plan)
    assert (approval.approver, approval.decision, approval.reason) == (head, Decision.REFUSED,
                                                                       "先远程排查，不要直接上门")
    event = TicketEvent.objects.filter(ticket=ticket).last()
    assert (event.kind, event.body) == (events.PLAN_REFUSED, "先远程排查，不要直接上门")

    # and the handler can propose another plan
    svc.ticket_propose_plan(number=ticket.number, actor=handler,
                            plan=plan_data(kind="remote_guidance", repair_mode=""))
    ticket.refresh_from_db()
    assert ticket.state == State.AWAITING_APPROVAL
    assert ticket.current_plan != refused_plan


# ---------------------------------------------------------------- the auditor


@pytest.mark.parametrize("state", [State.REGISTERED, State.CLASSIFIED, State.ASSIGNED, State.AWAITING_APPROVAL,
                                   State.PLAN_PROPOSED, State.AWAITING_CUSTOMER, State.IN_PROGRESS,
                                   State.ON_HOLD, State.RESOLVED, State.AWAITING_CONFIRMATION, State.CLOSED])
def test_the_auditor_can_do_nothing(make_ticket, auditor, state):
    ticket = make_ticket(state, priority="P1" if state == State.AWAITING_APPROVAL else "P2")
    assert allowed_actions(auditor, ticket) == []
    attempts = [
        *(lambda action=action: CALLS[action](ticket.number, auditor) for action in CALLS),
        lambda: svc.ticket_add_note(number=ticket.number, actor=auditor, body="审计备注"),
        lambda: svc.ticket_add_note(number=ticket.number, actor=auditor, body="您好", internal=False),
        lambda: svc.ticket_transfer_owner(number=ticket.number, actor=auditor, new_owner="agent", reason="x"),
    ]
    for attempt in attempts:
        with unchanged(ticket), pytest.raises(DomainError) as refused:
            attempt()
        # refused for who they are, or — where the state allows nothing anyway — for the state
        assert isinstance(refused.value, PermissionDenied | InvalidTransition)


def test_the_auditor_cannot_register_a_case(auditor):
    with pytest.raises(PermissionDenied):
        svc.ticket_register(actor=auditor, data=registration())
    assert not Ticket.objects.exists()


# ---------------------------------------------------------------- the owner's steps


@pytest.mark.parametrize(("state", "call"), [
    (State.PLAN_PROPOSED, lambda n, a: svc.ticket_offer_plan(number=n, actor=a)),
    (State.AWAITING_CUSTOMER, lambda n, a: svc.ticket_record_customer_decision(number=n, actor=a, accept=True)),
    (State.AWAITING_CUSTOMER, lambda n, a: svc.ticket_record_customer_decision(number=n, actor=a, accept=False,
                                                                               reason="太慢")),
    (State.RESOLVED, lambda n, a: svc.ticket_feed_back(number=n, actor=a, message="已修好")),
    (State.AWAITING_CONFIRMATION, lambda n, a: svc.ticket_confirm(number=n, actor=a)),
    (State.AWAITING_CONFIRMATION, lambda n, a: svc.ticket_dispute(number=n, actor=a, reason="还是坏的")),
    (State.CLOSED, lambda n, a: svc.ticket_reopen(number=n, actor=a, reason="又坏了")),
], ids=["offer", "accept", "reject", "feed_back", "confirm", "dispute", "reopen"])
def test_only_the_owner_or_a_manager_speaks_for_the_customer(make_ticket, agent2, handler, supervisor, admin_user,
                                                             state, call):
    # given a case owned by ``agent``
    for outsider in (agent2, handler):
        ticket = make_ticket(state)
        with unchanged(ticket), pytest.raises(PermissionDenied):
            call(ticket.number, outsider)
    for manager in (supervisor, admin_user):
        ticket = make_ticket(state)
        call(ticket.number, manager)
        ticket.refresh_from_db()
        assert ticket.state != state


def test_a_customer_rejection_needs_a_reason(make_ticket, agent):
    ticket = make_ticket(State.AWAITING_CUSTOMER)

    with unchanged(ticket), pytest.raises(ValidationFailed) as refused:
        svc.ticket_record_customer_decision(number=ticket.number, actor=agent, accept=False, reason="")
    assert refused.value.code == "reason_required"


def test_a_customer_rejection_sends_the_case_back_for_an_alternative_plan(make_ticket, agent, handler):
    ticket = make_ticket(State.AWAITING_CUSTOMER)
    first_plan = ticket.current_plan

    svc.ticket_record_customer_decision(number=ticket.number, actor=agent, accept=False,
                                        reason="客户不接受上门，要求直接换新")

    ticket.refresh_from_db()
    first_plan.refresh_from_db()
    assert ticket.state == State.ASSIGNED
    assert (first_plan.status, first_plan.customer_reason) == (PlanStatus.REJECTED, "客户不接受上门，要求直接换新")

    svc.ticket_propose_plan(number=ticket.number, actor=handler, plan=plan_data(kind="exchange", repair_mode=""))
    ticket.refresh_from_db()
    assert ticket.state == State.PLAN_PROPOSED
    assert ticket.current_plan.kind == "exchange"


def test_reopening_needs_a_reason(make_ticket, agent):
    ticket = make_ticket(State.CLOSED)

    with unchanged(ticket), pytest.raises(ValidationFailed) as refused:
        svc.ticket_reopen(number=ticket.number, actor=agent, reason=" ")
    assert refused.value.code == "reason_required"


def test_a_reopened_case_counts_the_reopen_and_forgets_its_closure(make_ticket, agent):
    ticket = make_ticket(State.CLOSED)

    svc.ticket_reopen(number=ticket.number, actor=agent, reason="同样的故障又出现了")

    ticket.refresh_from_db()
    assert ticket.state == State.REOPENED
    assert ticket.reopen_count == 1
    assert (ticket.closed_at, ticket.closure, ticket.resolved_at, ticket.fed_back_at) == (None, "", None, None)


def test_handlers_cannot_cancel_or_archive(make_ticket, handler, head):
    registered = make_ticket(State.REGISTERED)
    closed = make_ticket(State.CLOSED)

    for actor in (handler, head):
        with unchanged(closed), pytest.raises(PermissionDenied):
            svc.ticket_archive(number=closed.number, actor=actor)
    # a registered case has no department yet: handlers don't see it at all
    with unchanged(registered), pytest.raises(TicketNotFound):
        svc.ticket_cancel(number=registered.number, actor=handler, reason="重复")


def test_an_inactive_user_can_do_nothing(make_ticket, supervisor):
    ticket = make_ticket(State.REGISTERED)
    supervisor.is_active = False
    supervisor.save()

    with unchanged(ticket), pytest.raises(TicketNotFound):
        svc.ticket_classify(number=ticket.number, actor=supervisor, category="technical_fault", priority="P2")
