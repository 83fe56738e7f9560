"""Customers: search, edit contact data, import a list from CSV or Excel."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from aftersales.core.admin_import import ImportAdminMixin
from aftersales.core.tabular import ImportResult

from .imports import CUSTOMER_COLUMNS, customers_import
from .models import Customer


def _import(*, kind: str, content: bytes, filename: str, dry_run: bool) -> ImportResult:
    return customers_import(content=content, filename=filename, dry_run=dry_run)


@admin.register(Customer)
class CustomerAdmin(ImportAdminMixin, admin.ModelAdmin):
    list_display = ("name", "phone", "customer_type", "is_vip", "region", "preferred_channel", "created_at")
    list_filter = ("customer_type", "is_vip", "preferred_channel", "region")
    search_fields = ("name", "phone", "email", "wechat_openid")
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("name", "customer_type", "is_vip")}),
        (_("Contact"), {"fields": ("phone", "email", "wechat_openid", "preferred_channel")}),
        (_("Address"), {"fields": ("region", "address")}),
        (None, {"fields": ("created_at", "updated_at")}),
    )
    import_kind = "customers"
    import_columns = CUSTOMER_COLUMNS
    import_function = staticmethod(_import)

    def has_delete_permission(self, request: HttpRequest, obj: Customer | None = None) -> bool:
        # Cases keep their customer forever (PROTECT); a customer without cases may go.
        if obj is not None and obj.tickets.exists():
            return False
        return super().has_delete_permission(request, obj)
