"""End-to-end through the lifecycle services: clocks follow the case, the tick escalates once."""

from __future__ import annotations

import datetime as dt

import time_machine

from aftersales.notify.jobs import flush
from aftersales.notify.models import Notification
from aftersales.sla.jobs import tick
from aftersales.sla.models import ClockStatus, SlaBreach, SlaClock, SlaEscalation
from aftersales.tickets import services as svc
from aftersales.tickets.models import TicketEvent
from conftest import registration

START = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)  # a Monday, 18:00 in Shanghai


def test_web_case_first_response_breaches_and_escalates_once(agent, supervisor, cast):
    with time_machine.travel(START, tick=False):
        ticket, _ = svc.ticket_register(actor=agent, data=registration(channel="web"))
        clocks = {c.metric: c for c in SlaClock.objects.filter(ticket=ticket)}
        assert clocks["first_response"].status == ClockStatus.RUNNING
        assert clocks["first_response"].due_at == START + dt.timedelta(minutes=30)
        assert clocks["registration"].status == ClockStatus.MET
        ticket.refresh_from_db()
        assert ticket.sla_due_at == START + dt.timedelta(minutes=30)
    with time_machine.travel(START + dt.timedelta(minutes=25), tick=False):
        report = tick()
        assert report.warnings == 1
    with time_machine.travel(START + dt.timedelta(minutes=31), tick=False):
        report = tick()
        assert report.breaches == 1
        assert tick().clocks == 0
    assert SlaBreach.objects.filter(ticket=ticket, metric="first_response").count() == 1
    assert SlaEscalation.objects.filter(clock__ticket=ticket).count() == 2  # warning + supervisor
    assert TicketEvent.objects.filter(ticket=ticket, kind="sla_escalated").count() == 1
    with time_machine.travel(START + dt.timedelta(minutes=32), tick=False):
        assert flush().delivered == Notification.objects.count() > 0
    assert Notification.objects.filter(recipient=supervisor, template="sla_breach").exists()
