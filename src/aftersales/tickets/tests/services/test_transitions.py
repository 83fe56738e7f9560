"""Every lifecycle transition through its service: where it may start, what it records,
and that it is refused — changing nothing — from every other state."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import time_machine

from aftersales.core import clock
from aftersales.tickets import events
from aftersales.tickets import services as svc
from aftersales.tickets.errors import InvalidTransition
from aftersales.tickets.models import Ticket
from aftersales.tickets.permissions import allowed_actions
from aftersales.tickets.scenarios import proof_photo
from aftersales.tickets.states import TRANSITIONS, Action, State, can_transition

from .support import event_ids, new_events, plan_data, unchanged

A, S = Action, State

# action -> how its service is called with valid input
CALLS: dict[str, Callable[..., Ticket]] = {
    A.REGISTER: lambda n, a: svc.ticket_confirm_registration(number=n, actor=a),
    A.CLASSIFY: lambda n, a: svc.ticket_classify(number=n, actor=a, category="technical_fault",
                                                 subcategory="function_abnormal", priority="P2"),
    A.ASSIGN: lambda n, a: svc.ticket_assign(number=n, actor=a, department="technical_support", assignee="tech"),
    A.PROPOSE_PLAN: lambda n, a: svc.ticket_propose_plan(number=n, actor=a, plan=plan_data()),
    A.APPROVE_PLAN: lambda n, a: svc.ticket_decide_plan(number=n, actor=a, approve=True, reason="同意"),
    A.REFUSE_PLAN: lambda n, a: svc.ticket_decide_plan(number=n, actor=a, approve=False, reason="成本过高，改为返厂"),
    A.OFFER_PLAN: lambda n, a: svc.ticket_offer_plan(number=n, actor=a, message="已电话告知客户方案"),
    A.ACCEPT_PLAN: lambda n, a: svc.ticket_record_customer_decision(number=n, actor=a, accept=True),
    A.REJECT_PLAN: lambda n, a: svc.ticket_record_customer_decision(number=n, actor=a, accept=False,
                                                                    reason="客户要求换新机"),
    A.HOLD: lambda n, a: svc.ticket_hold(number=n, actor=a, hold_reason="parts", note="等待配件"),
    A.RESUME: lambda n, a: svc.ticket_resume(number=n, actor=a, note="配件已到"),
    A.RESOLVE: lambda n, a: svc.ticket_resolve(number=n, actor=a, result="已更换主板，试机正常",
                                               attachments=[proof_photo()]),
    A.FEED_BACK: lambda n, a: svc.ticket_feed_back(number=n, actor=a, message="已修好，请您确认"),
    A.CONFIRM: lambda n, a: svc.ticket_confirm(number=n, actor=a, note="客户确认正常"),
    A.DISPUTE: lambda n, a: svc.ticket_dispute(number=n, actor=a, reason="仍然显示E3"),
    A.REOPEN: lambda n, a: svc.ticket_reopen(number=n, actor=a, reason="问题再次出现"),
    A.ARCHIVE: lambda n, a: svc.ticket_archive(number=n, actor=a),
    A.CANCEL: lambda n, a: svc.ticket_cancel(number=n, actor=a, reason="重复登记"),
}

# Who normally does it: the owner (first-contact agent), the supervisor, the handler, the department head.
ACTORS = {
    A.REGISTER: "owner", A.CLASSIFY: "supervisor", A.ASSIGN: "supervisor", A.PROPOSE_PLAN: "handler",
    A.APPROVE_PLAN: "head", A.REFUSE_PLAN: "head", A.OFFER_PLAN: "owner", A.ACCEPT_PLAN: "owner",
    A.REJECT_PLAN: "owner", A.HOLD: "handler", A.RESUME: "handler", A.RESOLVE: "handler",
    A.FEED_BACK: "owner", A.CONFIRM: "owner", A.DISPUTE: "owner", A.REOPEN: "owner",
    A.ARCHIVE: "supervisor", A.CANCEL: "supervisor",
}

# (action, from, priority, to, event kind, timestamps stamped with the moment of the action)
ROWS = [
    (A.REGISTER, S.NEW, "P2", S.REGISTERED, events.REGISTERED, ["registered_at"]),
    (A.CLASSIFY, S.REGISTERED, "P2", S.CLASSIFIED, events.CLASSIFIED, ["classified_at"]),
    (A.CLASSIFY, S.REOPENED, "P2", S.CLASSIFIED, events.CLASSIFIED, ["classified_at"]),
    (A.ASSIGN, S.CLASSIFIED, "P2", S.ASSIGNED, events.ASSIGNED, ["assigned_at"]),
    (A.ASSIGN, S.REOPENED, "P2", S.ASSIGNED, events.ASSIGNED, ["assigned_at"]),
    (A.PROPOSE_PLAN, S.ASSIGNED, "P2", S.PLAN_PROPOSED, events.PLAN_PROPOSED,
     ["plan_proposed_at", "handling_started_at"]),
    (A.PROPOSE_PLAN, S.ASSIGNED, "P1", S.AWAITING_APPROVAL, events.PLAN_PROPOSED,
     ["plan_proposed_at", "handling_started_at"]),
    (A.APPROVE_PLAN, S.AWAITING_APPROVAL, "P1", S.PLAN_PROPOSED, events.PLAN_APPROVED, []),
    (A.REFUSE_PLAN, S.AWAITING_APPROVAL, "P1", S.ASSIGNED, events.PLAN_REFUSED, []),
    (A.OFFER_PLAN, S.PLAN_PROPOSED, "P2", S.AWAITING_CUSTOMER, events.PLAN_OFFERED,
     ["plan_offered_at", "last_public_update_at"]),
    (A.ACCEPT_PLAN, S.AWAITING_CUSTOMER, "P2", S.IN_PROGRESS, events.PLAN_ACCEPTED, []),
    (A.REJECT_PLAN, S.AWAITING_CUSTOMER, "P2", S.ASSIGNED, events.PLAN_REJECTED, []),
    (A.HOLD, S.IN_PROGRESS, "P2", S.ON_HOLD, events.ON_HOLD, ["hold_started_at", "last_public_update_at"]),
    (A.RESUME, S.ON_HOLD, "P2", S.IN_PROGRESS, events.RESUMED, []),
    (A.RESOLVE, S.IN_PROGRESS, "P2", S.RESOLVED, events.RESOLVED, ["resolved_at"]),
    (A.FEED_BACK, S.RESOLVED, "P2", S.AWAITING_CONFIRMATION, events.FED_BACK,
     ["fed_back_at", "last_public_update_at"]),
    (A.CONFIRM, S.AWAITING_CONFIRMATION, "P2", S.CLOSED, events.CONFIRMED, ["closed_at"]),
    (A.DISPUTE, S.AWAITING_CONFIRMATION, "P2", S.IN_PROGRESS, events.DISPUTED, []),
    (A.REOPEN, S.CLOSED, "P2", S.REOPENED, events.REOPENED, []),
    (A.ARCHIVE, S.CLOSED, "P2", S.ARCHIVED, events.ARCHIVED, []),
    (A.CANCEL, S.NEW, "P2", S.CLOSED, events.CANCELLED, ["closed_at"]),
    (A.CANCEL, S.REGISTERED, "P2", S.CLOSED, events.CANCELLED, ["closed_at"]),
    (A.CANCEL, S.CLASSIFIED, "P2", S.CLOSED, events.CANCELLED, ["closed_at"]),
]


@pytest.fixture
def people(agent, supervisor, handler, head, admin_user):
    return {"owner": agent, "supervisor": supervisor, "handler": handler, "head": head, "admin": admin_user}


def _build(make_ticket, state: str, priority: str = "P2") -> Ticket:
    if state == S.NEW:
        return make_ticket(S.NEW, confirm=False)
    # A case awaiting approval is a P1 plan waiting for the department head.
    return make_ticket(state, priority="P1" if state == S.AWAITING_APPROVAL else priority)


def test_the_rows_cover_every_transition_of_the_table():
    covered = {(action, source) for action, source, *_rest in ROWS}
    table = {(action, source) for action, (sources, _targets) in TRANSITIONS.items() for source in sources}
    assert covered == table
    assert all(to in TRANSITIONS[action][1] for action, _source, _p, to, *_rest in ROWS)


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "source", "priority", "target", "kind", "stamped"), ROWS,
                         ids=[f"{r[0]}-from-{r[1]}-{r[2]}" for r in ROWS])
def test_transition_moves_the_case_and_records_one_event(make_ticket, people, action, source, priority, target,
                                                          kind, stamped):
    # given a case walked to the source state through the services
    ticket = _build(make_ticket, source, priority)
    assert ticket.state == source
    seen = event_ids(ticket)
    actor = people[ACTORS[action]]
    moment = clock.now() + dt.timedelta(hours=1)

    # when the usual actor runs the action an hour later
    with time_machine.travel(moment, tick=False):
        CALLS[action](ticket.number, actor)

    # then the state moved, exactly one event says who moved it from where to where, the version went up by one
    after = Ticket.objects.get(pk=ticket.pk)
    assert after.state == target
    assert after.version == ticket.version + 1
    recorded = new_events(ticket, seen)
    assert [(e.kind, e.actor, e.from_state, e.to_state) for e in recorded] == [(kind, actor, source, target)]
    assert recorded[0].created_at == moment
    for name in stamped:
        assert getattr(after, name) == moment, name


@pytest.mark.django_db
def test_resume_adds_the_paused_time_and_clears_the_hold(make_ticket, handler):
    ticket = make_ticket(S.ON_HOLD)
    held_since = ticket.hold_started_at
    moment = held_since + dt.timedelta(minutes=90)

    with time_machine.travel(moment, tick=False):
        svc.ticket_resume(number=ticket.number, actor=handler)

    ticket.refresh_from_db()
    assert ticket.paused_seconds == 90 * 60
    assert (ticket.hold_started_at, ticket.hold_reason) == (None, "")


@pytest.mark.django_db
def test_confirm_closes_the_case_as_confirmed(make_ticket, agent):
    ticket = make_ticket(S.AWAITING_CONFIRMATION)

    svc.ticket_confirm(number=ticket.number, actor=agent)

    ticket.refresh_from_db()
    assert (ticket.state, ticket.closure) == (S.CLOSED, "confirmed")


@pytest.mark.django_db
@pytest.mark.parametrize("state", list(State))
def test_actions_the_table_forbids_are_refused_with_409_and_change_nothing(make_ticket, admin_user, state):
    # given a case in ``state`` and an administrator, whom no role rule stops
    ticket = _build(make_ticket, state)
    forbidden = [
        action for action in CALLS
        if not can_transition(state, action)
        # classify on a classified case is a reclassification, which is allowed until closure
        and not (action == A.CLASSIFY and can_transition(state, A.RECLASSIFY))
    ]
    assert forbidden

    for action in forbidden:
        # when the action is attempted, then it is refused as a conflict and nothing changes
        with unchanged(ticket), pytest.raises(InvalidTransition) as refused:
            CALLS[action](ticket.number, admin_user)
        assert refused.value.status == 409
        assert refused.value.code == "invalid_transition"
        assert refused.value.detail["state"] == state
        assert refused.value.detail["allowed_actions"] == allowed_actions(admin_user, ticket)
        assert action not in refused.value.detail["allowed_actions"]
