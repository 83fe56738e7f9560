"""Notification templates are edited here; the outbox is read, and failed rows retried.

A template's placeholders must be ones the sender fills (``PLACEHOLDERS``), so a
typo is refused here instead of reaching a customer-facing message as ``{numbr}``.
"""

from __future__ import annotations

import contextlib
import string
from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from aftersales.tickets.admin import ReadOnlyAdminMixin

from .models import Notification, NotificationTemplate, NotifyChannel
from .services import notifications_retry, render

# What the SLA tick puts in a notification's context (sla/jobs.py ``_context``), with a sample value.
PLACEHOLDERS: dict[str, tuple[Any, str]] = {
    "number": (_("case number"), "SH20260214-0001"),
    "title": (_("case title"), "电饭煲显示E3无法加热"),
    "priority": (_("priority"), "P1"),
    "metric": (_("clock (Chinese)"), "首次响应"),
    "metric_en": (_("clock (English)"), "First response"),
    "due": (_("deadline, Beijing time"), "2026-02-14 09:30"),
    "overdue_minutes": (_("minutes past the deadline"), 12),
    "department": (_("responsible department"), "技术支持部"),
    "assignee": (_("handler"), "张工"),
    "owner": (_("first-contact owner"), "王芳"),
    "url": (_("link to the case"), "/cases/SH20260214-0001/"),
}
TEXT_FIELDS = ("subject", "body", "subject_en", "body_en")


def placeholders_in(text: str) -> list[str]:
    """The names of ``{placeholders}`` in ``text``; raises ValueError when the braces do not parse."""
    return [name for _literal, name, _spec, _conversion in string.Formatter().parse(text or "") if name is not None]


def check_placeholders(text: str, allowed: Iterable[str]) -> None:
    """Refuse text whose placeholders would not render: bad braces, unknown names, attributes, indexes."""
    allowed = set(allowed)
    try:
        names = placeholders_in(text)
    except ValueError:
        raise ValidationError(_("Unbalanced braces: write {{ and }} for literal braces.")) from None
    unknown = sorted({name or "{}" for name in names if name not in allowed})
    if unknown:
        raise ValidationError(
            _("Unknown placeholder(s): %(unknown)s. Available: %(available)s."),
            params={"unknown": ", ".join(f"{{{n}}}" if n != "{}" else n for n in unknown),
                    "available": ", ".join(f"{{{n}}}" for n in sorted(allowed))})
    sample = {name: value for name, (_label, value) in PLACEHOLDERS.items()}
    sample.update({name: "…" for name in allowed if name not in sample})
    try:
        string.Formatter().vformat(text, (), sample)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        raise ValidationError(_("The text does not render: %(error)s"), params={"error": exc}) from None


class NotificationTemplateForm(forms.ModelForm):
    channels = forms.MultipleChoiceField(label=_("channels"), choices=NotifyChannel.choices,
                                         widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = NotificationTemplate
        fields = ("code", "description", "is_active", "channels", "subject", "body", "subject_en", "body_en")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Placeholders this template already uses stay allowed (a sender of its own may fill them).
        stored = set()
        if self.instance.pk:
            for field in TEXT_FIELDS:
                with contextlib.suppress(ValueError):
                    stored.update(placeholders_in(getattr(self.instance, field)))
        self.allowed_placeholders = set(PLACEHOLDERS) | {name for name in stored if name}
        help_text = gettext("Placeholders: {names}. Literal braces: {{{{ and }}}}.").format(
            names=" ".join(f"{{{n}}}" for n in sorted(self.allowed_placeholders)))
        for field in TEXT_FIELDS:
            self.fields[field].help_text = help_text

    def clean_channels(self) -> list[str]:
        chosen = self.cleaned_data["channels"]
        return [value for value in NotifyChannel.values if value in chosen]  # once each, in a stable order

    def _clean_text(self, field: str) -> str:
        value = self.cleaned_data.get(field, "")
        check_placeholders(value, self.allowed_placeholders)
        return value

    def clean_subject(self) -> str:
        return self._clean_text("subject")

    def clean_body(self) -> str:
        return self._clean_text("body")

    def clean_subject_en(self) -> str:
        return self._clean_text("subject_en")

    def clean_body_en(self) -> str:
        return self._clean_text("body_en")


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(admin.ModelAdmin):
    form = NotificationTemplateForm
    list_display = ("code", "description", "subject", "channel_labels", "is_active", "updated_at")
    list_editable = ("is_active",)
    list_filter = ("is_active",)
    search_fields = ("code", "description", "subject", "subject_en")
    readonly_fields = ("preview",)
    fieldsets = (
        (None, {"fields": ("code", "description", "is_active", "channels")}),
        (_("Chinese"), {"fields": ("subject", "body")}),
        (_("English"), {"fields": ("subject_en", "body_en")}),
        (_("Preview with sample values"), {"fields": ("preview",)}),
    )

    @admin.display(description=_("channels"))
    def channel_labels(self, obj: NotificationTemplate) -> str:
        return ", ".join(str(NotifyChannel(c).label) for c in obj.channels if c in NotifyChannel.values)

    @admin.display(description=_("preview"))
    def preview(self, obj: NotificationTemplate) -> str:
        if obj.pk is None:
            return "—"
        sample = {name: value for name, (_label, value) in PLACEHOLDERS.items()}
        rows = [(render(getattr(obj, field), sample),) for field in TEXT_FIELDS if getattr(obj, field)]
        return format_html_join("", '<pre style="white-space: pre-wrap; margin: 0 0 .5em">{}</pre>', rows)

    def has_delete_permission(self, request: HttpRequest, obj: NotificationTemplate | None = None) -> bool:
        return False  # the code sends templates by code: deactivate one instead


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "template", "channel", "recipient", "address", "ticket", "status", "attempts",
                    "next_attempt_at", "delivered_at", "short_error")
    list_filter = ("status", "channel", "template")
    list_select_related = ("recipient", "ticket")
    search_fields = ("=ticket__number", "recipient__username", "address", "subject")
    date_hierarchy = "created_at"
    show_full_result_count = False
    actions = ("retry",)

    @admin.display(description=_("last error"))
    def short_error(self, obj: Notification) -> str:
        return obj.last_error[:80]

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("notify.change_notification")

    @admin.action(description=_("Retry the selected failed notifications"), permissions=["retry"])
    def retry(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        ids = list(queryset.values_list("pk", flat=True))
        requeued = notifications_retry(ids=ids)
        skipped = len(ids) - requeued
        self.message_user(request, ngettext("%(count)d notification is queued again.",
                                            "%(count)d notifications are queued again.", requeued)
                          % {"count": requeued}, messages.SUCCESS if requeued else messages.WARNING)
        if skipped:
            self.message_user(request, ngettext(
                "%(count)d selected notification had not failed and was left alone.",
                "%(count)d selected notifications had not failed and were left alone.", skipped)
                % {"count": skipped}, messages.INFO)

