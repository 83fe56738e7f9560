"""SLA clocks follow the case: ``sla_sync`` runs inside every lifecycle write.

The lifecycle services call ``sla_sync(ticket)`` after they save the case, in
the same transaction and under the same row lock, so the clocks always agree
with the case's timestamps. Nothing here moves the case or bumps its version:
the SLA summary fields on the case are written with a plain UPDATE.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from aftersales.core import calendars as maths
from aftersales.core import clock
from aftersales.tickets import events
from aftersales.tickets.models import HoldReason, RiskFlag, Ticket, TicketEvent
from aftersales.tickets.states import State

from .calendars import working_calendar
from .configuration import active_policies, active_steps
from .models import (
    OPEN_CLOCK_STATUSES,
    ClockStatus,
    CustomerSegment,
    EscalationStage,
    EscalationStep,
    SlaBreach,
    SlaClock,
    SlaPolicy,
    SlaTarget,
)
from .rules import CADENCE_STATES, FINISHED_STATES, RULES, RULES_BY_METRIC, ClockRule

# ---------------------------------------------------------------- policies


def _segments(ticket: Ticket) -> set[str]:
    customer = ticket.customer
    found = {customer.customer_type}
    if customer.is_vip or RiskFlag.VIP in (ticket.risk_flags or []):
        found.add(CustomerSegment.VIP)
    return found


def policy_matches(policy: SlaPolicy, ticket: Ticket) -> bool:
    return (
        (not policy.match_priority or policy.match_priority == ticket.priority)
        and (not policy.match_category_id or policy.match_category_id == ticket.category_id)
        and (not policy.match_segment or policy.match_segment in _segments(ticket))
        and (not policy.match_channel or policy.match_channel == ticket.channel)
    )


def policy_for(ticket: Ticket, policies: Sequence[SlaPolicy] | None = None) -> SlaPolicy | None:
    """The first active policy (by order) whose rules all match the case."""
    for policy in active_policies() if policies is None else policies:
        if policy_matches(policy, ticket):
            return policy
    return None


def target_for(policy: SlaPolicy, metric: str, priority: str) -> SlaTarget | None:
    """The priority's own row, else the policy's row for every priority, else none (not measured)."""
    fallback = None
    for target in policy.targets.all():
        if target.metric != metric:
            continue
        if priority and target.priority == priority:
            return target
        if not target.priority:
            fallback = target
    return fallback


# ---------------------------------------------------------------- clock arithmetic


def _plan_deadlines(item: SlaClock) -> None:
    calendar = working_calendar(item.calendar)
    paused = dt.timedelta(seconds=item.paused_business_seconds)
    target = dt.timedelta(minutes=item.target_minutes)
    item.due_at = maths.add(calendar, item.started_at, target + paused)
    item.warn_at = maths.add(calendar, item.started_at, target * item.warn_percent / 100 + paused)


def schedule(item: SlaClock, steps: Iterable[EscalationStep]) -> None:
    """Set ``next_check_at``: the earliest moment the tick has something to do on this clock."""
    if item.status != ClockStatus.RUNNING:
        item.next_check_at = None
        return
    moments = []
    if item.breached_at is None:
        moments.append(item.due_at)
    rule = RULES_BY_METRIC.get(item.metric)
    if rule is None or not rule.cadence:
        if item.breached_at is None and item.warned_at is None:
            moments.append(item.warn_at)
        fired = set(item.fired_steps)
        for step in steps:
            if step.key in fired or not step.applies_to(item):
                continue
            if step.stage == EscalationStage.WARNING and item.breached_at is None:
                moments.append(item.warn_at + dt.timedelta(minutes=step.delay_minutes))
            elif step.stage == EscalationStage.BREACH:
                moments.append((item.breached_at or item.due_at) + dt.timedelta(minutes=step.delay_minutes))
    item.next_check_at = min(moments) if moments else None


def breach_row(item: SlaClock, ticket: Ticket) -> SlaBreach:
    """The analytics row of a breached clock: by clock, department and responsible person."""
    rule = RULES_BY_METRIC.get(item.metric)
    person_id = None
    if rule is not None and rule.responsible == "owner":
        person_id = ticket.owner_id
    elif rule is not None and rule.responsible == "assignee":
        person_id = ticket.assignee_id
    department_id = ticket.department_id or getattr(ticket.owner, "department_id", None)
    return SlaBreach(clock=item, ticket_id=ticket.pk, metric=item.metric, priority=item.priority,
                     department_id=department_id, person_id=person_id,
                     breached_at=item.breached_at or item.due_at)


def count_breach(item: SlaClock, ticket: Ticket) -> None:
    """Count a breach once per clock (the one-to-one row is the guard)."""
    SlaBreach.objects.bulk_create([breach_row(item, ticket)], ignore_conflicts=True)


def _stop(item: SlaClock, ticket: Ticket, at: dt.datetime) -> None:
    if item.status == ClockStatus.PAUSED:
        _resume(item, at)
    item.stopped_at = at
    item.next_check_at = None
    if at > item.due_at:
        item.status = ClockStatus.BREACHED
        if item.breached_at is None:
            item.breached_at = item.due_at
            if item.pk is not None:  # a clock created late is counted once it is saved
                count_breach(item, ticket)
    else:
        item.status = ClockStatus.MET


def _cancel(item: SlaClock, at: dt.datetime) -> None:
    if item.status == ClockStatus.PAUSED:
        _resume(item, at)
    item.status, item.stopped_at, item.next_check_at = ClockStatus.CANCELLED, at, None


def _pause(item: SlaClock, at: dt.datetime) -> None:
    item.status, item.paused_at, item.next_check_at = ClockStatus.PAUSED, at, None


def _resume(item: SlaClock, at: dt.datetime) -> None:
    """Push the deadline by exactly the working time the pause lasted."""
    if item.paused_at is not None and at > item.paused_at:
        calendar = working_calendar(item.calendar)
        item.paused_business_seconds += maths.elapsed(calendar, item.paused_at, at).total_seconds()
        item.paused_seconds += int((at - item.paused_at).total_seconds())
    item.paused_at = None
    item.status = ClockStatus.RUNNING
    _plan_deadlines(item)


def _should_pause(ticket: Ticket, policy: SlaPolicy) -> bool:
    if ticket.state != State.ON_HOLD:
        return False
    if ticket.hold_reason == HoldReason.CUSTOMER:
        return policy.pause_waiting_on_customer
    if ticket.hold_reason == HoldReason.PARTS:
        return policy.pause_waiting_on_parts
    return False


def new_clock(*, ticket: Ticket, rule: ClockRule, policy: SlaPolicy, target: SlaTarget, start: dt.datetime,
              cycle: int) -> SlaClock:
    item = SlaClock(
        ticket=ticket, metric=rule.metric, cycle=cycle, policy=policy, calendar=target.calendar or policy.calendar,
        priority=ticket.priority, target_minutes=target.minutes, warn_percent=policy.warn_percent,
        started_at=start, status=ClockStatus.RUNNING,
    )
    _plan_deadlines(item)
    return item


# ---------------------------------------------------------------- the sync


@dataclass
class _Sync:
    ticket: Ticket
    policy: SlaPolicy
    now: dt.datetime
    steps: list[EscalationStep]
    latest: dict[str, SlaClock]
    dirty: list[SlaClock]
    created: list[SlaClock]
    replans: list[dict]

    def start(self, rule: ClockRule, target: SlaTarget, start: dt.datetime) -> SlaClock:
        previous = self.latest.get(rule.metric)
        item = new_clock(ticket=self.ticket, rule=rule, policy=self.policy, target=target, start=start,
                         cycle=previous.cycle + 1 if previous else 1)
        self.latest[rule.metric] = item
        self.created.append(item)
        return item

    def touch(self, item: SlaClock) -> None:
        if item.pk is not None and item not in self.dirty:
            self.dirty.append(item)


def sla_sync(ticket: Ticket, *, now: dt.datetime | None = None) -> list[SlaClock]:
    """Start, stop, pause, resume and re-plan the case's clocks to match its state and timestamps.

    Idempotent: running it twice changes nothing the second time. Returns the open clocks.
    """
    now = now or clock.now()
    policy = policy_for(ticket)
    clocks = list(SlaClock.objects.filter(ticket=ticket).select_related("calendar").order_by("metric", "cycle"))
    latest: dict[str, SlaClock] = {}
    for item in clocks:
        latest[item.metric] = item
    if policy is None:
        open_clocks = [c for c in latest.values() if c.is_open]
        for item in open_clocks:
            _cancel(item, now)
            item.save()
        _summarize(ticket, [])
        return []
    state = _Sync(ticket=ticket, policy=policy, now=now, steps=active_steps(), latest=latest, dirty=[],
                  created=[], replans=[])
    for rule in RULES:
        if rule.cadence:
            _sync_cadence(state, rule)
        else:
            _sync_deadline(state, rule)
    pause = _should_pause(ticket, policy)
    for item in state.latest.values():
        if item.status == ClockStatus.RUNNING and pause:
            # Never before the clock began: a cycle started by a reply *during* the hold would
            # otherwise count the part of the hold before it as its own pause, and be pushed too far.
            _pause(item, max(ticket.hold_started_at or now, item.started_at))
            state.touch(item)
        elif item.status == ClockStatus.PAUSED and not pause:
            _resume(item, now)
            state.touch(item)
    for item in [*state.dirty, *state.created]:
        schedule(item, state.steps)
    if state.created:
        SlaClock.objects.bulk_create(state.created)
    for item in state.dirty:
        item.save()
    for item in state.created:  # started already late (a backdated first contact): counted at once
        if item.status == ClockStatus.BREACHED and item.breached_at:
            count_breach(item, ticket)
    if state.replans:
        TicketEvent.objects.create(ticket=ticket, kind=events.SLA_REPLANNED, is_internal=True, created_at=now,
                                   data={"clocks": state.replans, "priority": ticket.priority})
    open_clocks = [c for c in state.latest.values() if c.is_open]
    _summarize(ticket, open_clocks)
    return open_clocks


def _sync_deadline(state: _Sync, rule: ClockRule) -> None:
    ticket, now = state.ticket, state.now
    start = getattr(ticket, rule.start_field)
    stop = getattr(ticket, rule.stop_field)
    if stop is not None and start is not None and stop < start:
        stop = None  # belongs to an earlier cycle
    item = state.latest.get(rule.metric)
    finished = ticket.state in FINISHED_STATES
    target = None
    if start is not None and (ticket.priority or not rule.needs_priority):
        target = target_for(state.policy, rule.metric, ticket.priority)
    if item is not None and item.is_open:
        if start is None or item.started_at != start or target is None:
            _cancel(item, now)  # the start moved (a new cycle follows) or the policy stopped measuring it
            state.touch(item)
        elif stop is not None:
            _stop(item, ticket, stop)
            state.touch(item)
            return
        elif finished:
            _cancel(item, now)
            state.touch(item)
            return
        else:
            _replan_if_changed(state, item, target)
            return
    if start is None or target is None or finished:
        return
    if item is not None and item.started_at == start:
        return  # this cycle already ran
    created = state.start(rule, target, start)
    if stop is not None:
        _stop(created, ticket, stop)
    elif now > created.due_at:
        # Started already late (e.g. a first contact recorded hours after the fact): the tick
        # escalates it on its next pass, like any other overdue clock.
        pass


def _sync_cadence(state: _Sync, rule: ClockRule) -> None:
    ticket, now = state.ticket, state.now
    item = state.latest.get(rule.metric)
    active = ticket.state in CADENCE_STATES and ticket.assigned_at is not None and bool(ticket.priority)
    target = target_for(state.policy, rule.metric, ticket.priority) if active else None
    anchor = None
    if ticket.assigned_at is not None:
        anchor = max(ticket.assigned_at, ticket.last_public_update_at or ticket.assigned_at)
    if item is not None and item.is_open:
        if not active or target is None:
            _stop(item, ticket, now)
            state.touch(item)
            return
        if anchor is not None and anchor > item.started_at:
            _stop(item, ticket, anchor)  # the customer heard from us: this cycle is over
            state.touch(item)
        else:
            _replan_if_changed(state, item, target)
            return
    elif item is not None and anchor is not None:
        # The work comes back to a department (a dispute after feedback, a re-dispatch): the customer
        # is owed news from now on. Counting from the last update, given before the case left, would
        # start a cycle that is already overdue and remind (and count a missed update) at every tick
        # for time the customer had the ball.
        anchor = max(anchor, now)
    if not active or target is None or anchor is None:
        return
    if item is not None and anchor <= item.started_at:
        return
    state.start(rule, target, anchor)


def _replan_if_changed(state: _Sync, item: SlaClock, target: SlaTarget) -> None:
    calendar = target.calendar or state.policy.calendar
    if (item.target_minutes == target.minutes and item.calendar_id == calendar.pk
            and item.policy_id == state.policy.pk and item.warn_percent == state.policy.warn_percent):
        return
    before_due, before_priority, before_minutes = item.due_at, item.priority, item.target_minutes
    item.policy, item.calendar, item.priority = state.policy, calendar, state.ticket.priority
    item.target_minutes, item.warn_percent = target.minutes, state.policy.warn_percent
    _plan_deadlines(item)
    state.touch(item)
    state.replans.append({
        "metric": item.metric, "reason": "priority" if before_priority != item.priority else "policy",
        "priority_before": before_priority, "priority_after": item.priority,
        "minutes_before": before_minutes, "minutes_after": item.target_minutes,
        "due_before": before_due.isoformat(), "due_after": item.due_at.isoformat(),
        "policy": state.policy.code,
    })


def _summarize(ticket: Ticket, open_clocks: Sequence[SlaClock]) -> None:
    """Keep the nearest running deadline on the case row, for lists, sorting and filters."""
    running = [c for c in open_clocks if c.status == ClockStatus.RUNNING]
    nearest = min(running, key=lambda c: c.due_at) if running else None
    due, warn = (nearest.due_at, nearest.warn_at) if nearest else (None, None)
    paused = not running and any(c.status == ClockStatus.PAUSED for c in open_clocks)
    if (ticket.sla_due_at, ticket.sla_warn_at, ticket.sla_paused) == (due, warn, paused):
        return
    ticket.sla_due_at, ticket.sla_warn_at, ticket.sla_paused = due, warn, paused
    Ticket.objects.filter(pk=ticket.pk).update(sla_due_at=due, sla_warn_at=warn, sla_paused=paused)


def summarize_from_db(ticket_ids: Iterable[int]) -> None:
    """Recompute the case rows' nearest deadline from their clocks (after the tick rolls a cycle)."""
    ids = list(ticket_ids)
    open_by_ticket: dict[int, list[SlaClock]] = {pk: [] for pk in ids}
    for item in SlaClock.objects.filter(ticket_id__in=ids, status__in=OPEN_CLOCK_STATUSES):
        open_by_ticket[item.ticket_id].append(item)
    for ticket in Ticket.objects.filter(pk__in=ids).only("pk", "sla_due_at", "sla_warn_at", "sla_paused"):
        _summarize(ticket, open_by_ticket[ticket.pk])


def reschedule_open_clocks() -> int:
    """Re-plan ``next_check_at`` of every running clock after the escalation chain changed.

    The tick reads the chain afresh each time, but it only wakes a clock at the
    moment ``schedule`` planned with the chain of that day: a step added (or made
    earlier) in the admin would otherwise wait for a clock's old moment, or never
    come for a clock with nothing left to do. Returns how many clocks moved.
    """
    steps = active_steps()
    changed = []
    running = SlaClock.objects.filter(status=ClockStatus.RUNNING).only(
        "pk", "metric", "priority", "status", "due_at", "warn_at", "warned_at", "breached_at", "fired_steps",
        "next_check_at")
    for item in running.iterator(chunk_size=2000):
        before = item.next_check_at
        schedule(item, steps)
        if item.next_check_at != before:
            changed.append(item)
    SlaClock.objects.bulk_update(changed, ["next_check_at"], batch_size=500)
    return len(changed)
