"""The admin site: its name, every list renders, staff users carry role and department."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import translation

from aftersales.accounts.models import ApiToken, Department, User
from aftersales.accounts.services import api_token_create

pytestmark = pytest.mark.django_db


def test_admin_site_is_named_in_chinese_first(admin_client):
    response = admin_client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "售后服务平台 管理后台" in response.content.decode()
    with translation.override("en"):
        assert str(admin.site.site_header) == "Aftersales administration"


def test_every_admin_list_and_add_page_renders(admin_client, make_ticket):
    make_ticket("in_progress", priority="P1")  # a case with events, a plan and an approval
    for model in admin.site._registry:
        opts = model._meta
        response = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        assert response.status_code == 200, opts.label
        obj = model.objects.first()
        if obj is not None:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
            assert admin_client.get(url).status_code == 200, opts.label


def test_staff_user_is_created_with_role_and_department(admin_client):
    department = Department.objects.get(code="logistics")
    response = admin_client.post(reverse("admin:accounts_user_add"), {
        "username": "zhaolei", "usable_password": "true", "password1": "S3cure-pass-42",
        "password2": "S3cure-pass-42", "role": "handler", "department": department.pk, "display_name": "赵磊",
        "phone": "", "email": "",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="zhaolei")
    assert (user.role, user.department, user.display_name) == ("handler", department, "赵磊")


def test_users_are_filtered_by_role(admin_client, agent, handler):
    response = admin_client.get(reverse("admin:accounts_user_changelist"), {"role__exact": "handler"})
    body = response.content.decode()
    assert "张工" in body and "王芳" not in body


def test_api_tokens_are_revoked_not_edited(admin_client, agent):
    token, _raw = api_token_create(user=agent, name="erp")
    assert admin_client.get(reverse("admin:accounts_apitoken_add")).status_code == 403
    admin_client.post(reverse("admin:accounts_apitoken_changelist"),
                      {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert ApiToken.objects.count() == 1


def test_departments_cannot_be_deleted_only_deactivated(admin_client):
    department = Department.objects.get(code="warehouse")
    url = reverse("admin:accounts_department_delete", args=[department.pk])
    assert admin_client.get(url).status_code == 403
