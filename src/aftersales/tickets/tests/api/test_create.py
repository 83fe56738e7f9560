"""POST /api/v1/tickets: registration, validation, idempotency."""

from __future__ import annotations

import pytest

from aftersales.accounts.tests.api.client import assert_error, error_fields
from aftersales.catalog.models import ProductModel
from aftersales.tickets.models import IdempotencyKey, Ticket, TicketEvent

from .payloads import case_payload

pytestmark = pytest.mark.django_db


def test_registering_returns_201_and_the_whole_case(api_for, agent):
    ProductModel.objects.create(code="RC-30", name="智能电饭煲")

    response = api_for(agent).post("/tickets", case_payload(risk_flags=["safety"]))

    assert response.status_code == 201, response.content
    body = response.json()
    ticket = Ticket.objects.get()
    assert body["number"] == ticket.number
    assert body["state"] == "registered"
    assert body["version"] == 1
    assert body["customer"]["name"] == "张伟"
    assert body["customer"]["phone"] == "13800138000"
    assert body["product"]["model"] == {"code": "RC-30", "name": "智能电饭煲"}
    assert body["product"]["purchase_date"] == "2025-01-15"
    assert body["owner"] == {"username": "agent", "display_name": "王芳"}
    assert body["registered_by"]["username"] == "agent"
    assert body["department"] is None and body["assignee"] is None and body["category"] is None
    assert body["priority"] == ""
    assert body["risk_flags"] == ["safety"]
    assert body["transfer_count"] == 0 and body["flagged"] is False
    assert body["timestamps"]["registered_at"] is not None
    assert body["timestamps"]["first_response_at"] is not None  # a phone call is the first response
    assert body["current_plan"] is None
    # An agent may note, reply and hand the case over, but classification is the supervisor's.
    assert "note" in body["allowed_actions"] and "classify" not in body["allowed_actions"]
    assert TicketEvent.objects.filter(ticket=ticket, kind="registered").count() == 1


def test_unconfirmed_registration_stays_new(api_for, agent):
    body = api_for(agent).post("/tickets", case_payload(confirm=False, channel="web")).json()

    assert body["state"] == "new"
    assert body["timestamps"]["first_response_at"] is None


def test_missing_fields_are_listed(api_for, agent):
    response = api_for(agent).post("/tickets", {})

    assert_error(response, 422, "invalid")
    assert error_fields(response) == {"channel", "customer", "description"}
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(("overrides", "field"), [
    ({"channel": "telegraph"}, "channel"),
    ({"channel": 7}, "channel"),
    ({"description": ""}, "description"),
    ({"description": ["not", "text"]}, "description"),
    ({"customer": "张伟"}, "customer.name"),  # ninja reads a non-object as one without fields
    ({"customer": {"phone": "13800138000"}}, "customer.name"),
    ({"risk_flags": ["aliens"]}, "risk_flags.0"),
    ({"risk_flags": "safety"}, "risk_flags"),
    ({"demand": "everything"}, "demand"),
    ({"product": {"purchase_date": "yesterday"}}, "product.purchase_date"),
    ({"occurred_at": 12.5e99}, "occurred_at"),
])
def test_wrong_types_and_values_are_422(api_for, agent, overrides, field):
    response = api_for(agent).post("/tickets", case_payload(**overrides))

    assert_error(response, 422, "invalid")
    assert field in error_fields(response)
    assert not Ticket.objects.exists()


def test_domain_validation_is_422_with_its_own_code(api_for, agent):
    response = api_for(agent).post("/tickets", case_payload(customer={"name": "张伟"}))

    body = assert_error(response, 422, "customer_contact_required")
    assert body["detail"]["field"] == "customer.phone"


def test_future_purchase_date_is_refused(api_for, agent):
    response = api_for(agent).post("/tickets", case_payload(product={"purchase_date": "2999-01-01"}))

    assert_error(response, 422, "purchase_date_in_future")


def test_handlers_do_not_register_cases(api_for, handler):
    assert_error(api_for(handler).post("/tickets", case_payload()), 403, "action_not_permitted")
    assert not Ticket.objects.exists()


def test_auditors_do_not_register_cases(api_for, auditor):
    assert_error(api_for(auditor).post("/tickets", case_payload()), 403, "action_not_permitted")


# ---------------------------------------------------------------- Idempotency-Key


def test_same_key_and_body_returns_the_same_case_once(api_for, agent):
    client = api_for(agent)
    first = client.post("/tickets", case_payload(), headers={"Idempotency-Key": "call-7781"})
    second = client.post("/tickets", case_payload(), headers={"Idempotency-Key": "call-7781"})

    assert first.status_code == 201
    assert second.status_code == 200
    assert second.json()["number"] == first.json()["number"]
    assert Ticket.objects.count() == 1
    assert IdempotencyKey.objects.count() == 1


def test_same_key_different_body_is_422(api_for, agent):
    client = api_for(agent)
    first = client.post("/tickets", case_payload(), headers={"Idempotency-Key": "call-7781"})

    response = client.post("/tickets", case_payload(description="完全不同的问题"),
                           headers={"Idempotency-Key": "call-7781"})

    body = assert_error(response, 422, "idempotency_key_reused")
    assert body["detail"]["number"] == first.json()["number"]
    assert Ticket.objects.count() == 1


def test_without_a_key_every_request_registers(api_for, agent):
    client = api_for(agent)
    client.post("/tickets", case_payload())
    client.post("/tickets", case_payload())

    assert Ticket.objects.count() == 2


def test_keys_belong_to_their_user(api_for, agent, agent2):
    api_for(agent).post("/tickets", case_payload(), headers={"Idempotency-Key": "k-1"})
    response = api_for(agent2).post("/tickets", case_payload(), headers={"Idempotency-Key": "k-1"})

    assert response.status_code == 201
    assert Ticket.objects.count() == 2


def test_replay_after_the_case_moved_on_returns_it_as_it_is_now(api_for, agent, supervisor):
    client = api_for(agent)
    number = client.post("/tickets", case_payload(), headers={"Idempotency-Key": "k-2"}).json()["number"]
    api_for(supervisor).action(number, "classify", category="technical_fault", priority="P2")

    replay = client.post("/tickets", case_payload(), headers={"Idempotency-Key": "k-2"})

    assert replay.status_code == 200
    assert replay.json()["state"] == "classified"
