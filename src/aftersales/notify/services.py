"""Writing to the outbox and reading one's own notifications.

``notify`` must be called inside the transaction of the event that causes it:
then the notification exists if and only if the event does.
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db import transaction

from aftersales.accounts.models import User
from aftersales.core import clock

from .models import DeliveryStatus, Notification, NotificationTemplate, NotifyChannel


class _Placeholders(dict):
    """Unknown placeholders stay visible as {name} instead of failing the event."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render(text: str, context: Mapping[str, Any]) -> str:
    try:
        return string.Formatter().vformat(text, (), _Placeholders(context))
    except (ValueError, IndexError, AttributeError):  # a broken template must not lose the notification
        return text


def _addresses(template: NotificationTemplate, user: User) -> list[tuple[str, str]]:
    channels = [c for c in template.channels if c in NotifyChannel.values]
    found = []
    for channel in channels:
        if channel == NotifyChannel.IN_APP:
            found.append((channel, user.username))
        elif channel == NotifyChannel.EMAIL and user.email:
            found.append((channel, user.email))
        elif channel == NotifyChannel.SMS and getattr(user, "phone", ""):
            found.append((channel, user.phone))
    return found


def template_get(code: str) -> NotificationTemplate | None:
    return NotificationTemplate.objects.filter(code=code, is_active=True).first()


def build_notifications(*, template: NotificationTemplate, recipients: Iterable[User], context: Mapping[str, Any],
                        cause: str, ticket_id: int | None = None,
                        now: dt.datetime | None = None) -> list[Notification]:
    """Unsaved outbox rows: ``template`` for each recipient on each of its channels (and the webhook, if set).

    ``cause`` names what happened (e.g. "esc:42:step:3"); with the channel and the
    recipient it makes the row's dedupe key, so a retried cause writes nothing twice.
    """
    now = now or clock.now()
    context = dict(context)
    subject, body = render(template.subject, context), render(template.body, context)
    subject_en, body_en = render(template.subject_en, context), render(template.body_en, context)
    targets: list[tuple[User | None, str, str]] = []
    seen: set[int] = set()
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        targets += [(user, channel, address) for channel, address in _addresses(template, user)]
    webhook_url = settings.AFTERSALES_WEBHOOK_URL
    if NotifyChannel.WEBHOOK in template.channels and webhook_url:
        targets.append((None, NotifyChannel.WEBHOOK, webhook_url))
    return [
        Notification(
            dedupe_key=f"{cause}:{channel}:{user.pk if user else '-'}"[:160], template=template.code,
            channel=channel, recipient=user, address=address, ticket_id=ticket_id, subject=subject[:200],
            body=body, subject_en=subject_en[:200], body_en=body_en, context=context, next_attempt_at=now,
            created_at=now,
        )
        for user, channel, address in targets
    ]


def notify(*, template: str, recipients: Iterable[User], context: Mapping[str, Any], cause: str,
           ticket_id: int | None = None, now: dt.datetime | None = None) -> list[Notification]:
    """Queue a notification in the caller's transaction. An inactive or unknown template sends nothing."""
    row = template_get(template)
    if row is None:
        return []
    rows = build_notifications(template=row, recipients=recipients, context=context, cause=cause,
                               ticket_id=ticket_id, now=now)
    # ignore_conflicts: the same cause retried (a second worker, a replayed job) adds nothing.
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return rows


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, channel=NotifyChannel.IN_APP,
                                       status=DeliveryStatus.DELIVERED, read_at__isnull=True).count()


@transaction.atomic
def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's own in-app notifications read (all of them when ``ids`` is None)."""
    rows = Notification.objects.filter(recipient=user, channel=NotifyChannel.IN_APP, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=clock.now())


@transaction.atomic
def notifications_retry(*, ids: Iterable[int]) -> int:
    """Put failed notifications back in the queue (the admin's "retry" action)."""
    return Notification.objects.filter(pk__in=list(ids), status=DeliveryStatus.FAILED).update(
        status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=clock.now(), last_error="")
