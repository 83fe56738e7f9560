"""The outbox flush: deliver what is due, one notification per transaction.

Each notification is locked (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite's
IMMEDIATE transactions serialise writers), handed to its backend and marked in
the same transaction. A worker killed mid-send leaves the row pending, so it is
delivered later; nothing is marked delivered that was not handed over. Workers
running side by side never take the same row.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from aftersales.core import clock

from .backends import backend_for
from .models import DeliveryStatus, Notification

logger = logging.getLogger("aftersales.notify")


@dataclass
class FlushReport:
    delivered: int = 0
    retried: int = 0
    failed: int = 0

    @property
    def handled(self) -> int:
        return self.delivered + self.retried + self.failed


def backoff(attempts: int) -> dt.timedelta:
    """30 s, 1 min, 2 min, … capped at an hour."""
    base = settings.AFTERSALES_NOTIFY_RETRY_SECONDS
    return dt.timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 3600))


def _deliver_one(now: dt.datetime, report: FlushReport) -> bool:
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "id")
            .first()
        )
        if notification is None:
            return False
        notification.attempts += 1
        try:
            backend_for(notification.channel).send(notification)
        except Exception as exc:  # any backend failure is a failed attempt, never a lost message
            notification.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if notification.attempts >= settings.AFTERSALES_NOTIFY_MAX_ATTEMPTS:
                notification.status = DeliveryStatus.FAILED
                notification.next_attempt_at = None
                report.failed += 1
                logger.warning("notification %s failed for good: %s", notification.pk, notification.last_error)
            else:
                notification.next_attempt_at = now + backoff(notification.attempts)
                report.retried += 1
        else:
            notification.status = DeliveryStatus.DELIVERED
            notification.delivered_at = clock.now()
            notification.next_attempt_at = None
            notification.last_error = ""
            report.delivered += 1
        notification.save(update_fields=["attempts", "status", "next_attempt_at", "last_error", "delivered_at"])
        return True


def flush(now: dt.datetime | None = None, *, limit: int = 500) -> FlushReport:
    """Deliver up to ``limit`` due notifications. Safe to run anywhere, any number of times."""
    now = now or clock.now()
    report = FlushReport()
    while report.handled < limit and _deliver_one(now, report):
        pass
    return report
