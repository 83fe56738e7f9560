"""Delivery backends: one small interface, one class per channel.

A backend's ``send`` returns when the message is handed over and raises
``DeliveryFailed`` (or anything) when it is not; the outbox retries. Every
attempt carries the notification's ``key`` (Message-ID / Idempotency-Key), so a
receiver that saw an attempt whose acknowledgement was lost can drop the repeat.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from functools import cache
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

from .models import Notification

logger = logging.getLogger("aftersales.notify")


class DeliveryFailed(Exception):
    """The channel refused or could not be reached; try again later."""


class Backend(Protocol):
    def send(self, notification: Notification) -> None: ...


class InAppBackend:
    """The row itself is the message: once delivered, the bell shows it."""

    def send(self, notification: Notification) -> None:
        return None


class LogBackend:
    """Writes the message to the log (the default for SMS and webhooks until a provider is set)."""

    def send(self, notification: Notification) -> None:
        logger.info("notify %s to %s [%s]: %s — %s", notification.channel, notification.address,
                    notification.key, notification.subject, notification.body)


class EmailBackend:
    """Sends through Django's email backend (EMAIL_BACKEND; SMTP settings from the environment)."""

    def send(self, notification: Notification) -> None:
        message = EmailMessage(
            subject=notification.subject, body=notification.body, to=[notification.address],
            headers={"Message-ID": f"<{notification.key}@aftersales>", "X-Aftersales-Key": str(notification.key)},
        )
        message.send(fail_silently=False)


class WebhookBackend:
    """POSTs the notification as JSON, with an Idempotency-Key header; any 2xx is success."""

    timeout_seconds = 10

    def send(self, notification: Notification) -> None:
        payload = {
            "key": str(notification.key), "template": notification.template, "channel": notification.channel,
            "case": notification.context.get("number"), "subject": notification.subject,
            "body": notification.body, "subject_en": notification.subject_en, "body_en": notification.body_en,
            "context": notification.context,
        }
        request = urllib.request.Request(  # noqa: S310 - the operator configures the URL
            notification.address, data=json.dumps(payload, ensure_ascii=False).encode(), method="POST",
            headers={"Content-Type": "application/json; charset=utf-8",
                     "Idempotency-Key": str(notification.key)},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_seconds) as response:  # noqa: S310
                status = response.status
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            raise DeliveryFailed(str(exc)) from exc
        if not 200 <= status < 300:
            raise DeliveryFailed(f"HTTP {status}")


@cache
def backend_for(channel: str) -> Backend:
    path = settings.AFTERSALES_NOTIFY_BACKENDS[channel]
    return import_string(path)()


@receiver(setting_changed)
def _forget_backends(*, setting: str, **_kwargs: object) -> None:
    # ``backend_for`` keeps one instance per channel: without this, a changed setting
    # (override_settings in tests) would keep delivering through the old backend.
    if setting == "AFTERSALES_NOTIFY_BACKENDS":
        backend_for.cache_clear()
