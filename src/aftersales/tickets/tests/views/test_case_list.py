"""The case list: scopes, filters, search, pagination and a pinned query count."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from aftersales.customers.services import CustomerInput
from aftersales.tickets import services as svc
from conftest import registration

LIST = reverse("tickets:list")


@pytest.fixture
def staff_client(client, supervisor):
    client.force_login(supervisor)
    return client


@pytest.mark.django_db
def test_list_requires_login(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["agent", "supervisor", "handler", "head", "auditor", "admin_user"])
def test_list_renders_for_every_role(client, make_ticket, request, who):
    make_ticket("assigned")
    client.force_login(request.getfixturevalue(who))
    response = client.get(LIST)
    assert response.status_code == 200
    assert "工单列表" in response.content.decode()


@pytest.mark.django_db
def test_list_shows_rows_with_badges_and_shanghai_time(staff_client, make_ticket):
    ticket = make_ticket("assigned", priority="P1")
    html = staff_client.get(LIST).content.decode()
    assert ticket.number in html
    assert "badge-indigo" in html  # assigned
    assert "prio-p1" in html
    assert "技术故障" in html and "功能异常" in html
    assert "技术支持部" in html and "张工" in html
    local = ticket.created_at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai"))
    assert local.strftime("%H:%M") in html


@pytest.mark.django_db
def test_search_finds_a_chinese_substring_of_the_description(staff_client, make_ticket):
    hit = make_ticket(description="洗衣机脱水时剧烈震动，发出很大的噪音。")
    miss = make_ticket(description="快递三天还没到，物流信息一直不更新。",
                       customer=CustomerInput(name="李四", phone="13900139000"))
    html = staff_client.get(LIST, {"q": "剧烈震动"}).content.decode()
    assert hit.number in html
    assert miss.number not in html


@pytest.mark.django_db
def test_search_by_customer_name_phone_and_number(staff_client, make_ticket):
    ticket = make_ticket(customer=CustomerInput(name="欧阳娜娜", phone="13700137000"))
    other = make_ticket()
    for q in ("欧阳", "13700137000", ticket.number):
        html = staff_client.get(LIST, {"q": q}).content.decode()
        assert ticket.number in html, q
        assert other.number not in html, q


@pytest.mark.django_db
def test_filters_by_state_priority_category_and_department(staff_client, make_ticket):
    registered = make_ticket()
    assigned = make_ticket("assigned", priority="P1")
    html = staff_client.get(LIST, {"state": "registered"}).content.decode()
    assert registered.number in html and assigned.number not in html
    html = staff_client.get(LIST, {"priority": "P1"}).content.decode()
    assert assigned.number in html and registered.number not in html
    html = staff_client.get(LIST, {"category": "technical_fault"}).content.decode()
    assert assigned.number in html and registered.number not in html
    html = staff_client.get(LIST, {"department": "technical_support"}).content.decode()
    assert assigned.number in html and registered.number not in html


@pytest.mark.django_db
def test_filters_by_owner_channel_and_dates(staff_client, make_ticket, agent, agent2):
    mine = make_ticket()
    theirs = make_ticket(owner=agent2, channel="email",
                         customer=CustomerInput(name="李四", phone="13900139000"))
    html = staff_client.get(LIST, {"owner": "agent2"}).content.decode()
    assert theirs.number in html and mine.number not in html
    html = staff_client.get(LIST, {"channel": "email"}).content.decode()
    assert theirs.number in html and mine.number not in html
    today = mine.created_at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai")).date()
    html = staff_client.get(LIST, {"date_from": today.isoformat(), "date_to": today.isoformat()}).content.decode()
    assert mine.number in html and theirs.number in html
    html = staff_client.get(LIST, {"date_to": "2000-01-01"}).content.decode()
    assert mine.number not in html


@pytest.mark.django_db
def test_bad_filter_values_are_ignored_not_500(staff_client, make_ticket):
    ticket = make_ticket()
    response = staff_client.get(LIST, {"date_from": "not-a-date", "state": "bogus", "page": "x"})
    assert response.status_code == 200
    assert ticket.number in response.content.decode()


@pytest.mark.django_db
def test_scope_mine_and_department(client, make_ticket, handler, agent2):
    assigned = make_ticket("assigned")  # technical_support, assignee handler
    other = make_ticket(owner=agent2, customer=CustomerInput(name="李四", phone="13900139000"))
    client.force_login(handler)
    html = client.get(LIST, {"scope": "department"}).content.decode()
    assert assigned.number in html
    assert other.number not in html  # a handler never sees cases outside his department
    client.force_login(agent2)
    html = client.get(LIST, {"scope": "mine"}).content.decode()
    assert other.number in html and assigned.number not in html


@pytest.mark.django_db
def test_htmx_request_gets_only_the_results_partial(staff_client, make_ticket):
    ticket = make_ticket()
    response = staff_client.get(LIST, {"q": ticket.number}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert ticket.number in html
    assert 'id="results"' in html
    assert "<html" not in html and "topbar" not in html


@pytest.mark.django_db
def test_pagination_keeps_filters(staff_client, make_ticket, settings):
    settings.AFTERSALES_PAGE_SIZE = 2
    tickets = [make_ticket() for _ in range(3)]
    html = staff_client.get(LIST, {"state": "registered"}).content.decode()
    assert "page=2" in html and "state=registered" in html
    html2 = staff_client.get(LIST, {"state": "registered", "page": 2}).content.decode()
    assert tickets[0].number in html2  # oldest on the second page
    assert tickets[2].number not in html2


@pytest.mark.django_db
def test_flagged_case_shows_the_flag(staff_client, make_ticket, supervisor):
    ticket = make_ticket("assigned")
    for department in ("logistics", "quality_control", "technical_support"):
        ticket = svc.ticket_transfer(number=ticket.number, actor=supervisor, department=department,
                                     reason="转给对口部门")
    html = staff_client.get(LIST).content.decode()
    assert "flag-icon" in html
    html = staff_client.get(LIST, {"flagged": "on"}).content.decode()
    assert ticket.number in html


@pytest.mark.django_db
def test_list_query_count_does_not_grow_with_rows(staff_client, make_ticket, django_assert_max_num_queries,
                                                   agent2):
    for _ in range(3):
        make_ticket("assigned")
    # session, user, 3 filter choice lists, count, rows, flag threshold, the header's department, and the
    # header's bell (one indexed COUNT of unread in-app notifications, on every console page). The
    # deadline column reads the case row's own sla_due_at / sla_warn_at / sla_paused: no query per row.
    with django_assert_max_num_queries(10):
        first = staff_client.get(LIST)
    assert first.status_code == 200
    for i in range(12):
        make_ticket("classified" if i % 2 else "registered", owner=agent2)
    with django_assert_max_num_queries(10):
        second = staff_client.get(LIST)
    assert second.content.decode().count('class="case-link') == 15


# ---------------------------------------------------------------- the deadline column, filter and sort

START = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)  # a Monday, 18:00 in Shanghai


def _web_case(agent, minutes: int, name: str, phone: str):
    """A web case registered START + minutes: first response due 30 min later (warning at 24)."""
    with time_machine.travel(START + dt.timedelta(minutes=minutes), tick=False):
        ticket, _ = svc.ticket_register(actor=agent, data=registration(
            channel="web", customer=CustomerInput(name=name, phone=phone)))
    return ticket


def _at(minutes: int):
    return time_machine.travel(START + dt.timedelta(minutes=minutes), tick=False)


@pytest.fixture
def three_deadlines(agent):
    """At START+35: one breached (due +30), one due soon (warn +34, due +40), one on time (due +90)."""
    return (_web_case(agent, 0, "张伟", "13800138000"), _web_case(agent, 10, "李四", "13900139000"),
            _web_case(agent, 60, "王五", "13700137000"))


@pytest.mark.django_db
def test_list_shows_the_next_deadline_column(staff_client, three_deadlines):
    with _at(35):
        html = staff_client.get(LIST).content.decode()
    assert all(t.number in html for t in three_deadlines)
    assert "最近时限" in html
    assert "sla-red" in html and "已超时 5分" in html
    assert "sla-amber" in html and "剩余 5分" in html
    assert "sla-green" in html and "剩余 55分" in html
    assert "03-02 18:30 到期" in html  # Beijing time


@pytest.mark.django_db
def test_list_deadline_column_in_english(staff_client, three_deadlines):
    staff_client.cookies["django_language"] = "en"
    with _at(35):
        html = staff_client.get(LIST).content.decode()
    assert "Next deadline" in html and "5 min overdue" in html and "55 min left" in html


@pytest.mark.django_db
def test_filter_due_soon_and_breached(staff_client, three_deadlines):
    late, soon, calm = three_deadlines
    with _at(35):
        html = staff_client.get(LIST, {"sla": "due_soon"}).content.decode()
        assert soon.number in html and late.number not in html and calm.number not in html
        html = staff_client.get(LIST, {"sla": "breached"}).content.decode()
        assert late.number in html and soon.number not in html and calm.number not in html
        html = staff_client.get(LIST, {"sla": "bogus"}).content.decode()
        assert late.number in html and soon.number in html and calm.number in html


@pytest.mark.django_db
def test_sort_by_nearest_deadline_with_nulls_last(staff_client, three_deadlines, supervisor):
    late, soon, calm = three_deadlines
    closed = _web_case(supervisor, 70, "赵六", "13600136000")
    with _at(71):
        svc.ticket_cancel(number=closed.number, actor=supervisor, reason="重复登记")
    with _at(35):
        html = staff_client.get(LIST, {"sort": "due"}).content.decode()
        default = staff_client.get(LIST).content.decode()
    order = [html.index(t.number) for t in (late, soon, calm, closed)]
    assert order == sorted(order)  # nearest first; the closed case (no deadline) last
    newest = [default.index(t.number) for t in (closed, calm, soon, late)]
    assert newest == sorted(newest)  # the default stays newest first
    assert 'class="th-sort is-active"' in html


@pytest.mark.django_db
def test_sort_and_filter_combine_and_keep_in_pagination(staff_client, three_deadlines, settings):
    settings.AFTERSALES_PAGE_SIZE = 1
    with _at(35):
        html = staff_client.get(LIST, {"sort": "due", "sla": "breached"}).content.decode()
    assert "共 1 个工单" in html
    with _at(120):
        html = staff_client.get(LIST, {"sort": "due", "sla": "breached"}).content.decode()
    assert "sort=due" in html and "sla=breached" in html and "page=2" in html
