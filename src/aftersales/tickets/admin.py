"""Categories and case settings are edited here; cases and their dossiers are only read.

A case changes state only through its services (which lock, guard and write
the dossier event), so the admin never offers to add, change or delete one.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import Attachment, Category, IdempotencyKey, Ticket, TicketEvent, TicketSettings


class ReadOnlyAdminMixin:
    """View-only: no add, change or delete, whoever asks."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SubcategoryInline(admin.TabularInline):
    model = Category
    fk_name = "parent"
    extra = 0
    fields = ("code", "name", "name_en", "examples", "sort_order", "is_active")
    verbose_name = _("subcategory")
    verbose_name_plural = _("subcategories")


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "name_en", "code", "parent", "examples", "sort_order", "is_active")
    list_editable = ("sort_order", "is_active")
    list_filter = ("parent", "is_active")
    list_select_related = ("parent",)
    search_fields = ("code", "name", "name_en", "examples")
    ordering = ("sort_order", "code")

    def get_inlines(self, request: HttpRequest, obj: Category | None) -> list[type]:
        # Only top-level categories have subcategories (two levels, as in SPEC §2).
        return [SubcategoryInline] if obj is not None and obj.parent_id is None else []

    def has_delete_permission(self, request: HttpRequest, obj: Category | None = None) -> bool:
        return False  # cases keep their category forever; deactivate instead


@admin.register(TicketSettings)
class TicketSettingsAdmin(admin.ModelAdmin):
    list_display = ("__str__", "transfer_flag_threshold")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not TicketSettings.objects.exists()  # a single row

    def has_delete_permission(self, request: HttpRequest, obj: TicketSettings | None = None) -> bool:
        return False


class EventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = TicketEvent
    fields = ("created_at", "kind", "actor", "from_state", "to_state", "is_internal", "body")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[TicketEvent]:
        return super().get_queryset(request).select_related("actor")


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("number", "title", "state", "priority", "channel", "category", "customer", "owner",
                    "department", "transfer_count", "first_contact_at")
    list_filter = ("state", "priority", "channel", "demand", "category", "department", "hold_reason", "closure",
                   "responsibility")
    list_select_related = ("category", "customer", "owner", "department", "assignee")
    search_fields = ("=number", "number", "title", "customer__name", "customer__phone", "proof_number",
                     "trace_code_text")
    date_hierarchy = "first_contact_at"
    show_full_result_count = False  # no count(*) of a large table on every page
    inlines = (EventInline,)
    fieldsets = (
        (None, {"fields": ("number", "state", "title", "description", "channel", "demand")}),
        (_("Classification"), {"fields": ("category", "subcategory", "priority", "risk_flags", "responsibility")}),
        (_("Customer and product"), {"fields": ("customer", "product_model", "batch", "unit", "model_text",
                                                "batch_text", "trace_code_text", "purchase_date", "proof_number",
                                                "purchase_channel")}),
        (_("Ownership"), {"fields": ("owner", "registered_by", "department", "assignee", "current_plan",
                                     "transfer_count", "reopen_count", "hold_reason", "closure")}),
        (_("Clock"), {"fields": ("first_contact_at", "registered_at", "first_response_at", "classified_at",
                                 "assigned_at", "handling_started_at", "plan_proposed_at", "plan_offered_at",
                                 "last_public_update_at", "hold_started_at", "paused_seconds", "resolved_at",
                                 "fed_back_at", "closed_at")}),
    )


@admin.register(TicketEvent)
class TicketEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "ticket", "kind", "actor", "from_state", "to_state", "is_internal")
    list_filter = ("kind", "is_internal", "to_state")
    list_select_related = ("ticket", "actor")
    search_fields = ("=ticket__number", "body")
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("original_name", "ticket", "content_type", "size", "is_internal", "uploaded_by", "created_at")
    list_filter = ("content_type", "is_internal")
    list_select_related = ("ticket", "uploaded_by")
    search_fields = ("=ticket__number", "original_name", "sha256")


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("key", "user", "ticket", "created_at")
    list_select_related = ("user", "ticket")
    search_fields = ("key", "=ticket__number", "user__username")
