"""Reads for the rules page: who may open it, the rules in the order they apply, and the
dry run (routing trace, assignment preview, triage suggestion). Nothing here writes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from aftersales.accounts.models import Department, User
from aftersales.accounts.roles import Role
from aftersales.catalog.models import ProductModel
from aftersales.tickets.models import Category, Ticket
from aftersales.tickets.selectors import ticket_get_for_viewer

from . import engine, routing, seeds, services
from .configuration import settings as triage_settings
from .models import RoutingRule, TriageRule, TriageSettings

RULES_ROLES = frozenset({Role.SUPERVISOR, Role.DEPARTMENT_HEAD, Role.ADMIN, Role.AUDITOR})


def can_see_rules(user: User) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.role in RULES_ROLES))


def can_edit_rules(user: User) -> bool:
    """Edit links lead to the Django admin: only administrators who may change the rules there."""
    return bool(user.is_authenticated and user.is_admin_role and user.is_staff
                and user.has_perm("triage.change_routingrule"))


def routing_rules() -> tuple[list[RoutingRule], list[RoutingRule]]:
    """(the rules routing evaluates, in its order; the others — inactive or in an inactive department)."""
    active = routing.active_rules()
    ids = [r.pk for r in active]
    others = list(RoutingRule.objects.exclude(pk__in=ids).select_related("department")
                  .prefetch_related("notify_users").order_by("order", "code"))
    return active, others


def triage_rules() -> list[TriageRule]:
    return list(TriageRule.objects.order_by("-is_active", "order", "code"))


def current_settings() -> TriageSettings:
    return triage_settings()


def categories() -> list[Category]:
    """Every category, parents first then their children: the labels of rule conditions (inactive ones
    too, a rule may still name one) and the dry-run form's selects (active ones)."""
    rows = list(Category.objects.select_related("parent").order_by("sort_order", "code"))
    parents = [c for c in rows if c.parent_id is None]
    return [item for p in parents for item in (p, *(c for c in rows if c.parent_id == p.pk))]


def product_lines() -> list[str]:
    return list(ProductModel.objects.exclude(product_line="").order_by("product_line")
                .values_list("product_line", flat=True).distinct())


def case_for_dry_run(*, viewer: User, number: str) -> Ticket:
    """The case the viewer may see (raises ``TicketNotFound`` otherwise, invisible or unknown alike)."""
    return ticket_get_for_viewer(viewer=viewer, number=number)


def department_heads(department: Department) -> list[User]:
    return list(User.objects.filter(department=department, role=Role.DEPARTMENT_HEAD, is_active=True)
                .order_by("username"))


@dataclass
class DryRun:
    facts: routing.Facts
    decision: routing.Decision
    pick: routing.Pick | None
    notified: list[User]
    auto_assign: bool
    suggestion: engine.Suggestion | None
    facts_from_suggestion: bool = False


def dry_run(*, facts: routing.Facts, text: str, now: dt.datetime,
            rules: list[RoutingRule] | None = None) -> DryRun:
    """What routing, assignment and triage would do with these facts now — without doing it.

    Without a category or priority, a text fills them from its suggestion (what would happen
    to a new case saying this).
    """
    suggestion = None
    from_suggestion = False
    if text.strip():
        suggestion = services.triage_text(text=text, customer_type=facts.customer_type or "individual",
                                          channel=facts.channel)
        if not (facts.category or facts.subcategory or facts.priority):
            facts = dataclasses.replace(facts, category=suggestion.category, subcategory=suggestion.subcategory,
                                        priority=suggestion.priority)
            from_suggestion = True
    decision = routing.route(facts, rules, full_trace=True)
    rule, pick, notified = decision.rule, None, []
    if rule is not None:
        # Dispatch applies the rule's priority before it picks, so the case weighs what it will weigh.
        pick_facts = dataclasses.replace(facts, priority=rule.set_priority) if rule.set_priority else facts
        pick = routing.pick_handler(department=rule.department, facts=pick_facts, now=now)
        notified = [u for u in rule.notify_users.all() if u.is_active]
        if rule.notify_head:
            notified += [u for u in department_heads(rule.department) if u not in notified]
    return DryRun(facts=facts, decision=decision, pick=pick, notified=notified,
                  auto_assign=triage_settings().auto_assign, suggestion=suggestion,
                  facts_from_suggestion=from_suggestion)


@dataclass(frozen=True)
class MissingDefaults:
    rule: TriageRule
    terms: list[str]


def rules_missing_default_terms(rules: Iterable[TriageRule]) -> list[MissingDefaults]:
    """For each rule, the shipped terms it lacks: a newer release's vocabulary, or terms an administrator removed."""
    found = []
    for rule in rules:
        have = set(rule.terms)
        missing = [term for term in seeds.default_terms(rule.code) if term not in have]
        found.append(MissingDefaults(rule=rule, terms=missing))
    return found
