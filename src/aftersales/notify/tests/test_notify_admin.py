"""The notifications admin: templates are edited (channels and placeholders checked), the outbox is
read, and failed rows are retried with an action."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aftersales.notify.models import DeliveryStatus, Notification, NotificationTemplate
from aftersales.notify.services import notify

pytestmark = pytest.mark.django_db


def template_form(template: NotificationTemplate, **changes) -> dict:
    data = {"code": template.code, "description": template.description, "is_active": "on",
            "channels": template.channels, "subject": template.subject, "body": template.body,
            "subject_en": template.subject_en, "body_en": template.body_en, **changes}
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def outbox(agent, supervisor, handler):
    notify(template="sla_breach", recipients=[agent, supervisor, handler], cause="esc:1:step:2",
           context={"number": "AS20260302-000001", "title": "电饭煲显示E3", "priority": "P1", "metric": "首次响应",
                    "metric_en": "First response", "due": "2026-03-02 10:30", "overdue_minutes": 5,
                    "department": "客服部", "assignee": "-", "owner": "王芳", "url": "/cases/AS20260302-000001/"})
    failed, pending, delivered = Notification.objects.order_by("id")
    Notification.objects.filter(pk=failed.pk).update(status=DeliveryStatus.FAILED, attempts=8, next_attempt_at=None,
                                                     last_error="DeliveryFailed: HTTP Error 503")
    Notification.objects.filter(pk=delivered.pk).update(status=DeliveryStatus.DELIVERED, attempts=1)
    return failed, pending, delivered


# ---------------------------------------------------------------- pages


@pytest.mark.parametrize("model", ["notificationtemplate", "notification"])
def test_lists_and_change_pages_load(admin_client, outbox, model):
    assert admin_client.get(reverse(f"admin:notify_{model}_changelist")).status_code == 200
    obj = (NotificationTemplate if model == "notificationtemplate" else Notification).objects.first()
    assert admin_client.get(reverse(f"admin:notify_{model}_change", args=[obj.pk])).status_code == 200


@pytest.mark.parametrize("params", [{"status__exact": "failed"}, {"channel__exact": "in_app"},
                                    {"template": "sla_breach"}, {"q": "AS20260302"}, {"q": "supervisor"}])
def test_the_outbox_filters_answer(admin_client, outbox, params):
    assert admin_client.get(reverse("admin:notify_notification_changelist"), params).status_code == 200


def test_the_outbox_is_read_only(admin_client, outbox):
    failed = outbox[0]
    assert admin_client.get(reverse("admin:notify_notification_add")).status_code == 403
    assert admin_client.post(reverse("admin:notify_notification_change", args=[failed.pk]), {}).status_code == 403
    assert admin_client.get(reverse("admin:notify_notification_delete", args=[failed.pk])).status_code == 403


def test_the_template_page_shows_a_preview_with_sample_values(admin_client):
    template = NotificationTemplate.objects.get(code="sla_breach")
    page = admin_client.get(reverse("admin:notify_notificationtemplate_change", args=[template.pk])).content.decode()
    assert "SH20260214-0001" in page  # the sample case number, rendered into the subject
    assert "{number}" in page  # the help text lists the placeholders


# ---------------------------------------------------------------- editing templates


def test_a_template_is_edited_with_placeholders_and_channels(admin_client):
    template = NotificationTemplate.objects.get(code="sla_warning")
    response = admin_client.post(
        reverse("admin:notify_notificationtemplate_change", args=[template.pk]),
        template_form(template, subject="【预警】{number} 的{metric}将于 {due} 到期（{{请勿回复}}）",
                      channels=["email", "in_app", "email"]))
    assert response.status_code == 302, response.content.decode()[:3000]
    template.refresh_from_db()
    assert template.channels == ["in_app", "email"]  # once each, in a stable order
    assert template.subject.startswith("【预警】{number}")


@pytest.mark.parametrize(("field", "text", "message"), [
    ("subject", "工单 {numbr}", "{numbr}"),
    ("body", "工单 {number", "{{"),  # "write {{ and }} for literal braces"
    ("body_en", "Case {number.real}", "{number.real}"),
    ("subject_en", "Case {0}", "{0}"),
    ("body", "已超时 {overdue_minutes:%Y} 分钟", "Invalid format specifier"),  # Python's own words
    ("body", "{}", "{}"),
])
def test_a_template_whose_placeholders_would_not_render_is_refused(admin_client, field, text, message):
    template = NotificationTemplate.objects.get(code="sla_breach")
    response = admin_client.post(reverse("admin:notify_notificationtemplate_change", args=[template.pk]),
                                 template_form(template, **{field: text}))
    assert response.status_code == 200
    errors = str(response.context["adminform"].form.errors.get(field))
    assert message in errors, errors  # the part that reads the same in either language
    template.refresh_from_db()
    assert getattr(template, field) != text


def test_channels_must_be_known_and_at_least_one(admin_client):
    template = NotificationTemplate.objects.get(code="sla_warning")
    url = reverse("admin:notify_notificationtemplate_change", args=[template.pk])
    assert admin_client.post(url, template_form(template, channels=["pigeon"])).status_code == 200
    assert admin_client.post(url, template_form(template, channels=None)).status_code == 200
    template.refresh_from_db()
    assert template.channels == ["in_app", "email", "webhook"]


def test_a_placeholder_a_template_already_uses_stays_allowed(admin_client):
    custom = NotificationTemplate.objects.create(code="survey_invite", subject="请评价工单 {number}",
                                                 body="{customer}，您好：请点击 {survey_link}", channels=["in_app"])
    response = admin_client.post(reverse("admin:notify_notificationtemplate_change", args=[custom.pk]),
                                 template_form(custom, body="{customer}，您好！请点击 {survey_link} 评价"))
    assert response.status_code == 302, response.content.decode()[:2000]


def test_templates_are_deactivated_not_deleted(admin_client):
    template = NotificationTemplate.objects.get(code="sla_warning")
    assert admin_client.get(reverse("admin:notify_notificationtemplate_delete", args=[template.pk])).status_code == 403


# ---------------------------------------------------------------- the retry action


def test_the_retry_action_requeues_failed_notifications_only(admin_client, outbox):
    failed, pending, delivered = outbox
    response = admin_client.post(reverse("admin:notify_notification_changelist"), {
        "action": "retry", "_selected_action": [failed.pk, pending.pk, delivered.pk]}, follow=True)

    assert response.status_code == 200
    texts = [str(m) for m in response.context["messages"]]
    assert any("1" in text for text in texts) and len(texts) == 2  # one requeued, two left alone
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.last_error) == (DeliveryStatus.PENDING, 0, "")
    assert failed.next_attempt_at is not None
    assert Notification.objects.get(pk=delivered.pk).status == DeliveryStatus.DELIVERED


def test_staff_without_the_permission_cannot_retry(client, outbox, agent):
    agent.is_staff = True
    agent.save()
    client.force_login(agent)
    response = client.post(reverse("admin:notify_notification_changelist"),
                           {"action": "retry", "_selected_action": [outbox[0].pk]})
    assert response.status_code == 403
    assert Notification.objects.get(pk=outbox[0].pk).status == DeliveryStatus.FAILED
