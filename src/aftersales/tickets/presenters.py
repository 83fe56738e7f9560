"""Turn dossier rows (codes, never translated text) into what the console shows.

Display only: labels for codes, short summaries of an event's data. Lookups of
categories, departments and people are batched so a long dossier costs a fixed
number of queries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from aftersales.accounts.models import Department, User
from aftersales.core.clock import SHANGHAI
from aftersales.core.i18n import pick
from aftersales.resolutions.models import PlanKind, RepairMode
from aftersales.sla.presenters import metric_label, span

from . import events
from .models import Attachment, Category, Channel, Demand, HoldReason, Priority, Responsibility, RiskFlag
from .models import TicketEvent as Event
from .states import State

APPROVAL_REASONS = {
    "p1_plan": lambda: _("P1 case: the department head approves"),
    "over_authority": lambda: _("Compensation above the proposer's authority"),
}
# Events of the SLA tick that told people something (data["recipients"] are usernames).
SLA_NOTIFYING = frozenset({events.SLA_WARNING, events.SLA_ESCALATED, events.PROGRESS_REMINDER})
REPLAN_REASONS = {
    "priority": lambda: _("priority changed"),
    "policy": lambda: _("service level policy changed"),
}


def choice_label(choices: type, value: str | None) -> str:
    if not value:
        return ""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def state_label(value: str) -> str:
    return choice_label(State, value)


def approval_reason_labels(reasons: list[str]) -> list[str]:
    return [APPROVAL_REASONS[r]() if r in APPROVAL_REASONS else r for r in reasons or []]


def risk_flag_labels(flags: list[str]) -> list[str]:
    return [choice_label(RiskFlag, f) for f in flags or []]


def money(value: Any) -> str:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, TypeError):
        return str(value)
    return f"¥{amount:,.2f}"


def duration(seconds: int) -> str:
    minutes = max(int(seconds or 0), 0) // 60
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return _("{d} d {h} h").format(d=days, h=hours)
    if hours:
        return _("{h} h {m} min").format(h=hours, m=minutes)
    return _("{m} min").format(m=minutes)


@dataclass
class TimelineItem:
    event: Event
    label: str
    details: list[tuple[str, str]] = field(default_factory=list)
    from_label: str = ""
    to_label: str = ""
    attachments: list[Attachment] = field(default_factory=list)

    @property
    def is_internal_note(self) -> bool:
        return self.event.kind == events.NOTE


class _Names:
    """Batched code → label lookups for one timeline."""

    def __init__(self, rows: list[Event]) -> None:
        categories: set[str] = set()
        departments: set[str] = set()
        users: set[str] = set()
        for row in rows:
            data = row.data or {}
            for part in (data, data.get("before") or {}, data.get("after") or {}):
                if not isinstance(part, dict):
                    continue
                categories.update(v for k in ("category", "subcategory") if (v := part.get(k)))
                if v := part.get("department"):
                    departments.add(v)
                if v := part.get("assignee"):
                    users.add(v)
            if row.kind == events.OWNER_TRANSFERRED:
                users.update(v for v in (data.get("before"), data.get("after")) if isinstance(v, str))
            if row.kind in SLA_NOTIFYING and isinstance(data.get("recipients"), list):
                users.update(v for v in data["recipients"] if isinstance(v, str))
        self.categories = {c.code: c.label for c in Category.objects.filter(code__in=categories)} if categories else {}
        self.departments = ({d.code: d.label for d in Department.objects.filter(code__in=departments)}
                            if departments else {})
        self.users = {u.username: u.label for u in User.objects.filter(username__in=users)} if users else {}

    def category(self, code: str | None) -> str:
        return self.categories.get(code or "", code or "")

    def department(self, code: str | None) -> str:
        return self.departments.get(code or "", code or "")

    def user(self, username: str | None) -> str:
        return self.users.get(username or "", username or "")

    def classification(self, part: dict[str, Any]) -> str:
        text = self.category(part.get("category")) or "—"
        if part.get("subcategory"):
            text += " / " + self.category(part["subcategory"])
        return text

    def placement(self, part: dict[str, Any]) -> str:
        text = self.department(part.get("department")) or "—"
        if part.get("assignee"):
            text += " · " + self.user(part["assignee"])
        return text


def _details(row: Event, names: _Names) -> list[tuple[str, str]]:
    data = row.data or {}
    kind = row.kind
    out: list[tuple[str, str]] = []
    if kind in {events.REGISTERED, events.CREATED}:
        out += [(_("Channel"), choice_label(Channel, data.get("channel"))),
                (_("Demand"), choice_label(Demand, data.get("demand")))]
    elif kind in {events.CLASSIFIED, events.RECLASSIFIED}:
        before, after = data.get("before") or {}, data.get("after") or {}
        if kind == events.RECLASSIFIED and before.get("category"):
            out.append((_("Category"), f"{names.classification(before)} → {names.classification(after)}"))
        else:
            out.append((_("Category"), names.classification(after)))
        priority = choice_label(Priority, after.get("priority"))
        if kind == events.RECLASSIFIED and before.get("priority") and before.get("priority") != after.get("priority"):
            priority = f"{choice_label(Priority, before.get('priority'))} → {priority}"
        out.append((_("Priority"), priority))
        if data.get("auto_accepted"):
            out.append((_("Decided by"), _("the system (confident suggestion, auto-accept on)")))
    elif kind == events.TRIAGE_SUGGESTED:
        out.append((_("Category"), names.classification(data)))
        out.append((_("Priority"), choice_label(Priority, data.get("priority"))))
        out.append((_("Demand"), choice_label(Demand, data.get("demand"))))
        if data.get("flags"):
            out.append((_("Risk flags"), "、".join(choice_label(RiskFlag, f) for f in data["flags"])))
        reasons = [pick(r.get("zh", ""), r.get("en", "")) for r in data.get("reasons") or [] if isinstance(r, dict)]
        out.append((_("Why"), "；".join(reasons)))
    elif kind == events.ASSIGNED:
        out.append((_("Department"), names.department(data.get("department"))))
        if data.get("assignee"):
            out.append((_("Handler"), names.user(data["assignee"])))
        if data.get("queue"):
            out.append((_("Queue"), data["queue"]))
        out += _dispatch_details(data)
    elif kind == events.TRANSFERRED:
        out.append((_("Department / handler"), f"{names.placement(data.get('before') or {})} → "
                                    f"{names.placement(data.get('after') or {})}"))
        if data.get("counted"):
            out.append((_("Transfers"), str(data.get("transfer_count", ""))))
    elif kind == events.OWNER_TRANSFERRED:
        out.append((_("Owner"), f"{names.user(data.get('before'))} → {names.user(data.get('after'))}"))
        out.append((_("Transfers"), str(data.get("transfer_count", ""))))
    elif kind == events.TRANSFER_FLAGGED:
        out.append((_("Transfers"), _("{count} (more than {threshold})").format(
            count=data.get("transfer_count"), threshold=data.get("threshold"))))
    elif kind == events.PLAN_PROPOSED:
        kind_label = choice_label(PlanKind, data.get("kind"))
        if data.get("repair_mode"):
            kind_label += " · " + choice_label(RepairMode, data["repair_mode"])
        out.append((_("Plan"), kind_label))
        if data.get("cost") and Decimal(str(data["cost"])) > 0:
            out.append((_("Cost"), money(data["cost"])))
        if data.get("compensation_amount") and Decimal(str(data["compensation_amount"])) > 0:
            out.append((_("Compensation"), money(data["compensation_amount"])))
        out.append((_("Responsible department"), names.department(data.get("department"))))
        if data.get("due_at"):
            out.append((_("Due"), _local(data["due_at"])))
        if data.get("approval_reasons"):
            out.append((_("Needs approval"), "；".join(approval_reason_labels(data["approval_reasons"]))))
    elif kind == events.ON_HOLD:
        out.append((_("Hold reason"), choice_label(HoldReason, data.get("hold_reason"))))
    elif kind == events.RESUMED:
        out.append((_("Paused for"), duration(data.get("paused_seconds", 0))))
    elif kind == events.RESOLVED and data.get("responsibility"):
        out.append((_("Responsibility"), choice_label(Responsibility, data["responsibility"])))
    elif kind == events.REOPENED:
        out.append((_("Times reopened"), str(data.get("reopen_count", ""))))
    elif kind == events.ATTACHMENT_ADDED:
        out.append((_("Files"), str(data.get("count", ""))))
    elif kind == events.SLA_REPLANNED:
        out += _replan_details(data)
    elif kind in SLA_NOTIFYING or kind == events.SLA_BREACHED:
        out.append((_("Clock"), _metric(data.get("metric"), data.get("cycle"))))
        if data.get("due_at"):
            out.append((_("Due at"), _local(data["due_at"])))
            out.append(_when(row, data["due_at"]))
        if kind in SLA_NOTIFYING:
            people = [names.user(u) for u in data.get("recipients") or [] if isinstance(u, str)]
            out.append((_("Notified"), pgettext("list separator", ", ").join(people) if people
                        else _("nobody (no one holds the role)")))
    return [(label, value) for label, value in out if value]



def _dispatch_details(data: dict[str, Any]) -> list[tuple[str, str]]:
    """How the assignment was decided: the routing rule (or an override) and who picked the handler."""
    out = []
    routing, assignment = data.get("routing") or {}, data.get("assignment") or {}
    rule = pick(routing.get("rule_name", ""), routing.get("rule_name_en", "")) or routing.get("rule") or "—"
    if routing.get("override"):
        out.append((_("Routing"), _("the supervisor overrode rule “{rule}”").format(rule=rule)))
    elif routing.get("rule"):
        out.append((_("Routing"), _("rule “{rule}”").format(rule=rule)))
    if routing.get("priority"):
        change = routing["priority"]
        out.append((_("Priority"), f"{change.get('before') or '—'} → {change.get('after')}"))
    by = assignment.get("by")
    if by == "auto":
        out.append((_("Picked"), _("automatically: load {load}/{cap}, {eligible} of {candidates} eligible").format(
            load=assignment.get("load", "?"), cap=assignment.get("cap", "?"), eligible=assignment.get("eligible", "?"),
            candidates=assignment.get("candidates", "?"))))
    elif by == "queue" and "candidates" in assignment:
        out.append((_("Picked"), _("nobody eligible now: waits in the department's queue")))
    return out


def _metric(code: str | None, cycle: Any = None) -> str:
    if not code:
        return ""
    label = metric_label(code)
    if isinstance(cycle, int) and cycle > 1:
        label = _("{metric} (round {cycle})").format(metric=label, cycle=cycle)
    return label


def _when(row: Event, due: str) -> tuple[str, str]:
    """How far from the deadline the event happened: time left at a warning, overdue after."""
    try:
        moment = dt.datetime.fromisoformat(due)
    except ValueError:
        return ("", "")
    gap = (row.created_at - moment).total_seconds()
    if gap >= 60:
        return (_("Overdue by"), span(gap))
    if gap <= -60:
        return (_("Time left"), span(-gap))
    return ("", "")


def _replan_details(data: dict[str, Any]) -> list[tuple[str, str]]:
    """Each re-planned clock: old → new due and limit; the priority change once."""
    out: list[tuple[str, str]] = []
    clocks = [c for c in data.get("clocks") or [] if isinstance(c, dict)]
    before = next((c.get("priority_before") for c in clocks if c.get("priority_before")), "")
    after = data.get("priority") or next((c.get("priority_after") for c in clocks if c.get("priority_after")), "")
    if before and after and before != after:
        out.append((_("Priority"), f"{choice_label(Priority, before)} → {choice_label(Priority, after)}"))
    reasons = {c.get("reason") for c in clocks}
    if reasons:
        out.append((_("Reason"), "；".join(REPLAN_REASONS[r]() if r in REPLAN_REASONS else str(r)
                                         for r in sorted(x for x in reasons if x))))
    for item in clocks:
        text = f"{_local(item.get('due_before', ''))} → {_local(item.get('due_after', ''))}"
        minutes_before, minutes_after = item.get("minutes_before"), item.get("minutes_after")
        if isinstance(minutes_before, int) and isinstance(minutes_after, int) and minutes_before != minutes_after:
            text += " " + _("(limit {before} → {after})").format(before=span(minutes_before * 60),
                                                                  after=span(minutes_after * 60))
        out.append((_metric(item.get("metric")), text))
    return out


def _local(value: str) -> str:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def timeline(rows: list[Event]) -> list[TimelineItem]:
    names = _Names(rows)
    return [
        TimelineItem(
            event=row, label=events.label(row.kind), details=_details(row, names),
            from_label=state_label(row.from_state), to_label=state_label(row.to_state),
            attachments=list(row.attachments.all()),
        )
        for row in rows
    ]
