"""Every non-trivial read of cases, always on behalf of a viewer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from aftersales.accounts.models import User
from aftersales.core import clock
from aftersales.core.errors import NotFound

from .errors import TicketNotFound
from .models import Attachment, Ticket, TicketEvent, TicketSettings
from .permissions import allowed_actions, can_view, works_on

SCOPES = ("mine", "department", "all")
SLA_FILTERS = ("due_soon", "breached")


@dataclass(frozen=True)
class TicketFilters:
    scope: str = "all"
    state: str = ""
    priority: str = ""
    category: str = ""
    channel: str = ""
    owner: str = ""  # username
    department: str = ""  # code
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    q: str = ""
    flagged: bool = False
    sla: str = ""  # "due_soon" (warning reached, not yet due) or "breached" (nearest deadline past)
    sort: str = ""  # "" newest first, "due" nearest deadline first


def ticket_visible_queryset(*, viewer: User) -> QuerySet[Ticket]:
    qs = Ticket.objects.all()
    if viewer.sees_all_cases:
        return qs
    mine = Q(owner=viewer) | Q(assignee=viewer)
    if viewer.department_id:
        mine |= Q(department_id=viewer.department_id)
    return qs.filter(mine)


def ticket_list(*, viewer: User, filters: TicketFilters) -> QuerySet[Ticket]:
    """Cases the viewer may see, filtered; rows carry what a list shows without N+1."""
    qs = ticket_visible_queryset(viewer=viewer).select_related(
        "customer", "category", "subcategory", "owner", "department", "assignee"
    )
    if filters.scope == "mine":
        qs = qs.filter(Q(owner=viewer) | Q(assignee=viewer))
    elif filters.scope == "department":
        qs = qs.filter(department_id=viewer.department_id) if viewer.department_id else qs.none()
    if filters.state:
        qs = qs.filter(state__in=filters.state.split(","))
    if filters.priority:
        qs = qs.filter(priority__in=filters.priority.split(","))
    if filters.category:
        qs = qs.filter(Q(category__code=filters.category) | Q(subcategory__code=filters.category))
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.owner:
        qs = qs.filter(owner__username=filters.owner)
    if filters.department:
        qs = qs.filter(department__code=filters.department)
    if filters.date_from:
        qs = qs.filter(created_at__gte=_local_midnight(filters.date_from))
    if filters.date_to:
        qs = qs.filter(created_at__lt=_local_midnight(filters.date_to + dt.timedelta(days=1)))
    if filters.flagged:
        qs = qs.filter(transfer_count__gt=TicketSettings.current().transfer_flag_threshold)
    q = filters.q.strip()
    if q:
        match = (Q(number__icontains=q) | Q(customer__name__icontains=q) | Q(description__icontains=q)
                 | Q(title__icontains=q))
        # Phones are stored without spaces or dashes; people type them with both ("138 0013 8000").
        phone = q.replace(" ", "").replace("-", "")
        if phone:
            match |= Q(customer__phone__contains=phone)
        qs = qs.filter(match)
    if filters.sla in SLA_FILTERS:
        now = clock.now()
        if filters.sla == "due_soon":
            qs = qs.filter(sla_warn_at__lte=now, sla_due_at__gt=now)
        else:
            qs = qs.filter(sla_due_at__lte=now)
    if filters.sort == "due":
        # The nearest running deadline is kept on the case row (indexed); cases without one go last.
        return qs.order_by(F("sla_due_at").asc(nulls_last=True), "-created_at", "-id")
    return qs.order_by("-created_at", "-id")


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=clock.SHANGHAI)


def ticket_get_for_viewer(*, viewer: User, number: str) -> Ticket:
    ticket = (
        Ticket.objects.select_related(
            "customer", "category", "subcategory", "owner", "registered_by", "department", "assignee",
            "product_model", "batch", "unit", "current_plan", "current_plan__responsible_department",
        )
        .filter(number=number)
        .first()
    )
    if ticket is None or not can_view(viewer, ticket):
        raise TicketNotFound(_("Case {number} was not found.").format(number=number), detail={"number": number})
    return ticket


def ticket_timeline(*, ticket: Ticket, audience: str = "staff") -> list[TicketEvent]:
    """The dossier. ``audience="customer"`` drops everything internal, notes above all."""
    events = TicketEvent.objects.filter(ticket=ticket).select_related("actor").prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.filter(
            is_internal=False) if audience == "customer" else Attachment.objects.all())
    )
    if audience == "customer":
        events = events.filter(is_internal=False)
    return list(events.order_by("created_at", "id"))


def ticket_plans(*, ticket: Ticket) -> list:
    return list(
        ticket.plans.select_related("proposed_by", "responsible_department")
        .prefetch_related("approvals__approver")
        .order_by("-created_at", "-id")
    )


def ticket_allowed_actions(*, viewer: User, ticket: Ticket) -> list[str]:
    return allowed_actions(viewer, ticket)


def ticket_is_flagged(ticket: Ticket) -> bool:
    return ticket.transfer_count > TicketSettings.current().transfer_flag_threshold


def ticket_involves(viewer: User, ticket: Ticket) -> bool:
    return ticket.owner_id == viewer.pk or works_on(viewer, ticket)


def ticket_attachments(*, ticket: Ticket, audience: str = "staff") -> list[Attachment]:
    """A case's files, oldest first; ``audience="customer"`` drops internal ones."""
    qs = Attachment.objects.filter(ticket=ticket).select_related("uploaded_by")
    if audience == "customer":
        qs = qs.filter(is_internal=False)
    return list(qs.order_by("created_at", "id"))


def attachment_get_for_viewer(*, viewer: User, attachment_id: int) -> Attachment:
    """An attachment, if the viewer may see its case; otherwise not found (never 403: no probing)."""
    attachment = Attachment.objects.select_related("ticket").filter(pk=attachment_id).first()
    if attachment is None or not can_view(viewer, attachment.ticket):
        raise NotFound(_("Attachment {id} was not found.").format(id=attachment_id), code="attachment_not_found",
                       detail={"id": attachment_id})
    return attachment
