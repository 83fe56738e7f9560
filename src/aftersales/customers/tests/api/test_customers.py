"""Customers: search, find-or-create, and a customer with their cases."""

from __future__ import annotations

import pytest

from aftersales.accounts.tests.api.client import assert_error, error_fields
from aftersales.customers.models import Customer

pytestmark = pytest.mark.django_db


def test_create_then_find_the_same_customer(api_for, agent):
    client = api_for(agent)

    created = client.post("/customers", {"name": "李雷", "phone": "139-0000-1111", "region": "上海"})
    found = client.post("/customers", {"name": "李雷", "phone": "13900001111", "email": "lilei@example.com"})

    assert created.status_code == 201, created.content
    assert created.json()["phone"] == "13900001111"
    assert found.status_code == 200
    assert found.json()["id"] == created.json()["id"]
    assert found.json()["email"] == "lilei@example.com"  # empty fields are filled in
    assert Customer.objects.count() == 1


@pytest.mark.parametrize(("payload", "status", "code", "field"), [
    ({}, 422, "invalid", "name"),
    ({"name": ""}, 422, "invalid", "name"),
    ({"name": "李雷", "phone": 13900001111}, 422, "invalid", "phone"),
    ({"name": "李雷", "customer_type": "alien"}, 422, "invalid", "customer_type"),
    ({"name": "李雷", "is_vip": "very"}, 422, "invalid", "is_vip"),
])
def test_bad_customer_input_is_422(api_for, agent, payload, status, code, field):
    response = api_for(agent).post("/customers", payload)

    assert_error(response, status, code)
    assert field in error_fields(response)


def test_domain_checks_apply(api_for, agent):
    assert_error(api_for(agent).post("/customers", {"name": "李雷"}), 422, "customer_contact_required")
    assert_error(api_for(agent).post("/customers", {"name": "李雷", "phone": "call me"}), 422, "invalid_phone")


def test_handlers_do_not_create_customers(api_for, handler):
    assert_error(api_for(handler).post("/customers", {"name": "李雷", "phone": "13900001111"}), 403,
                 "action_not_permitted")


def test_search_and_pagination(api_for, agent):
    for i in range(3):
        Customer.objects.create(name=f"王{i}", phone=f"1380000000{i}")
    Customer.objects.create(name="赵六", phone="13911112222", email="zhao@example.com")
    client = api_for(agent)

    everyone = client.get("/customers", {"page_size": 2}).json()
    by_name = client.get("/customers", {"q": "王"}).json()
    by_phone = client.get("/customers", {"q": "1391111"}).json()
    by_email = client.get("/customers", {"q": "ZHAO@"}).json()

    assert (everyone["total"], everyone["pages"], len(everyone["items"])) == (4, 2, 2)
    assert by_name["total"] == 3
    assert [c["name"] for c in by_phone["items"]] == ["赵六"]
    assert [c["name"] for c in by_email["items"]] == ["赵六"]
    assert_error(client.get("/customers", {"page_size": 1000}), 422, "invalid")


def test_customer_detail_lists_their_cases(api_for, agent, make_ticket):
    first = make_ticket()
    second = make_ticket("classified")

    response = api_for(agent).get(f"/customers/{first.customer_id}")

    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "张伟" and body["case_count"] == 2
    assert [c["number"] for c in body["cases"]] == [second.number, first.number]
    assert body["cases"][0]["state"] == "classified" and body["cases"][0]["state_label"]


def test_unknown_customer_is_404(api_for, agent):
    assert_error(api_for(agent).get("/customers/999999"), 404, "customer_not_found")
    assert_error(api_for(agent).get("/customers/zhang"), 422, "invalid")


def test_department_workers_see_only_customers_of_their_cases(api_for, handler, logistics_handler, make_ticket):
    assigned = make_ticket("assigned")
    other = Customer.objects.create(name="路人", phone="13700000000")

    tech = api_for(handler)
    logistics = api_for(logistics_handler)

    assert [c["id"] for c in tech.get("/customers").json()["items"]] == [assigned.customer_id]
    assert tech.get(f"/customers/{assigned.customer_id}").json()["case_count"] == 1
    assert_error(tech.get(f"/customers/{other.pk}"), 404, "customer_not_found")
    assert logistics.get("/customers").json()["total"] == 0
    assert_error(logistics.get(f"/customers/{assigned.customer_id}"), 404, "customer_not_found")
