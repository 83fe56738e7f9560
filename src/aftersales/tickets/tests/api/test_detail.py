"""GET /api/v1/tickets/{number}: the case with its dossier, plans and files, per audience."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersales.accounts.tests.api.client import assert_error, error_fields
from aftersales.tickets import services as svc
from aftersales.tickets.scenarios import proof_photo

pytestmark = pytest.mark.django_db


def test_detail_has_events_plans_and_attachments(api_for, agent, make_ticket):
    ticket = make_ticket("awaiting_customer", priority="P1")

    response = api_for(agent).get(f"/tickets/{ticket.number}")

    assert response.status_code == 200
    body = response.json()
    assert body["number"] == ticket.number and body["audience"] == "staff"
    kinds = [e["kind"] for e in body["events"]]
    assert kinds == ["registered", "triage_suggested", "classified", "assigned", "plan_proposed", "plan_approved",
                     "plan_offered"]
    assert body["events"][1]["label"] and body["events"][1]["actor"] is None  # triage is the system
    assert body["events"][2]["actor"]["username"] == "supervisor"
    [plan] = body["plans"]
    assert plan["status"] == "offered" and plan["needs_head_approval"] is True
    assert plan["approval_reasons"] == ["p1_plan"]
    assert plan["responsible_department"]["code"] == "technical_support"
    [approval] = plan["approvals"]
    assert approval["decision"] == "approved" and approval["approver"]["username"] == "techhead"
    assert body["current_plan"]["id"] == plan["id"]
    assert body["attachments"] == []
    assert set(body["allowed_actions"]) >= {"accept_plan", "reject_plan", "note", "reply"}


def test_allowed_actions_are_the_callers(api_for, agent, supervisor, handler, make_ticket):
    number = make_ticket("classified").number

    assert "assign" in api_for(supervisor).get(f"/tickets/{number}").json()["allowed_actions"]
    assert "assign" not in api_for(agent).get(f"/tickets/{number}").json()["allowed_actions"]


def test_customer_view_hides_internal_notes_events_and_files(api_for, agent, handler, make_ticket):
    ticket = make_ticket("assigned")
    svc.ticket_add_note(number=ticket.number, actor=handler, body="客户语气激动，注意安抚（内部）")
    svc.ticket_add_note(number=ticket.number, actor=agent, body="您好，工程师将于明天上门。", internal=False)
    svc.ticket_add_attachments(number=ticket.number, actor=handler, attachments=[proof_photo("内部照片.png")],
                               internal=True)
    client = api_for(agent)

    staff = client.get(f"/tickets/{ticket.number}").json()
    customer = client.get(f"/tickets/{ticket.number}", {"audience": "customer"}).json()

    assert "客户语气激动，注意安抚（内部）" in [e["body"] for e in staff["events"]]
    assert [a["original_name"] for a in staff["attachments"]] == ["内部照片.png"]
    assert customer["audience"] == "customer"
    assert [e["kind"] for e in customer["events"]] == ["registered", "reply"]
    assert all(not e["is_internal"] for e in customer["events"])
    assert "客户语气激动" not in str(customer)
    assert customer["attachments"] == []


def test_customer_view_shows_only_plans_presented_to_the_customer(api_for, agent, make_ticket):
    waiting = make_ticket("awaiting_approval", priority="P1").number
    offered = make_ticket("awaiting_customer").number
    client = api_for(agent)

    hidden = client.get(f"/tickets/{waiting}", {"audience": "customer"}).json()
    shown = client.get(f"/tickets/{offered}", {"audience": "customer"}).json()

    assert hidden["plans"] == [] and hidden["current_plan"] is None
    assert [p["status"] for p in shown["plans"]] == ["offered"]
    assert shown["current_plan"]["status"] == "offered"


def test_unknown_audience_is_422(api_for, agent, make_ticket):
    number = make_ticket().number

    response = api_for(agent).get(f"/tickets/{number}", {"audience": "press"})

    assert_error(response, 422, "invalid")
    assert error_fields(response) == {"audience"}


def test_unknown_number_is_404(api_for, agent):
    body = assert_error(api_for(agent).get("/tickets/AS20990101-000001"), 404, "ticket_not_found")

    assert body["detail"] == {"number": "AS20990101-000001"}


def test_a_case_of_another_department_is_not_found(api_for, handler, logistics_handler, make_ticket):
    number = make_ticket("assigned").number  # technical_support, assigned to "tech"

    assert api_for(handler).get(f"/tickets/{number}").status_code == 200
    assert_error(api_for(logistics_handler).get(f"/tickets/{number}"), 404, "ticket_not_found")


def test_auditors_read_every_case(api_for, auditor, make_ticket):
    number = make_ticket("assigned").number

    body = api_for(auditor).get(f"/tickets/{number}").json()

    assert body["allowed_actions"] == []


def test_detail_query_count_does_not_grow_with_the_dossier(api_for, agent, handler, make_ticket,
                                                           django_assert_max_num_queries):
    number = make_ticket("awaiting_customer", priority="P1").number
    client = api_for(agent)
    client.get(f"/tickets/{number}")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/tickets/{number}").status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for i in range(5):
        svc.ticket_add_note(number=number, actor=handler, body=f"备注 {i}", attachments=[proof_photo(f"{i}.png")])

    assert count() == before, before
    # token, case, events, their files, plans, approvals, files, threshold, authority, SLA clocks
    with django_assert_max_num_queries(10):
        client.get(f"/tickets/{number}")
