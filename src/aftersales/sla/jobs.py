"""The tick: act on the clocks whose warning, breach or next escalation step has come.

It reads only ``next_check_at <= now`` (a partial index), so its cost is the due
rows, not the table. Cases are locked first, with ``SKIP LOCKED`` on PostgreSQL,
in the same order the lifecycle services lock them (case, then clocks): any
number of workers share the due rows, none acts twice on one, and a case being
edited is simply left for the next tick. SQLite's IMMEDIATE transactions
serialise the same work. The unique (clock, step) row is the last guard.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import translation

from aftersales.accounts.models import User
from aftersales.accounts.roles import Role
from aftersales.core import clock
from aftersales.notify.services import notify
from aftersales.tickets import events
from aftersales.tickets.models import Ticket, TicketEvent

from .models import ClockStatus, EscalationStage, EscalationStep, Metric, Recipient, SlaClock, SlaEscalation
from .rules import RULES_BY_METRIC
from .services import (
    active_steps,
    count_breach,
    new_clock,
    policy_for,
    schedule,
    summarize_from_db,
    target_for,
)

logger = logging.getLogger("aftersales.sla")
REMINDER_KEY = "reminder"


@dataclass
class TickReport:
    clocks: int = 0
    warnings: int = 0
    breaches: int = 0
    escalations: int = 0
    reminders: int = 0
    skipped_locked: int = 0


def recipients_for(ticket: Ticket, roles: list[str]) -> list[User]:
    """Resolve the chain's roles to people on this case, without duplicates."""
    people: list[User] = []
    owner_department = ticket.owner.department_id if ticket.owner_id else None
    for role in roles:
        if role == Recipient.ASSIGNEE and ticket.assignee_id:
            people.append(ticket.assignee)
        elif role == Recipient.OWNER and ticket.owner_id:
            people.append(ticket.owner)
        elif role == Recipient.SUPERVISOR:
            supervisors = User.objects.filter(role=Role.SUPERVISOR, is_active=True)
            own = [u for u in supervisors if u.department_id == owner_department]
            people += own or list(supervisors)
        elif role == Recipient.DEPARTMENT_HEAD:
            department = ticket.department_id or owner_department
            people += list(User.objects.filter(role=Role.DEPARTMENT_HEAD, is_active=True, department_id=department))
    unique: dict[int, User] = {}
    for person in people:
        unique.setdefault(person.pk, person)
    return list(unique.values())


def _context(ticket: Ticket, item: SlaClock, now: dt.datetime) -> dict:
    local_due = item.due_at.astimezone(clock.SHANGHAI)
    overdue = max(int((now - item.due_at).total_seconds() // 60), 0)
    with translation.override("zh-hans"):
        metric_zh = str(Metric(item.metric).label)
    with translation.override("en"):
        metric_en = str(Metric(item.metric).label)
    return {
        "number": ticket.number, "title": ticket.title, "priority": ticket.priority or "-",
        "metric": metric_zh, "metric_en": metric_en, "due": f"{local_due:%Y-%m-%d %H:%M}",
        "overdue_minutes": overdue, "department": ticket.department.name if ticket.department_id else "-",
        "assignee": ticket.assignee.display_name or ticket.assignee.username if ticket.assignee_id else "-",
        "owner": ticket.owner.display_name or ticket.owner.username, "url": f"/cases/{ticket.number}/",
    }


def _fire(ticket: Ticket, item: SlaClock, *, key: str, stage: str, roles: list[str], template: str,
          kind: str, now: dt.datetime, report: TickReport) -> None:
    people = recipients_for(ticket, roles)
    try:
        with transaction.atomic():
            escalation = SlaEscalation.objects.create(clock=item, key=key, stage=stage, fired_at=now,
                                                      recipients=[p.username for p in people])
    except IntegrityError:  # fired already (the last guard; the case lock normally prevents this)
        item.fired_steps = sorted({*item.fired_steps, key})
        return
    item.fired_steps = sorted({*item.fired_steps, key})
    TicketEvent.objects.create(
        ticket=ticket, kind=kind, is_internal=True, created_at=now,
        data={"metric": item.metric, "cycle": item.cycle, "stage": stage, "step": key,
              "recipients": escalation.recipients, "due_at": item.due_at.isoformat()},
    )
    notify(template=template, recipients=people, context=_context(ticket, item, now), ticket_id=ticket.pk,
           cause=f"esc:{escalation.pk}", now=now)
    if kind == events.PROGRESS_REMINDER:
        report.reminders += 1
    else:
        report.escalations += 1


def _process(ticket: Ticket, item: SlaClock, steps: list[EscalationStep], now: dt.datetime,
             report: TickReport) -> bool:
    """Act on one due clock. Returns True when it rolled a progress cycle (the case summary changes)."""
    report.clocks += 1
    if item.status != ClockStatus.RUNNING:
        item.next_check_at = None
        item.save(update_fields=["next_check_at"])
        return False
    rule = RULES_BY_METRIC.get(item.metric)
    cadence = rule is not None and rule.cadence
    if cadence:
        if now >= item.due_at:
            return _miss_update(ticket, item, now, report)
        schedule(item, steps)
        item.save(update_fields=["next_check_at"])
        return False
    if item.breached_at is None and item.warned_at is None and now >= item.warn_at:
        item.warned_at = now
        report.warnings += 1
    if item.breached_at is None and now >= item.due_at:
        item.breached_at = item.due_at
        report.breaches += 1
        TicketEvent.objects.create(ticket=ticket, kind=events.SLA_BREACHED, is_internal=True, created_at=now,
                                   data={"metric": item.metric, "cycle": item.cycle,
                                         "due_at": item.due_at.isoformat()})
    for step in steps:
        if step.key in item.fired_steps or not step.applies_to(item):
            continue
        if step.stage == EscalationStage.WARNING:
            fire_at = item.warn_at + dt.timedelta(minutes=step.delay_minutes)
            if item.breached_at is not None or now < fire_at:
                continue
            _fire(ticket, item, key=step.key, stage=step.stage, roles=step.recipients, template="sla_warning",
                  kind=events.SLA_WARNING, now=now, report=report)
        else:
            if item.breached_at is None or now < item.breached_at + dt.timedelta(minutes=step.delay_minutes):
                continue
            _fire(ticket, item, key=step.key, stage=step.stage, roles=step.recipients, template="sla_breach",
                  kind=events.SLA_ESCALATED, now=now, report=report)
    schedule(item, steps)
    item.save(update_fields=["warned_at", "breached_at", "fired_steps", "next_check_at"])
    if item.breached_at is not None:
        count_breach(item, ticket)
    return False


def _miss_update(ticket: Ticket, item: SlaClock, now: dt.datetime, report: TickReport) -> bool:
    """No customer-visible update within the cadence: remind handler and owner, count it, start the next cycle."""
    item.breached_at = item.due_at
    item.status, item.stopped_at, item.next_check_at = ClockStatus.BREACHED, item.due_at, None
    report.breaches += 1
    _fire(ticket, item, key=REMINDER_KEY, stage=EscalationStage.BREACH,
          roles=[Recipient.ASSIGNEE, Recipient.OWNER], template="progress_reminder",
          kind=events.PROGRESS_REMINDER, now=now, report=report)
    item.save(update_fields=["breached_at", "status", "stopped_at", "next_check_at", "fired_steps"])
    count_breach(item, ticket)
    policy = policy_for(ticket)
    target = target_for(policy, item.metric, ticket.priority) if policy else None
    if policy is None or target is None:
        return True
    following = new_clock(ticket=ticket, rule=RULES_BY_METRIC[item.metric], policy=policy, target=target,
                          start=item.due_at, cycle=item.cycle + 1)
    schedule(following, [])
    following.save()
    return True


def tick(now: dt.datetime | None = None, *, limit: int = 10_000, batch: int = 200) -> TickReport:
    """Process up to ``limit`` due clocks, ``batch`` cases per transaction. Idempotent."""
    now = now or clock.now()
    report = TickReport()
    steps = active_steps()
    while report.clocks < limit:
        with transaction.atomic():
            due = list(
                SlaClock.objects.filter(next_check_at__lte=now).order_by("next_check_at")
                .values_list("pk", "ticket_id")[:batch]
            )
            if not due:
                break
            ticket_ids = sorted({ticket_id for _pk, ticket_id in due})
            tickets = {
                t.pk: t for t in Ticket.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("owner", "assignee", "department", "customer")
                .filter(pk__in=ticket_ids).order_by("pk")
            }
            report.skipped_locked += len(ticket_ids) - len(tickets)
            rolled: set[int] = set()
            clocks = (SlaClock.objects.filter(pk__in=[pk for pk, t in due if t in tickets], next_check_at__lte=now)
                      .select_related("calendar").order_by("next_check_at"))
            processed = 0
            for item in clocks:
                processed += 1
                if _process(tickets[item.ticket_id], item, steps, now, report):
                    rolled.add(item.ticket_id)
            if rolled:
                summarize_from_db(rolled)
        if processed == 0 or len(due) < batch:
            break
    if report.clocks:
        logger.info("sla tick: %s", report)
    return report
