"""The case lifecycle: states, actions and the transition table. No ORM here.

    new ──register──▶ registered ──classify──▶ classified ──assign──▶ assigned
    assigned ──propose_plan──▶ awaiting_approval  (P1, or compensation over the proposer's limit)
                          └──▶ plan_proposed      (no approval needed)
    awaiting_approval ──approve_plan──▶ plan_proposed │ ──refuse_plan──▶ assigned
    plan_proposed ──offer_plan──▶ awaiting_customer
    awaiting_customer ──accept_plan──▶ in_progress │ ──reject_plan──▶ assigned
    in_progress ──hold──▶ on_hold ──resume──▶ in_progress
    in_progress ──resolve──▶ resolved ──feed_back──▶ awaiting_confirmation
    awaiting_confirmation ──confirm──▶ closed │ ──dispute──▶ in_progress
    closed ──reopen──▶ reopened ──classify / assign──▶ …      closed ──archive──▶ archived
    new / registered / classified ──cancel──▶ closed
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    NEW = "new", _("New")  # arrived from a channel, registration not yet confirmed
    REGISTERED = "registered", _("Registered")  # registered, waiting for classification
    CLASSIFIED = "classified", _("Classified")  # category and priority set, waiting for dispatch
    ASSIGNED = "assigned", _("Assigned")  # a department (and maybe a handler) owns the work
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")  # plan needs a head's / higher authority's yes
    PLAN_PROPOSED = "plan_proposed", _("Plan proposed")  # plan ready, the owner has to present it
    AWAITING_CUSTOMER = "awaiting_customer", _("Awaiting customer")  # customer is deciding on the plan
    IN_PROGRESS = "in_progress", _("In progress")  # plan being carried out
    ON_HOLD = "on_hold", _("On hold")  # waiting on the customer or on parts; clocks may pause
    RESOLVED = "resolved", _("Resolved")  # handler finished, result not yet fed back
    AWAITING_CONFIRMATION = "awaiting_confirmation", _("Awaiting confirmation")  # customer checks the result
    CLOSED = "closed", _("Closed")  # loop closed (confirmed or cancelled)
    REOPENED = "reopened", _("Reopened")  # closed case brought back; needs classification / dispatch again
    ARCHIVED = "archived", _("Archived")  # frozen for the record; nothing more happens


class Action(models.TextChoices):
    REGISTER = "register", _("Confirm registration")
    CLASSIFY = "classify", _("Classify")
    ASSIGN = "assign", _("Assign")
    PROPOSE_PLAN = "propose_plan", _("Propose plan")
    APPROVE_PLAN = "approve_plan", _("Approve plan")
    REFUSE_PLAN = "refuse_plan", _("Refuse plan")
    OFFER_PLAN = "offer_plan", _("Present plan to customer")
    ACCEPT_PLAN = "accept_plan", _("Customer accepts plan")
    REJECT_PLAN = "reject_plan", _("Customer rejects plan")
    HOLD = "hold", _("Put on hold")
    RESUME = "resume", _("Resume")
    RESOLVE = "resolve", _("Mark resolved")
    FEED_BACK = "feed_back", _("Feed result back")
    CONFIRM = "confirm", _("Customer confirms")
    DISPUTE = "dispute", _("Customer disputes")
    REOPEN = "reopen", _("Reopen")
    ARCHIVE = "archive", _("Archive")
    CANCEL = "cancel", _("Cancel case")
    # Actions that do not move the state.
    NOTE = "note", _("Internal note")
    REPLY = "reply", _("Reply to customer")
    RECLASSIFY = "reclassify", _("Reclassify")
    TRANSFER = "transfer", _("Transfer department / handler")
    TRANSFER_OWNER = "transfer_owner", _("Transfer ownership")


S = State
# action -> (states it may start from, states it may lead to)
TRANSITIONS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    Action.REGISTER: (frozenset({S.NEW}), frozenset({S.REGISTERED})),
    Action.CLASSIFY: (frozenset({S.REGISTERED, S.REOPENED}), frozenset({S.CLASSIFIED})),
    Action.ASSIGN: (frozenset({S.CLASSIFIED, S.REOPENED}), frozenset({S.ASSIGNED})),
    Action.PROPOSE_PLAN: (frozenset({S.ASSIGNED}), frozenset({S.AWAITING_APPROVAL, S.PLAN_PROPOSED})),
    Action.APPROVE_PLAN: (frozenset({S.AWAITING_APPROVAL}), frozenset({S.PLAN_PROPOSED})),
    Action.REFUSE_PLAN: (frozenset({S.AWAITING_APPROVAL}), frozenset({S.ASSIGNED})),
    Action.OFFER_PLAN: (frozenset({S.PLAN_PROPOSED}), frozenset({S.AWAITING_CUSTOMER})),
    Action.ACCEPT_PLAN: (frozenset({S.AWAITING_CUSTOMER}), frozenset({S.IN_PROGRESS})),
    Action.REJECT_PLAN: (frozenset({S.AWAITING_CUSTOMER}), frozenset({S.ASSIGNED})),
    Action.HOLD: (frozenset({S.IN_PROGRESS}), frozenset({S.ON_HOLD})),
    Action.RESUME: (frozenset({S.ON_HOLD}), frozenset({S.IN_PROGRESS})),
    Action.RESOLVE: (frozenset({S.IN_PROGRESS}), frozenset({S.RESOLVED})),
    Action.FEED_BACK: (frozenset({S.RESOLVED}), frozenset({S.AWAITING_CONFIRMATION})),
    Action.CONFIRM: (frozenset({S.AWAITING_CONFIRMATION}), frozenset({S.CLOSED})),
    Action.DISPUTE: (frozenset({S.AWAITING_CONFIRMATION}), frozenset({S.IN_PROGRESS})),
    Action.REOPEN: (frozenset({S.CLOSED}), frozenset({S.REOPENED})),
    Action.ARCHIVE: (frozenset({S.CLOSED}), frozenset({S.ARCHIVED})),
    Action.CANCEL: (frozenset({S.NEW, S.REGISTERED, S.CLASSIFIED}), frozenset({S.CLOSED})),
}

OPEN_STATES = frozenset(set(State) - {S.CLOSED, S.ARCHIVED})
# Once classified, the classification may be corrected until the case closes.
RECLASSIFIABLE_STATES = frozenset(OPEN_STATES - {S.NEW, S.REGISTERED, S.REOPENED})
# Work is in a department from assignment until resolution.
TRANSFERABLE_STATES = frozenset(
    {S.ASSIGNED, S.AWAITING_APPROVAL, S.PLAN_PROPOSED, S.AWAITING_CUSTOMER, S.IN_PROGRESS, S.ON_HOLD}
)
# Non-transition actions and the states they are allowed in.
STATELESS_ACTIONS: dict[str, frozenset[str]] = {
    Action.NOTE: frozenset(set(State) - {S.ARCHIVED}),
    Action.REPLY: OPEN_STATES,
    Action.RECLASSIFY: RECLASSIFIABLE_STATES,
    Action.TRANSFER: TRANSFERABLE_STATES,
    Action.TRANSFER_OWNER: OPEN_STATES,
}
# States where the customer is the one expected to move; SLA clocks may pause here.
PAUSED_STATES = frozenset({S.ON_HOLD})


def can_transition(current: str, action: str, target: str | None = None) -> bool:
    """Whether ``action`` may run in state ``current`` (and lead to ``target``)."""
    if action in STATELESS_ACTIONS:
        return current in STATELESS_ACTIONS[action]
    rule = TRANSITIONS.get(action)
    if rule is None:
        return False
    sources, targets = rule
    return current in sources and (target is None or target in targets)


def actions_from(current: str) -> list[str]:
    """Every action the table allows in ``current``, before any permission check."""
    moving = [a for a, (sources, _targets) in TRANSITIONS.items() if current in sources]
    staying = [a for a, states in STATELESS_ACTIONS.items() if current in states]
    return [str(a) for a in moving + staying]
