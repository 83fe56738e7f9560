"""POST /api/v1/tickets/{number}/actions/{action}: the shared dispatcher behind a JSON door."""

from __future__ import annotations

import pytest

from aftersales.accounts.tests.api.client import assert_error, error_fields
from aftersales.tickets.models import Ticket, TicketEvent

from .payloads import plan_payload

pytestmark = pytest.mark.django_db


def test_classify_returns_the_updated_case(api_for, supervisor, make_ticket):
    ticket = make_ticket()

    response = api_for(supervisor).action(ticket.number, "classify", category="technical_fault",
                                          subcategory="function_abnormal", priority="P1", risk_flags=["safety"],
                                          version=ticket.version)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "classified"
    assert body["priority"] == "P1" and body["risk_flags"] == ["safety"]
    assert body["category"]["code"] == "technical_fault"
    assert body["version"] == ticket.version + 1
    assert "assign" in body["allowed_actions"]


def test_action_not_allowed_in_the_state_is_409_with_state_and_allowed_actions(api_for, supervisor, make_ticket):
    number = make_ticket("registered").number

    response = api_for(supervisor).action(number, "resolve", result="修好了", attachment_ids=[])

    body = assert_error(response, 409, "invalid_transition")
    assert body["detail"]["state"] == "registered"
    assert body["detail"]["action"] == "resolve"
    assert set(body["detail"]["allowed_actions"]) == {"classify", "cancel", "note", "reply", "transfer_owner"}
    assert Ticket.objects.get(number=number).state == "registered"


def test_stale_version_is_409_version_conflict(api_for, supervisor, agent, make_ticket):
    ticket = make_ticket()
    api_for(agent).action(ticket.number, "note", body="客户又来电催促", version=ticket.version)

    response = api_for(supervisor).action(ticket.number, "classify", category="technical_fault", priority="P2",
                                          version=ticket.version)

    body = assert_error(response, 409, "version_conflict")
    assert body["detail"]["expected_version"] == ticket.version
    assert body["detail"]["current_version"] == ticket.version + 1
    assert Ticket.objects.get(pk=ticket.pk).state == "registered"


def test_role_not_permitted_is_403(api_for, agent, make_ticket):
    number = make_ticket().number

    body = assert_error(api_for(agent).action(number, "classify", category="technical_fault", priority="P2"),
                        403, "action_not_permitted")
    assert body["detail"] == {"action": "classify", "state": "registered"}


def test_auditors_cannot_act(api_for, auditor, make_ticket):
    number = make_ticket().number

    assert_error(api_for(auditor).action(number, "note", body="看一下"), 403, "action_not_permitted")


def test_unknown_case_is_404(api_for, supervisor):
    response = api_for(supervisor).action("AS20990101-000009", "classify", category="technical_fault",
                                          priority="P2")

    assert_error(response, 404, "ticket_not_found")


def test_case_of_another_department_is_404_not_403(api_for, logistics_handler, make_ticket):
    number = make_ticket("assigned").number

    assert_error(api_for(logistics_handler).action(number, "note", body="?"), 404, "ticket_not_found")


def test_unknown_action_is_404(api_for, supervisor, make_ticket):
    number = make_ticket().number

    body = assert_error(api_for(supervisor).action(number, "teleport"), 404, "unknown_action")

    assert "classify" in body["detail"]["actions"]


@pytest.mark.parametrize(("action", "fields", "bad"), [
    ("classify", {"priority": "P2"}, "category"),
    ("classify", {"category": "technical_fault", "priority": "P9"}, "priority"),
    ("classify", {"category": "technical_fault", "priority": "P2", "version": "latest"}, "version"),
    ("classify", {"category": 12, "priority": "P2"}, "category"),
    ("cancel", {}, "reason"),
    ("cancel", {"reason": ""}, "reason"),
    ("hold", {"hold_reason": "bored"}, "hold_reason"),
    ("resolve", {"result": "ok", "attachment_ids": ["one"]}, "attachment_ids.0"),
])
def test_bad_fields_are_422(api_for, supervisor, make_ticket, action, fields, bad):
    number = make_ticket().number

    response = api_for(supervisor).action(number, action, **fields)

    assert_error(response, 422, "invalid")
    assert bad in error_fields(response)


def test_domain_validation_of_fields_is_422_with_its_code(api_for, supervisor, make_ticket):
    number = make_ticket().number

    response = api_for(supervisor).action(number, "classify", category="no_such_category", priority="P2")

    body = assert_error(response, 422, "unknown_category")
    assert body["detail"]["field"] == "category"


def test_body_that_is_not_an_object_is_422(api_for, supervisor, make_ticket):
    number = make_ticket().number

    response = api_for(supervisor).post(f"/tickets/{number}/actions/cancel", ["重复工单"])

    assert_error(response, 422, "invalid")


def test_empty_body_means_no_fields(api_for, agent, make_ticket):
    number = make_ticket(confirm=False).number  # "new"
    assert Ticket.objects.get(number=number).state == "new"

    response = api_for(agent).post_raw(f"/tickets/{number}/actions/register", "")

    assert response.status_code == 200, response.content
    assert response.json()["state"] == "registered"


def test_p1_plan_waits_for_the_head_and_others_cannot_approve(api_for, handler, head, supervisor, make_ticket):
    number = make_ticket("assigned", priority="P1").number

    proposed = api_for(handler).action(number, "propose_plan", **plan_payload())
    refused = api_for(supervisor).action(number, "approve_plan")
    approved = api_for(head).action(number, "approve_plan", reason="同意")

    assert proposed.json()["state"] == "awaiting_approval"
    assert proposed.json()["current_plan"]["needs_head_approval"] is True
    assert_error(refused, 403, "approval_beyond_authority")
    assert approved.status_code == 200 and approved.json()["state"] == "plan_proposed"


def test_note_and_reply_are_recorded_with_their_visibility(api_for, agent, make_ticket):
    number = make_ticket().number
    client = api_for(agent)

    client.action(number, "note", body="内部备注")
    client.action(number, "reply", body="已为您登记")

    events = TicketEvent.objects.filter(ticket__number=number, kind__in=["note", "reply"]).order_by("id")
    assert [(e.kind, e.is_internal) for e in events] == [("note", True), ("reply", False)]
