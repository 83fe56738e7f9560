"""Per-process caches of configuration rows (SLA policies, calendars, triage rules …).

Every lifecycle write consults some configuration; reading it from the database each
time would add queries to every action. A ``ConfigCache`` keeps loaded values for at
most ``seconds`` and is dropped whenever one of its models is saved or deleted in this
process, so an edit in the admin reaches every worker within ``seconds``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

from django.db import models
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")
_registry: list[ConfigCache] = []


class ConfigCache:
    def __init__(self, name: str, *, models_: Iterable[type[models.Model]], seconds: float = 60) -> None:
        self.name = name
        self.seconds = seconds
        self._lock = threading.Lock()
        self._values: dict[Hashable, tuple[float, object]] = {}
        for model in models_:
            uid = f"config-cache-{name}-{model._meta.label_lower}"
            post_save.connect(self._dropped, sender=model, dispatch_uid=f"{uid}-save", weak=False)
            post_delete.connect(self._dropped, sender=model, dispatch_uid=f"{uid}-delete", weak=False)
        _registry.append(self)

    def _dropped(self, **_kwargs: object) -> None:
        self.clear()

    def clear(self) -> None:
        with self._lock:
            self._values.clear()

    def get(self, key: Hashable, load: Callable[[], T]) -> T:
        hit = self._values.get(key)
        if hit is not None and time.monotonic() - hit[0] < self.seconds:
            return hit[1]  # type: ignore[return-value]
        value = load()
        with self._lock:
            self._values[key] = (time.monotonic(), value)
        return value


def clear_all() -> None:
    """Drop every configuration cache (tests: one test's rolled-back rows must not leak into the next)."""
    for cache in _registry:
        cache.clear()
