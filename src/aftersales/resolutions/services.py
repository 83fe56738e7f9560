"""Plans, approvals and the authority matrix. Called by the ticket lifecycle
services, which own the case state; these functions own the plan rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError as ModelValidationError
from django.utils.translation import gettext as _

from aftersales.accounts.models import Department, User
from aftersales.accounts.roles import Role
from aftersales.core import clock
from aftersales.core.errors import PermissionDenied, ValidationFailed

from .models import Approval, AuthorityLimit, Decision, Plan, PlanKind, PlanStatus, RepairMode

APPROVER_ROLES = frozenset({Role.SUPERVISOR, Role.DEPARTMENT_HEAD})


def authority_limit_for(user: User) -> Decimal:
    """The compensation a user may grant alone; no row means no authority."""
    row = AuthorityLimit.objects.filter(role=user.role).first()
    return row.max_compensation if row else Decimal("0")


@dataclass(frozen=True)
class PlanInput:
    kind: str
    summary: str
    responsible_department: Department
    due_at: dt.datetime
    repair_mode: str = ""
    cost: Decimal = Decimal("0")
    compensation_amount: Decimal = Decimal("0")
    compensation_form: str = ""


@dataclass(frozen=True)
class ApprovalNeed:
    needs_head: bool
    amount: Decimal
    reasons: list[str] = field(default_factory=list)

    @property
    def required(self) -> bool:
        return bool(self.reasons)


def plan_approval_need(*, priority: str, proposer: User, compensation_amount: Decimal,
                       case_department_id: int | None = None) -> ApprovalNeed:
    """Why a plan needs approval: P1 needs the department head (unless the head
    proposed it); compensation above the proposer's authority needs a supervisor
    or department head whose limit covers it."""
    reasons: list[str] = []
    proposed_by_head = (
        proposer.role == Role.DEPARTMENT_HEAD and case_department_id is not None
        and proposer.department_id == case_department_id
    )
    needs_head = priority == "P1" and not proposed_by_head
    if needs_head:
        reasons.append("p1_plan")
    if compensation_amount > authority_limit_for(proposer):
        reasons.append("over_authority")
    return ApprovalNeed(needs_head=needs_head, amount=compensation_amount, reasons=reasons)


def plan_validate(data: PlanInput) -> None:
    if data.kind not in PlanKind.values:
        raise ValidationFailed(_("Unknown plan kind."), code="invalid_plan_kind", detail={"field": "kind"})
    if not data.summary.strip():
        raise ValidationFailed(_("Describe what will be done."), code="plan_summary_required",
                               detail={"field": "summary"})
    if data.kind == PlanKind.REPAIR and data.repair_mode not in RepairMode.values:
        raise ValidationFailed(_("A repair is either on-site or return to factory."), code="repair_mode_required",
                               detail={"field": "repair_mode"})
    if data.cost < 0 or data.compensation_amount < 0:
        raise ValidationFailed(_("Amounts cannot be negative."), code="negative_amount", detail={"field": "cost"})
    if data.kind == PlanKind.COMPENSATION and data.compensation_amount <= 0:
        raise ValidationFailed(_("A compensation plan needs an amount."), code="compensation_amount_required",
                               detail={"field": "compensation_amount"})
    if data.due_at <= clock.now():
        raise ValidationFailed(_("The due time must be in the future."), code="due_in_past",
                               detail={"field": "due_at"})


def plan_create(*, ticket_id: int, priority: str, data: PlanInput, proposer: User,
                case_department_id: int | None = None) -> Plan:
    """Write a new plan; the caller holds the case lock and moves the case."""
    plan_validate(data)
    need = plan_approval_need(priority=priority, proposer=proposer, compensation_amount=data.compensation_amount,
                              case_department_id=case_department_id)
    plan = Plan(
        ticket_id=ticket_id, kind=data.kind, repair_mode=data.repair_mode if data.kind == PlanKind.REPAIR else "",
        summary=data.summary.strip(), cost=data.cost, compensation_amount=data.compensation_amount,
        compensation_form=data.compensation_form, responsible_department=data.responsible_department,
        due_at=data.due_at, proposed_by=proposer, needs_head_approval=need.needs_head,
        approval_reasons=need.reasons,
        status=PlanStatus.AWAITING_APPROVAL if need.required else PlanStatus.READY,
    )
    try:
        plan.full_clean(exclude=["ticket"])
    except ModelValidationError as exc:  # e.g. a third decimal place: a domain error, not a 500
        field_name = next(iter(exc.message_dict), "summary")
        raise ValidationFailed(" ".join(exc.messages), code="invalid_plan",
                               detail={"field": field_name, "errors": exc.message_dict}) from exc
    plan.save()
    return plan


def plan_can_approve(*, plan: Plan, approver: User, case_department_id: int | None) -> bool:
    """Whether ``approver`` may decide this plan (used for buttons and the guard)."""
    if approver.pk == plan.proposed_by_id:
        return False
    # A P1 plan is the case department's head's call. The plan's responsible department is
    # chosen by the proposer, so its head must not become a way around that.
    head_department_id = case_department_id if case_department_id is not None else plan.responsible_department_id
    if plan.needs_head_approval and not (
        approver.role == Role.DEPARTMENT_HEAD and approver.department_id == head_department_id
    ):
        return False
    # Out-of-authority requests go up the line (supervisor, then department head), never
    # sideways to a peer whose own limit happens to cover the amount.
    if approver.role not in APPROVER_ROLES:
        return False
    if plan.compensation_amount > 0 and "over_authority" in plan.approval_reasons:
        return authority_limit_for(approver) >= plan.compensation_amount
    return True


def plan_decide(*, plan: Plan, approver: User, approve: bool, reason: str, case_department_id: int | None) -> Plan:
    if plan.status != PlanStatus.AWAITING_APPROVAL:
        raise ValidationFailed(_("This plan is not waiting for approval."), code="plan_not_awaiting_approval")
    if not plan_can_approve(plan=plan, approver=approver, case_department_id=case_department_id):
        raise PermissionDenied(_("You cannot approve this plan: it needs the department head or a higher authority limit."),
            code="approval_beyond_authority",
            detail={"reasons": plan.approval_reasons, "amount": str(plan.compensation_amount)},
        )
    if not approve and not reason.strip():
        raise ValidationFailed(_("Give a reason for refusing."), code="reason_required", detail={"field": "reason"})
    Approval.objects.create(plan=plan, approver=approver, reason=reason.strip(), created_at=clock.now(),
                            decision=Decision.APPROVED if approve else Decision.REFUSED)
    plan.status = PlanStatus.READY if approve else PlanStatus.REFUSED
    plan.save(update_fields=["status", "updated_at"])
    return plan


def plan_set_status(*, plan: Plan, status: str, customer_reason: str = "") -> Plan:
    plan.status = status
    fields = ["status", "updated_at"]
    if customer_reason:
        plan.customer_reason = customer_reason
        fields.append("customer_reason")
    plan.save(update_fields=fields)
    return plan
