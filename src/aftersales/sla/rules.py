"""Which case timestamps start and stop each clock (SPEC §3). No ORM here.

A clock counts from its start field to its stop field on the case. A stop that is
older than the start belongs to an earlier cycle (a dispute, a reassignment) and
does not stop the new one. The progress-update clock is a cadence: it runs while
the work is in a department and restarts at every customer-visible update.
The survey and callback clocks are started by the surveys module, not from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from aftersales.tickets.states import State

from .models import Metric


@dataclass(frozen=True)
class ClockRule:
    metric: str
    start_field: str = ""
    stop_field: str = ""
    responsible: str = ""  # "owner" or "assignee": whose breach it is in the counts
    needs_priority: bool = False
    cadence: bool = False


RULES: tuple[ClockRule, ...] = (
    ClockRule(Metric.FIRST_RESPONSE, "first_contact_at", "first_response_at", "owner"),
    ClockRule(Metric.REGISTRATION, "first_contact_at", "registered_at", "owner"),
    ClockRule(Metric.CLASSIFICATION, "registered_at", "classified_at"),
    # "P1 starts within 4 h" counts from intake; the limit is known once the priority is.
    ClockRule(Metric.HANDLING_START, "registered_at", "handling_started_at", "assignee", needs_priority=True),
    ClockRule(Metric.PLAN, "assigned_at", "plan_proposed_at", "assignee"),
    ClockRule(Metric.INITIAL_PLAN, "first_contact_at", "plan_offered_at", "owner"),
    ClockRule(Metric.PROGRESS_UPDATE, responsible="assignee", needs_priority=True, cadence=True),
    ClockRule(Metric.FEEDBACK, "resolved_at", "fed_back_at", "owner"),
    ClockRule(Metric.CLOSED_LOOP, "first_contact_at", "closed_at", "owner"),
)
RULES_BY_METRIC = {rule.metric: rule for rule in RULES}

# While the work sits in a department the customer is owed regular news.
CADENCE_STATES = frozenset({
    State.ASSIGNED, State.AWAITING_APPROVAL, State.PLAN_PROPOSED, State.AWAITING_CUSTOMER,
    State.IN_PROGRESS, State.ON_HOLD,
})
FINISHED_STATES = frozenset({State.CLOSED, State.ARCHIVED})
