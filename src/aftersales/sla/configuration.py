"""The SLA configuration (policies with their limits, the escalation chain), cached per process.

Every lifecycle write consults it, so reading it from the database each time would
add three queries to every action. The cache is dropped when a row is saved or
deleted in this process and in any case after ``CACHE_SECONDS``: an edit in the
admin reaches every worker within a minute.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

from django.db.models import Prefetch
from django.db.models.signals import post_delete, post_save

from .models import Calendar, EscalationStep, SlaPolicy, SlaTarget

CACHE_SECONDS = 60
T = TypeVar("T")
_lock = threading.Lock()
_cache: dict[str, tuple[float, object]] = {}


def clear_cache(**_kwargs: object) -> None:
    with _lock:
        _cache.clear()


for _model in (SlaPolicy, SlaTarget, EscalationStep, Calendar):
    post_save.connect(clear_cache, sender=_model, dispatch_uid=f"sla-config-save-{_model.__name__}")
    post_delete.connect(clear_cache, sender=_model, dispatch_uid=f"sla-config-delete-{_model.__name__}")


def _cached(key: str, load: Callable[[], T]) -> T:
    hit = _cache.get(key)
    if hit is not None and time.monotonic() - hit[0] < CACHE_SECONDS:
        return hit[1]  # type: ignore[return-value]
    value = load()
    with _lock:
        _cache[key] = (time.monotonic(), value)
    return value


def active_policies() -> list[SlaPolicy]:
    return _cached("policies", lambda: list(
        SlaPolicy.objects.filter(is_active=True)
        .select_related("calendar", "match_category")
        .prefetch_related(Prefetch("targets", queryset=SlaTarget.objects.select_related("calendar")))
        .order_by("order", "code")
    ))


def active_steps() -> list[EscalationStep]:
    return _cached("steps", lambda: list(EscalationStep.objects.filter(is_active=True).order_by("stage", "order", "id")))
