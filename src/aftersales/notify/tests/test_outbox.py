"""The transactional outbox: rows written with their cause, rendered from editable templates,
delivered by the flush through real backends (Django's locmem mail, a local HTTP server for
the webhook, the log for SMS), retried with backoff, failed after the last attempt, retried again.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction
from django.utils import timezone

from aftersales.notify.jobs import backoff, flush
from aftersales.notify.models import DeliveryStatus, Notification, NotificationTemplate
from aftersales.notify.services import notifications_retry, notify, render
from aftersales.tickets.models import TicketEvent

pytestmark = pytest.mark.django_db

CONTEXT = {"number": "AS20260302-000001", "title": "电饭煲显示E3", "priority": "P1", "metric": "首次响应",
           "metric_en": "First response", "due": "2026-03-02 10:30"}


@pytest.fixture
def template() -> NotificationTemplate:
    return NotificationTemplate.objects.create(
        code="case_test", subject="【测试】工单 {number}（{priority}）", body="「{title}」的{metric}将于 {due} 到期。{unknown}",
        subject_en="[Test] Case {number} ({priority})", body_en="{metric_en} of “{title}” is due {due}.",
        channels=["in_app", "email", "sms", "webhook"])


@pytest.fixture
def people(agent, supervisor, handler):
    agent.email, agent.phone = "wangfang@example.com", "13800000001"
    agent.save()
    return [agent, supervisor, handler]


class Hook:
    """A local webhook receiver: records what it gets, answers with ``status``."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.status = 200
        self.url = ""


@pytest.fixture
def hook(settings) -> Iterator[Hook]:
    receiver = Hook()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            receiver.received.append({"path": self.path, "idempotency_key": self.headers["Idempotency-Key"],
                                      "content_type": self.headers["Content-Type"], "json": json.loads(body)})
            self.send_response(receiver.status)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_port}/hooks/aftersales"
    settings.AFTERSALES_WEBHOOK_URL = receiver.url
    yield receiver
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def rows(**filters) -> list[Notification]:
    return list(Notification.objects.filter(**filters).order_by("id"))


# ---------------------------------------------------------------- writing


def test_one_row_per_recipient_and_channel_they_can_be_reached_on(template, people, settings):
    settings.AFTERSALES_WEBHOOK_URL = "http://127.0.0.1:9/hook"
    now = timezone.now()
    notify(template="case_test", recipients=people, context=CONTEXT, cause="test:1", now=now)

    found = {(n.channel, n.recipient.username if n.recipient else None, n.address) for n in rows()}
    assert found == {
        ("in_app", "agent", "agent"), ("in_app", "supervisor", "supervisor"), ("in_app", "tech", "tech"),
        ("email", "agent", "wangfang@example.com"), ("sms", "agent", "13800000001"),
        ("webhook", None, "http://127.0.0.1:9/hook"),  # once, not per recipient
    }
    assert {(n.status, n.attempts, n.next_attempt_at, n.created_at) for n in rows()} == {
        (DeliveryStatus.PENDING, 0, now, now)}


def test_no_webhook_row_without_a_webhook_url(template, people, settings):
    settings.AFTERSALES_WEBHOOK_URL = ""
    notify(template="case_test", recipients=people, context=CONTEXT, cause="test:1")
    assert not rows(channel="webhook")


def test_rows_are_written_in_the_callers_transaction_and_rolled_back_with_it(template, people, make_ticket):
    ticket = make_ticket()
    with pytest.raises(RuntimeError), transaction.atomic():
        TicketEvent.objects.create(ticket=ticket, kind="note", body="x", created_at=timezone.now())
        notify(template="case_test", recipients=people, context=CONTEXT, cause="rolled-back", ticket_id=ticket.pk)
        assert Notification.objects.filter(dedupe_key__startswith="rolled-back").exists()
        raise RuntimeError("the business write failed")
    assert not Notification.objects.filter(dedupe_key__startswith="rolled-back").exists()
    assert not TicketEvent.objects.filter(ticket=ticket, kind="note", body="x").exists()

    with transaction.atomic():
        notify(template="case_test", recipients=people, context=CONTEXT, cause="kept", ticket_id=ticket.pk)
    assert Notification.objects.filter(dedupe_key__startswith="kept", ticket=ticket).count() == 5


def test_the_same_cause_never_writes_a_second_row(template, people):
    for _ in range(3):
        notify(template="case_test", recipients=people, context=CONTEXT, cause="esc:7:step:3")
    assert len(rows()) == 5
    notify(template="case_test", recipients=people, context=CONTEXT, cause="esc:7:step:4")
    assert len(rows()) == 10


def test_each_person_once_and_inactive_or_missing_people_never(template, agent, supervisor):
    supervisor.is_active = False
    supervisor.save()
    notify(template="case_test", recipients=[agent, agent, None, supervisor], context=CONTEXT, cause="c")
    assert [(n.channel, n.recipient) for n in rows()] == [("in_app", agent)]


def test_an_inactive_or_unknown_template_sends_nothing(template, people):
    template.is_active = False
    template.save()
    assert notify(template="case_test", recipients=people, context=CONTEXT, cause="c") == []
    assert notify(template="no_such_template", recipients=people, context=CONTEXT, cause="c") == []
    assert not rows()


# ---------------------------------------------------------------- templates


def test_placeholders_are_filled_in_chinese_and_english(template, agent):
    notify(template="case_test", recipients=[agent], context=CONTEXT, cause="c")
    [message] = rows()
    assert message.subject == "【测试】工单 AS20260302-000001（P1）"
    assert message.body == "「电饭煲显示E3」的首次响应将于 2026-03-02 10:30 到期。{unknown}"  # left visible
    assert message.subject_en == "[Test] Case AS20260302-000001 (P1)"
    assert message.body_en == "First response of “电饭煲显示E3” is due 2026-03-02 10:30."
    assert message.context == CONTEXT


@pytest.mark.parametrize(("text", "expected"), [
    ("工单 {number}", "工单 A1"),
    ("{missing} 与 {number}", "{missing} 与 A1"),
    ("{{字面量}} {number}", "{字面量} A1"),
    ("{number", "{number"),  # broken braces: the raw text, never an exception
    ("{number.real}", "{number.real}"),
    ("{0}", "{0}"),
    ("{number:%Y}", "{number:%Y}"),
])
def test_render_never_fails_the_event(text, expected):
    assert render(text, {"number": "A1"}) == expected


def test_the_seeded_templates_render_the_escalation_context(agent):
    context = {**CONTEXT, "overdue_minutes": 12, "department": "技术支持部", "assignee": "张工", "owner": "王芳",
               "url": "/cases/AS20260302-000001/"}
    for code in ("sla_warning", "sla_breach", "progress_reminder"):
        notify(template=code, recipients=[agent], context=context, cause=code)
    for message in rows():
        for text in (message.subject, message.body, message.subject_en, message.body_en):
            assert "{" not in text and "AS20260302-000001" in text + message.body
    assert "12" in rows(template="sla_breach")[0].subject


# ---------------------------------------------------------------- delivering


def test_flush_delivers_in_app_rows_once(template, agent):
    now = timezone.now()
    notify(template="case_test", recipients=[agent], context=CONTEXT, cause="c", now=now)

    report = flush(now=now)

    assert (report.delivered, report.retried, report.failed) == (1, 0, 0)
    [message] = rows()
    assert (message.status, message.attempts, message.last_error, message.next_attempt_at) == (
        DeliveryStatus.DELIVERED, 1, "", None)
    assert message.delivered_at is not None
    assert flush(now=now + dt.timedelta(hours=1)).handled == 0


def test_a_row_not_yet_due_waits(template, agent):
    later = timezone.now() + dt.timedelta(minutes=5)
    notify(template="case_test", recipients=[agent], context=CONTEXT, cause="c", now=later)
    assert flush(now=later - dt.timedelta(seconds=1)).handled == 0
    assert flush(now=later).delivered == 1


def test_email_goes_through_djangos_mail_backend_with_the_key(template, people, mailoutbox):
    notify(template="case_test", recipients=people, context=CONTEXT, cause="c")
    flush()
    [mail] = mailoutbox
    message = Notification.objects.get(channel="email")
    assert mail.to == ["wangfang@example.com"]
    assert (mail.subject, mail.body) == (message.subject, message.body)
    assert mail.extra_headers["Message-ID"] == f"<{message.key}@aftersales>"
    assert message.status == DeliveryStatus.DELIVERED


def test_sms_goes_to_the_log_until_a_provider_is_set(template, people, caplog):
    notify(template="case_test", recipients=people, context=CONTEXT, cause="c")
    with caplog.at_level(logging.INFO, logger="aftersales.notify"):
        flush()
    sms = Notification.objects.get(channel="sms")
    assert sms.status == DeliveryStatus.DELIVERED
    assert any("13800000001" in r.getMessage() and str(sms.key) in r.getMessage() for r in caplog.records)


def test_the_webhook_posts_json_with_an_idempotency_key(template, agent, hook):
    notify(template="case_test", recipients=[agent], context=CONTEXT, cause="c")

    assert flush().delivered == 2

    [request] = hook.received
    webhook = Notification.objects.get(channel="webhook")
    assert request["path"] == "/hooks/aftersales"
    assert request["idempotency_key"] == str(webhook.key)
    assert request["content_type"].startswith("application/json")
    assert request["json"] == {
        "key": str(webhook.key), "template": "case_test", "channel": "webhook", "case": "AS20260302-000001",
        "subject": webhook.subject, "body": webhook.body, "subject_en": webhook.subject_en,
        "body_en": webhook.body_en, "context": CONTEXT,
    }
    assert webhook.status == DeliveryStatus.DELIVERED


def test_a_failing_channel_is_retried_with_backoff_then_failed_then_retried_by_hand(template, agent, hook,
                                                                                     settings):
    settings.AFTERSALES_NOTIFY_MAX_ATTEMPTS = 4
    settings.AFTERSALES_NOTIFY_RETRY_SECONDS = 30
    hook.status = 503
    start = timezone.now()
    notify(template="case_test", recipients=[agent], context=CONTEXT, cause="c", now=start)
    flush(now=start)  # the in-app row goes; the webhook fails its first attempt

    webhook = Notification.objects.get(channel="webhook")
    assert (webhook.status, webhook.attempts, webhook.next_attempt_at) == ("pending", 1,
                                                                           start + dt.timedelta(seconds=30))
    assert "503" in webhook.last_error
    moment = start
    for attempt, wait in ((2, 30), (3, 60), (4, 120)):
        moment = webhook.next_attempt_at
        assert flush(now=moment - dt.timedelta(seconds=1)).handled == 0  # not before its time
        report = flush(now=moment)
        webhook.refresh_from_db()
        assert webhook.attempts == attempt
        if attempt < 4:
            assert report.retried == 1 and webhook.next_attempt_at == moment + dt.timedelta(seconds=wait * 2)
    assert (webhook.status, webhook.next_attempt_at, report.failed) == (DeliveryStatus.FAILED, None, 1)
    assert flush(now=moment + dt.timedelta(days=1)).handled == 0  # failed rows are left alone
    assert len(hook.received) == 4

    hook.status = 200
    assert notifications_retry(ids=[webhook.pk]) == 1
    webhook.refresh_from_db()
    assert (webhook.status, webhook.attempts, webhook.last_error) == ("pending", 0, "")
    assert flush(now=timezone.now() + dt.timedelta(seconds=1)).delivered == 1
    webhook.refresh_from_db()
    assert webhook.status == DeliveryStatus.DELIVERED
    assert len({r["idempotency_key"] for r in hook.received}) == 1  # every attempt carried the same key


def test_an_unreachable_webhook_is_a_failed_attempt_not_a_crash(template, agent, settings):
    settings.AFTERSALES_WEBHOOK_URL = "http://127.0.0.1:9/unreachable"  # the discard port: nothing listens
    notify(template="case_test", recipients=[agent], context=CONTEXT, cause="c")
    report = flush()
    assert (report.delivered, report.retried) == (1, 1)
    assert Notification.objects.get(channel="webhook").last_error.startswith("DeliveryFailed")


def test_retry_only_requeues_failed_rows(template, people):
    notify(template="case_test", recipients=people, context=CONTEXT, cause="c")
    failed, pending, delivered = rows()[:3]
    Notification.objects.filter(pk=failed.pk).update(status=DeliveryStatus.FAILED, attempts=8, last_error="x",
                                                     next_attempt_at=None)
    Notification.objects.filter(pk=delivered.pk).update(status=DeliveryStatus.DELIVERED, attempts=1)

    assert notifications_retry(ids=[failed.pk, pending.pk, delivered.pk]) == 1

    assert Notification.objects.get(pk=failed.pk).status == DeliveryStatus.PENDING
    assert Notification.objects.get(pk=delivered.pk).status == DeliveryStatus.DELIVERED


def test_backoff_doubles_from_the_base_and_stops_at_an_hour(settings):
    settings.AFTERSALES_NOTIFY_RETRY_SECONDS = 30
    assert [backoff(n).total_seconds() for n in range(1, 10)] == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]
