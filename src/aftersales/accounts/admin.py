"""Departments, staff users and their roles, API tokens. Also names the admin site."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from aftersales.core.i18n import pick

from .models import ApiToken, Department, User
from .services import api_token_revoke

# The product's own name, Chinese first; independent of the message catalogues.
admin.site.site_header = lazy(lambda: pick("售后服务平台 管理后台", "Aftersales administration"), str)()
admin.site.site_title = lazy(lambda: pick("售后服务平台", "Aftersales"), str)()
admin.site.index_title = lazy(lambda: pick("管理后台", "Administration"), str)()


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "name_en", "code", "member_count", "is_active", "sort_order")
    list_editable = ("is_active", "sort_order")
    search_fields = ("code", "name", "name_en")
    list_filter = ("is_active",)
    ordering = ("sort_order", "code")

    @admin.display(description=_("members"))
    def member_count(self, obj: Department) -> int:
        return obj.members.count()

    def has_delete_permission(self, request: HttpRequest, obj: Department | None = None) -> bool:
        # Cases, plans and users point at departments; deactivate instead.
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "display_name", "role", "department", "phone", "is_active", "is_staff",
                    "last_login")
    list_filter = ("role", "department", "is_active", "is_staff", "is_superuser")
    list_select_related = ("department",)
    search_fields = ("username", "display_name", "first_name", "last_name", "email", "phone")
    ordering = ("username",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Role and department"), {"fields": ("role", "department", "display_name", "phone", "email")}),
        (_("Name"), {"fields": ("first_name", "last_name"), "classes": ("collapse",)}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions"),
                            "classes": ("collapse",)}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "usable_password", "password1", "password2")}),
        (_("Role and department"), {"classes": ("wide",),
                                    "fields": ("role", "department", "display_name", "phone", "email")}),
    )
    readonly_fields = ("last_login", "date_joined")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created with ``aftersales token USERNAME`` (the secret is shown once); here they are revoked."""

    list_display = ("prefix", "name", "user", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    list_select_related = ("user",)
    search_fields = ("prefix", "name", "user__username", "user__display_name")
    readonly_fields = ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    exclude = ("key_hash",)
    actions = ("revoke",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False

    @admin.action(description=_("Revoke selected tokens"), permissions=["delete"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset.filter(revoked_at__isnull=True):
            api_token_revoke(token_id=token.pk, actor=request.user)  # type: ignore[arg-type]
        self.message_user(request, _("Tokens revoked."), messages.SUCCESS)
