"""The authority matrix (授权矩阵) is edited here; plans and approvals are only read."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from aftersales.tickets.admin import ReadOnlyAdminMixin

from .models import Approval, AuthorityLimit, Plan


@admin.register(AuthorityLimit)
class AuthorityLimitAdmin(admin.ModelAdmin):
    list_display = ("role", "max_compensation", "max_expedite_days", "updated_at")
    list_editable = ("max_compensation", "max_expedite_days")
    ordering = ("max_compensation",)

    def has_delete_permission(self, request: HttpRequest, obj: AuthorityLimit | None = None) -> bool:
        # No row means no authority at all; set the limit to 0 instead of deleting by accident.
        return request.user.is_superuser


class ApprovalInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Approval
    fields = ("created_at", "approver", "decision", "reason")
    readonly_fields = fields
    extra = 0


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "ticket", "kind", "status", "compensation_amount", "responsible_department",
                    "proposed_by", "needs_head_approval", "due_at")
    list_filter = ("kind", "status", "needs_head_approval", "responsible_department", "compensation_form")
    list_select_related = ("ticket", "responsible_department", "proposed_by")
    search_fields = ("=ticket__number", "summary")
    inlines = (ApprovalInline,)


@admin.register(Approval)
class ApprovalAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "plan", "approver", "decision", "reason")
    list_filter = ("decision",)
    list_select_related = ("plan", "approver")
    search_fields = ("=plan__ticket__number", "reason", "approver__username")
