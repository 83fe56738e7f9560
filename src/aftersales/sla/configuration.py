"""The SLA configuration (policies with their limits, the escalation chain), cached per process.

Every lifecycle write consults it, so reading it from the database each time would
add three queries to every action. The cache is dropped when a row is saved or
deleted in this process and in any case after a minute (:mod:`aftersales.core.config_cache`).
"""

from __future__ import annotations

from django.db.models import Prefetch

from aftersales.core.config_cache import ConfigCache

from .models import Calendar, EscalationStep, SlaPolicy, SlaTarget

_cache = ConfigCache("sla-config", models_=(SlaPolicy, SlaTarget, EscalationStep, Calendar))
clear_cache = _cache.clear
_cached = _cache.get


def active_policies() -> list[SlaPolicy]:
    return _cached("policies", lambda: list(
        SlaPolicy.objects.filter(is_active=True)
        .select_related("calendar", "match_category")
        .prefetch_related(Prefetch("targets", queryset=SlaTarget.objects.select_related("calendar")))
        .order_by("order", "code")
    ))


def active_steps() -> list[EscalationStep]:
    return _cached("steps", lambda: list(EscalationStep.objects.filter(is_active=True).order_by("stage", "order", "id")))
