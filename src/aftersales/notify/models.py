"""The transactional outbox: notifications written with the event that causes them.

A row is created inside the business transaction, so it exists exactly when the
event does; the worker delivers it later, with retries and backoff, and marks it
delivered or failed. In-app notifications are the bell in the console.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core.i18n import pick
from aftersales.core.models import BaseModel


class NotifyChannel(models.TextChoices):
    IN_APP = "in_app", _("In-app (bell)")
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    WEBHOOK = "webhook", _("Webhook")


class NotificationTemplate(BaseModel):
    """Editable text of one kind of notification. Placeholders look like {number}."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    description = models.CharField(_("when it is sent"), max_length=120, blank=True)
    subject = models.CharField(_("subject (Chinese)"), max_length=200)
    body = models.TextField(_("body (Chinese)"))
    subject_en = models.CharField(_("subject (English)"), max_length=200, blank=True)
    body_en = models.TextField(_("body (English)"), blank=True)
    channels = models.JSONField(_("channels"), default=list,
                                help_text="any of: in_app, email, sms, webhook")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("notification template")
        verbose_name_plural = _("notification templates")

    def __str__(self) -> str:
        return self.code


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class Notification(models.Model):
    """One message to one recipient on one channel."""

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False,
                           help_text="sent with every delivery attempt so a receiver can drop a repeat")
    dedupe_key = models.CharField(max_length=160, unique=True,
                                  help_text="the cause, so the same cause never writes a second row")
    template = models.CharField(_("template"), max_length=40, db_index=True)
    channel = models.CharField(_("channel"), max_length=10, choices=NotifyChannel.choices)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="notifications", verbose_name=_("recipient"))
    address = models.CharField(_("address"), max_length=200, blank=True)
    ticket = models.ForeignKey("tickets.Ticket", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="+", verbose_name=_("case"))
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))
    subject_en = models.CharField(max_length=200, blank=True)
    body_en = models.TextField(blank=True)
    context = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications (outbox)")
        indexes = [
            # The flush reads only what is waiting; the partial index stays small.
            models.Index(fields=["next_attempt_at", "id"], name="notify_pending_due",
                         condition=models.Q(status="pending")),
            # The bell: a user's unread in-app messages.
            models.Index(fields=["recipient", "channel", "read_at"], name="notify_bell"),
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.template}→{self.address}"

    @property
    def display_subject(self) -> str:
        return pick(self.subject, self.subject_en)

    @property
    def display_body(self) -> str:
        return pick(self.body, self.body_en)
