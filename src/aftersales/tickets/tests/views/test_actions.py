"""Case actions posted through the console go through actions.run_action."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from aftersales.core import clock
from aftersales.tickets import services as svc
from aftersales.tickets.models import Ticket
from aftersales.tickets.scenarios import TINY_PNG


def act(ticket, action: str) -> str:
    return reverse("tickets:action", kwargs={"number": ticket.number, "action": action})


@pytest.mark.django_db
def test_action_requires_login_and_post(client, make_ticket, supervisor):
    ticket = make_ticket()
    assert client.post(act(ticket, "classify"), {}).status_code == 302
    client.force_login(supervisor)
    assert client.get(act(ticket, "classify")).status_code == 405


@pytest.mark.django_db
def test_classify_moves_the_state_and_redirects(client, make_ticket, supervisor):
    ticket = make_ticket()
    client.force_login(supervisor)
    response = client.post(act(ticket, "classify"), {
        "version": ticket.version, "category": "technical_fault", "subcategory": "function_abnormal",
        "priority": "P1", "risk_flags_present": "1", "risk_flags": ["safety"],
    })
    assert response.status_code == 302
    assert response["Location"] == reverse("tickets:detail", kwargs={"number": ticket.number})
    ticket.refresh_from_db()
    assert ticket.state == "classified"
    assert ticket.priority == "P1"
    assert ticket.subcategory.code == "function_abnormal"
    assert ticket.risk_flags == ["safety"]


@pytest.mark.django_db
def test_assign_with_a_handler_of_that_department(client, make_ticket, supervisor, handler):
    ticket = make_ticket("classified")
    client.force_login(supervisor)
    response = client.post(act(ticket, "assign"), {"version": ticket.version, "department": "technical_support",
                                                   "assignee": handler.username, "reason": ""})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.state == "assigned" and ticket.assignee == handler


@pytest.mark.django_db
def test_assign_page_offers_handlers_and_routing_suggestion(client, make_ticket, supervisor, handler,
                                                            logistics_handler):
    ticket = make_ticket("classified")
    client.force_login(supervisor)
    html = client.get(reverse("tickets:detail", kwargs={"number": ticket.number})).content.decode()
    assert 'value="tech" data-parent="technical_support"' in html
    assert 'value="logi" data-parent="logistics"' in html
    assert 'value="technical_support" selected' in html  # 技术故障 → 技术支持部


@pytest.mark.django_db
def test_propose_plan_with_a_datetime_local_due_time(client, make_ticket, handler):
    ticket = make_ticket("assigned")
    client.force_login(handler)
    due = (clock.now().astimezone(clock.SHANGHAI) + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(act(ticket, "propose_plan"), {
        "version": ticket.version, "kind": "repair", "repair_mode": "onsite", "summary": "上门更换加热盘",
        "cost": "120", "compensation_amount": "", "compensation_form": "", "responsible_department":
        "technical_support", "due_at": due,
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    ticket.refresh_from_db()
    assert ticket.state == "plan_proposed"
    assert ticket.current_plan.summary == "上门更换加热盘"
    assert ticket.current_plan.due_at.astimezone(clock.SHANGHAI).strftime("%Y-%m-%dT%H:%M") == due


@pytest.mark.django_db
def test_invalid_fields_rerender_with_field_errors_and_change_nothing(client, make_ticket, handler):
    ticket = make_ticket("assigned")
    client.force_login(handler)
    response = client.post(act(ticket, "propose_plan"), {
        "version": ticket.version, "kind": "repair", "summary": "", "cost": "-5", "due_at": "",
    })
    assert response.status_code == 422
    html = response.content.decode()
    assert html.count('class="field-error"') >= 2
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert fresh.state == "assigned" and fresh.version == ticket.version


@pytest.mark.django_db
def test_resolve_with_a_proof_photo(client, make_ticket, handler):
    ticket = make_ticket("in_progress")
    client.force_login(handler)
    photo = SimpleUploadedFile("维修单.png", TINY_PNG, content_type="image/png")
    response = client.post(act(ticket, "resolve"), {"version": ticket.version, "result": "已更换加热盘，试机正常",
                                                    "responsibility": "production", "files": [photo]})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.state == "resolved"
    assert ticket.attachments.filter(original_name="维修单.png").exists()


@pytest.mark.django_db
def test_resolve_without_proof_shows_the_service_message(client, make_ticket, handler):
    ticket = make_ticket("in_progress")
    client.force_login(handler)
    response = client.post(act(ticket, "resolve"), {"version": ticket.version, "result": "好了"})
    assert response.status_code == 422
    assert "alert-error" in response.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).state == "in_progress"


@pytest.mark.django_db
def test_stale_version_shows_the_conflict_and_changes_nothing(client, make_ticket, supervisor, agent):
    ticket = make_ticket()
    stale = ticket.version
    svc.ticket_add_note(number=ticket.number, actor=agent, body="客户又来电催促", internal=True)
    client.force_login(supervisor)
    response = client.post(act(ticket, "classify"), {
        "version": stale, "category": "logistics", "priority": "P3", "risk_flags_present": "1"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "此工单已被他人修改，请刷新后重试" in html
    assert reverse("tickets:detail", kwargs={"number": ticket.number}) in html  # the reload link
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert fresh.state == "registered" and fresh.category is None


@pytest.mark.django_db
def test_stale_version_over_htmx_is_a_409_partial(client, make_ticket, supervisor, agent):
    ticket = make_ticket()
    stale = ticket.version
    svc.ticket_add_note(number=ticket.number, actor=agent, body="补充信息", internal=True)
    client.force_login(supervisor)
    response = client.post(act(ticket, "cancel"), {"version": stale, "reason": "重复登记"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    html = response.content.decode()
    assert 'id="case-body"' in html and "<html" not in html
    assert Ticket.objects.get(pk=ticket.pk).state == "registered"


@pytest.mark.django_db
def test_htmx_action_returns_the_refreshed_case(client, make_ticket, agent):
    ticket = make_ticket()
    client.force_login(agent)
    response = client.post(act(ticket, "note"), {"version": ticket.version, "body": "已加客户微信"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "已加客户微信" in html and 'id="case-body"' in html
    assert f"v{ticket.version + 1}" in html


@pytest.mark.django_db
def test_action_the_user_may_not_run_is_refused(client, make_ticket, agent):
    ticket = make_ticket()
    client.force_login(agent)
    response = client.post(act(ticket, "classify"), {"version": ticket.version, "category": "logistics",
                                                     "priority": "P3"})
    assert response.status_code == 403
    assert Ticket.objects.get(pk=ticket.pk).state == "registered"


@pytest.mark.django_db
def test_unknown_action_is_404(client, make_ticket, supervisor):
    ticket = make_ticket()
    client.force_login(supervisor)
    assert client.post(act(ticket, "explode"), {"version": ticket.version}).status_code == 404


@pytest.mark.django_db
def test_walk_a_case_to_closure_through_the_console(client, make_ticket, agent, supervisor, handler):
    ticket = make_ticket("in_progress")

    def post(user, action, **data):
        client.force_login(user)
        current = Ticket.objects.get(pk=ticket.pk)
        response = client.post(act(ticket, action), {"version": current.version, **data})
        assert response.status_code == 302, (action, response.content.decode()[:3000])

    photo = SimpleUploadedFile("回执.png", TINY_PNG, content_type="image/png")
    post(handler, "hold", hold_reason="parts", note="等配件")
    post(handler, "resume", note="配件到了")
    post(handler, "resolve", result="已修好", files=[photo])
    post(agent, "feed_back", message="您的电饭煲已修好，请确认")
    post(agent, "confirm", note="客户确认正常")
    post(supervisor, "archive")
    assert Ticket.objects.get(pk=ticket.pk).state == "archived"
