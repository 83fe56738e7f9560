"""Console forms: they render fields and turn a POST into the same typed input
the API uses (``schemas.TicketCreateIn``, the action schemas). Rules live in the
services; nothing here writes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pydantic
from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Department, User
from aftersales.accounts.roles import DEPARTMENT_WORKERS, Role
from aftersales.catalog.models import ProductModel
from aftersales.core import clock
from aftersales.core.views import schema_errors
from aftersales.customers.models import ContactChannel, CustomerType
from aftersales.resolutions.models import CompensationForm, PlanKind, RepairMode
from aftersales.triage import routing
from aftersales.triage.models import RoutingRule, TriageSuggestion

from .actions import ACTIONS
from .models import (
    Category,
    Channel,
    Demand,
    HoldReason,
    Priority,
    PurchaseChannel,
    Responsibility,
    RiskFlag,
    Ticket,
)
from .schemas import TicketCreateIn
from .selectors import SCOPES, TicketFilters
from .states import Action, State


def _blank(choices: list[tuple[str, Any]], label: Any = "—") -> list[tuple[str, Any]]:
    return [("", label), *choices]


# ---------------------------------------------------------------- the case list filters


class TicketFilterForm(forms.Form):
    """The list's filter bar. Bad values are ignored rather than refused: it is a GET."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100, widget=forms.TextInput(attrs={
        "type": "search", "placeholder": _("Case number, customer, phone or words of the problem"),
        "autocomplete": "off"}))
    scope = forms.ChoiceField(label=_("Scope"), required=False, choices=[
        ("all", _("All")), ("mine", _("Mine")), ("department", _("My department"))])
    state = forms.ChoiceField(label=_("State"), required=False)
    priority = forms.ChoiceField(label=_("Priority"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    department = forms.ChoiceField(label=_("Department"), required=False)
    date_from = forms.DateField(label=_("Created from"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Created to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    sla = forms.ChoiceField(label=_("Deadline"), required=False, choices=[
        ("", _("All deadlines")), ("due_soon", _("Due soon")), ("breached", _("Overdue"))])
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=[
        ("", _("Newest first")), ("due", _("Soonest due"))])
    flagged = forms.BooleanField(label=_("Transferred too often"), required=False)

    def __init__(self, data: QueryDict, *, categories: list[Category], owners: list[User],
                 departments: list[Department]) -> None:
        super().__init__(data)
        self.fields["state"].choices = _blank(State.choices, _("All states"))
        self.fields["priority"].choices = _blank(Priority.choices, _("All priorities"))
        self.fields["channel"].choices = _blank(Channel.choices, _("All channels"))
        self.fields["category"].choices = _blank([
            (c.code, c.label if c.parent_id is None else f"　{c.label}") for c in categories
        ], _("All categories"))
        self.fields["owner"].choices = _blank([(u.username, u.label) for u in owners], _("All owners"))
        self.fields["department"].choices = _blank([(d.code, d.label) for d in departments],
                                                   _("All departments"))

    def to_filters(self) -> TicketFilters:
        self.is_valid()
        clean = {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}
        scope = clean.pop("scope", "all")
        return TicketFilters(scope=scope if scope in SCOPES else "all", **clean)

    @property
    def active_count(self) -> int:
        """How many filters (besides scope and search) narrow the list."""
        self.is_valid()
        return sum(1 for name, value in self.cleaned_data.items()
                   if name not in {"scope", "q", "sort"} and value not in (None, "", False))


# ---------------------------------------------------------------- registration (SPEC §2)

PRODUCT_FIELDS = ("model", "sku", "batch_number", "trace_code", "purchase_date", "proof_number",
                  "purchase_channel")
CONSOLE_CHANNELS = [(value, label) for value, label in Channel.choices if value != Channel.API]


class TicketRegistrationForm(forms.Form):
    """The unified registration form (统一登记表). Grouped for the template by prefix."""

    # customer
    customer_name = forms.CharField(label=_("Customer name or company"), max_length=120,
                                    widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}))
    customer_phone = forms.CharField(label=_("Phone"), max_length=30, required=False,
                                     widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off",
                                                                   "placeholder": "13800138000"}))
    customer_email = forms.EmailField(label=_("Email"), max_length=254, required=False,
                                      widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    customer_wechat_openid = forms.CharField(label=_("Messaging id (WeChat etc.)"), max_length=80, required=False)
    customer_type = forms.ChoiceField(label=_("Customer type"), choices=CustomerType.choices,
                                      initial=CustomerType.INDIVIDUAL)
    customer_preferred_channel = forms.ChoiceField(label=_("Preferred contact channel"),
                                                   choices=ContactChannel.choices, initial=ContactChannel.PHONE)
    customer_is_vip = forms.BooleanField(label=_("VIP customer"), required=False)
    customer_address = forms.CharField(label=_("Address"), max_length=200, required=False)
    # product
    product_model = forms.CharField(label=_("Product model"), max_length=120, required=False,
                                    widget=forms.TextInput(attrs={"list": "product-models", "autocomplete": "off"}))
    product_sku = forms.CharField(label=_("SKU"), max_length=60, required=False)
    product_batch_number = forms.CharField(label=_("Batch number"), max_length=60, required=False)
    product_trace_code = forms.CharField(label=_("Trace code / serial"), max_length=80, required=False)
    product_purchase_date = forms.DateField(label=_("Purchase date"), required=False,
                                            widget=forms.DateInput(attrs={"type": "date"}))
    product_proof_number = forms.CharField(label=_("Purchase proof / order number"), max_length=80,
                                           required=False)
    product_purchase_channel = forms.ChoiceField(label=_("Purchase channel"), required=False,
                                                 choices=_blank(PurchaseChannel.choices))
    # problem
    description = forms.CharField(label=_("The customer's own words"), max_length=20000, widget=forms.Textarea(
        attrs={"rows": 6, "placeholder": _("Write down what the customer says, word for word.")}))
    title = forms.CharField(label=_("Title"), max_length=120, required=False, help_text=_(
        "Optional; the first line of the customer's words is used when empty."))
    occurred_at = forms.DateTimeField(label=_("When it happened"), required=False,
                                      input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
                                      widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                 format="%Y-%m-%dT%H:%M"))
    environment = forms.CharField(label=_("Usage environment"), max_length=5000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    tried = forms.CharField(label=_("What the customer already tried"), max_length=5000, required=False,
                            widget=forms.Textarea(attrs={"rows": 2}))
    demand = forms.ChoiceField(label=_("Customer demand"), choices=Demand.choices, initial=Demand.REPAIR)
    channel = forms.ChoiceField(label=_("Channel"), choices=CONSOLE_CHANNELS, initial=Channel.PHONE)
    risk_flags = forms.MultipleChoiceField(label=_("Risk flags"), required=False, choices=RiskFlag.choices,
                                           widget=forms.CheckboxSelectMultiple)

    def section(self, prefix: str) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(prefix)]

    @property
    def product_fields(self) -> list[forms.BoundField]:
        return self.section("product_")

    def to_schema(self) -> TicketCreateIn | None:
        """The typed input for ``ticket_register``, or None with the errors set on the form."""
        if not self.is_valid():
            return None
        data = self.cleaned_data
        occurred = data["occurred_at"]
        payload = {
            "customer": {
                "name": data["customer_name"], "phone": data["customer_phone"], "email": data["customer_email"],
                "wechat_openid": data["customer_wechat_openid"], "customer_type": data["customer_type"],
                "preferred_channel": data["customer_preferred_channel"], "is_vip": data["customer_is_vip"],
                "address": data["customer_address"],
            },
            "product": {name: data[f"product_{name}"] for name in PRODUCT_FIELDS},
            "description": data["description"], "title": data["title"], "demand": data["demand"],
            "channel": data["channel"], "environment": data["environment"], "tried": data["tried"],
            # Typed in Beijing time whatever the server's zone.
            "occurred_at": occurred.astimezone(clock.SHANGHAI).replace(tzinfo=None) if occurred else None,
            "risk_flags": data["risk_flags"],
        }
        try:
            return TicketCreateIn.model_validate(payload)
        except pydantic.ValidationError as exc:
            for name, messages in schema_errors(exc).items():
                for message in messages:
                    self.add_error(self.form_field(name), message)
            return None

    def form_field(self, name: str) -> str | None:
        """Map a schema or service field ("customer.phone", "phone") to this form's field name."""
        name = name.replace(".", "_")
        name = {"name": "customer_name", "phone": "customer_phone", "email": "customer_email",
                "customer_customer_type": "customer_type"}.get(name, name)
        return name if name in self.fields else None


def product_model_choices() -> list[ProductModel]:
    return list(ProductModel.objects.only("code", "name").order_by("code")[:500])


# ---------------------------------------------------------------- case actions

# Actions that cannot be undone ask for confirmation.
CONFIRM = {
    Action.CANCEL: _("Cancel this case? It will be closed without handling."),
    Action.ARCHIVE: _("Archive this case? An archived case is frozen and cannot change any more."),
}
DANGER = {Action.CANCEL, Action.ARCHIVE, Action.REFUSE_PLAN, Action.REJECT_PLAN, Action.DISPUTE}
COMPOSER = (Action.NOTE, Action.REPLY)  # rendered under the timeline, not in the side panel
# SPEC §4 default routing, used only to preselect the department when assigning.
LIST_FIELDS = {"risk_flags", "attachment_ids"}
QUEUE_ONLY = "-"


@dataclass
class ActionForm:
    """One small form of the actions panel, for an action the viewer may run now."""

    code: str
    label: str
    danger: bool
    confirm: str
    accepts_files: bool
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    open: bool = False

    @property
    def fields_template(self) -> str:
        return f"tickets/partials/action_fields.html#{self.code}"

    @property
    def general_errors(self) -> list[str]:
        return self.errors.get("__all__", [])

    @property
    def all_errors(self) -> list[str]:
        return [message for messages in self.errors.values() for message in messages]


def action_forms(allowed: list[str], *, posted: str = "", values: dict[str, Any] | None = None,
                 errors: dict[str, list[str]] | None = None) -> list[ActionForm]:
    forms_ = []
    for code in allowed:
        spec = ACTIONS.get(code)
        if spec is None:
            continue
        is_posted = code == posted
        forms_.append(ActionForm(
            code=code, label=str(Action(code).label), danger=code in DANGER, confirm=str(CONFIRM.get(code, "")),
            accepts_files=spec.accepts_files, values=(values or {}) if is_posted else {},
            errors=(errors or {}) if is_posted else {}, open=is_posted,
        ))
    return forms_


def action_payload(action: str, post: QueryDict) -> dict[str, Any]:
    """The POST of an action form as the plain dict ``run_action`` takes (the API's JSON body)."""
    spec = ACTIONS.get(action)
    if spec is None:
        return {}
    data: dict[str, Any] = {}
    for name, info in spec.schema.model_fields.items():
        if name in LIST_FIELDS:
            if name in post or f"{name}_present" in post:
                data[name] = [v for v in post.getlist(name) if v != ""]
            continue
        value = post.get(name)
        if value is None or (value.strip() == "" and not info.is_required()):
            continue
        data[name] = value.strip() if name in {"category", "subcategory", "department", "assignee"} else value
    if data.get("assignee") == QUEUE_ONLY:
        # The handler select's "leave it in the department's queue" option.
        data["assignee"], data["auto_assign"] = None, False
    return data


def validate_action(action: str, data: dict[str, Any]) -> dict[str, list[str]]:
    """Field errors in the active language, before the service is called."""
    spec = ACTIONS.get(action)
    if spec is None:
        return {}
    try:
        spec.schema.model_validate(data)
    except pydantic.ValidationError as exc:
        return schema_errors(exc)
    return {}


@dataclass
class ActionChoices:
    """Everything the action forms' selects need, loaded only for actions on offer."""

    categories: list[Category] = field(default_factory=list)
    departments: list[Department] = field(default_factory=list)
    handlers: list[User] = field(default_factory=list)
    owners: list[User] = field(default_factory=list)
    suggested_department: str = ""
    suggestion: TriageSuggestion | None = None
    suggested_flags: list[str] = field(default_factory=list)
    # What the classify form starts from: the case's classification, else the suggestion.
    initial: dict[str, str] = field(default_factory=dict)
    routing_rule: RoutingRule | None = None
    auto_pick: routing.Pick | None = None
    queue_only: str = QUEUE_ONLY
    demands: list[tuple[str, Any]] = field(default_factory=lambda: Demand.choices)
    default_due: str = ""
    priorities: list[tuple[str, Any]] = field(default_factory=lambda: Priority.choices)
    risk_flags: list[tuple[str, Any]] = field(default_factory=lambda: RiskFlag.choices)
    plan_kinds: list[tuple[str, Any]] = field(default_factory=lambda: PlanKind.choices)
    repair_modes: list[tuple[str, Any]] = field(default_factory=lambda: RepairMode.choices)
    compensation_forms: list[tuple[str, Any]] = field(default_factory=lambda: CompensationForm.choices)
    hold_reasons: list[tuple[str, Any]] = field(default_factory=lambda: HoldReason.choices)
    responsibilities: list[tuple[str, Any]] = field(default_factory=lambda: Responsibility.choices)


def action_choices(ticket: Ticket, allowed: list[str]) -> ActionChoices:
    wanted = set(allowed)
    choices = ActionChoices()
    if wanted & {Action.CLASSIFY, Action.RECLASSIFY}:
        choices.categories = list(Category.objects.filter(is_active=True).order_by("sort_order", "code"))
        choices.suggestion = TriageSuggestion.objects.filter(ticket=ticket).first()
        # Before the first classification the form starts from the suggestion; afterwards from the case.
        suggestion = choices.suggestion
        if suggestion is not None and not ticket.category_id:
            choices.suggested_flags = sorted(set(ticket.risk_flags) | set(suggestion.flags))
            choices.initial = {"category": suggestion.category, "subcategory": suggestion.subcategory,
                               "priority": suggestion.priority,
                               # The agent's demand stands, unless they left it at "other".
                               "demand": suggestion.demand if ticket.demand == Demand.OTHER else ticket.demand}
        else:
            choices.suggested_flags = list(ticket.risk_flags)
            choices.initial = {"category": ticket.category.code if ticket.category_id else "",
                               "subcategory": ticket.subcategory.code if ticket.subcategory_id else "",
                               "priority": ticket.priority, "demand": ticket.demand}
    if wanted & {Action.ASSIGN, Action.TRANSFER, Action.PROPOSE_PLAN}:
        choices.departments = list(Department.objects.filter(is_active=True))
    if wanted & {Action.ASSIGN, Action.TRANSFER}:
        choices.handlers = list(
            User.objects.filter(is_active=True, department__isnull=False, role__in=DEPARTMENT_WORKERS)
            .select_related("department").order_by("department__sort_order", "role", "username")
        )
        if Action.ASSIGN in wanted:
            facts = routing.Facts.of(ticket)
            choices.routing_rule = routing.route(facts).rule
            if choices.routing_rule is not None:
                choices.auto_pick = routing.pick_handler(department=choices.routing_rule.department, facts=facts,
                                                         now=clock.now())
        rule_department = choices.routing_rule.department.code if choices.routing_rule else ""
        choices.suggested_department = ticket.department.code if ticket.department_id else rule_department
    if Action.TRANSFER_OWNER in wanted:
        choices.owners = list(User.objects.filter(is_active=True, role__in=[Role.AGENT, Role.SUPERVISOR])
                              .exclude(pk=ticket.owner_id).order_by("username"))
    if Action.PROPOSE_PLAN in wanted:
        due = clock.now().astimezone(clock.SHANGHAI) + dt.timedelta(hours=48)
        choices.default_due = due.strftime("%Y-%m-%dT%H:00")
    return choices
