"""The console's view of the clocks: badges and remaining time, the case's clocks, the deadline board."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from aftersales.customers.services import CustomerInput
from aftersales.sla import presenters, selectors
from aftersales.sla.jobs import tick
from aftersales.sla.models import ClockStatus, SlaClock
from aftersales.tickets import services as svc
from conftest import registration

START = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)  # a Monday, 18:00 in Shanghai
BOARD = reverse("sla:board")


def at(minutes: float) -> dt.datetime:
    return START + dt.timedelta(minutes=minutes)


def web_case(agent, *, minutes: float = 0, name: str = "张伟", phone: str = "13800138000"):
    """A web case registered at START + minutes: its first-response clock (30 min, warning at 24) runs."""
    with time_machine.travel(at(minutes), tick=False):
        ticket, _ = svc.ticket_register(actor=agent, data=registration(
            channel="web", customer=CustomerInput(name=name, phone=phone)))
    ticket.refresh_from_db()
    return ticket


# ---------------------------------------------------------------- presenters (no database)


@pytest.mark.parametrize(("now", "tone", "zh", "en"), [
    (at(10), "green", "剩余 20分", "20 min left"),
    (at(24), "amber", "剩余 6分", "6 min left"),
    (at(29.5), "amber", "剩余 不足1分钟", "under 1 min left"),
    (at(30), "red", "已超时 不足1分钟", "under 1 min overdue"),
    (at(65), "red", "已超时 35分", "35 min overdue"),
    (at(30 + 80), "red", "已超时 1小时20分", "1 h 20 min overdue"),
    (at(30 + 120), "red", "已超时 2小时", "2 h overdue"),
    (at(30 + 26 * 60 + 5), "red", "已超时 1天2小时", "1 d 2 h overdue"),
])
def test_deadline_badge_tone_and_remaining_text(now, tone, zh, en):
    due, warn = at(30), at(24)
    with translation.override("zh-hans"):
        badge = presenters.deadline_badge(due_at=due, warn_at=warn, now=now)
        assert (badge.tone, badge.remaining) == (tone, zh)
    with translation.override("en"):
        assert presenters.deadline_badge(due_at=due, warn_at=warn, now=now).remaining == en


def test_remaining_text_in_hours_and_minutes():
    with translation.override("zh-hans"):
        assert presenters.remaining_text(at(80), at(0)) == "剩余 1小时20分"
        assert presenters.remaining_text(at(0), at(35)) == "已超时 35分"
    with translation.override("en"):
        assert presenters.remaining_text(at(80), at(0)) == "1 h 20 min left"
        assert presenters.remaining_text(at(0), at(35)) == "35 min overdue"


def test_badge_labels_paused_and_none():
    with translation.override("zh-hans"):
        assert presenters.deadline_badge(due_at=at(30), warn_at=at(24), now=at(1)).label == "正常"
        assert presenters.deadline_badge(due_at=at(30), warn_at=at(24), now=at(25)).label == "即将超时"
        assert presenters.deadline_badge(due_at=at(30), warn_at=at(24), now=at(31)).label == "已超时"
        paused = presenters.deadline_badge(due_at=None, warn_at=None, paused=True, now=at(0))
        assert (paused.tone, paused.label) == ("grey", "已暂停")
    nothing = presenters.deadline_badge(due_at=None, warn_at=None, now=at(0))
    assert nothing.tone == "none" and nothing.is_none


def test_local_time_is_beijing_time():
    assert presenters.local(START) == "2026-03-02 18:00"


# ---------------------------------------------------------------- the case's clocks


def test_ticket_badge_reads_the_case_row(agent):
    ticket = web_case(agent)
    assert ticket.sla_due_at == at(30) and ticket.sla_warn_at == at(24)
    assert presenters.ticket_badge(ticket, at(10)).tone == "green"
    assert presenters.ticket_badge(ticket, at(25)).tone == "amber"
    assert presenters.ticket_badge(ticket, at(31)).tone == "red"


def test_ticket_clocks_and_their_rows(agent):
    ticket = web_case(agent)
    clocks = selectors.ticket_clocks(ticket=ticket)
    metrics = [c.metric for c in clocks]
    assert "first_response" in metrics and "registration" in metrics
    with translation.override("zh-hans"):
        rows = {r.clock.metric: r for r in presenters.clock_rows(clocks, at(10))}
        first = rows["first_response"]
        assert (first.metric, first.started, first.due, first.limit) == ("首次响应", "2026-03-02 18:00",
                                                                          "2026-03-02 18:30", "30分")
        assert (first.badge.tone, first.badge.remaining, first.status) == ("green", "剩余 20分", "计时中")
        registered = rows["registration"]
        assert registered.clock.status == ClockStatus.MET
        assert (registered.badge.tone, registered.badge.label) == ("green", "已达成")
        summary = presenters.clock_summary(list(rows.values()))
        assert summary["met"] >= 1 and summary["open"] >= 1 and summary["breached"] == 0


def test_a_clock_stopped_late_says_by_how_much(agent):
    ticket = web_case(agent)
    with time_machine.travel(at(45), tick=False):
        svc.ticket_add_note(number=ticket.number, actor=agent, body="已电话回复客户", internal=False)
    item = SlaClock.objects.get(ticket=ticket, metric="first_response")
    assert item.status == ClockStatus.BREACHED
    with translation.override("zh-hans"):
        badge = presenters.clock_badge(item, at(50))
    assert (badge.tone, badge.label, badge.remaining) == ("red", "已超时", "超时 15分")


# ---------------------------------------------------------------- the board: who may see it


@pytest.mark.django_db
def test_board_requires_login(client):
    response = client.get(BOARD)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "status"), [
    ("supervisor", 200), ("head", 200), ("admin_user", 200), ("auditor", 200),
    ("agent", 403), ("handler", 403),
])
def test_board_is_for_supervisors_heads_admins_and_auditors(client, request, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(BOARD).status_code == status


@pytest.mark.django_db
def test_board_link_in_the_header_only_for_those_roles(client, supervisor, agent):
    client.force_login(supervisor)
    assert f'href="{BOARD}"' in client.get(reverse("tickets:list")).content.decode()
    client.force_login(agent)
    assert f'href="{BOARD}"' not in client.get(reverse("tickets:list")).content.decode()


# ---------------------------------------------------------------- the board: what it shows


def test_board_shows_at_risk_and_breached_with_counts(client, agent, supervisor):
    late = web_case(agent)  # due START+30
    risky = web_case(agent, minutes=10, name="李四", phone="13900139000")  # warn START+34, due START+40
    calm = web_case(agent, minutes=30, name="王五", phone="13700137000")  # warn START+54
    client.force_login(supervisor)
    with time_machine.travel(at(35), tick=False), translation.override("zh-hans"):
        html = client.get(BOARD).content.decode()
        counts = selectors.board_counts(viewer=supervisor)
    assert late.number in html and risky.number in html
    assert calm.number not in html
    assert [(c.code, c.at_risk, c.breached) for c in counts] == [("customer_service", 1, 1)]
    assert "客服部" in html  # not dispatched yet: counted for the owner's department
    assert "已超时 5分" in html and "剩余 5分" in html
    assert html.index(late.number) < html.index(risky.number)  # nearest deadline first
    assert "首次响应" in html  # which clock


def test_board_filters_by_view_and_department(client, agent, supervisor):
    late = web_case(agent)
    risky = web_case(agent, minutes=10, name="李四", phone="13900139000")
    client.force_login(supervisor)
    with time_machine.travel(at(35), tick=False):
        html = client.get(BOARD, {"view": "at_risk"}).content.decode()
        assert risky.number in html and late.number not in html
        html = client.get(BOARD, {"view": "breached"}).content.decode()
        assert late.number in html and risky.number not in html
        html = client.get(BOARD, {"department": "customer_service"}).content.decode()
        assert late.number in html and risky.number in html
        html = client.get(BOARD, {"department": "logistics"}).content.decode()
        assert late.number not in html and risky.number not in html
        assert client.get(BOARD, {"view": "bogus", "page": "x"}).status_code == 200


def test_board_groups_by_department_most_urgent_first(client, agent, supervisor, head, cast):
    from aftersales.tickets.scenarios import advance

    with time_machine.travel(START, tick=False):
        ticket, _ = svc.ticket_register(actor=agent, data=registration(channel="web"))
        assigned = advance(ticket, to="assigned", cast=cast, priority="P2")  # 技术支持部
    waiting = web_case(agent, minutes=60, name="李四", phone="13900139000")  # 客服部, later deadlines
    late = START + dt.timedelta(days=5)
    client.force_login(supervisor)
    with time_machine.travel(late, tick=False):
        counts = selectors.board_counts(viewer=supervisor)
        html = client.get(BOARD).content.decode()
    assert [c.code for c in counts] == ["technical_support", "customer_service"]
    assert html.index("技术支持部") < html.index(assigned.number) < html.index(waiting.number)
    client.force_login(head)  # a department head sees his department's cases only
    with time_machine.travel(late, tick=False):
        html = client.get(BOARD).content.decode()
    assert assigned.number in html and waiting.number not in html


def test_board_paginates_and_keeps_groups(client, agent, supervisor, settings):
    settings.AFTERSALES_PAGE_SIZE = 1
    first = web_case(agent)
    second = web_case(agent, minutes=1, name="李四", phone="13900139000")
    client.force_login(supervisor)
    with time_machine.travel(at(40), tick=False):
        page1 = client.get(BOARD).content.decode()
        page2 = client.get(BOARD, {"page": 2}).content.decode()
    assert first.number in page1 and second.number not in page1
    assert second.number in page2 and "客服部" in page2
    assert "page=2" in page1


def test_board_leaves_out_closed_cases(client, agent, supervisor):
    ticket = web_case(agent)
    with time_machine.travel(at(5), tick=False):
        svc.ticket_cancel(number=ticket.number, actor=supervisor, reason="重复登记")
    client.force_login(supervisor)
    with time_machine.travel(at(60), tick=False):
        assert ticket.number not in client.get(BOARD).content.decode()


def test_board_query_count_is_fixed(client, agent, supervisor, django_assert_max_num_queries):
    for i in range(4):
        web_case(agent, minutes=i, name=f"客户{i}", phone=f"1380013800{i}")
    client.force_login(supervisor)
    # session, user, counts, their departments, count, rows, the rows' clocks, bell, header department
    with time_machine.travel(at(60), tick=False), django_assert_max_num_queries(9):
        response = client.get(BOARD)
    assert response.content.decode().count('class="case-link') == 4


def test_board_after_the_tick_is_the_same(client, agent, supervisor):
    ticket = web_case(agent)
    with time_machine.travel(at(31), tick=False):
        tick()
    client.force_login(supervisor)
    with time_machine.travel(at(32), tick=False):
        assert ticket.number in client.get(BOARD).content.decode()


def test_finished_rounds_of_a_repeating_clock_fold_away():
    def clock(metric, cycle, status):
        return SlaClock(metric=metric, cycle=cycle, status=status, started_at=at(cycle), due_at=at(cycle + 30),
                        warn_at=at(cycle + 24), target_minutes=30)

    rows = presenters.clock_rows([
        clock("first_response", 1, ClockStatus.MET), clock("progress_update", 1, ClockStatus.MET),
        clock("progress_update", 2, ClockStatus.BREACHED), clock("progress_update", 3, ClockStatus.RUNNING),
    ], at(0))
    current, earlier = presenters.split_earlier_rounds(rows)
    assert [(r.clock.metric, r.clock.cycle) for r in current] == [("first_response", 1), ("progress_update", 3)]
    assert [(r.clock.metric, r.clock.cycle) for r in earlier] == [("progress_update", 1), ("progress_update", 2)]
    with translation.override("zh-hans"):
        assert presenters.clock_rows([clock("progress_update", 3, ClockStatus.RUNNING)], at(0))[0].metric \
            == "进度同步（第 3 轮）"
