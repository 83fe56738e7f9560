"""The version a client saw must still be current, or its write is refused."""

from __future__ import annotations

import pytest

from aftersales.tickets import services as svc
from aftersales.tickets.errors import InvalidTransition, VersionConflict
from aftersales.tickets.models import Ticket, TicketEvent
from aftersales.tickets.states import State

from .support import plan_data, run_concurrently, unchanged

CALLS = {
    "classify": (State.REGISTERED, "supervisor", lambda n, a, v: svc.ticket_classify(
        number=n, actor=a, category="logistics", subcategory="package_damage", priority="P3", version=v)),
    "assign": (State.CLASSIFIED, "supervisor", lambda n, a, v: svc.ticket_assign(
        number=n, actor=a, department="technical_support", version=v)),
    "propose_plan": (State.ASSIGNED, "handler", lambda n, a, v: svc.ticket_propose_plan(
        number=n, actor=a, plan=plan_data(), version=v)),
    "note": (State.IN_PROGRESS, "handler", lambda n, a, v: svc.ticket_add_note(
        number=n, actor=a, body="已联系客户约上门时间", version=v)),
    "transfer_owner": (State.ASSIGNED, "owner", lambda n, a, v: svc.ticket_transfer_owner(
        number=n, actor=a, new_owner="supervisor", reason="交接班", version=v)),
    "confirm": (State.AWAITING_CONFIRMATION, "owner", lambda n, a, v: svc.ticket_confirm(
        number=n, actor=a, version=v)),
}


@pytest.fixture
def people(agent, supervisor, handler):
    return {"owner": agent, "supervisor": supervisor, "handler": handler}


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(CALLS))
def test_an_old_version_is_refused_with_409_and_changes_nothing(make_ticket, people, name):
    state, who, call = CALLS[name]
    ticket = make_ticket(state)
    stale = ticket.version - 1

    with unchanged(ticket), pytest.raises(VersionConflict) as refused:
        call(ticket.number, people[who], stale)

    assert refused.value.status == 409
    assert refused.value.detail == {"number": ticket.number, "expected_version": stale,
                                    "current_version": ticket.version}


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(CALLS))
def test_the_current_version_is_accepted_and_bumped(make_ticket, people, name):
    state, who, call = CALLS[name]
    ticket = make_ticket(state)

    call(ticket.number, people[who], ticket.version)

    assert Ticket.objects.get(pk=ticket.pk).version == ticket.version + 1


@pytest.mark.django_db
def test_a_client_that_lost_the_race_cannot_reuse_its_version(make_ticket, supervisor):
    ticket = make_ticket(State.REGISTERED)
    seen = ticket.version
    svc.ticket_classify(number=ticket.number, actor=supervisor, category="technical_fault", priority="P2",
                        version=seen)

    with pytest.raises(VersionConflict):
        svc.ticket_classify(number=ticket.number, actor=supervisor, category="logistics", priority="P3",
                            version=seen)

    ticket.refresh_from_db()
    assert (ticket.category.code, ticket.priority) == ("technical_fault", "P2")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_people_acting_on_the_same_version_at_once_exactly_one_wins(make_ticket, supervisor, admin_user):
    # given a registered case both have open at the same version
    ticket = make_ticket(State.REGISTERED)
    choices = [(supervisor, "technical_fault", "P1"), (admin_user, "logistics", "P3")]

    # when both classify it at the same moment
    def classify(i: int) -> Ticket:
        actor, category, priority = choices[i]
        return svc.ticket_classify(number=ticket.number, actor=actor, category=category, priority=priority,
                                   version=ticket.version)

    results = run_concurrently(2, classify)

    # then one wins, the other is told the case changed; the case carries the winner's choice only
    winners = [i for i, r in enumerate(results) if isinstance(r, Ticket)]
    losers = [r for r in results if isinstance(r, VersionConflict)]
    assert len(winners) == 1, results
    assert len(losers) == 1, results
    after = Ticket.objects.select_related("category").get(pk=ticket.pk)
    _actor, category, priority = choices[winners[0]]
    assert (after.state, after.category.code, after.priority) == (State.CLASSIFIED, category, priority)
    assert after.version == ticket.version + 1
    assert TicketEvent.objects.filter(ticket=ticket, kind="classified").count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_people_moving_the_case_without_a_version_are_serialised(make_ticket, agent, supervisor):
    # given a plan waiting for the customer; without a version the lock still serialises the writers
    ticket = make_ticket(State.AWAITING_CUSTOMER)

    def decide(i: int) -> Ticket:
        if i == 0:
            return svc.ticket_record_customer_decision(number=ticket.number, actor=agent, accept=True)
        return svc.ticket_record_customer_decision(number=ticket.number, actor=supervisor, accept=False,
                                                   reason="客户改主意了")

    results = run_concurrently(2, decide)

    # then the second one finds the case already moved on and is refused for its state
    assert sum(isinstance(r, Ticket) for r in results) == 1, results
    assert sum(isinstance(r, InvalidTransition) for r in results) == 1, results
    after = Ticket.objects.get(pk=ticket.pk)
    assert after.version == ticket.version + 1
    assert after.state in {State.IN_PROGRESS, State.ASSIGNED}
