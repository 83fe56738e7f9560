"""Cases dispatched at the same moment in one department still spread by load (rows locked)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection, connections

from aftersales.accounts.models import Department, User
from aftersales.accounts.roles import Role
from aftersales.tickets import services as svc
from aftersales.tickets.models import Ticket

WORKDAY = dt.datetime(2026, 11, 18, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
CASES = 4


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_dispatches_see_each_others_load(make_ticket, supervisor, handler):
    assert not (connection.vendor == "sqlite" and connection.is_in_memory_db())
    User.objects.create_user(username="li", password="x", role=Role.HANDLER, display_name="李工",
                             department=Department.objects.get(code="technical_support"))
    with time_machine.travel(WORKDAY, tick=False):
        numbers = [make_ticket("classified", priority="P3").number for _ in range(CASES)]
        barrier = threading.Barrier(CASES)
        errors: list[BaseException] = []

        def dispatch(number: str) -> None:
            try:
                barrier.wait(timeout=10)
                svc.ticket_assign(number=number, actor=supervisor)
            except BaseException as exc:  # reported by the main thread
                errors.append(exc)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=dispatch, args=(n,)) for n in numbers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    assert not errors, errors
    picks = sorted(Ticket.objects.filter(number__in=numbers).values_list("assignee__username", flat=True))
    assert picks == ["li", "li", "tech", "tech"]
