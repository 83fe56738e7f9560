"""Maintaining the catalogue: models, batches and trace-coded units, by managers only."""

from __future__ import annotations

import datetime as dt

import pytest

from aftersales.catalog.models import Batch, ProductModel, ProductUnit
from aftersales.catalog.services import (
    BatchInput,
    ProductModelInput,
    ProductUnitInput,
    batch_create,
    product_model_create,
    product_resolve,
    product_unit_create,
)
from aftersales.core.errors import Conflict, PermissionDenied, ValidationFailed
from aftersales.customers.models import Customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def cooker(supervisor) -> ProductModel:
    return product_model_create(actor=supervisor, data=ProductModelInput(
        code=" RC-30 ", name="智能电饭煲", product_line="厨房电器", warranty_months=24))


def test_a_supervisor_adds_a_model(cooker):
    assert ProductModel.objects.get() == cooker
    assert (cooker.code, cooker.name, cooker.warranty_months) == ("RC-30", "智能电饭煲", 24)


@pytest.mark.parametrize("who", ["agent", "handler", "head", "auditor"])
def test_only_supervisors_and_administrators_maintain_the_catalogue(request, who):
    actor = request.getfixturevalue(who)

    with pytest.raises(PermissionDenied):
        product_model_create(actor=actor, data=ProductModelInput(code="KT-12", name="电热水壶"))
    assert not ProductModel.objects.exists()


def test_an_administrator_may_too(admin_user):
    product_model_create(actor=admin_user, data=ProductModelInput(code="KT-12", name="电热水壶"))

    assert ProductModel.objects.filter(code="KT-12").exists()


def test_a_model_code_is_unique_whatever_its_case(cooker, supervisor):
    with pytest.raises(Conflict) as refused:
        product_model_create(actor=supervisor, data=ProductModelInput(code="rc-30", name="另一个"))

    assert refused.value.code == "product_model_exists"
    assert ProductModel.objects.count() == 1


def test_a_model_without_a_name_is_refused_as_a_domain_error(supervisor):
    with pytest.raises(ValidationFailed):
        product_model_create(actor=supervisor, data=ProductModelInput(code="KT-12", name=" "))
    assert not ProductModel.objects.exists()


def test_batches_belong_to_a_model_and_are_unique_within_it(cooker, supervisor):
    batch = batch_create(actor=supervisor, data=BatchInput(model="rc-30", number="B20260315",
                                                           produced_on=dt.date(2026, 3, 15), factory="佛山一厂"))

    assert (batch.product_model, batch.number, batch.factory) == (cooker, "B20260315", "佛山一厂")
    with pytest.raises(Conflict) as refused:
        batch_create(actor=supervisor, data=BatchInput(model="RC-30", number="b20260315"))
    assert refused.value.code == "batch_exists"
    with pytest.raises(ValidationFailed) as refused:
        batch_create(actor=supervisor, data=BatchInput(model="NOPE", number="B1"))
    assert refused.value.code == "unknown_product_model"


def test_a_unit_is_registered_with_its_batch_and_owner(cooker, supervisor):
    batch = batch_create(actor=supervisor, data=BatchInput(model="RC-30", number="B1",
                                                           produced_on=dt.date(2026, 3, 15)))
    owner = Customer.objects.create(name="张伟", phone="13800138000")

    unit = product_unit_create(actor=supervisor, data=ProductUnitInput(
        trace_code=" TC0001 ", model="RC-30", batch="b1", owner_id=owner.pk))

    assert (unit.trace_code, unit.batch, unit.owner) == ("TC0001", batch, owner)
    assert unit.produced_on == dt.date(2026, 3, 15)  # taken from its batch
    # and registration now recognises it
    assert product_resolve(trace_code="tc0001").unit == unit


@pytest.mark.parametrize(("data", "error", "code"), [
    ({"trace_code": "TC0001", "model": "RC-30"}, Conflict, "unit_exists"),
    ({"trace_code": "TC0002", "model": "RC-30", "batch": "B404"}, ValidationFailed, "unknown_batch"),
    ({"trace_code": "TC0003", "model": "RC-30", "owner_id": 987654}, ValidationFailed, "unknown_customer"),
    ({"trace_code": "TC0004", "model": "XX-1"}, ValidationFailed, "unknown_product_model"),
])
def test_a_unit_that_cannot_be_registered_is_refused(cooker, supervisor, data, error, code):
    product_unit_create(actor=supervisor, data=ProductUnitInput(trace_code="tc0001", model="RC-30"))

    with pytest.raises(error) as refused:
        product_unit_create(actor=supervisor, data=ProductUnitInput(**data))

    assert refused.value.code == code
    assert ProductUnit.objects.count() == 1
    assert Batch.objects.count() == 0
