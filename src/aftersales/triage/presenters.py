"""What the rules page shows: rules, conditions and checks in words, candidates, the suggestion.

Display only, no queries: everything is built from rows a selector already read and
the label maps passed in (category codes → names).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from aftersales.accounts.models import User
from aftersales.core.i18n import pick
from aftersales.customers.models import CustomerType
from aftersales.tickets.models import Category, Channel, Demand, Priority, RiskFlag

from . import engine, routing
from .models import RoutingRule, TriageRule, TriageRuleKind, TriageSettings
from .selectors import DryRun

KEYWORDS_SHOWN = 6


def joined(items: Sequence[str]) -> str:
    """A list as the language writes it: 张工、李工 / Zhang, Li."""
    return pick("、", ", ").join(items)


def category_labels(categories: Sequence[Category]) -> dict[str, str]:
    return {c.code: c.label for c in categories}


def condition_label(condition: str) -> str:
    return {
        "categories": _("Category"), "subcategories": _("Subcategory"), "priorities": _("Priority"),
        "product_lines": capfirst(_("product line")), "customer_types": _("Customer type"),
        "channels": _("Channel"), "regions": capfirst(_("region")),
    }.get(condition, condition)


def value_label(condition: str, code: str, categories: dict[str, str]) -> str:
    """A condition's value as people say it: 技术故障 for technical_fault, 企业客户 for enterprise."""
    if condition in ("categories", "subcategories"):
        return categories.get(code, code)
    if condition == "customer_types":
        return str(dict(CustomerType.choices).get(code, code))
    if condition == "channels":
        return str(dict(Channel.choices).get(code, code))
    return code


def _values(condition: str, codes: Sequence[str], categories: dict[str, str]) -> str:
    return " / ".join(value_label(condition, c, categories) for c in codes)


@dataclass(frozen=True)
class Condition:
    label: str
    values: str


@dataclass(frozen=True)
class RuleRow:
    rule: RoutingRule
    conditions: list[Condition]
    actions: list[str]
    edit_url: str


def _admin_url(name: str, pk: int, can_edit: bool) -> str:
    return reverse(f"admin:triage_{name}_change", args=[pk]) if can_edit else ""


def rule_row(rule: RoutingRule, *, categories: dict[str, str], can_edit: bool) -> RuleRow:
    conditions = [Condition(condition_label(c), _values(c, getattr(rule, c) or [], categories))
                  for c in routing.CONDITIONS if getattr(rule, c)]
    actions = [_("To {department}").format(department=rule.department.label)]
    if rule.queue:
        actions.append(_("queue “{queue}”").format(queue=rule.queue))
    if rule.notify_head:
        actions.append(_("notify the department head"))
    people = [u.label for u in rule.notify_users.all()]
    if people:
        actions.append(_("also notify {people}").format(people=joined(people)))
    if rule.set_priority:
        actions.append(_("set priority to {priority}").format(priority=rule.set_priority))
    return RuleRow(rule, conditions, actions, _admin_url("routingrule", rule.pk, can_edit))


def rule_rows(rules: Sequence[RoutingRule], *, categories: dict[str, str], can_edit: bool) -> list[RuleRow]:
    return [rule_row(r, categories=categories, can_edit=can_edit) for r in rules]


@dataclass(frozen=True)
class TriageRuleRow:
    rule: TriageRule
    kind: str
    keyword_count: int
    keywords: list[str]
    customer_types: str
    flag: str
    edit_url: str


def triage_rule_rows(rules: Sequence[TriageRule], *, can_edit: bool) -> list[TriageRuleRow]:
    flags, kinds = dict(RiskFlag.choices), dict(TriageRuleKind.choices)
    return [
        TriageRuleRow(
            rule=r, kind=str(kinds.get(r.kind, r.kind)), keyword_count=len(r.terms), keywords=r.terms[:KEYWORDS_SHOWN],
            customer_types=_values("customer_types", r.customer_types or [], {}),
            flag=str(flags.get(r.add_flag, r.add_flag)) if r.add_flag else "",
            edit_url=_admin_url("triagerule", r.pk, can_edit),
        )
        for r in rules
    ]


@dataclass(frozen=True)
class SettingsSummary:
    auto_accept: bool
    threshold: str
    auto_assign: bool
    weights: list[tuple[str, int]]
    default_max_load: int
    edit_url: str


def settings_summary(current: TriageSettings, *, can_edit: bool) -> SettingsSummary:
    return SettingsSummary(
        auto_accept=current.auto_accept, threshold=percent(current.auto_accept_threshold),
        auto_assign=current.auto_assign,
        weights=[("P1", current.weight_p1), ("P2", current.weight_p2), ("P3", current.weight_p3)],
        default_max_load=current.default_max_load,
        edit_url=_admin_url("triagesettings", current.pk, can_edit),
    )


def percent(value: float | Decimal) -> str:
    return f"{float(value):.0%}"


# ---------------------------------------------------------------- the dry run


@dataclass(frozen=True)
class CheckRow:
    label: str
    wanted: str
    actual: str
    ok: bool

    @property
    def text(self) -> str:
        """分类：要 技术故障，实为 物流配送 — the ✓/✗ mark is the template's."""
        return _("{field}: wants {wanted}, is {actual}").format(field=self.label, wanted=self.wanted,
                                                                  actual=self.actual or "—")


@dataclass(frozen=True)
class TraceRow:
    row: RuleRow
    checks: list[CheckRow]
    matched: bool
    chosen: bool


@dataclass(frozen=True)
class CandidateRow:
    user: User
    has_skill: bool
    on_shift: bool
    absent: bool
    load: int
    cap: int
    eligible: bool
    why_not: str
    chosen: bool


@dataclass(frozen=True)
class SuggestionView:
    category: str
    subcategory: str
    priority: str
    priority_label: str
    demand: str
    flags: list[str]
    confidence: list[tuple[str, str]]
    overall: str
    reasons: list[str]


@dataclass
class DryRunView:
    facts: list[Condition]
    from_suggestion: bool
    traces: list[TraceRow]
    rule: RuleRow | None
    notified: str
    auto_assign: bool
    weight: int
    candidates: list[CandidateRow] = field(default_factory=list)
    handler: User | None = None
    pick_reason: str = ""
    suggestion: SuggestionView | None = None


# Each condition of a rule, beside the fact of the case it looks at.
FACT_OF = (("categories", "category"), ("subcategories", "subcategory"), ("priorities", "priority"),
           ("product_lines", "product_line"), ("customer_types", "customer_type"), ("channels", "channel"),
           ("regions", "region"))


def fact_rows(facts: routing.Facts, categories: dict[str, str]) -> list[Condition]:
    rows = []
    for condition, fact in FACT_OF:
        code = getattr(facts, fact)
        rows.append(Condition(condition_label(condition), value_label(condition, code, categories) if code else ""))
    return rows


def trace_rows(decision: routing.Decision, *, categories: dict[str, str], can_edit: bool) -> list[TraceRow]:
    rows = []
    for trace in decision.traces:
        checks = [CheckRow(condition_label(c.field), _values(c.field, c.wanted, categories),
                           value_label(c.field, c.actual, categories) if c.actual else "", c.ok)
                  for c in trace.checks]
        rows.append(TraceRow(rule_row(trace.rule, categories=categories, can_edit=can_edit), checks,
                             trace.matched, trace.rule is decision.rule))
    return rows


def candidate_rows(pick: routing.Pick) -> list[CandidateRow]:
    chosen = pick.handler.pk if pick.handler else None
    return [CandidateRow(user=c.user, has_skill=c.has_skill, on_shift=c.on_shift, absent=c.absent, load=c.load,
                         cap=c.cap, eligible=c.eligible, why_not=joined(c.why_not), chosen=c.user.pk == chosen)
            for c in pick.candidates]


def suggestion_view(suggestion: engine.Suggestion, categories: dict[str, str]) -> SuggestionView:
    flags = dict(RiskFlag.choices)
    heads = {"category": _("Category"), "subcategory": _("Subcategory"), "priority": _("Priority"),
             "demand": _("Demand")}
    return SuggestionView(
        category=categories.get(suggestion.category, suggestion.category),
        subcategory=categories.get(suggestion.subcategory, suggestion.subcategory),
        priority=suggestion.priority, priority_label=str(dict(Priority.choices).get(suggestion.priority, "")),
        demand=str(dict(Demand.choices).get(suggestion.demand, suggestion.demand)),
        flags=[str(flags.get(f, f)) for f in suggestion.flags],
        confidence=[(label, percent(suggestion.confidence[head])) for head, label in heads.items()
                    if head in suggestion.confidence],
        overall=percent(suggestion.overall_confidence), reasons=[r.text for r in suggestion.reasons],
    )


def dry_run_view(result: DryRun, *, categories: dict[str, str], can_edit: bool) -> DryRunView:
    rule = result.decision.rule
    view = DryRunView(
        facts=fact_rows(result.facts, categories), from_suggestion=result.facts_from_suggestion,
        traces=trace_rows(result.decision, categories=categories, can_edit=can_edit),
        rule=rule_row(rule, categories=categories, can_edit=can_edit) if rule else None,
        notified=joined([u.label for u in result.notified]), auto_assign=result.auto_assign,
        weight=result.pick.weight if result.pick else 0,
    )
    if result.pick is not None:
        view.candidates = candidate_rows(result.pick)
        view.handler, view.pick_reason = result.pick.handler, result.pick.reason
    if result.suggestion is not None:
        view.suggestion = suggestion_view(result.suggestion, categories)
    return view
