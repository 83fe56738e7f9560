"""Routing (which department) and assignment (which handler). Reads only; the writes
happen in ``tickets.services.ticket_assign``, under the case's lock.

``route`` evaluates the active rules in order and stops at the first whose every
condition holds; ``pick_handler`` chooses, inside a department, the handler who has
the skill, is on shift, is not absent, stays under their cap, and carries the least
weighted open load — ties go to whoever was assigned longest ago (round robin).
Both return a full trace, so the rules page can show why ("dry run").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils.translation import gettext as _

from aftersales.accounts.models import Department, User
from aftersales.accounts.roles import Role
from aftersales.sla.calendars import working_calendar
from aftersales.tickets.models import Ticket
from aftersales.tickets.states import State

from .configuration import settings as triage_settings
from .models import DepartmentShift, HandlerProfile, RoutingRule

# Who may receive a case automatically: people who work cases, not those who supervise or audit them.
AUTO_ASSIGNABLE_ROLES = (Role.HANDLER, Role.ENGINEER, Role.AGENT)
# A case weighs on its handler from assignment until the customer has the result.
LOAD_STATES = (State.ASSIGNED, State.AWAITING_APPROVAL, State.PLAN_PROPOSED, State.AWAITING_CUSTOMER,
               State.IN_PROGRESS, State.ON_HOLD, State.RESOLVED, State.REOPENED)


@dataclass(frozen=True)
class Facts:
    """What routing looks at, taken from a case or typed into the dry-run form."""

    category: str = ""
    subcategory: str = ""
    priority: str = ""
    product_line: str = ""
    customer_type: str = ""
    channel: str = ""
    region: str = ""

    @classmethod
    def of(cls, ticket: Ticket) -> Facts:
        return cls(
            category=ticket.category.code if ticket.category_id else "",
            subcategory=ticket.subcategory.code if ticket.subcategory_id else "",
            priority=ticket.priority,
            product_line=ticket.product_model.product_line if ticket.product_model_id else "",
            customer_type=ticket.customer.customer_type, channel=ticket.channel, region=ticket.customer.region,
        )


@dataclass(frozen=True)
class Check:
    field: str
    wanted: tuple[str, ...]
    actual: str
    ok: bool


@dataclass
class RuleTrace:
    rule: RoutingRule
    checks: list[Check]

    @property
    def matched(self) -> bool:
        return all(c.ok for c in self.checks)


@dataclass
class Decision:
    rule: RoutingRule | None
    traces: list[RuleTrace] = field(default_factory=list)

    @property
    def department(self) -> Department | None:
        return self.rule.department if self.rule else None


CONDITIONS = ("categories", "subcategories", "priorities", "product_lines", "customer_types", "channels", "regions")
_FACT_OF = {"categories": "category", "subcategories": "subcategory", "priorities": "priority",
            "product_lines": "product_line", "customer_types": "customer_type", "channels": "channel",
            "regions": "region"}


def _holds(condition: str, wanted: Sequence[str], actual: str) -> bool:
    if not wanted:
        return True
    if condition == "regions":
        # "华东" matches a customer in "华东·上海"; "上海" matches "上海市".
        return bool(actual) and any(w and (w in actual or actual in w) for w in wanted)
    return actual in wanted


def trace_rule(rule: RoutingRule, facts: Facts) -> RuleTrace:
    checks = []
    for condition in CONDITIONS:
        wanted = tuple(str(v) for v in (getattr(rule, condition) or ()))
        if wanted:
            actual = getattr(facts, _FACT_OF[condition])
            checks.append(Check(condition, wanted, actual, _holds(condition, wanted, actual)))
    return RuleTrace(rule, checks)


def active_rules() -> list[RoutingRule]:
    return list(RoutingRule.objects.filter(is_active=True, department__is_active=True)
                .select_related("department").prefetch_related("notify_users").order_by("order", "code"))


def route(facts: Facts, rules: Sequence[RoutingRule] | None = None, *, full_trace: bool = False) -> Decision:
    decision = Decision(rule=None)
    for rule in active_rules() if rules is None else rules:
        trace = trace_rule(rule, facts)
        decision.traces.append(trace)
        if trace.matched and decision.rule is None:
            decision.rule = rule
            if not full_trace:
                break
    return decision


# ---------------------------------------------------------------- assignment


@dataclass
class Candidate:
    user: User
    load: int
    cap: int
    has_skill: bool
    on_shift: bool
    absent: bool
    accepts: bool
    last_assigned_at: dt.datetime | None
    why_not: list[str] = field(default_factory=list)

    @property
    def eligible(self) -> bool:
        return not self.why_not


@dataclass
class Pick:
    handler: User | None
    candidates: list[Candidate]
    weight: int

    @property
    def reason(self) -> str:
        if self.handler is None:
            return _("Nobody in the department can take it now; it waits in the department's queue.")
        chosen = next(c for c in self.candidates if c.user.pk == self.handler.pk)
        return _("Has the skill, is on shift and carries the least load ({load}/{cap}).").format(
            load=chosen.load, cap=chosen.cap)


def weighted_loads(user_ids: Sequence[int]) -> dict[int, int]:
    current = triage_settings()
    loads: dict[int, int] = dict.fromkeys(user_ids, 0)
    rows = (Ticket.objects.filter(assignee_id__in=user_ids, state__in=LOAD_STATES)
            .values("assignee_id", "priority").annotate(n=Count("id")))
    for row in rows:
        loads[row["assignee_id"]] += row["n"] * current.weight(row["priority"])
    return loads


def _has_skill(profile: HandlerProfile | None, facts: Facts, skill_codes: dict[int, set[str]]) -> bool:
    if profile is None:
        return True
    codes = skill_codes.get(profile.pk, set())
    category_ok = not codes or bool(codes & {facts.category, facts.subcategory} - {""})
    lines = profile.product_lines or []
    line_ok = not lines or not facts.product_line or facts.product_line in lines
    return category_ok and line_ok


def department_members(department: Department) -> list[User]:
    return list(User.objects.filter(department=department, is_active=True, role__in=AUTO_ASSIGNABLE_ROLES)
                .order_by("username"))


def pick_handler(*, department: Department, facts: Facts, now: dt.datetime, lock: bool = False) -> Pick:
    """The handler auto-assignment would choose now, with every candidate's standing.

    With ``lock`` (inside the assigning transaction) the candidates' profile rows are
    locked first, so two cases assigned at once in one department see each other's load.
    """
    current = triage_settings()
    members = department_members(department)
    profiles_qs = HandlerProfile.objects.filter(user__in=members).prefetch_related("categories")
    if lock and members:
        HandlerProfile.objects.bulk_create([HandlerProfile(user=u) for u in members], ignore_conflicts=True)
        list(HandlerProfile.objects.select_for_update().filter(user__in=members).order_by("user_id")
             .values_list("pk", flat=True))
    profiles = {p.user_id: p for p in profiles_qs.select_related("calendar")}
    skill_codes = {p.pk: {c.code for c in p.categories.all()} for p in profiles.values()}
    shift = DepartmentShift.objects.filter(department=department).select_related("calendar").first()
    loads = weighted_loads([u.pk for u in members])
    weight = current.weight(facts.priority)
    candidates = []
    for user in members:
        profile = profiles.get(user.pk)
        calendar = (profile.calendar if profile and profile.calendar_id else None) or (shift.calendar if shift else None)
        on_shift = calendar is None or working_calendar(calendar).is_working_time(now)
        cap = (profile.max_load if profile and profile.max_load is not None else current.default_max_load)
        candidate = Candidate(
            user=user, load=loads.get(user.pk, 0), cap=cap, has_skill=_has_skill(profile, facts, skill_codes),
            on_shift=on_shift, absent=bool(profile and profile.is_absent(now)),
            accepts=profile.accepts_auto_assignment if profile else True,
            last_assigned_at=profile.last_assigned_at if profile else None,
        )
        if not candidate.accepts:
            candidate.why_not.append(_("takes no automatic assignments"))
        if candidate.absent:
            candidate.why_not.append(_("absent"))
        if not candidate.has_skill:
            candidate.why_not.append(_("lacks the skill"))
        if not candidate.on_shift:
            candidate.why_not.append(_("off shift"))
        if candidate.load + weight > candidate.cap:
            candidate.why_not.append(_("at the load cap"))
        candidates.append(candidate)
    eligible = [c for c in candidates if c.eligible]
    never = dt.datetime.min.replace(tzinfo=dt.UTC)
    eligible.sort(key=lambda c: (c.load, c.last_assigned_at or never, c.user.username))
    candidates.sort(key=lambda c: (not c.eligible, c.load, c.last_assigned_at or never, c.user.username))
    return Pick(handler=eligible[0].user if eligible else None, candidates=candidates, weight=weight)
