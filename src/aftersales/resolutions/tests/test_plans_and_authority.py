"""Plans and the authority matrix (授权机制): who must approve, who may."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from aftersales.accounts.models import Department
from aftersales.accounts.roles import Role
from aftersales.core import clock
from aftersales.core.errors import PermissionDenied, ValidationFailed
from aftersales.resolutions.models import Approval, AuthorityLimit, Decision, Plan, PlanStatus
from aftersales.resolutions.services import (
    PlanInput,
    authority_limit_for,
    plan_approval_need,
    plan_can_approve,
    plan_create,
    plan_decide,
    plan_validate,
)
from aftersales.tickets.services import ticket_propose_plan
from aftersales.tickets.states import State
from aftersales.tickets.tests.services.support import make_user

pytestmark = pytest.mark.django_db


def _input(**overrides) -> PlanInput:
    data = {
        "kind": "compensation", "summary": "补偿优惠券", "compensation_form": "coupon",
        "compensation_amount": Decimal("100"),
        "responsible_department": Department.objects.get(code="technical_support"),
        "due_at": clock.now() + dt.timedelta(days=1),
    }
    data.update(overrides)
    return PlanInput(**data)


@pytest.mark.parametrize(("role", "limit"), [
    (Role.ENGINEER, "200"), (Role.HANDLER, "300"), (Role.AGENT, "500"), (Role.SUPERVISOR, "2000"),
    (Role.DEPARTMENT_HEAD, "10000"), (Role.AUDITOR, "0"), (Role.ADMIN, "0"),
])
def test_the_default_authority_matrix(role, limit):
    user = make_user(f"u_{role}", role)

    assert authority_limit_for(user) == Decimal(limit)


@pytest.mark.parametrize(("priority", "amount", "reasons", "needs_head"), [
    ("P2", "0", [], False),
    ("P3", "300", [], False),  # exactly the handler's limit
    ("P2", "300.01", ["over_authority"], False),
    ("P1", "0", ["p1_plan"], True),
    ("P1", "800", ["p1_plan", "over_authority"], True),
])
def test_why_a_handlers_plan_needs_approval(handler, priority, amount, reasons, needs_head):
    need = plan_approval_need(priority=priority, proposer=handler, compensation_amount=Decimal(amount))

    assert (need.reasons, need.needs_head, need.required) == (reasons, needs_head, bool(reasons))


def test_an_administrator_may_raise_a_roles_limit(handler):
    AuthorityLimit.objects.filter(role=Role.HANDLER).update(max_compensation=Decimal("1000"))

    assert not plan_approval_need(priority="P2", proposer=handler, compensation_amount=Decimal("800")).required


@pytest.fixture
def case(make_ticket):
    return make_ticket(State.ASSIGNED)


def _plan(case, proposer, amount: str, priority: str = "P2") -> Plan:
    kind = {"kind": "compensation"} if Decimal(amount) > 0 else {"kind": "remote_guidance"}
    return plan_create(ticket_id=case.pk, priority=priority, proposer=proposer,
                       data=_input(compensation_amount=Decimal(amount), **kind))


@pytest.mark.parametrize(("priority", "amount", "approver", "allowed"), [
    ("P2", "800", "agent", False),
    ("P2", "800", "supervisor", True),
    ("P2", "800", "head", True),
    ("P2", "3000", "supervisor", False),
    ("P2", "3000", "head", True),
    ("P1", "0", "head", True),
    ("P1", "0", "supervisor", False),
    ("P1", "0", "logistics_head", False),
    ("P1", "0", "agent", False),
    ("P1", "800", "head", True),
    ("P1", "800", "supervisor", False),
    ("P2", "800", "auditor", False),
    ("P1", "0", "auditor", False),
])
def test_who_may_approve_a_handlers_plan(request, case, handler, priority, amount, approver, allowed):
    plan = _plan(case, handler, amount, priority)
    assert plan.status == PlanStatus.AWAITING_APPROVAL

    user = request.getfixturevalue(approver)

    assert plan_can_approve(plan=plan, approver=user, case_department_id=case.department_id) is allowed


def test_a_p1_plan_is_for_the_head_of_the_cases_department_whatever_department_it_names(case, handler, head,
                                                                                       logistics_head):
    plan = plan_create(ticket_id=case.pk, priority="P1", proposer=handler, data=_input(
        kind="reship", compensation_amount=Decimal("0"),
        responsible_department=Department.objects.get(code="logistics")))

    assert plan_can_approve(plan=plan, approver=head, case_department_id=case.department_id)
    assert not plan_can_approve(plan=plan, approver=logistics_head, case_department_id=case.department_id)


def test_nobody_approves_their_own_plan(case, supervisor, head):
    own = _plan(case, supervisor, "3000")  # over the supervisor's 2000
    own_p1 = _plan(case, head, "0", "P1")

    assert not plan_can_approve(plan=own, approver=supervisor, case_department_id=case.department_id)
    assert not plan_can_approve(plan=own_p1, approver=head, case_department_id=case.department_id)
    assert plan_can_approve(plan=own, approver=head, case_department_id=case.department_id)


def test_a_decision_is_recorded_with_its_reason(case, handler, supervisor):
    plan = _plan(case, handler, "800")

    plan_decide(plan=plan, approver=supervisor, approve=False, reason=" 金额偏高 ", case_department_id=case.department_id)

    plan.refresh_from_db()
    assert plan.status == PlanStatus.REFUSED
    approval = Approval.objects.get(plan=plan)
    assert (approval.approver, approval.decision, approval.reason) == (supervisor, Decision.REFUSED, "金额偏高")


def test_a_plan_is_decided_only_once(case, handler, supervisor, head):
    plan = _plan(case, handler, "800")
    plan_decide(plan=plan, approver=supervisor, approve=True, reason="", case_department_id=case.department_id)

    with pytest.raises(ValidationFailed) as refused:
        plan_decide(plan=plan, approver=head, approve=False, reason="改主意", case_department_id=case.department_id)

    assert refused.value.code == "plan_not_awaiting_approval"
    assert Approval.objects.filter(plan=plan).count() == 1


def test_an_approval_beyond_authority_is_refused_and_not_recorded(case, handler, agent):
    plan = _plan(case, handler, "800")

    with pytest.raises(PermissionDenied) as refused:
        plan_decide(plan=plan, approver=agent, approve=True, reason="", case_department_id=case.department_id)

    assert refused.value.code == "approval_beyond_authority"
    assert refused.value.detail["reasons"] == ["over_authority"]
    assert Decimal(refused.value.detail["amount"]) == Decimal("800")
    assert not Approval.objects.exists()


@pytest.mark.parametrize(("overrides", "code"), [
    ({"kind": "repair", "repair_mode": ""}, "repair_mode_required"),
    ({"kind": "compensation", "compensation_amount": Decimal("0")}, "compensation_amount_required"),
    ({"cost": Decimal("-0.01")}, "negative_amount"),
    ({"compensation_amount": Decimal("-5")}, "negative_amount"),
    ({"due_at": "now"}, "due_in_past"),
    ({"kind": ""}, "invalid_plan_kind"),
    ({"summary": ""}, "plan_summary_required"),
])
def test_plan_validation(overrides, code):
    if overrides.get("due_at") == "now":
        overrides = {"due_at": clock.now()}

    with pytest.raises(ValidationFailed) as refused:
        plan_validate(_input(**overrides))

    assert refused.value.code == code


@pytest.mark.parametrize(("overrides", "field"), [
    ({"compensation_form": "gold_bars"}, "compensation_form"),
    ({"cost": Decimal("123.456")}, "cost"),
    ({"compensation_amount": Decimal("123456789.00")}, "compensation_amount"),
])
def test_values_the_table_cannot_hold_are_refused_as_a_domain_error(case, handler, overrides, field):
    with pytest.raises(ValidationFailed) as refused:
        plan_create(ticket_id=case.pk, priority="P2", proposer=handler, data=_input(**overrides))

    assert refused.value.detail["field"] == field
    assert not Plan.objects.exists()


def test_every_plan_kind_but_repair_and_compensation_needs_only_a_summary_and_a_due_time():
    for kind in ("exchange", "return_refund", "reship", "remote_guidance"):
        plan_validate(_input(kind=kind, compensation_amount=Decimal("0")))


@pytest.mark.django_db
def test_a_department_heads_own_p1_plan_needs_no_second_head(make_ticket, head):
    # given a P1 case assigned to the technical department
    case = make_ticket("assigned", priority="P1")
    # when its department head proposes the plan himself


    ticket = ticket_propose_plan(number=case.number, actor=head, plan={
        "kind": "remote_guidance", "summary": "电话指导断电排查", "responsible_department": "technical_support",
        "due_at": clock.now() + dt.timedelta(hours=4)})
    # then it is ready to present, not stuck waiting for an approver who cannot exist
    assert ticket.state == "plan_proposed"


@pytest.mark.django_db
def test_out_of_authority_compensation_goes_up_not_sideways(make_ticket, handler, agent, supervisor):
    # given a handler (limit 300) proposing 450 yuan, which an agent's own limit (500) would cover


    case = make_ticket("assigned")
    ticket_propose_plan(number=case.number, actor=handler, plan={
        "kind": "compensation", "summary": "补偿优惠券", "compensation_amount": Decimal("450"),
        "compensation_form": "coupon", "responsible_department": "technical_support",
        "due_at": clock.now() + dt.timedelta(hours=4)})
    case.refresh_from_db()
    plan = case.current_plan
    # then the agent may not approve it, the supervisor may
    assert not plan_can_approve(plan=plan, approver=agent, case_department_id=case.department_id)
    assert plan_can_approve(plan=plan, approver=supervisor, case_department_id=case.department_id)
