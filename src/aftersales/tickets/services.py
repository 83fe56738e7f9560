"""Every write to a case. One function per domain action, one transaction each.

The recipe (ARCHITECTURE convention 5): lock the row → check the version →
guard state and role → save the changed fields → write the dossier event.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from aftersales.accounts.models import Department, User
from aftersales.accounts.roles import DEPARTMENT_WORKERS, Role
from aftersales.catalog.services import product_resolve
from aftersales.core import clock
from aftersales.core.errors import PermissionDenied, ValidationFailed
from aftersales.customers.services import CustomerInput, customer_find_or_create
from aftersales.notify.services import notify
from aftersales.resolutions import services as plans
from aftersales.resolutions.models import PlanStatus
from aftersales.sla.services import sla_sync
from aftersales.triage import configuration as triage_config
from aftersales.triage import routing
from aftersales.triage import services as triage

from . import events
from .attachments import check_upload
from .errors import IdempotencyKeyReused, InvalidTransition, TicketNotFound, VersionConflict
from .models import (
    Attachment,
    Category,
    Channel,
    Closure,
    Demand,
    HoldReason,
    IdempotencyKey,
    Priority,
    PurchaseChannel,
    Responsibility,
    RiskFlag,
    Ticket,
    TicketEvent,
    TicketSequence,
    TicketSettings,
)
from .permissions import action_permitted, allowed_actions, can_view
from .states import Action, State, can_transition

# Channels where the agent talks to the customer while registering: that is the first response.
LIVE_CHANNELS = {Channel.PHONE, Channel.STORE, Channel.CHAT}


# ---------------------------------------------------------------- inputs


@dataclass(frozen=True)
class ProductInput:
    model: str = ""
    sku: str = ""
    batch_number: str = ""
    trace_code: str = ""
    purchase_date: dt.date | None = None
    proof_number: str = ""
    purchase_channel: str = ""


@dataclass(frozen=True)
class RegistrationInput:
    customer: CustomerInput
    product: ProductInput
    description: str
    channel: str
    demand: str = Demand.OTHER
    title: str = ""
    occurred_at: dt.datetime | None = None
    environment: str = ""
    tried: str = ""
    first_contact_at: dt.datetime | None = None
    risk_flags: list[str] = field(default_factory=list)
    confirm: bool = True  # False leaves it "new" for an agent to confirm


# ---------------------------------------------------------------- helpers


def _fingerprint(data: RegistrationInput) -> str:
    raw = json.dumps(asdict(data), sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(raw.encode()).hexdigest()


def _next_number(now: dt.datetime) -> str:
    """AS + local date + per-day sequence.

    One ``UPDATE … RETURNING`` both bumps and reads the day's counter; its row lock
    serialises concurrent registrations until commit, so the caller takes the number
    as late as possible in its transaction.
    """
    day = now.astimezone(clock.SHANGHAI).date()
    table = TicketSequence._meta.db_table
    sql = f"UPDATE {table} SET last_value = last_value + 1 WHERE day = %s RETURNING last_value"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [day.isoformat()])
        row = cursor.fetchone()
    if row is None:
        try:
            with transaction.atomic():
                TicketSequence.objects.create(day=day, last_value=1)
            value = 1
        except IntegrityError:  # another registration created the day's row first
            with connection.cursor() as cursor:
                cursor.execute(sql, [day.isoformat()])
                value = cursor.fetchone()[0]
    else:
        value = row[0]
    return f"AS{day:%Y%m%d}-{value:06d}"


def _record(ticket: Ticket, *, kind: str, actor: User | None, from_state: str = "", to_state: str = "",
            body: str = "", data: dict[str, Any] | None = None, now: dt.datetime | None = None) -> TicketEvent:
    event = TicketEvent.objects.create(
        ticket=ticket, kind=kind, actor=actor, from_state=from_state, to_state=to_state,
        is_internal=kind not in events.CUSTOMER_VISIBLE, body=body, data=data or {},
        created_at=now or clock.now(),
    )
    if getattr(ticket, "_sla_pending", False):
        # The clocks follow the case's timestamps, under the same lock, in the same transaction,
        # after the event that moved them (so a re-plan reads below its cause in the dossier).
        ticket._sla_pending = False
        sla_sync(ticket, now=event.created_at)
    return event


def _lock(number: str, *, actor: User, expected_version: int | None) -> Ticket:
    ticket = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("current_plan", "owner", "department", "assignee")
        .filter(number=number)
        .first()
    )
    if ticket is None or not can_view(actor, ticket):
        raise TicketNotFound(_("Case {number} was not found.").format(number=number), detail={"number": number})
    if expected_version is not None and ticket.version != expected_version:
        raise VersionConflict(_("This case was changed by someone else. Reload it and try again."),
            detail={"number": number, "expected_version": expected_version, "current_version": ticket.version},
        )
    return ticket


def _guard(ticket: Ticket, *, action: str, actor: User, target: str | None = None) -> None:
    if not can_transition(ticket.state, action, target):
        raise InvalidTransition(
            _("Action “{action}” is not allowed while the case is “{state}”.").format(
                action=Action(action).label, state=State(ticket.state).label),
            detail={"state": ticket.state, "action": action, "allowed_actions": allowed_actions(actor, ticket)},
        )
    if not action_permitted(actor, ticket, action):
        raise PermissionDenied(_("You are not allowed to do this on this case."),
            code="action_not_permitted", detail={"action": action, "state": ticket.state},
        )


def _save(ticket: Ticket, fields: Sequence[str]) -> None:
    ticket.version += 1
    ticket.save(update_fields=[*dict.fromkeys(fields), "version", "updated_at"])
    ticket._sla_pending = True  # every save is followed by its event; _record then syncs the clocks


def _move(ticket: Ticket, *, to_state: str, kind: str, actor: User, fields: Sequence[str] = (),
          body: str = "", data: dict[str, Any] | None = None, now: dt.datetime) -> TicketEvent:
    old = ticket.state
    ticket.state = to_state
    _save(ticket, [*fields, "state"])
    return _record(ticket, kind=kind, actor=actor, from_state=old, to_state=to_state, body=body, data=data,
                   now=now)


def _require_text(value: str, *, field_name: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(message, code="reason_required", detail={"field": field_name})
    return value


def _store_attachments(ticket: Ticket, uploads: Sequence[UploadedFile], *, actor: User | None,
                       event: TicketEvent | None, is_internal: bool, now: dt.datetime) -> list[Attachment]:
    checked = [check_upload(upload) for upload in uploads]  # refuse all before storing any
    stored = []
    for item in checked:
        attachment = Attachment(
            ticket=ticket, event=event, original_name=item.original_name, content_type=item.content_type,
            extension=item.extension, size=item.size, sha256=item.sha256, is_internal=is_internal,
            uploaded_by=actor, created_at=now,
        )
        attachment.file.save(item.original_name, item.upload, save=False)
        attachment.save()
        stored.append(attachment)
    return stored


def _mark_handling_started(ticket: Ticket, actor: User, now: dt.datetime, fields: list[str]) -> None:
    if ticket.handling_started_at is None and (
        actor.pk == ticket.assignee_id or actor.role in DEPARTMENT_WORKERS
    ):
        ticket.handling_started_at = now
        fields.append("handling_started_at")


def _category(code: str | None, *, parent: Category | None = None) -> Category | None:
    if not code:
        return None
    category = Category.objects.filter(code=code, is_active=True).select_related("parent").first()
    if category is None:
        raise ValidationFailed(_("Unknown category “{code}”.").format(code=code), code="unknown_category",
                               detail={"field": "subcategory" if parent else "category", "value": code})
    return category


def _classification(category_code: str, subcategory_code: str, priority: str) -> tuple[Category, Category | None]:
    category = _category(category_code)
    if category is None or category.parent_id is not None:
        raise ValidationFailed(_("Choose a top-level category."), code="category_required",
                               detail={"field": "category"})
    subcategory = _category(subcategory_code, parent=category)
    if subcategory is not None and subcategory.parent_id != category.pk:
        raise ValidationFailed(_("The subcategory does not belong to that category."),
                               code="subcategory_mismatch", detail={"field": "subcategory"})
    if priority not in Priority.values:
        raise ValidationFailed(_("Priority must be P1, P2 or P3."), code="invalid_priority",
                               detail={"field": "priority"})
    return category, subcategory


def _clean_flags(flags: Sequence[str]) -> list[str]:
    unknown = [f for f in flags if f not in RiskFlag.values]
    if unknown:
        raise ValidationFailed(_("Unknown risk flag."), code="unknown_risk_flag",
                               detail={"field": "risk_flags", "value": unknown})
    return sorted(set(flags))


def _count_transfer(ticket: Ticket, *, actor: User, now: dt.datetime, fields: list[str]) -> None:
    ticket.transfer_count += 1
    fields.append("transfer_count")
    threshold = TicketSettings.current().transfer_flag_threshold
    # "Past the threshold and not flagged yet", not "exactly one past it": an administrator may
    # lower the threshold below a case's count, and the flag must still be written, once.
    if ticket.transfer_count > threshold and not TicketEvent.objects.filter(
        ticket=ticket, kind=events.TRANSFER_FLAGGED
    ).exists():
        _record(ticket, kind=events.TRANSFER_FLAGGED, actor=actor, now=now,
                data={"transfer_count": ticket.transfer_count, "threshold": threshold})


# ---------------------------------------------------------------- registration


def ticket_register(*, actor: User, data: RegistrationInput, attachments: Sequence[UploadedFile] = (),
                    idempotency_key: str | None = None) -> tuple[Ticket, bool]:
    """Register a case from the unified form. Returns (case, created).

    With an idempotency key, the same key always yields the same case; the key
    row is written in the case's transaction, so a race loses cleanly.
    """
    key = (idempotency_key or "").strip()[:120] or None
    fingerprint = _fingerprint(data) if key else ""
    if key:
        existing = _replay(actor=actor, key=key, fingerprint=fingerprint)
        if existing is not None:
            return existing, False
    try:
        with transaction.atomic():
            ticket = _register(actor=actor, data=data, attachments=attachments)
            if key:
                IdempotencyKey.objects.create(user=actor, key=key, fingerprint=fingerprint, ticket=ticket,
                                              created_at=clock.now())
    except IntegrityError:
        existing = _replay(actor=actor, key=key, fingerprint=fingerprint) if key else None
        if existing is None:
            raise
        return existing, False
    return ticket, True


def _replay(*, actor: User, key: str, fingerprint: str) -> Ticket | None:
    row = IdempotencyKey.objects.select_related("ticket").filter(user=actor, key=key).first()
    if row is None:
        return None
    if row.fingerprint != fingerprint:
        raise IdempotencyKeyReused(_("This Idempotency-Key was already used for a different request."),
            detail={"number": row.ticket.number},
        )
    return row.ticket


def _register(*, actor: User, data: RegistrationInput, attachments: Sequence[UploadedFile]) -> Ticket:
    if not action_permitted_to_register(actor):
        raise PermissionDenied(_("Only agents and supervisors register cases."), code="action_not_permitted")
    description = (data.description or "").strip()
    if not description:
        raise ValidationFailed(_("Record the customer's own words."), code="description_required",
                               detail={"field": "description"})
    if data.channel not in Channel.values:
        raise ValidationFailed(_("Unknown channel."), code="invalid_channel", detail={"field": "channel"})
    if data.demand not in Demand.values:
        raise ValidationFailed(_("Unknown demand."), code="invalid_demand", detail={"field": "demand"})
    product = data.product
    if product.purchase_channel and product.purchase_channel not in PurchaseChannel.values:
        raise ValidationFailed(_("Unknown purchase channel."), code="invalid_purchase_channel",
                               detail={"field": "product.purchase_channel"})
    now = clock.now()
    if product.purchase_date and product.purchase_date > now.astimezone(clock.SHANGHAI).date():
        raise ValidationFailed(_("The purchase date is in the future."), code="purchase_date_in_future",
                               detail={"field": "product.purchase_date"})
    flags = _clean_flags(data.risk_flags)
    customer = customer_find_or_create(data=data.customer)
    if customer.is_vip and RiskFlag.VIP not in flags:
        flags.append(RiskFlag.VIP)
    resolved = product_resolve(model=product.model, trace_code=product.trace_code,
                               batch_number=product.batch_number)
    state = State.REGISTERED if data.confirm else State.NEW
    first_contact = min(data.first_contact_at or now, now)
    ticket = Ticket(
        state=state, channel=data.channel, demand=data.demand,
        risk_flags=flags, customer=customer,
        product_model=resolved.product_model, batch=resolved.batch, unit=resolved.unit,
        model_text=product.model.strip()[:120], sku=product.sku.strip()[:60],
        batch_text=product.batch_number.strip()[:60], trace_code_text=product.trace_code.strip()[:80],
        purchase_date=product.purchase_date, proof_number=product.proof_number.strip()[:80],
        purchase_channel=product.purchase_channel,
        title=(data.title.strip() or description.splitlines()[0])[:120], description=description,
        occurred_at=data.occurred_at, environment=data.environment.strip(), tried=data.tried.strip(),
        owner=actor, registered_by=actor, first_contact_at=first_contact,
        registered_at=now if data.confirm else None,
        first_response_at=now if data.channel in LIVE_CHANNELS else None,
    )
    # The related rows were just fetched: skip full_clean's existence query for each.
    ticket.full_clean(exclude=["number", "current_plan", "customer", "owner", "registered_by", "product_model",
                               "batch", "unit"])
    ticket.number = _next_number(now)
    ticket.save()
    event = _record(ticket, kind=events.REGISTERED if data.confirm else events.CREATED, actor=actor,
                    to_state=state, now=now, data={"channel": data.channel, "demand": data.demand})
    _store_attachments(ticket, attachments, actor=actor, event=event, is_internal=False, now=now)
    sla_sync(ticket, now=now)
    _triage_on_arrival(ticket, now=now)
    return ticket


def _triage_on_arrival(ticket: Ticket, *, now: dt.datetime) -> None:
    """Suggest a classification for the supervisor; with auto-accept on and a confident
    suggestion, classify and dispatch it as the system."""
    row, suggestion = triage.triage_ticket(ticket=ticket, now=now)
    settings = triage_config.settings()
    auto = (settings.auto_accept and ticket.state == State.REGISTERED
            and suggestion.overall_confidence >= float(settings.auto_accept_threshold))
    _record(ticket, kind=events.TRIAGE_SUGGESTED, actor=None, now=now, data={
        "category": suggestion.category, "subcategory": suggestion.subcategory, "priority": suggestion.priority,
        "demand": suggestion.demand, "flags": suggestion.flags, "confidence": suggestion.confidence,
        "reasons": [r.as_json() for r in suggestion.reasons], "auto_accepted": auto,
        "model_version": suggestion.model_version,
    })
    if not auto:
        return
    triage.suggestion_mark_auto_accepted(row=row)
    category, subcategory = _classification(suggestion.category, suggestion.subcategory, suggestion.priority)
    ticket.category, ticket.subcategory, ticket.priority = category, subcategory, suggestion.priority
    ticket.risk_flags = sorted(set(ticket.risk_flags) | set(suggestion.flags))
    ticket.classified_at = now
    fields = ["category", "subcategory", "priority", "risk_flags", "classified_at"]
    if ticket.demand == Demand.OTHER and suggestion.demand != Demand.OTHER:
        ticket.demand = suggestion.demand
        fields.append("demand")
    _move(ticket, to_state=State.CLASSIFIED, kind=events.CLASSIFIED, actor=None, now=now, fields=fields,
          data={"after": {"category": category.code, "subcategory": subcategory.code if subcategory else "",
                          "priority": suggestion.priority}, "auto_accepted": True,
                "confidence": suggestion.overall_confidence})
    if routing.route(routing.Facts.of(ticket)).rule is not None:
        _dispatch(ticket, actor=None, department_code="", assignee_username=None, auto_assign=True, reason="",
                  now=now)


def action_permitted_to_register(actor: User) -> bool:
    return actor.is_active and (actor.is_superuser or actor.role in {Role.AGENT, Role.SUPERVISOR, Role.ADMIN})


@transaction.atomic
def ticket_confirm_registration(*, number: str, actor: User, version: int | None = None) -> Ticket:
    ticket = _lock(number, actor=actor, expected_version=version)
    _guard(ticket, action=Action.REGISTER, actor=actor)
    now = clock.now()
    ticket.registered_at = now
    _move(ticket, to_state=State.REGISTERED, kind=events.REGISTERED, actor=actor, now=now,
          fields=["registered_at"])
    return ticket


# ---------------------------------------------------------------- classification and dispatch


@transaction.atomic
def ticket_classify(*, number: str, actor: User, category: str, subcategory: str = "", priority: str,
                    risk_flags: Sequence[str] | None = None, demand: str = "", version: int | None = None) -> Ticket:
    """Confirm (or correct) the classification. The decision is kept as a triage training label."""
    ticket = _lock(number, actor=actor, expected_version=version)
    reclassify = ticket.state not in {State.REGISTERED, State.REOPENED}
    _guard(ticket, action=Action.RECLASSIFY if reclassify else Action.CLASSIFY, actor=actor)
    cat, sub = _classification(category, subcategory, priority)
    if demand and demand not in Demand.values:
        raise ValidationFailed(_("Unknown demand."), code="invalid_demand", detail={"field": "demand"})
    now = clock.now()
    before = {"category": ticket.category.code if ticket.category else "",
              "subcategory": ticket.subcategory.code if ticket.subcategory else "", "priority": ticket.priority}
    flags_before, demand_before = list(ticket.risk_flags), ticket.demand
    ticket.category, ticket.subcategory, ticket.priority = cat, sub, priority
    fields = ["category", "subcategory", "priority"]
    if risk_flags is not None:
        ticket.risk_flags = _clean_flags(risk_flags)
        fields.append("risk_flags")
    if demand:
        ticket.demand = demand
        fields.append("demand")
    after = {"category": cat.code, "subcategory": sub.code if sub else "", "priority": priority}
    if demand_before != ticket.demand:
        before["demand"], after["demand"] = demand_before, ticket.demand
    if reclassify:
        if before == after and ticket.risk_flags == flags_before:
            return ticket  # nothing changed (forms resend the flags as they were): no event, no version bump
        _save(ticket, fields)
        _record(ticket, kind=events.RECLASSIFIED, actor=actor, now=now, data={"before": before, "after": after})
    else:
        ticket.classified_at = now
        _move(ticket, to_state=State.CLASSIFIED, kind=events.CLASSIFIED, actor=actor, now=now,
              fields=[*fields, "classified_at"], data={"before": before, "after": after})
    triage.label_record(ticket=ticket, actor=actor, now=now)
    return ticket


def _department_and_assignee(department_code: str, assignee_username: str | None) -> tuple[Department, User | None]:
    department = Department.objects.filter(code=department_code, is_active=True).first()
    if department is None:
        raise ValidationFailed(_("Unknown department “{code}”.").format(code=department_code), code="unknown_department",
                               detail={"field": "department"})
    assignee = None
    if assignee_username:
        assignee = User.objects.filter(username=assignee_username, is_active=True).first()
        if assignee is None:
            raise ValidationFailed(_("Unknown user “{username}”.").format(username=assignee_username), code="unknown_user",
                                   detail={"field": "assignee"})
        if assignee.department_id != department.pk:
            raise ValidationFailed(_("The handler must belong to the chosen department."),
                                   code="assignee_not_in_department", detail={"field": "assignee"})
        # Auditors are read-only: a case assigned to one would sit with someone who may not touch it.
        if assignee.role == Role.AUDITOR:
            raise ValidationFailed(_("An auditor cannot handle cases."), code="assignee_cannot_handle",
                                   detail={"field": "assignee"})
    return department, assignee


@transaction.atomic
def ticket_assign(*, number: str, actor: User, department: str = "", assignee: str | None = None,
                  auto_assign: bool = True, reason: str = "", version: int | None = None) -> Ticket:
    """Dispatch a classified (or reopened) case.

    Without a department the routing rules decide; a department other than the rules'
    is a supervisor's override and needs a reason. Without a handler, one is picked by
    skill, shift and load (unless ``auto_assign`` is off or nobody qualifies: then the
    case waits in the department's queue). The owner never changes here.
    """
    ticket = _lock(number, actor=actor, expected_version=version)
    _guard(ticket, action=Action.ASSIGN, actor=actor)
    _dispatch(ticket, actor=actor, department_code=department, assignee_username=assignee, auto_assign=auto_assign,
              reason=reason, now=clock.now())
    return ticket


def _dispatch(ticket: Ticket, *, actor: User | None, department_code: str, assignee_username: str | None,
              auto_assign: bool, reason: str, now: dt.datetime) -> None:
    decision = routing.route(routing.Facts.of(ticket))
    rule = decision.rule
    reason = (reason or "").strip()
    if department_code:
        dept, handler = _department_and_assignee(department_code, assignee_username)
    elif rule is not None:
        dept, handler = _department_and_assignee(rule.department.code, assignee_username)
    else:
        raise ValidationFailed(_("No routing rule matches this case; choose a department."), code="no_routing_rule",
                               detail={"field": "department"})
    overridden = rule is not None and rule.department_id != dept.pk
    if overridden and not reason:
        raise ValidationFailed(
            _("The routing rule “{rule}” sends this case to {department}; say why it goes elsewhere.").format(
                rule=rule.label, department=rule.department.label),
            code="override_reason_required", detail={"field": "reason", "rule": rule.code,
                                                     "department": rule.department.code})
    fields = ["department", "assignee", "assigned_at", "queue"]
    applied = rule if rule is not None and not overridden else None
    routing_data: dict[str, Any] = {"rule": rule.code if rule else None, "override": overridden}
    if rule is not None:
        routing_data.update(rule_name=rule.name, rule_name_en=rule.name_en)
    if applied is not None and applied.set_priority and applied.set_priority != ticket.priority:
        routing_data["priority"] = {"before": ticket.priority, "after": applied.set_priority}
        ticket.priority = applied.set_priority
        fields.append("priority")
    assignment: dict[str, Any] = {"by": "supervisor" if handler else "queue"}
    if handler is None and auto_assign and triage_config.settings().auto_assign:
        pick = routing.pick_handler(department=dept, facts=routing.Facts.of(ticket), now=now, lock=True)
        handler = pick.handler
        assignment = {"by": "auto" if handler else "queue", "weight": pick.weight,
                      "candidates": len(pick.candidates),
                      "eligible": sum(1 for c in pick.candidates if c.eligible)}
        if handler is not None:
            chosen = next(c for c in pick.candidates if c.user.pk == handler.pk)
            assignment.update(load=chosen.load, cap=chosen.cap)
            triage.handler_mark_assigned(user=handler, now=now)
    previous_department = ticket.department_id
    ticket.department, ticket.assignee, ticket.assigned_at = dept, handler, now
    ticket.queue = applied.queue if applied is not None else ""
    # A reopened case sent to a different department is a transfer too.
    if previous_department and previous_department != dept.pk:
        _count_transfer(ticket, actor=actor, now=now, fields=fields)
    event = _move(ticket, to_state=State.ASSIGNED, kind=events.ASSIGNED, actor=actor, now=now, fields=fields,
                  body=reason, data={"department": dept.code, "assignee": handler.username if handler else None,
                                     "queue": ticket.queue, "routing": routing_data, "assignment": assignment})
    _notify_dispatch(ticket, rule=applied, handler=handler,
                     cause=f"dispatch:{event.pk}", now=now)


def _dispatch_context(ticket: Ticket, rule_label: tuple[str, str]) -> dict[str, Any]:
    assignee = ticket.assignee
    dept = ticket.department
    return {
        "number": ticket.number, "title": ticket.title, "priority": ticket.priority or "-",
        "department": dept.name if dept else "-", "department_en": (dept.name_en or dept.name) if dept else "-",
        "assignee": assignee.label if assignee else "-", "owner": ticket.owner.label,
        "rule": rule_label[0], "rule_en": rule_label[1], "url": f"/cases/{ticket.number}/",
    }


def _notify_dispatch(ticket: Ticket, *, rule: Any, handler: User | None, cause: str, now: dt.datetime) -> None:
    """Tell whom the rule names (the department head, listed people) and an automatically chosen handler."""
    context = _dispatch_context(ticket, (rule.name, rule.name_en or rule.name) if rule else ("-", "-"))
    if rule is not None:
        people = list(rule.notify_users.filter(is_active=True))
        if rule.notify_head:
            people += list(User.objects.filter(department=ticket.department, role=Role.DEPARTMENT_HEAD,
                                               is_active=True))
        if people:
            notify(template="case_routed", recipients=people, context=context, cause=f"{cause}:routed",
                   ticket_id=ticket.pk, now=now)
    if handler is not None:
        notify(template="case_assigned", recipients=[handler], context=context, cause=f"{cause}:assigned",
               ticket_id=ticket.pk, now=now)


@transaction.atomic
def ticket_transfer(*, number: str, actor: User, department: str, assignee: str | None = None, reason: str,
                    version: int | None = None) -> Ticket:
    """Move the work to another department or handler. Counted; flagged past the threshold."""
    ticket = _lock(number, actor=actor, expected_version=version)
    _guard(ticket, action=Action.TRANSFER, actor=actor)
    reason = _require_text(reason, field_name="reason", message=_("Say why the case is transferred."))
    dept, handler = _department_and_assignee(department, assignee)
    if dept.pk == ticket.department_id and (handler.pk if handler else None) == ticket.assignee_id:
        return ticket
    now = clock.now()
    before = {"department": ticket.department.code if ticket.department else None,
              "assignee": ticket.assignee.username if ticket.assignee else None}
    fields: list[str] = ["department", "assignee"]
    department_changed = dept.pk != ticket.department_id
    ticket.department, ticket.assignee = dept, handler
    if department_changed:
        _count_transfer(ticket, actor=actor, now=now, fields=fields)
    _save(ticket, fields)
    _record(ticket, kind=events.TRANSFERRED, actor=actor, now=now, body=reason,
            data={"before": before, "after": {"department": dept.code,
                                              "assignee": handler.username if handler else None},
                  "counted": department_changed, "transfer_count": ticket.transfer_count})
    return ticket


@transaction.atomic
def ticket_transfer_owner(*, number: str, actor: User, new_owner: str, reason: str,
                          version: int | None = None) -> Ticket:
    """Hand first-contact ownership to another agent: explicit, recorded and counted."""
    ticket = _lock(number, actor=actor, expected_version=version)
    _guard(ticket, action=Action.TRANSFER_OWNER, actor=actor)
    reason = _require_text(reason, field_name="reason", message=_("Say why ownership changes."))
    owner = User.objects.filter(username=new_owner, is_active=True).first()
    if owner is None:
        raise ValidationFailed(_("Unknown user “{username}”.").format(username=new_owner), code="unknown_user", detail={"field": "new_owner"})
    # The first-contact owner speaks for the customer; a handler or an auditor could not.
    if not action_permitted_to_register(owner):
        raise ValidationFailed(_("Only agents and supervisors can own a case."), code="owner_not_agent",
                               detail={"field": "new_owner"})
    if owner.pk == ticket.owner_id:
        return ticket
    now = clock.now()
    before = ticket.owner.username
    ticket.owner = owner
    fields = ["owner"]
    _count_transfer(ticket, actor=actor, now=now, fields=fields)
    _save(ticket, fields)
    _record(ticket, kind=events.OWNER_TRANSFERRED, actor=actor, now=now, body=reason,
            data={"before": before, "after": owner.username, "transfer_count": ticket.transfer_count})
    return ticket


# ---------------------------------------------------------------- plans and approvals


@transaction.atomic
def ticket_propose_plan(*, number: str, actor: User, plan: plans.PlanInput | dict[str, Any],
                        version: int | None = None) -> Ticket:
    """The handler proposes a plan; P1 or over-authority compensation waits for approval."""
    ticket = _lock(number, actor=actor, expected_version=version)
    _guard(ticket, action=Action.PROPOSE_PLAN, actor=actor)
    data = plan if isinstance(plan, plans.PlanInput) else plan_input_from(plan, default_department=ticket.department)
    new_plan = plans.plan_create(ticket_id=ticket.pk, priority=ticket.priority, data=data, proposer=actor,
                                 case_department_id=ticket.department_id)
    now = clock.now()
    target = State.AWAITING_APPROVAL if new_plan.status == PlanStatus.AWAITING_APPROVAL else State.PLAN_PROPOSED
    ticket.current_plan = new_plan
    ticket.plan_proposed_at = now
    fields = ["current_plan", "plan_proposed_at"]
    _mark_handling_started(ticket, actor, now, fields)
    _move(ticket, to_state=target, kind=events.PLAN_PROPOSED, actor=actor, now=now, fields=fields,
          body=new_plan.summary,
          data={"plan_id": new_plan.pk, "kind": new_plan.kind, "repair_mode": new_plan.repair_mode,
                "cost": str(new_plan.cost), "compensation_amount": str(new_plan.compensation_amount),
                "department": data.responsible_department.code, "due_at": new_plan.due_at.isoformat(),
                "approval_reasons": new_plan.approval_reasons})
    return ticket


def plan_input_from(raw: dict[str, Any], *, default_department: Department | None) -> plans.PlanInput:
    """Build a PlanInput from already type-checked interface data (API schema or form)."""
    code = raw.get("responsible_department") or (default_department.code if default_department else "")
    department = Department.objects.filter(code=code, is_active=True).first()
    if department is None:
        raise ValidationFailed(_("Choose the responsible department."), code="unknown_department",
                               detail={"field": "responsible_department"})
    return plans.PlanInput(
        kind=raw["kind"], summary=raw.get("summary") or "", responsible_department=department,
        due_at=raw["due_at"], repair_mode=raw.get("repair_mode") or "", cost=raw.get("cost") or 0,
        compensation_amount=raw.get("compensation_amount") or 0,
        compensation_form=raw.get("compensation_form") or "",
    )


@transaction.atomic
def ticket_decide_plan(*, number: str, actor: User, approve: bool, reason: str = "",
                       version: int | None = None) -> Ticket:
    """Record an approval or refusal, with its reason; refusal sends the handler back to planning."""
    ticket = _lock(number, actor=actor, expected_version=version)
    action = Action.APPROVE_PLAN if approve else Action.REFUSE_PLAN
    if not can_transition(ticket.state, action):
        _guard(ticket, action=action, actor=actor)  # raises the 409 with the allowed actions
    plan = plans.plan_decide(plan=ticket.current_plan, approver=actor, approve=approve, reason=reason,
                             case_department_id=ticket.department_id)
    now = clock.now()
    _move(ticket, to_state=State.PLAN_PROPOSED if approve else State.ASSIGNED, actor=actor, now=now,
          kind=events.PLAN_APPROVED if approve else events.PLAN_REFUSED, body=reason.strip(),
          data={"plan_id": plan.pk})
    return ticket


@transaction.atomic
def ticket_offer_plan(*, number: str, actor: User, message: str = "", version: int | None = None) -> Ticket:
    """The owner presents the ready plan to the customer."""
    ticket = _lock(number, actor=actor, expected_version=version)
    _guard(ticket, action=Action.OFFER_PLAN, actor=actor)
    plans.plan_set_status(plan=ticket.current_plan, status=PlanStatus.OFFERED)
    now = clock.now()
    ticket.plan_offered_at = ticket.last_public_update_at = now
    _move(ticket, to_state=State.AWAITING_CUSTOMER, kind=events.PLAN_OFFERED, actor=actor, now=now,
          fields=["plan_offered_at", "last_public_update_at"], body=message.strip() or ticket.current_plan.summary,
          data={"plan_id": ticket.current_plan_id})
    return ticket


@transaction.atomic
def ticket_record_customer_decision(*, number: str, actor: User, accept: bool, reason: str = "",
                                    version: int | None = None) -> Ticket:
    """The customer agrees (work starts) or rejects (the handler proposes an alternative)."""
    ticket = _lock(number, actor=actor, expected_version=version)
    _guard(ticket, action=Action.ACCEPT_PLAN if accept else Action.REJECT_PLAN, actor=actor)
    if not accept:
        reason = _require_text(reason, field_name="reason", message=_("Record why the customer rejected the plan."))
    plans.plan_set_status(plan=ticket.current_plan, status=PlanStatus.ACCEPTED if accept else PlanStatus.REJECTED,
                          customer_reason=reason.strip())
    now = clock.now()
    _move(ticket, to_state=State.IN_PROGRESS if accept else State.ASSIGNED, actor=actor, now=now,
          kind=events.PLAN_ACCEPTED if accept else events.PLAN_REJECTED, body=reason.strip(),
          data={"plan_id": ticket.current_plan_id})
    return ticket


# ---------------------------------------------------------------- execution


@transaction.atomic
def ticket_hold(*, number: str, actor: User, hold_reason: str, note: str = "", version: int | None = None) -> Ticket:
    ticket = _lock(number, actor=actor, expected_version=version)
    _guard(ticket, action=Action.HOLD, actor=actor)
    if hold_reason not in HoldReason.values:
        raise ValidationFailed(_("Say whether the case waits on the customer or on parts."),
                               code="invalid_hold_reason", detail={"field": "hold_reason"})
    now = clock.now()
    ticket.hold_reason, ticket.hold_started_at, ticket.last_public_update_at = hold_reason, now, now
    _move(ticket, to_state=State.ON_HOLD, kind=events.ON_HOLD, actor=actor, now=now, body=note.strip(),
          fields=["hold_reason", "hold_started_at", "last_public_update_at"], data={"hold_reason": hold_reason})
    return ticket


@transaction.atomic
def ticket_resume(*, number: str, actor: User, note: str = "", version: int | None = None) -> Ticket:
    ticket = _lock(number, actor=actor, expected_version=version)
    _guard(ticket, action=Action.RESUME, actor=actor)
    now = clock.now()
    paused = int((now - ticket.hold_started_at).total_seconds()) if ticket.hold_started_at else 0
    reason = ticket.hold_reason
    ticket.paused_seconds += max(paused, 0)
    ticket.hold_reason, ticket.hold_started_at = "", None
    _move(ticket, to_state=State.IN_PROGRESS, kind=events.RESUMED, actor=actor, now=now, body=note.strip(),
          fields=["paused_seconds", "hold_reason", "hold_started_at"],
          data={"paused_seconds": paused, "hold_reason": reason})
    return ticket


@transaction.atomic
def ticket_resolve(*, number: str, actor: User, result: str, responsibility: str = "",
                   attachments: Sequence[UploadedFile] = (), attachment_ids: Sequence[int] = (),
                   version: int | None = None) -> Ticket:
    """The handler marks the work done. Proof (repair record, receipt, photo) is required."""
    ticket = _lock(number, actor=actor, expected_version=version)
    _guard(ticket, action=Action.RESOLVE, actor=actor)
    result = _require_text(result, field_name="result", message=_("Describe the result."))
    if responsibility and responsibility not in Responsibility.values:
        raise ValidationFailed(_("Unknown responsibility."), code="invalid_responsibility",
                               detail={"field": "responsibility"})
    existing = list(Attachment.objects.filter(ticket=ticket, pk__in=list(attachment_ids)))
    if len(existing) != len(set(attachment_ids)):
        raise ValidationFailed(_("Some attachments do not belong to this case."), code="unknown_attachment",
                               detail={"field": "attachment_ids"})
    if not attachments and not existing:
        raise ValidationFailed(_("Attach proof of the result (repair record, receipt or photo)."),
                               code="proof_required", detail={"field": "attachments"})
    now = clock.now()
    ticket.resolved_at = now
    fields = ["resolved_at"]
    if responsibility:
        ticket.responsibility = responsibility
        fields.append("responsibility")
    event = _move(ticket, to_state=State.RESOLVED, kind=events.RESOLVED, actor=actor, now=now, fields=fields,
                  body=result, data={"responsibility": responsibility,
                                     "proof_attachment_ids": [a.pk for a in existing]})
    stored = _store_attachments(ticket, attachments, actor=actor, event=event, is_internal=False, now=now)
    if stored:
        event.data["proof_attachment_ids"] += [a.pk for a in stored]
        event.save(update_fields=["data"])
    return ticket


@transaction.atomic
def ticket_feed_back(*, number: str, actor: User, message: str, version: int | None = None) -> Ticket:
    """The owner tells the customer the result, with the proof, and asks them to confirm."""
    ticket = _lock(number, actor=actor, expected_version=version)
    _guard(ticket, action=Action.FEED_BACK, actor=actor)
    message = _require_text(message, field_name="message", message=_("Write what the customer is told."))
    now = clock.now()
    ticket.fed_back_at = ticket.last_public_update_at = now
    _move(ticket, to_state=State.AWAITING_CONFIRMATION, kind=events.FED_BACK, actor=actor, now=now,
          fields=["fed_back_at", "last_public_update_at"], body=message)
    return ticket


@transaction.atomic
def ticket_confirm(*, number: str, actor: User, note: str = "", version: int | None = None) -> Ticket:
    """The owner records that the customer confirmed the result: the loop closes."""
    ticket = _lock(number, actor=actor, expected_version=version)
    _guard(ticket, action=Action.CONFIRM, actor=actor)
    now = clock.now()
    ticket.closed_at, ticket.closure = now, Closure.CONFIRMED
    _move(ticket, to_state=State.CLOSED, kind=events.CONFIRMED, actor=actor, now=now,
          fields=["closed_at", "closure"], body=note.strip())
    return ticket


@transaction.atomic
def ticket_dispute(*, number: str, actor: User, reason: str, version: int | None = None) -> Ticket:
    ticket = _lock(number, actor=actor, expected_version=version)
    _guard(ticket, action=Action.DISPUTE, actor=actor)
    reason = _require_text(reason, field_name="reason", message=_("Record what the customer says is still wrong."))
    now = clock.now()
    ticket.resolved_at = ticket.fed_back_at = None
    _move(ticket, to_state=State.IN_PROGRESS, kind=events.DISPUTED, actor=actor, now=now, body=reason,
          fields=["resolved_at", "fed_back_at"])
    return ticket


@transaction.atomic
def ticket_reopen(*, number: str, actor: User, reason: str, version: int | None = None) -> Ticket:
    ticket = _lock(number, actor=actor, expected_version=version)
    _guard(ticket, action=Action.REOPEN, actor=actor)
    reason = _require_text(reason, field_name="reason", message=_("Say why the case is reopened."))
    now = clock.now()
    ticket.reopen_count += 1
    ticket.closed_at, ticket.closure, ticket.resolved_at, ticket.fed_back_at = None, "", None, None
    _move(ticket, to_state=State.REOPENED, kind=events.REOPENED, actor=actor, now=now, body=reason,
          fields=["reopen_count", "closed_at", "closure", "resolved_at", "fed_back_at"],
          data={"reopen_count": ticket.reopen_count})
    return ticket


@transaction.atomic
def ticket_archive(*, number: str, actor: User, version: int | None = None) -> Ticket:
    ticket = _lock(number, actor=actor, expected_version=version)
    _guard(ticket, action=Action.ARCHIVE, actor=actor)
    _move(ticket, to_state=State.ARCHIVED, kind=events.ARCHIVED, actor=actor, now=clock.now())
    return ticket


@transaction.atomic
def ticket_cancel(*, number: str, actor: User, reason: str, version: int | None = None) -> Ticket:
    """Close a case that needs no handling (duplicate, spam, withdrawn by the customer)."""
    ticket = _lock(number, actor=actor, expected_version=version)
    _guard(ticket, action=Action.CANCEL, actor=actor)
    reason = _require_text(reason, field_name="reason", message=_("Say why the case is cancelled."))
    now = clock.now()
    ticket.closed_at, ticket.closure = now, Closure.CANCELLED
    _move(ticket, to_state=State.CLOSED, kind=events.CANCELLED, actor=actor, now=now, body=reason,
          fields=["closed_at", "closure"])
    return ticket


# ---------------------------------------------------------------- notes, replies, attachments


@transaction.atomic
def ticket_add_note(*, number: str, actor: User, body: str, internal: bool = True,
                    attachments: Sequence[UploadedFile] = (), version: int | None = None) -> TicketEvent:
    """An internal note (never shown to customers) or a reply the customer sees."""
    ticket = _lock(number, actor=actor, expected_version=version)
    _guard(ticket, action=Action.NOTE if internal else Action.REPLY, actor=actor)
    body = (body or "").strip()
    if not body and not attachments:
        raise ValidationFailed(_("Write something or attach a file."), code="note_empty", detail={"field": "body"})
    now = clock.now()
    fields: list[str] = []
    if not internal:
        ticket.last_public_update_at = now
        fields.append("last_public_update_at")
        if ticket.first_response_at is None:
            ticket.first_response_at = now
            fields.append("first_response_at")
    _mark_handling_started(ticket, actor, now, fields)
    _save(ticket, fields)
    event = _record(ticket, kind=events.NOTE if internal else events.REPLY, actor=actor, now=now, body=body)
    _store_attachments(ticket, attachments, actor=actor, event=event, is_internal=internal, now=now)
    return event


@transaction.atomic
def ticket_add_attachments(*, number: str, actor: User, attachments: Sequence[UploadedFile], internal: bool = False,
                           version: int | None = None) -> list[Attachment]:
    """Upload evidence or proof on its own (the API's multipart endpoint)."""
    ticket = _lock(number, actor=actor, expected_version=version)
    _guard(ticket, action=Action.NOTE, actor=actor)
    if not attachments:
        raise ValidationFailed(_("No file was uploaded."), code="attachment_missing", detail={"field": "files"})
    now = clock.now()
    _save(ticket, [])
    event = _record(ticket, kind=events.ATTACHMENT_ADDED, actor=actor, now=now,
                    data={"count": len(attachments)})
    event.is_internal = internal
    event.save(update_fields=["is_internal"])
    return _store_attachments(ticket, attachments, actor=actor, event=event, is_internal=internal, now=now)
