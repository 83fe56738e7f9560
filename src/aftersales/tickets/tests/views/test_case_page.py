"""The case page: panels, dossier, attachments and which actions it offers."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from aftersales.tickets import services as svc
from aftersales.tickets.scenarios import TINY_PNG, proof_photo
from conftest import registration


def detail(ticket) -> str:
    return reverse("tickets:detail", kwargs={"number": ticket.number})


@pytest.mark.django_db
def test_case_page_requires_login(client, make_ticket):
    ticket = make_ticket()
    response = client.get(detail(ticket))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["agent", "supervisor", "handler", "head", "auditor", "admin_user"])
def test_case_page_renders_for_roles_that_may_see_it(client, make_ticket, request, who):
    ticket = make_ticket("in_progress")
    client.force_login(request.getfixturevalue(who))
    response = client.get(detail(ticket))
    assert response.status_code == 200
    html = response.content.decode()
    assert ticket.number in html
    assert "电饭煲用了两个月" in html  # the customer's words, verbatim


@pytest.mark.django_db
def test_handler_of_another_department_gets_404(client, make_ticket, logistics_handler):
    ticket = make_ticket("assigned")  # in 技术支持部
    client.force_login(logistics_handler)
    assert client.get(detail(ticket)).status_code == 404
    action = reverse("tickets:action", kwargs={"number": ticket.number, "action": "note"})
    assert client.post(action, {"body": "看一眼", "version": ticket.version}).status_code == 404


@pytest.mark.django_db
def test_unknown_case_is_404(client, agent):
    client.force_login(agent)
    assert client.get(reverse("tickets:detail", kwargs={"number": "AS20990101-000001"})).status_code == 404


@pytest.mark.django_db
def test_page_shows_header_panels_and_plan(client, make_ticket, supervisor):
    ticket = make_ticket("awaiting_approval", priority="P1")
    client.force_login(supervisor)
    html = client.get(detail(ticket)).content.decode()
    assert f"v{ticket.version}" in html
    assert "prio-p1" in html
    assert "王芳" in html  # first-contact owner
    assert "技术支持部" in html and "张工" in html
    assert "安排工程师上门检测" in html  # plan summary
    assert "badge-plan-awaiting_approval" in html
    assert "RC-30" in html


@pytest.mark.django_db
def test_case_page_offers_only_allowed_actions(client, make_ticket, supervisor, agent, auditor):
    ticket = make_ticket()  # registered
    client.force_login(supervisor)
    html = client.get(detail(ticket)).content.decode()
    assert f"/cases/{ticket.number}/actions/classify/" in html
    assert f"/cases/{ticket.number}/actions/cancel/" in html
    client.force_login(agent)  # the owner: may not classify or cancel
    html = client.get(detail(ticket)).content.decode()
    assert "/actions/classify/" not in html
    assert "/actions/cancel/" not in html
    assert "/actions/note/" in html
    client.force_login(auditor)  # read-only
    html = client.get(detail(ticket)).content.decode()
    assert "/actions/" not in html


@pytest.mark.django_db
def test_destructive_actions_ask_for_confirmation(client, make_ticket, supervisor):
    ticket = make_ticket()
    client.force_login(supervisor)
    html = client.get(detail(ticket)).content.decode()
    cancel_form = html[html.index(f"/cases/{ticket.number}/actions/cancel/"):][:600]
    assert "hx-confirm" in cancel_form


@pytest.mark.django_db
def test_internal_note_is_marked_for_staff(client, make_ticket, agent):
    ticket = make_ticket()
    svc.ticket_add_note(number=ticket.number, actor=agent, body="客户语气激动，注意安抚", internal=True)
    client.force_login(agent)
    html = client.get(detail(ticket)).content.decode()
    assert "客户语气激动，注意安抚" in html
    assert "tl-internal" in html
    assert "内部" in html


@pytest.mark.django_db
def test_timeline_shows_labels_states_and_summaries(client, make_ticket, supervisor):
    ticket = make_ticket("assigned")
    client.force_login(supervisor)
    html = client.get(detail(ticket)).content.decode()
    assert "已分类" in html or "Classified" not in html
    assert "badge-sm" in html  # from → to state badges
    assert "技术故障 / 功能异常" in html


@pytest.mark.django_db
def test_attachment_download_checks_visibility(client, make_ticket, agent, logistics_handler):
    from django.core.files.uploadedfile import SimpleUploadedFile

    ticket, _ = svc.ticket_register(actor=agent, data=__import__("conftest").registration(), attachments=[
        SimpleUploadedFile("现场照片.png", TINY_PNG, content_type="image/png")])
    attachment = ticket.attachments.get()
    url = reverse("tickets:attachment", kwargs={"number": ticket.number, "attachment_id": attachment.pk})
    client.force_login(agent)
    html = client.get(detail(ticket)).content.decode()
    assert url in html and "<img" in html  # thumbnail
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == TINY_PNG
    inline = client.get(url + "?inline=1")
    assert inline["Content-Disposition"].startswith("inline")
    client.force_login(logistics_handler)
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_attachment_of_another_case_is_404(client, make_ticket, agent, cast):
    resolved = make_ticket("resolved")
    other = make_ticket()
    attachment = resolved.attachments.first()
    client.force_login(agent)
    url = reverse("tickets:attachment", kwargs={"number": other.number, "attachment_id": attachment.pk})
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_proof_photo_helper_still_builds_a_png():
    assert proof_photo().read().startswith(b"\x89PNG")


@pytest.mark.django_db
def test_htmx_get_returns_the_case_body_only(client, make_ticket, agent):
    ticket = make_ticket()
    client.force_login(agent)
    response = client.get(detail(ticket), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'id="case-body"' in html and "<html" not in html


# ---------------------------------------------------------------- service deadlines and the SLA events

START = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)  # a Monday, 18:00 in Shanghai


def _at(minutes: int):
    return time_machine.travel(START + dt.timedelta(minutes=minutes), tick=False)


@pytest.fixture
def web_case(agent):
    """Registered through the web form at START: the first-response clock (30 min) runs."""
    with _at(0):
        ticket, _ = svc.ticket_register(actor=agent, data=registration(channel="web"))
    return ticket


@pytest.mark.django_db
def test_sla_panel_lists_every_clock_in_beijing_time(client, web_case, agent):
    client.force_login(agent)
    with _at(10):
        html = client.get(detail(web_case)).content.decode()
    panel = html[html.index('id="sla"'):html.index('id="dossier"')]
    assert "服务时限" in panel
    assert "首次响应" in panel and "登记" in panel and "闭环" in panel
    assert "2026-03-02 18:00" in panel and "2026-03-02 18:30" in panel  # started, due (Beijing time)
    assert "剩余 20分" in panel and "计时中" in panel  # running clocks are counted in the head
    assert "正常" in panel and "已达成" in panel  # registration met at once
    assert "30分" in panel  # the limit
    head = html[html.index('class="case-head'):html.index('class="case-grid')]
    assert "sla-green" in head and "剩余 20分" in head


@pytest.mark.django_db
def test_sla_panel_tones_follow_the_clock(client, web_case, agent):
    client.force_login(agent)
    with _at(25):
        html = client.get(detail(web_case)).content.decode()
    assert "sla-amber" in html and "即将超时" in html and "剩余 5分" in html
    with _at(65):
        html = client.get(detail(web_case)).content.decode()
    assert "sla-red" in html and "已超时 35分" in html


@pytest.mark.django_db
def test_sla_panel_shows_paused_time(client, make_ticket, supervisor):
    with _at(0):
        ticket = make_ticket("in_progress")
    with _at(10):
        svc.ticket_hold(number=ticket.number, actor=ticket.assignee, hold_reason="customer", note="等客户寄回")
    client.force_login(supervisor)
    with _at(70):
        html = client.get(detail(ticket)).content.decode()
    panel = html[html.index('id="sla"'):html.index('id="dossier"')]
    assert "已暂停" in panel and "1小时" in panel  # paused for an hour so far
    head = html[html.index('class="case-head'):html.index('class="case-grid')]
    assert "sla-grey" in head


@pytest.mark.django_db
def test_dossier_shows_breach_and_escalation_with_who_was_told(client, web_case, supervisor):
    from aftersales.sla.jobs import tick

    with _at(25):
        tick()  # warning: handler (none yet) and owner
    with _at(31):
        tick()  # breached: the supervisor is told
    client.force_login(supervisor)
    with _at(40):
        html = client.get(detail(web_case)).content.decode()
    dossier = html[html.index('id="dossier"'):]
    assert "时限预警" in dossier and "时限超时" in dossier and "超时升级" in dossier
    assert "首次响应" in dossier
    assert "已通知" in dossier and "陈主管" in dossier and "王芳" in dossier
    assert "到期时间" in dossier and "2026-03-02 18:30" in dossier
    assert "剩余时间" in dossier and "5分" in dossier  # the warning came 5 min before the deadline
    assert "tl-danger" in dossier and "tl-warn" in dossier


@pytest.mark.django_db
def test_dossier_shows_a_replan_with_old_and_new_due_and_priority(client, make_ticket, supervisor):
    with _at(0):
        ticket = make_ticket("assigned", priority="P3")
    with _at(60):
        svc.ticket_classify(number=ticket.number, actor=supervisor, category=ticket.category.code,
                            subcategory=ticket.subcategory.code if ticket.subcategory else "", priority="P1")
    client.force_login(supervisor)
    with _at(61):
        html = client.get(detail(ticket)).content.decode()
    dossier = html[html.index('id="dossier"'):]
    assert "时限重新计算" in dossier
    assert "P3 一般 → P1 紧急" in dossier
    assert "优先级变更" in dossier
    assert "开始处理" in dossier and "（时限 1天 → 4小时）" in dossier
    assert "2026-03-03 18:00 → 2026-03-02 22:00" in dossier  # handling starts: 24 h → 4 h from registration


@pytest.mark.django_db
def test_sla_events_stay_out_of_the_customer_timeline(web_case):
    from aftersales.sla.jobs import tick
    from aftersales.tickets.selectors import ticket_timeline

    with _at(31):
        tick()
    staff = {e.kind for e in ticket_timeline(ticket=web_case, audience="staff")}
    customer = {e.kind for e in ticket_timeline(ticket=web_case, audience="customer")}
    assert {"sla_breached", "sla_escalated"} <= staff
    assert not {k for k in customer if k.startswith("sla_") or k == "progress_reminder"}


@pytest.mark.django_db
def test_sla_panel_in_english(client, web_case, agent):
    client.force_login(agent)
    client.cookies["django_language"] = "en"
    with _at(10):
        html = client.get(detail(web_case)).content.decode()
    assert "Service deadlines" in html and "First response" in html and "20 min left" in html
