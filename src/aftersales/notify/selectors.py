"""Reads of one's own notifications: the bell's inbox."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from aftersales.accounts.models import User
from aftersales.core.errors import NotFound

from .models import DeliveryStatus, Notification, NotifyChannel


def inbox(*, user: User, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's in-app notifications that reached the bell, newest first (the bell's index)."""
    qs = (Notification.objects.filter(recipient=user, channel=NotifyChannel.IN_APP, status=DeliveryStatus.DELIVERED)
          .select_related("ticket").only("id", "template", "subject", "body", "subject_en", "body_en",
                                         "created_at", "read_at", "ticket__number")
          .order_by("-created_at", "-id"))
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs


def notification_get_for_user(*, user: User, pk: int) -> Notification:
    """One of the user's own in-app notifications; anyone else's is simply not found."""
    found = Notification.objects.filter(pk=pk, recipient=user, channel=NotifyChannel.IN_APP).first()
    if found is None:
        raise NotFound(_("Notification {id} was not found.").format(id=pk), code="notification_not_found",
                       detail={"id": pk})
    return found
