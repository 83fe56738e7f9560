"""Triage rules, routing rules, handler profiles, shifts and the settings row are edited
here; suggestions, labels and model versions are only read.

Every edit reaches every worker within a minute (core.config_cache). Retraining is a
command, not a button: ``aftersales triage retrain``.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from aftersales.customers.models import CustomerType
from aftersales.tickets.admin import ReadOnlyAdminMixin
from aftersales.tickets.models import Category, Channel, Priority

from . import selectors, services, text
from .models import (
    DepartmentShift,
    HandlerProfile,
    RoutingRule,
    TriageLabel,
    TriageModelVersion,
    TriageRule,
    TriageSettings,
)


def _check_codes(values: object, allowed: set[str], field: str) -> list[str]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ValidationError({field: gettext("Give a list of codes, e.g. [\"technical_fault\"].")})
    unknown = sorted(set(values) - allowed)
    if unknown:
        raise ValidationError({field: gettext("Unknown codes: {codes}.").format(codes=", ".join(unknown))})
    return values


class TriageRuleForm(forms.ModelForm):
    class Meta:
        model = TriageRule
        fields = ("code", "name", "name_en", "kind", "keywords", "customer_types", "ignore_negated", "set_priority",
                  "min_model_p1", "add_flag", "reason", "reason_en", "order", "is_active")

    def clean_keywords(self) -> str:
        keywords = self.cleaned_data.get("keywords", "")
        bad = text.bad_patterns(keywords)
        if bad:
            raise ValidationError(gettext("Not a valid regular expression: {terms}").format(terms=" ".join(bad)))
        return keywords

    def clean_customer_types(self) -> list[str]:
        return _check_codes(self.cleaned_data.get("customer_types") or [], set(CustomerType.values), "customer_types")

    def clean(self) -> dict:
        data = super().clean()
        if data.get("kind") == "keyword" and not text.split_terms(data.get("keywords", "")):
            self.add_error("keywords", gettext("A keyword rule needs at least one keyword."))
        if not data.get("set_priority") and not data.get("add_flag"):
            self.add_error("set_priority", gettext("A rule must raise the priority, add a flag, or both."))
        return data


@admin.register(TriageRule)
class TriageRuleAdmin(admin.ModelAdmin):
    form = TriageRuleForm
    list_display = ("order", "name", "kind", "set_priority", "add_flag", "keyword_count", "is_active")
    list_display_links = ("name",)
    list_editable = ("order", "is_active")
    list_filter = ("kind", "set_priority", "add_flag", "is_active")
    search_fields = ("code", "name", "name_en", "keywords")
    actions = ("add_default_terms",)

    @admin.display(description=_("keywords"))
    def keyword_count(self, obj: TriageRule) -> int:
        return len(obj.terms)

    @admin.action(description=_("Add the shipped keywords these rules lack"), permissions=["change"])
    def add_default_terms(self, request: HttpRequest, queryset: QuerySet[TriageRule]) -> HttpResponse | None:
        """First shows which terms each rule would gain; only the confirmation writes."""
        if request.POST.get("confirm") == "yes":
            added = services.rule_add_default_terms(rule_ids=list(queryset.values_list("pk", flat=True)))
            self.message_user(request, gettext("{count} keywords added.").format(count=added), messages.SUCCESS)
            return None
        rows = selectors.rules_missing_default_terms(queryset.order_by("order", "pk"))
        context = {**self.admin_site.each_context(request), "title": gettext("Add the shipped keywords"),
                   "opts": self.model._meta, "rows": rows, "queryset": queryset,
                   "total": sum(len(row.terms) for row in rows),
                   "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME}
        return TemplateResponse(request, "admin/triage/triagerule/add_default_terms.html", context)


class RoutingRuleForm(forms.ModelForm):
    class Meta:
        model = RoutingRule
        fields = ("code", "name", "name_en", "order", "is_active", "categories", "subcategories", "priorities",
                  "product_lines", "customer_types", "channels", "regions", "department", "queue", "notify_head",
                  "notify_users", "set_priority")

    def clean(self) -> dict:
        data = super().clean()
        codes = set(Category.objects.values_list("code", flat=True))
        checks = {"categories": codes, "subcategories": codes, "priorities": set(Priority.values),
                  "customer_types": set(CustomerType.values), "channels": set(Channel.values)}
        for field, allowed in checks.items():
            try:
                _check_codes(data.get(field) or [], allowed, field)
            except ValidationError as exc:
                for name, messages in exc.message_dict.items():
                    self.add_error(name, messages)
        for field in ("product_lines", "regions"):
            value = data.get(field) or []
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                self.add_error(field, gettext("Give a list of texts, e.g. [\"华东\"]."))
        return data


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    form = RoutingRuleForm
    list_display = ("order", "name", "department", "queue", "notify_head", "set_priority", "is_active")
    list_display_links = ("name",)
    list_editable = ("order", "is_active")
    list_filter = ("department", "is_active", "notify_head")
    search_fields = ("code", "name", "name_en", "queue")
    filter_horizontal = ("notify_users",)
    fieldsets = (
        (None, {"fields": ("code", "name", "name_en", "order", "is_active")}),
        (_("Conditions (empty = any)"), {"fields": ("categories", "subcategories", "priorities", "product_lines",
                                                     "customer_types", "channels", "regions")}),
        (_("Actions"), {"fields": ("department", "queue", "notify_head", "notify_users", "set_priority")}),
    )


@admin.register(TriageSettings)
class TriageSettingsAdmin(admin.ModelAdmin):
    list_display = ("__str__", "auto_accept", "auto_accept_threshold", "auto_assign", "default_max_load")
    fieldsets = (
        (_("Suggestion"), {"fields": ("auto_accept", "auto_accept_threshold", "max_text_chars", "negation_cues",
                                      "not_negation", "hypothetical_cues", "same_batch_min_cases", "same_batch_days")}),
        (_("Assignment"), {"fields": ("auto_assign", "weight_p1", "weight_p2", "weight_p3", "default_max_load")}),
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not TriageSettings.objects.exists()  # a single row

    def has_delete_permission(self, request: HttpRequest, obj: TriageSettings | None = None) -> bool:
        return False


@admin.register(HandlerProfile)
class HandlerProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "department", "skills", "product_lines", "max_load", "absent_until",
                    "accepts_auto_assignment", "last_assigned_at")
    list_filter = ("user__department", "accepts_auto_assignment")
    search_fields = ("user__username", "user__display_name")
    autocomplete_fields = ("user",)
    filter_horizontal = ("categories",)
    readonly_fields = ("last_assigned_at",)

    @admin.display(description=_("department"))
    def department(self, obj: HandlerProfile) -> str:
        return str(obj.user.department or "-")

    @admin.display(description=_("skills: categories"))
    def skills(self, obj: HandlerProfile) -> str:
        return "、".join(c.label for c in obj.categories.all()) or gettext("any")

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("user__department").prefetch_related("categories")


@admin.register(DepartmentShift)
class DepartmentShiftAdmin(admin.ModelAdmin):
    list_display = ("department", "calendar")


@admin.register(TriageModelVersion)
class TriageModelVersionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "trained_at", "is_active", "samples", "labels_used", "category_accuracy",
                    "demand_accuracy", "p1_recall", "sklearn_version", "trained_by")
    exclude = ("blob",)

    @admin.display(description=_("category accuracy"))
    def category_accuracy(self, obj: TriageModelVersion) -> str:
        return f"{obj.metrics.get('accuracy', {}).get('category', 0):.1%}"

    @admin.display(description=_("demand accuracy"))
    def demand_accuracy(self, obj: TriageModelVersion) -> str:
        return f"{obj.metrics.get('accuracy', {}).get('demand', 0):.1%}"

    @admin.display(description=_("P1 recall"))
    def p1_recall(self, obj: TriageModelVersion) -> str:
        return f"{obj.metrics.get('p1_recall', 0):.1%}"


@admin.register(TriageLabel)
class TriageLabelAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("ticket", "category", "subcategory", "priority", "demand", "corrected", "labelled_by",
                    "labelled_at")
    list_filter = ("corrected", "category", "priority", "demand")
    search_fields = ("ticket__number", "text")
    list_select_related = ("ticket", "labelled_by")
