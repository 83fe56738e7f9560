"""Calendars, public holidays, SLA policies and the escalation chain are edited here;
the clocks, escalations and breaches they produce are only read.

Next year's holidays and 调休 days: add them under *Public holidays and adjusted
working days* as the State Council publishes them (or run
``aftersales manage sync_public_holidays`` once chinese-calendar knows them).
An edit reaches every worker's calendar cache within a minute.
"""

from __future__ import annotations

import datetime as dt
from itertools import pairwise
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from aftersales.tickets.admin import ReadOnlyAdminMixin
from aftersales.tickets.models import Channel

from .models import (
    Calendar,
    EscalationStep,
    PublicDay,
    Recipient,
    SlaBreach,
    SlaClock,
    SlaEscalation,
    SlaPolicy,
    SlaTarget,
    Weekday,
    WorkingHours,
)
from .services import reschedule_open_clocks

# ---------------------------------------------------------------- calendars


class WorkingHoursFormSet(BaseInlineFormSet):
    """Windows of one weekday must not overlap (the arithmetic would count that time twice)."""

    def clean(self) -> None:
        super().clean()
        by_day: dict[int, list[tuple[dt.time, dt.time]]] = {}
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not data or data.get("DELETE"):
                continue
            weekday, start, end = data.get("weekday"), data.get("start"), data.get("end")
            if weekday is None or start is None or end is None:
                continue
            by_day.setdefault(int(weekday), []).append((start, end))
        for weekday, windows in sorted(by_day.items()):
            windows.sort()
            for (_start, end), (next_start, _end) in pairwise(windows):
                if next_start < end:
                    raise ValidationError(
                        gettext("The working windows of {weekday} overlap.").format(
                            weekday=Weekday(weekday).label))


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    formset = WorkingHoursFormSet
    fields = ("weekday", "start", "end")
    extra = 0


@admin.register(Calendar)
class CalendarAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en", "time_zone", "always_open", "observes_public_holidays",
                    "working_windows")
    list_filter = ("always_open", "observes_public_holidays")
    search_fields = ("code", "name", "name_en")
    inlines = (WorkingHoursInline,)
    fields = ("code", "name", "name_en", "time_zone", "always_open", "observes_public_holidays")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Calendar]:
        return super().get_queryset(request).prefetch_related("hours")

    @admin.display(description=_("working hours"))
    def working_windows(self, obj: Calendar) -> str:
        if obj.always_open:
            return "24×7"
        return "; ".join(str(row) for row in obj.hours.all()) or "—"


class YearFilter(admin.SimpleListFilter):
    title = _("year")
    parameter_name = "year"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        years = PublicDay.objects.dates("date", "year", order="DESC")
        return [(str(day.year), str(day.year)) for day in years]

    def queryset(self, request: HttpRequest, queryset: QuerySet[PublicDay]) -> QuerySet[PublicDay]:
        value = self.value()
        return queryset.filter(date__year=int(value)) if value and value.isdigit() else queryset


@admin.register(PublicDay)
class PublicDayAdmin(admin.ModelAdmin):
    list_display = ("date", "weekday", "kind", "name")
    list_display_links = ("date",)
    list_filter = ("kind", YearFilter)
    search_fields = ("name",)
    ordering = ("date",)
    date_hierarchy = "date"
    list_per_page = 100

    @admin.display(description=_("weekday"), ordering="date")
    def weekday(self, obj: PublicDay) -> str:
        return str(Weekday(obj.date.weekday()).label)


# ---------------------------------------------------------------- policies


def _channel_choices() -> list[tuple[str, Any]]:
    return [("", _("any channel")), *Channel.choices]


class SlaPolicyForm(forms.ModelForm):
    match_channel = forms.TypedChoiceField(label=_("channel"), choices=_channel_choices, required=False,
                                           empty_value="")

    class Meta:
        model = SlaPolicy
        fields = ("code", "name", "name_en", "order", "is_active", "calendar", "match_priority", "match_category",
                  "match_segment", "match_channel", "warn_percent", "pause_waiting_on_customer",
                  "pause_waiting_on_parts")


class SlaTargetInline(admin.TabularInline):
    model = SlaTarget
    fields = ("metric", "priority", "minutes", "calendar")
    extra = 0


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    form = SlaPolicyForm
    list_display = ("code", "name", "order", "calendar", "match_priority", "match_category", "match_segment",
                    "match_channel", "warn_percent", "pause_waiting_on_customer", "pause_waiting_on_parts",
                    "target_count", "is_active")
    list_editable = ("order", "is_active")
    list_filter = ("is_active", "calendar", "match_priority", "match_segment")
    list_select_related = ("calendar", "match_category")
    search_fields = ("code", "name", "name_en")
    ordering = ("order", "code")
    inlines = (SlaTargetInline,)
    fieldsets = (
        (None, {"fields": ("code", "name", "name_en", "order", "is_active", "calendar")}),
        (_("Which cases"), {"fields": ("match_priority", "match_category", "match_segment", "match_channel"),
                            "description": _("Blank matches anything. Among the active policies that match a "
                                             "case, the lowest order wins.")}),
        (_("Warning and pauses"), {"fields": ("warn_percent", "pause_waiting_on_customer",
                                              "pause_waiting_on_parts")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[SlaPolicy]:
        return super().get_queryset(request).annotate(target_total=Count("targets"))

    @admin.display(description=_("limits"), ordering="target_total")
    def target_count(self, obj: SlaPolicy) -> int:
        return obj.target_total  # type: ignore[attr-defined]


# ---------------------------------------------------------------- the escalation chain


class EscalationStepForm(forms.ModelForm):
    recipients = forms.MultipleChoiceField(label=_("recipients"), choices=Recipient.choices,
                                           widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = EscalationStep
        fields = ("stage", "delay_minutes", "priority", "metric", "recipients", "order", "is_active")

    def clean_recipients(self) -> list[str]:
        chosen = self.cleaned_data["recipients"]
        # In the chain's own order, once each: the JSON the tick reads.
        return [value for value in Recipient.values if value in chosen]


@admin.register(EscalationStep)
class EscalationStepAdmin(admin.ModelAdmin):
    form = EscalationStepForm
    list_display = ("__str__", "stage", "delay_minutes", "priority", "metric", "recipient_labels", "order",
                    "is_active")
    list_filter = ("stage", "is_active", "priority", "metric")
    ordering = ("stage", "order", "id")

    @admin.display(description=_("recipients"))
    def recipient_labels(self, obj: EscalationStep) -> str:
        return ", ".join(str(Recipient(r).label) for r in obj.recipients if r in Recipient.values)

    # A changed chain applies to the clocks already running, not only to new ones.
    def save_model(self, request: HttpRequest, obj: EscalationStep, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        reschedule_open_clocks()

    def delete_model(self, request: HttpRequest, obj: EscalationStep) -> None:
        super().delete_model(request, obj)
        reschedule_open_clocks()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[EscalationStep]) -> None:
        super().delete_queryset(request, queryset)
        reschedule_open_clocks()


# ---------------------------------------------------------------- what the clocks did (read-only)


@admin.register(SlaClock)
class SlaClockAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("ticket", "metric", "cycle", "status", "priority", "started_at", "due_at", "breached_at",
                    "stopped_at", "policy", "calendar")
    list_filter = ("status", "metric", "priority", "policy", "calendar")
    list_select_related = ("ticket", "policy", "calendar")
    search_fields = ("=ticket__number",)
    date_hierarchy = "due_at"
    ordering = ("-started_at", "-id")
    show_full_result_count = False


@admin.register(SlaEscalation)
class SlaEscalationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("fired_at", "case", "metric", "stage", "key", "recipients")
    list_filter = ("stage", "clock__metric", "clock__priority")
    list_select_related = ("clock__ticket",)
    search_fields = ("=clock__ticket__number",)
    date_hierarchy = "fired_at"
    ordering = ("-fired_at", "-id")
    show_full_result_count = False

    @admin.display(description=_("case"), ordering="clock__ticket__number")
    def case(self, obj: SlaEscalation) -> str:
        return obj.clock.ticket.number

    @admin.display(description=_("clock"), ordering="clock__metric")
    def metric(self, obj: SlaEscalation) -> str:
        return f"{obj.clock.get_metric_display()} #{obj.clock.cycle}"


@admin.register(SlaBreach)
class SlaBreachAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("breached_at", "ticket", "metric", "priority", "department", "person")
    list_filter = ("metric", "priority", "department", ("person", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("ticket", "department", "person")
    search_fields = ("=ticket__number", "person__username")
    date_hierarchy = "breached_at"
    show_full_result_count = False
