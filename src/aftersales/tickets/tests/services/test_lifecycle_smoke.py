import pytest

from aftersales.tickets.models import TicketEvent
from aftersales.tickets.states import State


@pytest.mark.django_db
@pytest.mark.parametrize("state", [s for s in State if s != State.NEW])
def test_a_case_can_be_walked_to_every_state(make_ticket, state):
    ticket = make_ticket(state, priority="P1" if state == State.AWAITING_APPROVAL else "P2")
    assert ticket.state == state
    kinds = list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True))
    assert kinds[0] == "registered"
