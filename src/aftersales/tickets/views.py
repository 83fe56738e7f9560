"""The staff console for cases. Views are glue: parse, one selector or service
call, render. htmx requests get the partial, everyone else the page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from aftersales.accounts.models import Department, User
from aftersales.accounts.roles import Role
from aftersales.core import clock
from aftersales.core.errors import DomainError
from aftersales.core.htmx import render_page
from aftersales.core.pagination import paginate
from aftersales.core.views import field_of, or_404
from aftersales.sla import presenters as sla_presenters
from aftersales.sla import selectors as sla_selectors

from . import presenters, selectors, services
from .actions import ACTIONS, run_action
from .errors import VersionConflict
from .forms import (
    COMPOSER,
    TicketFilterForm,
    TicketRegistrationForm,
    action_choices,
    action_forms,
    action_payload,
    product_model_choices,
    validate_action,
)
from .models import Attachment, Category, Ticket, TicketSettings
from .states import Action

# ---------------------------------------------------------------- list


@login_required
@require_GET
def ticket_list_view(request: HttpRequest) -> HttpResponse:
    form = TicketFilterForm(
        request.GET, categories=list(Category.objects.filter(is_active=True)),
        owners=list(User.objects.filter(is_active=True, role__in=[Role.AGENT, Role.SUPERVISOR])),
        departments=list(Department.objects.filter(is_active=True)),
    )
    filters = form.to_filters()
    page = paginate(selectors.ticket_list(viewer=request.user, filters=filters),
                    page=_int(request.GET.get("page"), 1), size=settings.AFTERSALES_PAGE_SIZE)
    threshold = TicketSettings.current().transfer_flag_threshold
    now = clock.now()
    for ticket in page.items:
        ticket.is_flagged = ticket.transfer_count > threshold
        ticket.sla_badge = sla_presenters.ticket_badge(ticket, now)  # from the row's columns, no query
    return render_page(request, "tickets/ticket_list.html", {
        "form": form, "filters": filters, "page": page, "scope": filters.scope,
        "scopes": _scopes(request.user), "can_register": services.action_permitted_to_register(request.user),
    }, partial="results")


def _scopes(user: User) -> list[tuple[str, str]]:
    scopes = [("all", _("All cases") if user.sees_all_cases else _("All I can see")), ("mine", _("Mine"))]
    if user.department_id:
        scopes.append(("department", _("My department")))
    return scopes


def _int(value: str | None, default: int) -> int:
    try:
        return int(value or default)
    except ValueError:
        return default


# ---------------------------------------------------------------- registration


@login_required
@require_http_methods(["GET", "POST"])
def ticket_create_view(request: HttpRequest) -> HttpResponse:
    if not services.action_permitted_to_register(request.user):
        raise PermissionDenied
    if request.method == "GET":
        return _create_page(request, TicketRegistrationForm())
    form = TicketRegistrationForm(request.POST)
    data = form.to_schema()
    if data is None:
        return _create_page(request, form, status=422)
    try:
        ticket, _created = services.ticket_register(actor=request.user, data=data.to_input(),
                                                    attachments=request.FILES.getlist("attachments"))
    except DomainError as exc:
        return _create_page(request, form, error=exc.message, field=field_of(exc), status=exc.status)
    except DjangoValidationError as exc:  # a model's full_clean() inside the service
        for name, problems in getattr(exc, "message_dict", {}).items():
            if target := form.form_field(name):
                form.add_error(target, problems)
        return _create_page(request, form, error=" ".join(exc.messages), status=422)
    messages.success(request, _("Case {number} registered. You are its first-contact owner.").format(
        number=ticket.number))
    return redirect("tickets:detail", number=ticket.number)


def _create_page(request: HttpRequest, form: TicketRegistrationForm, *, error: str = "", field: str = "",
                 status: int = 200) -> HttpResponse:
    target = form.form_field(field) if field else None
    if error and target:
        form.add_error(target, error)
    return render_page(request, "tickets/ticket_create.html", {
        "form": form, "error": error, "attachments_error": error if field == "attachments" else "",
        "product_models": product_model_choices(), "max_mb": settings.AFTERSALES_ATTACHMENT_MAX_MB,
    }, status=status)


# ---------------------------------------------------------------- the case page


@login_required
@require_GET
def ticket_detail_view(request: HttpRequest, number: str) -> HttpResponse:
    ticket = or_404(selectors.ticket_get_for_viewer, viewer=request.user, number=number)
    return render_page(request, "tickets/ticket_detail.html", case_context(request, ticket), partial="case_body")


def case_context(request: HttpRequest, ticket: Ticket, *, posted: str = "", values: dict[str, Any] | None = None,
                 errors: dict[str, list[str]] | None = None, error: str = "", conflict: bool = False) -> dict:
    allowed = selectors.ticket_allowed_actions(viewer=request.user, ticket=ticket)
    forms_ = action_forms(allowed, posted=posted, values=values, errors=errors)
    plans = selectors.ticket_plans(ticket=ticket) if ticket.current_plan_id else []
    now = clock.now()
    clock_rows = sla_presenters.clock_rows(sla_selectors.ticket_clocks(ticket=ticket), now)
    current_clocks, earlier_clocks = sla_presenters.split_earlier_rounds(clock_rows)
    return {
        "ticket": ticket,
        "sla_badge": sla_presenters.ticket_badge(ticket, now),
        "sla_clocks": clock_rows,
        "sla_current_clocks": current_clocks,
        "sla_earlier_clocks": earlier_clocks,
        "sla_summary": sla_presenters.clock_summary(clock_rows),
        "timeline": presenters.timeline(selectors.ticket_timeline(ticket=ticket, audience="staff")),
        "current_plan": next((p for p in plans if p.pk == ticket.current_plan_id), None),
        "earlier_plans": [p for p in plans if p.pk != ticket.current_plan_id],
        "is_flagged": selectors.ticket_is_flagged(ticket),
        "risk_flags": presenters.risk_flag_labels(ticket.risk_flags),
        "allowed_actions": allowed,
        "action_forms": [f for f in forms_ if f.code not in COMPOSER],
        "composer_forms": [f for f in forms_ if f.code in COMPOSER],
        "choices": action_choices(ticket, allowed),
        "action_error": error, "conflict": conflict,
        # After a failed POST the address bar shows the action URL; switch language back to the case.
        "switch_next": reverse("tickets:detail", kwargs={"number": ticket.number}),
    }


@login_required
@require_POST
def ticket_action_view(request: HttpRequest, number: str, action: str) -> HttpResponse:
    ticket = or_404(selectors.ticket_get_for_viewer, viewer=request.user, number=number)
    if action not in ACTIONS:
        raise Http404(action)
    data = action_payload(action, request.POST)
    errors = validate_action(action, data)
    if errors:
        return _action_failed(request, ticket, action, data, errors=errors, status=422,
                              error=_("Please correct the highlighted fields."))
    files = request.FILES.getlist("files") if ACTIONS[action].accepts_files else []
    try:
        run_action(number=number, action=action, actor=request.user, data=data, files=files)
    except DomainError as exc:
        field = field_of(exc)
        return _action_failed(request, ticket, action, data, errors={field or "__all__": [exc.message]},
                              error=exc.message, status=exc.status, conflict=isinstance(exc, VersionConflict))
    messages.success(request, _("Done: {action}.").format(action=Action(action).label))
    if request.htmx:
        fresh = selectors.ticket_get_for_viewer(viewer=request.user, number=number)
        return render_page(request, "tickets/ticket_detail.html", case_context(request, fresh), partial="case_body")
    return redirect("tickets:detail", number=number)


def _action_failed(request: HttpRequest, ticket: Ticket, action: str, data: dict[str, Any], *,
                   errors: dict[str, list[str]], error: str, status: int, conflict: bool = False) -> HttpResponse:
    # Reload: the case may have moved on; the page must show what it is now.
    fresh = selectors.ticket_get_for_viewer(viewer=request.user, number=ticket.number)
    context = case_context(request, fresh, posted=action, values=data, errors=errors, error=error,
                           conflict=conflict)
    return render_page(request, "tickets/ticket_detail.html", context, partial="case_body", status=status)


# ---------------------------------------------------------------- attachments


@login_required
@require_GET
def attachment_view(request: HttpRequest, number: str, attachment_id: int) -> FileResponse:
    """Serve evidence only to someone who may see the case; never by a guessable public URL."""
    ticket = or_404(selectors.ticket_get_for_viewer, viewer=request.user, number=number)
    attachment = Attachment.objects.filter(ticket=ticket, pk=attachment_id).first()
    if attachment is None:
        raise Http404(str(attachment_id))
    inline = request.GET.get("inline") == "1" and (attachment.is_image or attachment.content_type == "application/pdf")
    response = FileResponse(attachment.file.open("rb"), as_attachment=not inline,
                            filename=attachment.original_name, content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response

