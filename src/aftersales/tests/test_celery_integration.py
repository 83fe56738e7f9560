"""Real Celery: beat and workers on Redis run the tick and the flush on the test database.

The cases are committed (a transactional test) so the worker processes see them;
each test has its own queue, so parallel runs (xdist, other checkouts) sharing a
Redis never take each other's messages.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path

import pytest
import redis
from celery import Celery
from django.conf import settings

from aftersales.config.celery import FLUSH_TASK, TICK_TASK
from aftersales.core import clock
from aftersales.notify.models import DeliveryStatus, Notification
from aftersales.sla.models import EscalationStage, EscalationStep, SlaClock, SlaEscalation
from aftersales.tests.background import (
    Proc,
    WebhookReceiver,
    celery_beat,
    celery_worker,
    child_env,
    is_postgres,
    processes,
    unique_queue,
    wait_until,
)
from aftersales.tickets import services as svc
from aftersales.tickets.models import Ticket, TicketEvent
from conftest import registration

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def queue():
    """A queue of this test's own; its keys are removed from Redis afterwards."""
    name = unique_queue()
    yield name
    client = redis.Redis.from_url(settings.REDIS_URL)
    keys = list(client.scan_iter(match=f"*{name}*"))
    if keys:
        client.delete(*keys)


def celery_env(tmp_path: Path, queue: str, receiver: WebhookReceiver) -> dict[str, str]:
    return child_env(tmp_path, REDIS_URL=settings.REDIS_URL, AFTERSALES_CELERY_QUEUE=queue,
                     AFTERSALES_WEBHOOK_URL=receiver.url)


def breached_cases(agent, count: int) -> list[Ticket]:
    """Web cases first contacted 2 h ago: the 30-minute first response ran out 90 minutes ago."""
    contacted = clock.now() - dt.timedelta(hours=2)
    return [svc.ticket_register(actor=agent, data=registration(
        channel="web", first_contact_at=contacted, description=f"电饭煲无法加热，第 {i} 台"))[0]
        for i in range(count)]


def settled(tickets: list[Ticket]) -> bool:
    """Every case escalated, no clock due, nothing waiting in the outbox."""
    ids = [t.pk for t in tickets]
    escalated = set(TicketEvent.objects.filter(ticket_id__in=ids, kind="sla_escalated")
                    .values_list("ticket_id", flat=True))
    return (len(escalated) == len(ids)
            and not SlaClock.objects.filter(ticket_id__in=ids, next_check_at__lte=clock.now()).exists()
            and not Notification.objects.filter(status=DeliveryStatus.PENDING).exists())


def assert_escalated_once_each(tickets: list[Ticket], receiver: WebhookReceiver) -> None:
    ids = [t.pk for t in tickets]
    supervisor_step = EscalationStep.objects.get(stage=EscalationStage.BREACH, recipients=["supervisor"])
    escalations = list(SlaEscalation.objects.filter(clock__ticket_id__in=ids).select_related("clock"))
    per_step = Counter((e.clock_id, e.key) for e in escalations)
    assert set(per_step.values()) == {1}
    # every case: its first-response clock escalated to the supervisor, once
    fired = Counter((e.clock.ticket_id, e.clock.metric, e.key) for e in escalations)
    for ticket_id in ids:
        assert fired[(ticket_id, "first_response", supervisor_step.key)] == 1, ticket_id
    # one sla_escalated event per case per step, and one per breach-stage escalation
    events = TicketEvent.objects.filter(ticket_id__in=ids, kind="sla_escalated")
    per_event = Counter((e.ticket_id, e.data["metric"], e.data["cycle"], e.data["step"]) for e in events)
    assert set(per_event.values()) == {1}, per_event
    breach_escalations = Counter(e.clock.ticket_id for e in escalations if e.stage == EscalationStage.BREACH)
    assert Counter(e.ticket_id for e in events) == breach_escalations
    # the outbox: one webhook message per escalation (plus the in-app ones), each delivered once
    notes = list(Notification.objects.filter(ticket_id__in=ids))
    assert notes and {(n.status, n.attempts) for n in notes} == {(DeliveryStatus.DELIVERED, 1)}
    hooks = [n for n in notes if n.channel == "webhook"]
    assert Counter(n.ticket_id for n in hooks) == Counter(e.clock.ticket_id for e in escalations)
    seen = receiver.seen()
    assert set(seen) == {str(n.key) for n in hooks} and set(seen.values()) == {1}, seen


def test_beat_and_a_worker_escalate_each_breached_case_once(agent, supervisor, tmp_path, queue):
    tickets = breached_cases(agent, 8)
    with WebhookReceiver() as receiver, processes() as procs:
        env = celery_env(tmp_path, queue, receiver)
        procs += [celery_worker(tmp_path, env, concurrency=2), celery_beat(tmp_path, env)]
        wait_until(lambda: settled(tickets), timeout=120, what="every case escalated and notified", procs=procs)
    assert_escalated_once_each(tickets, receiver)


def tasks_run(proc: Proc, name: str) -> list[dict[str, int]]:
    """The reports of the ``name`` tasks a worker ran, read from its log."""
    pattern = re.compile(re.escape(name) + r"\[[^\]]+\] succeeded in [^:]+: (\{[^}]*\})")
    return [{k: int(v) for k, v in re.findall(r"'(\w+)': (\d+)", m)} for m in pattern.findall(proc.output(10**7))]


def test_two_workers_at_once_on_postgresql_still_escalate_each_case_once(agent, supervisor, tmp_path, queue):
    if not is_postgres():
        pytest.skip("two workers at once is a PostgreSQL test (row locks, SKIP LOCKED); SQLite serialises writers")
    tickets = breached_cases(agent, 40)
    # a burst of wake-ups waiting before the workers start, so both pools tick at the same moment
    with Celery("burst", broker=settings.REDIS_URL, set_as_current=False) as sender:
        for _ in range(8):
            sender.send_task(TICK_TASK, queue=queue)
        for _ in range(4):
            sender.send_task(FLUSH_TASK, queue=queue)
    with WebhookReceiver() as receiver, processes() as procs:
        env = celery_env(tmp_path, queue, receiver)
        workers = [celery_worker(tmp_path, env, concurrency=2, name=f"w{i}") for i in (1, 2)]
        procs += [*workers, celery_beat(tmp_path, env)]
        wait_until(lambda: settled(tickets), timeout=120, what="every case escalated and notified", procs=procs)
        # Both pools were consuming the same queue. (Which job each one gets is Redis's round
        # robin: with beat alternating tick and flush, one worker may see only flushes.)
        wait_until(lambda: all(tasks_run(w, TICK_TASK) or tasks_run(w, FLUSH_TASK) for w in workers),
                   timeout=30, what="both workers to have run jobs", procs=procs)
    assert_escalated_once_each(tickets, receiver)
    reports = [r for w in workers for r in tasks_run(w, TICK_TASK)]
    fired = SlaEscalation.objects.filter(clock__ticket__in=tickets).exclude(key="reminder").count()
    assert sum(r["escalations"] for r in reports) == fired  # between them, each escalation once
