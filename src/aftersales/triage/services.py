"""Every write of triage, and the suggestion itself.

- ``triage_text``: the API's and the CLI's suggestion for a bare text (validated input).
- ``triage_ticket``: the suggestion for a case that just arrived, stored beside it.
- ``label_record``: a supervisor's classification, kept as a training label.
- ``handler_mark_assigned``: round-robin bookkeeping after an automatic assignment.
- ``model_retrain``: learn from the bundled set plus every confirmed case, evaluate, activate.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from aftersales.accounts.models import User
from aftersales.core import clock
from aftersales.core.errors import ValidationFailed
from aftersales.customers.models import CustomerType
from aftersales.tickets.models import Channel, Ticket

from . import configuration, engine
from .classifier import PARENT_OF, Sample, TextModel, load_samples
from .evaluation import evaluate
from .models import HandlerProfile, TriageLabel, TriageModelVersion, TriageRule, TriageSuggestion
from .seeds import default_terms


def triage_text(*, text: Any, customer_type: Any = "individual", channel: Any = "") -> engine.Suggestion:
    """Suggest for a bare text. Refuses empty, over-long or mistyped input with a clear reason."""
    if not isinstance(text, str):
        raise ValidationFailed(_("“text” must be a string."), code="invalid_text", detail={"field": "text"})
    if not text.strip():
        raise ValidationFailed(_("Give the customer's words to triage."), code="text_required",
                               detail={"field": "text"})
    limit = configuration.settings().max_text_chars
    if len(text) > limit:
        raise ValidationFailed(_("The text is too long to triage ({length} characters; at most {limit})."
                                 ).format(length=len(text), limit=limit),
                               code="text_too_long", detail={"field": "text", "length": len(text), "limit": limit})
    customer_type = customer_type or "individual"
    if customer_type not in CustomerType.values:
        raise ValidationFailed(_("“customer_type” must be individual, enterprise or dealer."),
                               code="invalid_customer_type", detail={"field": "customer_type",
                                                                     "allowed": list(CustomerType.values)})
    if channel and channel not in Channel.values:
        raise ValidationFailed(_("Unknown channel."), code="invalid_channel",
                               detail={"field": "channel", "allowed": list(Channel.values)})
    active = configuration.active_model()
    return engine.suggest(engine.Context(text=text, customer_type=customer_type, channel=channel or ""),
                          config=configuration.config(), model=active.model, model_version=active.version)


def ticket_text(ticket: Ticket) -> str:
    """What triage reads of a case: the summary, the customer's words and the product as given."""
    parts = [ticket.title, ticket.description]
    if ticket.model_text:
        parts.append(ticket.model_text)
    return "\n".join(p for p in parts if p)


# A batch failure is a product defect: deliveries and questions on one batch are not one.
BATCH_FAULT_CATEGORIES = frozenset({"technical_fault", "quality_objection"})


def _same_batch_counter(ticket: Ticket, now: dt.datetime, days: int) -> engine.SameBatchCounter:
    def count(subcategory: str) -> int:
        if PARENT_OF.get(subcategory) not in BATCH_FAULT_CATEGORIES:
            return 0
        same_batch = Q(batch_id=ticket.batch_id) if ticket.batch_id else Q(batch_text=ticket.batch_text)
        # Only cases a supervisor classified count: suggestions must not vouch for each other.
        others = (Ticket.objects.filter(same_batch, subcategory__code=subcategory,
                                        created_at__gte=now - dt.timedelta(days=days))
                  .exclude(pk=ticket.pk).count())
        return others + 1

    return count


def ticket_suggestion(ticket: Ticket, *, now: dt.datetime | None = None) -> engine.Suggestion:
    """The suggestion for a case (no write): rules, the model and the same-batch count."""
    now = now or clock.now()
    config = configuration.config()
    active = configuration.active_model()
    limit = configuration.settings().max_text_chars
    batch_number = ticket.batch.number if ticket.batch_id else ticket.batch_text
    context = engine.Context(text=ticket_text(ticket)[:limit], customer_type=ticket.customer.customer_type,
                             channel=ticket.channel, batch_number=batch_number)
    counter = _same_batch_counter(ticket, now, config.same_batch_days) if batch_number else None
    return engine.suggest(context, config=config, model=active.model, model_version=active.version,
                          same_batch=counter)


def triage_ticket(*, ticket: Ticket, now: dt.datetime | None = None) -> tuple[TriageSuggestion, engine.Suggestion]:
    """Suggest for a case and store the suggestion beside it (the caller holds the case's transaction)."""
    now = now or clock.now()
    suggestion = ticket_suggestion(ticket, now=now)
    row, _created = TriageSuggestion.objects.update_or_create(ticket=ticket, defaults={
        "category": suggestion.category, "subcategory": suggestion.subcategory, "priority": suggestion.priority,
        "demand": suggestion.demand, "flags": suggestion.flags, "confidence": suggestion.confidence,
        "reasons": [r.as_json() for r in suggestion.reasons], "model_version": suggestion.model_version,
        "auto_accepted": False, "created_at": now,
    })
    return row, suggestion


def suggestion_mark_auto_accepted(*, row: TriageSuggestion) -> None:
    row.auto_accepted = True
    row.save(update_fields=["auto_accepted"])


def label_record(*, ticket: Ticket, actor: User | None, now: dt.datetime | None = None) -> TriageLabel:
    """Keep the case's confirmed classification as a training label (the latest decision wins)."""
    suggestion = TriageSuggestion.objects.filter(ticket=ticket).first()
    decided = {"category": ticket.category.code if ticket.category_id else "",
               "subcategory": ticket.subcategory.code if ticket.subcategory_id else "",
               "demand": ticket.demand, "priority": ticket.priority}
    suggested = ({"category": suggestion.category, "subcategory": suggestion.subcategory,
                  "demand": suggestion.demand, "priority": suggestion.priority} if suggestion else {})
    label, _created = TriageLabel.objects.update_or_create(ticket=ticket, defaults={
        "text": ticket_text(ticket), "customer_type": ticket.customer.customer_type, "channel": ticket.channel,
        **decided, "suggested": suggested, "corrected": bool(suggested) and suggested != decided,
        "labelled_by": actor, "labelled_at": now or clock.now(),
    })
    return label


def handler_mark_assigned(*, user: User, now: dt.datetime) -> None:
    HandlerProfile.objects.update_or_create(user=user, defaults={"last_assigned_at": now})


def confirmed_samples() -> list[Sample]:
    """Labels from the system's own cases, as training samples (only complete ones)."""
    return [
        Sample(text=row.text, customer_type=row.customer_type, category=row.category, subcategory=row.subcategory,
               demand=row.demand, priority=row.priority, channel=row.channel)
        for row in TriageLabel.objects.exclude(subcategory="").exclude(priority="").order_by("labelled_at", "id")
    ]


def model_retrain(*, trained_by: str = "", include_bundled: bool = True) -> TriageModelVersion:
    """Train on the bundled training split plus every confirmed case; evaluate on the held-out split;
    store the model and make it the active one."""
    own = confirmed_samples()
    samples = [*(load_samples("train") if include_bundled else []), *own]
    if len({s.subcategory for s in samples}) < 2:
        raise ValidationFailed(_("Not enough labelled cases to train on."), code="not_enough_labels",
                               detail={"samples": len(samples)})
    model = TextModel.train(samples)
    metrics = evaluate(model, load_samples("heldout"), config=configuration.config())
    with transaction.atomic():
        TriageModelVersion.objects.filter(is_active=True).update(is_active=False)
        row = TriageModelVersion.objects.create(
            blob=model.to_bytes(), is_active=True, trained_at=clock.now(), samples=len(samples),
            labels_used=len(own), sklearn_version=model.sklearn_version, metrics=metrics.as_json(),
            trained_by=trained_by[:60],
        )
    configuration.clear()
    return row


def rule_add_default_terms(*, rule_ids: list[int]) -> int:
    """Add to each rule the shipped terms it lacks (a newer release's vocabulary reaches an installation seeded
    earlier). Nothing an administrator added is removed. Returns how many terms were added."""
    added = 0
    with transaction.atomic():
        for rule in TriageRule.objects.select_for_update().filter(pk__in=rule_ids).order_by("pk"):
            have = set(rule.terms)
            missing = [term for term in default_terms(rule.code) if term not in have]
            if missing:
                rule.keywords = "\n".join([rule.keywords.rstrip(), *missing]).strip()
                rule.save(update_fields=["keywords", "updated_at"])
                added += len(missing)
    configuration.clear()
    return added
