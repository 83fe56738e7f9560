"""Matching what the customer told us to the product we made; unknowns are no error."""

from __future__ import annotations

import pytest

from aftersales.catalog.models import Batch, ProductModel, ProductUnit
from aftersales.catalog.services import product_resolve

pytestmark = pytest.mark.django_db


@pytest.fixture
def cooker() -> ProductModel:
    return ProductModel.objects.create(code="RC-30", name="智能电饭煲", product_line="厨房电器")


@pytest.fixture
def kettle() -> ProductModel:
    return ProductModel.objects.create(code="KT-12", name="电热水壶")


def test_a_trace_code_finds_the_unit_with_its_model_and_batch(cooker):
    batch = Batch.objects.create(product_model=cooker, number="B20260315")
    unit = ProductUnit.objects.create(trace_code="TC8866001234", product_model=cooker, batch=batch)

    found = product_resolve(trace_code="  tc8866001234 ")

    assert (found.unit, found.batch, found.product_model) == (unit, batch, cooker)


def test_the_trace_code_wins_over_a_mistyped_model(cooker, kettle):
    unit = ProductUnit.objects.create(trace_code="TC0001", product_model=cooker)

    found = product_resolve(model="KT-12", trace_code="TC0001")

    assert (found.unit, found.product_model) == (unit, cooker)


@pytest.mark.parametrize("typed", ["RC-30", "rc-30", " RC-30 ", "智能电饭煲"])
def test_a_model_is_matched_by_code_or_name_ignoring_case(cooker, typed):
    found = product_resolve(model=typed)

    assert (found.product_model, found.batch, found.unit) == (cooker, None, None)


def test_an_unknown_trace_code_falls_back_to_the_model(cooker):
    found = product_resolve(model="RC-30", trace_code="NOT-A-CODE")

    assert (found.product_model, found.unit) == (cooker, None)


def test_a_batch_is_looked_up_within_the_model(cooker, kettle):
    Batch.objects.create(product_model=kettle, number="B1")
    mine = Batch.objects.create(product_model=cooker, number="B1")

    found = product_resolve(model="RC-30", batch_number="b1")

    assert (found.product_model, found.batch) == (cooker, mine)


def test_a_batch_alone_tells_the_model(cooker):
    batch = Batch.objects.create(product_model=cooker, number="B20260315")

    found = product_resolve(batch_number="B20260315")

    assert (found.product_model, found.batch) == (cooker, batch)


def test_a_batch_of_another_model_is_not_matched(cooker, kettle):
    Batch.objects.create(product_model=kettle, number="B9")

    found = product_resolve(model="RC-30", batch_number="B9")

    assert (found.product_model, found.batch) == (cooker, None)


@pytest.mark.parametrize("kwargs", [{}, {"model": "老款蓝色电水壶"}, {"trace_code": "??"}, {"batch_number": "不记得"}])
def test_nothing_known_resolves_to_nothing(cooker, kwargs):
    found = product_resolve(**kwargs)

    assert (found.product_model, found.batch, found.unit) == (None, None, None)
