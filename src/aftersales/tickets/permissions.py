"""Who may do what to a case. Pure functions over loaded objects; the services
enforce them and the pages only display their precomputed result."""

from __future__ import annotations

from aftersales.accounts.models import User
from aftersales.accounts.roles import DEPARTMENT_WORKERS, Role
from aftersales.resolutions.services import plan_can_approve

from .models import Ticket
from .states import Action, actions_from

OWNER_ACTIONS = {
    Action.OFFER_PLAN, Action.ACCEPT_PLAN, Action.REJECT_PLAN, Action.FEED_BACK, Action.CONFIRM,
    Action.DISPUTE, Action.REOPEN, Action.TRANSFER_OWNER,
}
HANDLER_ACTIONS = {Action.PROPOSE_PLAN, Action.HOLD, Action.RESUME, Action.RESOLVE}
SUPERVISOR_ACTIONS = {Action.CLASSIFY, Action.ASSIGN, Action.RECLASSIFY, Action.CANCEL, Action.ARCHIVE}


def is_staff_manager(user: User) -> bool:
    return user.is_superuser or user.role in {Role.SUPERVISOR, Role.ADMIN}


def works_on(user: User, ticket: Ticket) -> bool:
    """Assigned to it, or a worker of the department that holds it."""
    if ticket.assignee_id == user.pk:
        return True
    return user.role in DEPARTMENT_WORKERS and ticket.department_id is not None and (
        user.department_id == ticket.department_id
    )


def can_view(user: User, ticket: Ticket) -> bool:
    if not user.is_active:
        return False
    if user.sees_all_cases:
        return True
    return ticket.owner_id == user.pk or works_on(user, ticket)


def action_permitted(user: User, ticket: Ticket, action: str) -> bool:
    """The role rule for ``action`` on this case, regardless of its state."""
    if not user.is_active or user.role == Role.AUDITOR:
        return False
    manager = is_staff_manager(user)
    if action in SUPERVISOR_ACTIONS:
        return manager
    if action == Action.REGISTER:
        return manager or user.role == Role.AGENT
    if action in OWNER_ACTIONS:
        return manager or ticket.owner_id == user.pk
    if action in HANDLER_ACTIONS:
        return manager or works_on(user, ticket)
    if action in {Action.APPROVE_PLAN, Action.REFUSE_PLAN}:
        plan = ticket.current_plan
        return plan is not None and plan_can_approve(
            plan=plan, approver=user, case_department_id=ticket.department_id
        )
    if action == Action.TRANSFER:
        return manager or (user.role == Role.DEPARTMENT_HEAD and user.department_id == ticket.department_id)
    if action in {Action.NOTE, Action.REPLY}:
        return can_view(user, ticket)
    return False


def allowed_actions(user: User, ticket: Ticket) -> list[str]:
    """Actions this user may run now: the state table intersected with the role rules."""
    return [a for a in actions_from(ticket.state) if action_permitted(user, ticket, a)]
