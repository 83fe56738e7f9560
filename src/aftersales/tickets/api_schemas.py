"""OUTPUT schemas of the case API (inputs live in schemas.py, shared with the console).

Computed fields that depend on the caller (``allowed_actions``) read the viewer
from ninja's validation context; the transfer threshold behind ``flagged`` is
read once per request, so a list page costs the same whatever its length.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import field_validator

from aftersales.accounts.api import DepartmentOut, UserRef
from aftersales.accounts.models import User
from aftersales.core.api import PageQuery
from aftersales.resolutions.models import Plan, PlanStatus
from aftersales.sla.models import ClockStatus, Metric, SlaClock

from . import events as event_codes
from . import selectors as sel
from .models import Attachment, Category, Channel, Priority, Ticket, TicketEvent, TicketSettings
from .permissions import allowed_actions
from .states import State

Audience = Literal["staff", "customer"]
# Plans a customer has been shown; the others are internal drafts and decisions.
CUSTOMER_PLAN_STATUSES = {PlanStatus.OFFERED, PlanStatus.ACCEPTED, PlanStatus.REJECTED}


class TicketDetail:
    """A case with the lists its detail view shows, already cut for the audience.

    Attribute reads fall through to the case, so one schema renders both.
    """

    def __init__(self, ticket: Ticket, *, audience: str) -> None:
        self.ticket = ticket
        self.audience = audience
        self.events = sel.ticket_timeline(ticket=ticket, audience=audience)
        plans = sel.ticket_plans(ticket=ticket)
        self.plans = [p for p in plans if p.status in CUSTOMER_PLAN_STATUSES] if audience == "customer" else plans
        self.attachments = sel.ticket_attachments(ticket=ticket, audience=audience)
        # Deadlines are internal: the customer-facing view carries none. One query, every cycle.
        self.clocks = [] if audience == "customer" else list(
            SlaClock.objects.filter(ticket=ticket).select_related("calendar").order_by("started_at", "metric",
                                                                                     "cycle"))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.ticket, name)


def _case(obj: Ticket | TicketDetail) -> Ticket:
    return obj.ticket if isinstance(obj, TicketDetail) else obj


def _request(context: dict[str, Any] | None) -> HttpRequest | None:
    return (context or {}).get("request")


def _flag_threshold(context: dict[str, Any] | None) -> int:
    request = _request(context)
    cached = getattr(request, "_transfer_flag_threshold", None)
    if cached is None:
        cached = TicketSettings.current().transfer_flag_threshold
        if request is not None:
            request._transfer_flag_threshold = cached  # type: ignore[attr-defined]
    return cached


# ---------------------------------------------------------------- references


class CodeLabel(Schema):
    code: str
    label: str


class SubcategoryOut(CodeLabel):
    name: str
    name_en: str
    examples: str


class CategoryOut(SubcategoryOut):
    children: list[SubcategoryOut]

    @staticmethod
    def resolve_children(obj: Category) -> list[Category]:
        return list(obj.children.all())  # prefetched by the handler


class CustomerRef(Schema):
    id: int
    name: str
    phone: str
    email: str
    customer_type: str
    is_vip: bool
    region: str


class ProductRef(Schema):
    code: str
    name: str


class ProductOut(Schema):
    model: ProductRef | None = Field(description="the matched product model, if any")
    batch: str | None = Field(description="the matched batch number, if any")
    unit: str | None = Field(description="the matched unit's trace code, if any")
    model_text: str
    sku: str
    batch_text: str
    trace_code_text: str
    purchase_date: dt.date | None
    proof_number: str
    purchase_channel: str


class TimestampsOut(Schema):
    first_contact_at: dt.datetime
    registered_at: dt.datetime | None
    first_response_at: dt.datetime | None
    classified_at: dt.datetime | None
    assigned_at: dt.datetime | None
    handling_started_at: dt.datetime | None
    plan_proposed_at: dt.datetime | None
    plan_offered_at: dt.datetime | None
    last_public_update_at: dt.datetime | None
    hold_started_at: dt.datetime | None
    resolved_at: dt.datetime | None
    fed_back_at: dt.datetime | None
    closed_at: dt.datetime | None
    paused_seconds: int


class ApprovalOut(Schema):
    approver: UserRef
    decision: str
    reason: str
    created_at: dt.datetime


class PlanOut(Schema):
    id: int
    kind: str
    kind_label: str
    status: str
    status_label: str
    summary: str
    repair_mode: str
    cost: Decimal
    compensation_amount: Decimal
    compensation_form: str
    responsible_department: DepartmentOut
    due_at: dt.datetime
    needs_head_approval: bool
    approval_reasons: list[str]
    customer_reason: str
    created_at: dt.datetime

    @staticmethod
    def resolve_kind_label(obj: Plan) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_status_label(obj: Plan) -> str:
        return str(obj.get_status_display())


class PlanDetailOut(PlanOut):
    proposed_by: UserRef
    approvals: list[ApprovalOut]


class AttachmentOut(Schema):
    id: int
    original_name: str
    content_type: str
    size: int
    sha256: str
    is_image: bool
    is_internal: bool
    event_id: int | None
    uploaded_by: str | None
    created_at: dt.datetime
    url: str = Field(description="download address (same token)")

    @staticmethod
    def resolve_uploaded_by(obj: Attachment) -> str | None:
        return obj.uploaded_by.username if obj.uploaded_by_id else None

    @staticmethod
    def resolve_url(obj: Attachment) -> str:
        return reverse("api:attachment_download", kwargs={"attachment_id": obj.pk})


class EventOut(Schema):
    id: int
    kind: str
    label: str
    actor: UserRef | None
    from_state: str
    to_state: str
    is_internal: bool
    body: str
    data: dict[str, Any]
    attachment_ids: list[int]
    created_at: dt.datetime

    @staticmethod
    def resolve_label(obj: TicketEvent) -> str:
        return event_codes.label(obj.kind)

    @staticmethod
    def resolve_attachment_ids(obj: TicketEvent) -> list[int]:
        return [a.pk for a in obj.attachments.all()]  # prefetched by the timeline selector


class ClockOut(Schema):
    """One SLA clock of the case (docs/sla.md): a deadline, or one cycle of the progress-update cadence."""

    metric: str
    metric_label: str
    cycle: int
    status: str = Field(description="running, paused, met, breached (stopped late) or cancelled")
    status_label: str
    calendar: str = Field(description="code of the working calendar the limit counts on")
    target_minutes: int
    started_at: dt.datetime
    due_at: dt.datetime = Field(description="started + limit + the working time spent paused")
    warn_at: dt.datetime
    paused_at: dt.datetime | None = Field(description="when the running pause began (status paused)")
    paused_seconds: int = Field(description="wall-clock seconds of finished pauses")
    stopped_at: dt.datetime | None
    breached_at: dt.datetime | None = Field(description="set once the deadline passed, even while running")

    @staticmethod
    def resolve_metric_label(obj: SlaClock) -> str:
        return str(Metric(obj.metric).label) if obj.metric in Metric.values else obj.metric

    @staticmethod
    def resolve_status_label(obj: SlaClock) -> str:
        return str(ClockStatus(obj.status).label)

    @staticmethod
    def resolve_calendar(obj: SlaClock) -> str:
        return obj.calendar.code  # select_related by TicketDetail


# ---------------------------------------------------------------- cases


class TicketSummaryOut(Schema):
    """One row of the case list: what a list shows, without per-row queries."""

    number: str
    state: str
    state_label: str
    version: int
    channel: str
    demand: str
    priority: str
    title: str
    risk_flags: list[str]
    customer: CustomerRef
    model_text: str
    category: CodeLabel | None
    subcategory: CodeLabel | None
    owner: UserRef
    department: CodeLabel | None
    assignee: UserRef | None
    transfer_count: int
    flagged: bool
    sla_due_at: dt.datetime | None = Field(description="the nearest running deadline (none while all are paused)")
    sla_warn_at: dt.datetime | None = Field(description="its warning moment")
    sla_paused: bool = Field(description="every open clock is paused (on hold)")
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_state_label(obj: Ticket) -> str:
        return str(State(obj.state).label)

    @staticmethod
    def resolve_flagged(obj: Ticket, context: dict[str, Any] | None = None) -> bool:
        return obj.transfer_count > _flag_threshold(context)


class TicketOut(TicketSummaryOut):
    """The whole case, with what the caller may do next."""

    description: str
    occurred_at: dt.datetime | None
    environment: str
    tried: str
    responsibility: str
    hold_reason: str
    closure: str
    reopen_count: int
    product: ProductOut
    department: DepartmentOut | None
    registered_by: UserRef
    timestamps: TimestampsOut
    current_plan: PlanOut | None
    allowed_actions: list[str] = Field(description="actions the caller may run now (state table ∩ role rules)")

    @staticmethod
    def resolve_product(obj: Ticket | TicketDetail) -> dict[str, Any]:
        t = _case(obj)
        return {
            "model": t.product_model, "batch": t.batch.number if t.batch_id else None,
            "unit": t.unit.trace_code if t.unit_id else None, "model_text": t.model_text, "sku": t.sku,
            "batch_text": t.batch_text, "trace_code_text": t.trace_code_text, "purchase_date": t.purchase_date,
            "proof_number": t.proof_number, "purchase_channel": t.purchase_channel,
        }

    @staticmethod
    def resolve_timestamps(obj: Ticket | TicketDetail) -> Ticket:
        return _case(obj)

    @staticmethod
    def resolve_current_plan(obj: Ticket | TicketDetail) -> Plan | None:
        plan = _case(obj).current_plan
        if isinstance(obj, TicketDetail) and obj.audience == "customer" and plan is not None:
            return plan if plan.status in CUSTOMER_PLAN_STATUSES else None
        return plan

    @staticmethod
    def resolve_allowed_actions(obj: Ticket | TicketDetail, context: dict[str, Any] | None = None) -> list[str]:
        request = _request(context)
        viewer: User | None = getattr(request, "auth", None)
        return allowed_actions(viewer, _case(obj)) if viewer is not None else []


class TicketDetailOut(TicketOut):
    """A case with its dossier, plans and files, cut for ``audience``."""

    audience: Audience
    events: list[EventOut]
    plans: list[PlanDetailOut]
    attachments: list[AttachmentOut]
    clocks: list[ClockOut] = Field(description="every SLA clock and cycle, oldest first (staff audience only)")


# ---------------------------------------------------------------- list filters


def _known_values(value: str, allowed: list[str]) -> str:
    unknown = [v for v in value.split(",") if v and v not in allowed]
    if unknown:
        raise ValueError(_("Unknown value(s): {unknown}; expected some of: {allowed}.").format(
            unknown=", ".join(unknown), allowed=", ".join(allowed)))
    return value


class TicketListQuery(PageQuery):
    scope: Literal["mine", "department", "all"] = "all"
    state: str = Field("", description="one state or several, comma-separated")
    priority: str = Field("", description="P1, P2, P3, comma-separated")
    category: str = Field("", max_length=40, description="category or subcategory code")
    channel: Channel | Literal[""] = ""
    owner: str = Field("", max_length=150, description="owner's username")
    department: str = Field("", max_length=40, description="department code")
    date_from: dt.date | None = Field(None, description="registered on or after (Beijing date)")
    date_to: dt.date | None = Field(None, description="registered on or before (Beijing date)")
    q: str = Field("", max_length=100, description="number, customer name or phone, words of the case")
    flagged: bool = Field(False, description="only cases transferred more often than the threshold")

    @field_validator("state")
    @classmethod
    def _states(cls, value: str) -> str:
        return _known_values(value, State.values)

    @field_validator("priority")
    @classmethod
    def _priorities(cls, value: str) -> str:
        return _known_values(value, Priority.values)

    def to_filters(self) -> sel.TicketFilters:
        return sel.TicketFilters(
            scope=self.scope, state=self.state, priority=self.priority, category=self.category,
            channel=self.channel, owner=self.owner, department=self.department, date_from=self.date_from,
            date_to=self.date_to, q=self.q, flagged=self.flagged,
        )
