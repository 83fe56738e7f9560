"""The bell and the inbox: one's own in-app notifications, marking them read."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from aftersales.notify.jobs import flush
from aftersales.notify.models import DeliveryStatus, Notification
from aftersales.sla.jobs import tick
from aftersales.tickets import services as svc
from conftest import registration

INBOX = reverse("notify:list")
READ_ALL = reverse("notify:read_all")
START = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


def read_url(n: Notification) -> str:
    return reverse("notify:read", kwargs={"pk": n.pk})


_seq = iter(range(1, 10_000))


def note(user, *, minutes: int = 0, subject: str = "【时限预警】工单提醒", ticket=None, read: bool = False,
         status: str = DeliveryStatus.DELIVERED, channel: str = "in_app") -> Notification:
    n = next(_seq)
    moment = START + dt.timedelta(minutes=minutes)
    return Notification.objects.create(
        dedupe_key=f"test:{n}", template="sla_warning", channel=channel, recipient=user, address=user.username,
        ticket=ticket, subject=subject, body=f"正文 {n}\n/cases/{ticket.number}/" if ticket else f"正文 {n}",
        subject_en=f"[Deadline warning] {n}", body_en=f"Body {n}", status=status, created_at=moment,
        read_at=moment if read else None,
    )


def bell_count(html: str) -> str | None:
    found = re.search(r'class="bell-count"[^>]*>([^<]+)<', html)
    return found.group(1) if found else None


# ---------------------------------------------------------------- the bell


@pytest.mark.django_db
def test_no_bell_and_no_count_query_when_signed_out(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(0):
        html = client.get(reverse("accounts:login")).content.decode()
    assert 'id="bell"' not in html


@pytest.mark.django_db
def test_bell_counts_only_my_delivered_unread_in_app_notifications(client, agent, agent2):
    note(agent)
    note(agent)
    note(agent, read=True)
    note(agent, status=DeliveryStatus.PENDING)  # not flushed yet
    note(agent, channel="email")
    note(agent2)
    client.force_login(agent)
    html = client.get(reverse("tickets:list")).content.decode()
    assert 'id="bell"' in html and bell_count(html) == "2"


@pytest.mark.django_db
def test_bell_without_unread_shows_no_number(client, agent):
    note(agent, read=True)
    client.force_login(agent)
    html = client.get(reverse("tickets:list")).content.decode()
    assert 'id="bell"' in html and bell_count(html) is None


@pytest.mark.django_db
def test_bell_caps_at_99(client, agent):
    for _ in range(100):
        note(agent)
    client.force_login(agent)
    assert bell_count(client.get(INBOX).content.decode()) == "99+"


@pytest.mark.django_db
def test_the_tick_and_the_flush_ring_the_bell(client, agent, supervisor):
    with time_machine.travel(START, tick=False):
        ticket, _ = svc.ticket_register(actor=agent, data=registration(channel="web"))
    with time_machine.travel(START + dt.timedelta(minutes=31), tick=False):
        tick()
        flush()
    client.force_login(supervisor)
    html = client.get(INBOX).content.decode()
    assert bell_count(html) == "1"
    assert "【超时升级】" in html and ticket.number in html
    assert reverse("tickets:detail", kwargs={"number": ticket.number}) in html


# ---------------------------------------------------------------- the inbox


@pytest.mark.django_db
def test_inbox_requires_login(client):
    response = client.get(INBOX)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


@pytest.mark.django_db
def test_inbox_lists_my_notifications_newest_first_with_unread_highlighted(client, agent, agent2, make_ticket):
    ticket = make_ticket()
    old = note(agent, minutes=0, subject="较早的提醒", read=True)
    new = note(agent, minutes=5, subject="最新的提醒", ticket=ticket)
    theirs = note(agent2, minutes=3, subject="别人的提醒")
    client.force_login(agent)
    html = client.get(INBOX).content.decode()
    assert html.index("最新的提醒") < html.index("较早的提醒")
    assert "别人的提醒" not in html
    assert f'id="notification-{theirs.pk}"' not in html
    assert re.search(rf'class="inbox-item is-unread inbox-sla_warning" id="notification-{new.pk}"', html)
    assert re.search(rf'class="inbox-item inbox-sla_warning" id="notification-{old.pk}"', html)
    assert reverse("tickets:detail", kwargs={"number": ticket.number}) in html
    assert f"/cases/{ticket.number}/<" not in html  # the address line of the body is replaced by the link


@pytest.mark.django_db
def test_inbox_in_english_uses_the_english_text(client, agent):
    note(agent, subject="中文标题")
    client.force_login(agent)
    client.cookies["django_language"] = "en"
    html = client.get(INBOX).content.decode()
    assert "[Deadline warning]" in html and "中文标题" not in html and "Mark all read" in html


@pytest.mark.django_db
def test_inbox_unread_filter_and_pagination(client, agent, settings):
    settings.AFTERSALES_PAGE_SIZE = 2
    for i in range(3):
        note(agent, minutes=i, subject=f"提醒{i}")
    note(agent, minutes=10, subject="已读的", read=True)
    client.force_login(agent)
    page1 = client.get(INBOX).content.decode()
    assert "已读的" in page1 and "提醒2" in page1 and "提醒1" not in page1
    assert "page=2" in page1
    unread = client.get(INBOX, {"unread": "1"}).content.decode()
    assert "已读的" not in unread and "提醒2" in unread and "提醒1" in unread
    unread2 = client.get(INBOX, {"unread": "1", "page": 2}).content.decode()
    assert "提醒0" in unread2 and "unread=1" in unread2


@pytest.mark.django_db
def test_empty_inbox(client, agent):
    client.force_login(agent)
    assert "暂无通知" in client.get(INBOX).content.decode()


# ---------------------------------------------------------------- marking read


@pytest.mark.django_db
def test_mark_one_read(client, agent):
    first, second = note(agent), note(agent)
    client.force_login(agent)
    response = client.post(read_url(first), {"next": INBOX + "?page=1"})
    assert response.status_code == 302 and response["Location"] == INBOX + "?page=1"
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None
    assert bell_count(client.get(INBOX).content.decode()) == "1"


@pytest.mark.django_db
def test_mark_read_never_redirects_off_site(client, agent):
    n = note(agent)
    client.force_login(agent)
    response = client.post(read_url(n), {"next": "https://evil.example/"})
    assert response["Location"] == INBOX


@pytest.mark.django_db
def test_someone_elses_notification_is_not_found(client, agent, agent2):
    theirs = note(agent2)
    client.force_login(agent)
    assert client.post(read_url(theirs)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.django_db
def test_mark_read_is_post_only(client, agent):
    n = note(agent)
    client.force_login(agent)
    assert client.get(read_url(n)).status_code == 405
    assert client.get(READ_ALL).status_code == 405


@pytest.mark.django_db
def test_mark_all_read_touches_only_mine(client, agent, agent2):
    mine = [note(agent), note(agent)]
    theirs = note(agent2)
    client.force_login(agent)
    response = client.post(READ_ALL, follow=True)
    html = response.content.decode()
    assert "已将 2 条通知标为已读" in html
    assert all(n.read_at for n in Notification.objects.filter(pk__in=[m.pk for m in mine]))
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert bell_count(html) is None


@pytest.mark.django_db
def test_marking_read_needs_the_csrf_token(agent):
    n = note(agent)
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    assert client.post(read_url(n)).status_code == 403
    assert client.post(READ_ALL).status_code == 403
    n.refresh_from_db()
    assert n.read_at is None
    html = client.get(INBOX).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    assert client.post(read_url(n), {"csrfmiddlewaretoken": token}).status_code == 302
    n.refresh_from_db()
    assert n.read_at is not None


@pytest.mark.django_db
def test_htmx_mark_read_returns_the_list_and_the_bell_out_of_band(client, agent):
    first, _second = note(agent), note(agent)
    client.force_login(agent)
    response = client.post(read_url(first), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="inbox"' in html and "<html" not in html
    assert 'hx-swap-oob="true"' in html and bell_count(html) == "1"
