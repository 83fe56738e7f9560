"""Product models, batches and units: reading for everyone, writing for supervisors and admins."""

from __future__ import annotations

import datetime as dt

import pytest

from aftersales.accounts.tests.api.client import assert_error, error_fields
from aftersales.catalog.models import Batch, ProductModel, ProductUnit
from aftersales.customers.models import Customer
from aftersales.tickets.services import ProductInput

pytestmark = pytest.mark.django_db


@pytest.fixture
def rice_cooker(db) -> ProductModel:
    model = ProductModel.objects.create(code="RC-30", name="智能电饭煲", product_line="厨电", sku="RC30-W")
    Batch.objects.create(product_model=model, number="B2025-01", produced_on=dt.date(2025, 1, 5), factory="佛山一厂")
    Batch.objects.create(product_model=model, number="B2025-03", produced_on=dt.date(2025, 3, 9))
    return model


@pytest.fixture
def kettle(db) -> ProductModel:
    model = ProductModel.objects.create(code="KT-10", name="电热水壶", product_line="小家电")
    Batch.objects.create(product_model=model, number="K2025-02")
    return model


def test_products_list_search_and_filter(api_for, handler, rice_cooker, kettle):
    client = api_for(handler)

    everything = client.get("/products").json()
    by_name = client.get("/products", {"q": "水壶"}).json()
    by_line = client.get("/products", {"product_line": "厨电"}).json()

    assert [p["code"] for p in everything["items"]] == ["KT-10", "RC-30"]
    assert everything["total"] == 2 and everything["page"] == 1
    assert [p["code"] for p in by_name["items"]] == ["KT-10"]
    assert [p["code"] for p in by_line["items"]] == ["RC-30"]


def test_product_detail_has_its_batches(api_for, handler, rice_cooker):
    response = api_for(handler).get("/products/rc-30")

    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "智能电饭煲" and body["warranty_months"] == 12
    assert [b["number"] for b in body["batches"]] == ["B2025-03", "B2025-01"]
    assert body["unit_count"] == 0


def test_unknown_product_is_404(api_for, handler):
    assert_error(api_for(handler).get("/products/NOPE"), 404, "product_model_not_found")


def test_batches_filtered_by_model(api_for, handler, rice_cooker, kettle):
    client = api_for(handler)

    assert client.get("/batches").json()["total"] == 3
    body = client.get("/batches", {"model": "KT-10"}).json()
    assert body["items"] == [{"model": "KT-10", "number": "K2025-02", "produced_on": None, "factory": ""}]
    assert client.get("/batches", {"model": "ZZ"}).json()["total"] == 0


def test_unit_detail_shows_model_batch_owner_and_cases(api_for, agent, rice_cooker, make_ticket):
    owner = Customer.objects.create(name="张伟", phone="13800138000")
    ProductUnit.objects.create(trace_code="TC0001", product_model=rice_cooker,
                               batch=rice_cooker.batches.get(number="B2025-01"), owner=owner)
    case = make_ticket(product=ProductInput(trace_code="TC0001"))

    response = api_for(agent).get("/units/TC0001")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["model"]["code"] == "RC-30"
    assert body["batch"]["number"] == "B2025-01"
    assert body["owner"]["id"] == owner.pk
    assert body["cases"] == [case.number]


def test_unit_owner_and_cases_follow_the_viewer(api_for, logistics_handler, rice_cooker, make_ticket):
    owner = Customer.objects.create(name="张伟", phone="13800138000")
    ProductUnit.objects.create(trace_code="TC0002", product_model=rice_cooker, owner=owner)
    make_ticket("assigned", product=ProductInput(trace_code="TC0002"))  # technical_support

    body = api_for(logistics_handler).get("/units/TC0002").json()

    assert body["owner"] is None
    assert body["cases"] == []


def test_unknown_unit_is_404(api_for, handler):
    assert_error(api_for(handler).get("/units/NOPE"), 404, "unit_not_found")


# ---------------------------------------------------------------- writes


def test_supervisor_adds_a_product_batch_and_unit(api_for, supervisor):
    client = api_for(supervisor)
    owner = Customer.objects.create(name="张伟", phone="13800138000")

    product = client.post("/products", {"code": "AP-2", "name": "空气净化器", "warranty_months": 24})
    batch = client.post("/batches", {"model": "AP-2", "number": "A2025-07", "produced_on": "2025-07-01"})
    unit = client.post("/units", {"trace_code": "AP2-000001", "model": "ap-2", "batch": "A2025-07",
                                  "owner_id": owner.pk})

    assert product.status_code == 201, product.content
    assert product.json()["warranty_months"] == 24
    assert batch.status_code == 201 and batch.json()["model"] == "AP-2"
    assert unit.status_code == 201, unit.content
    assert unit.json()["batch"]["number"] == "A2025-07"
    assert unit.json()["produced_on"] == "2025-07-01"  # taken from the batch
    assert unit.json()["owner"]["name"] == "张伟"


def test_admin_may_add_products(api_for, admin_user):
    assert api_for(admin_user).post("/products", {"code": "X1", "name": "X"}).status_code == 201


@pytest.mark.parametrize("fixture", ["agent", "handler", "head", "auditor"])
def test_other_roles_may_not_write_the_catalogue(api_for, request, rice_cooker, fixture):
    client = api_for(request.getfixturevalue(fixture))

    assert_error(client.post("/products", {"code": "X1", "name": "X"}), 403, "action_not_permitted")
    assert_error(client.post("/batches", {"model": "RC-30", "number": "N1"}), 403, "action_not_permitted")
    assert_error(client.post("/units", {"trace_code": "T1", "model": "RC-30"}), 403, "action_not_permitted")
    assert not ProductModel.objects.filter(code="X1").exists()


def test_duplicates_are_409(api_for, supervisor, rice_cooker):
    client = api_for(supervisor)
    ProductUnit.objects.create(trace_code="TC9", product_model=rice_cooker)

    assert_error(client.post("/products", {"code": "rc-30", "name": "重复"}), 409, "product_model_exists")
    assert_error(client.post("/batches", {"model": "RC-30", "number": "B2025-01"}), 409, "batch_exists")
    assert_error(client.post("/units", {"trace_code": "tc9", "model": "RC-30"}), 409, "unit_exists")


def test_references_must_exist(api_for, supervisor, rice_cooker, kettle):
    client = api_for(supervisor)

    assert_error(client.post("/batches", {"model": "NOPE", "number": "N1"}), 422, "unknown_product_model")
    assert_error(client.post("/units", {"trace_code": "T1", "model": "RC-30", "batch": "K2025-02"}), 422,
                 "unknown_batch")
    assert_error(client.post("/units", {"trace_code": "T1", "model": "RC-30", "owner_id": 999999}), 422,
                 "unknown_customer")


@pytest.mark.parametrize(("path", "payload", "field"), [
    ("/products", {"name": "X"}, "code"),
    ("/products", {"code": "", "name": "X"}, "code"),
    ("/products", {"code": "X", "name": "X", "warranty_months": -1}, "warranty_months"),
    ("/products", {"code": "X", "name": "X", "warranty_months": "long"}, "warranty_months"),
    ("/batches", {"model": "RC-30"}, "number"),
    ("/batches", {"model": "RC-30", "number": "N", "produced_on": "soon"}, "produced_on"),
    ("/units", {"model": "RC-30"}, "trace_code"),
    ("/units", {"trace_code": "T", "model": "RC-30", "owner_id": "me"}, "owner_id"),
])
def test_bad_catalogue_input_is_422(api_for, supervisor, rice_cooker, path, payload, field):
    response = api_for(supervisor).post(path, payload)

    assert_error(response, 422, "invalid")
    assert field in error_fields(response)
