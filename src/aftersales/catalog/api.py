"""API: product models, batches and trace-coded units.

Everyone signed in may read the catalogue; supervisors and administrators
maintain it (the services enforce that). A unit's owner is a customer record,
shown only to roles that see every case.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from aftersales.accounts.api import ApiRequest
from aftersales.accounts.models import User
from aftersales.core.api import READ_ERRORS, WRITE_ERRORS, PageOut, PageQuery, page_payload
from aftersales.core.errors import NotFound
from aftersales.core.pagination import paginate
from aftersales.customers.api import CustomerOut
from aftersales.tickets.selectors import ticket_visible_queryset

from .models import Batch, ProductModel, ProductUnit
from .services import (
    BatchInput,
    ProductModelInput,
    ProductUnitInput,
    batch_create,
    product_model_create,
    product_unit_create,
)

router = Router(tags=["catalogue"])


# ---------------------------------------------------------------- schemas


class ProductModelOut(Schema):
    code: str
    name: str
    product_line: str
    sku: str
    warranty_months: int


class BatchOut(Schema):
    model: str
    number: str
    produced_on: dt.date | None
    factory: str

    @staticmethod
    def resolve_model(obj: Batch) -> str:
        return obj.product_model.code


class ProductModelDetailOut(ProductModelOut):
    batches: list[BatchOut]
    unit_count: int


class UnitOut(Schema):
    trace_code: str
    model: ProductModelOut
    batch: BatchOut | None
    produced_on: dt.date | None
    owner: CustomerOut | None = Field(description="null unless the caller's role sees every case")
    cases: list[str] = Field(description="numbers of this unit's cases the caller may see")


class ProductModelIn(Schema):
    code: str = Field(min_length=1, max_length=60)
    name: str = Field(min_length=1, max_length=120)
    product_line: str = Field("", max_length=60)
    sku: str = Field("", max_length=60)
    warranty_months: int = Field(12, ge=0, le=600)


class BatchIn(Schema):
    model: str = Field(min_length=1, max_length=60, description="product model code")
    number: str = Field(min_length=1, max_length=60)
    produced_on: dt.date | None = None
    factory: str = Field("", max_length=80)


class UnitIn(Schema):
    trace_code: str = Field(min_length=1, max_length=80)
    model: str = Field(min_length=1, max_length=60, description="product model code")
    batch: str = Field("", max_length=60, description="batch number of that model")
    produced_on: dt.date | None = None
    owner_id: int | None = Field(None, description="the customer who owns it")


class ProductListQuery(PageQuery):
    q: str = Field("", max_length=100, description="code or name")
    product_line: str = Field("", max_length=60)


class BatchListQuery(PageQuery):
    model: str = Field("", max_length=60, description="product model code")


# ---------------------------------------------------------------- reads


def _not_found(message: str, *, code: str, value: str) -> NotFound:
    return NotFound(message.format(value=value), code=code, detail={"value": value})


def product_search(*, q: str, product_line: str) -> QuerySet[ProductModel]:
    qs = ProductModel.objects.all()
    if q.strip():
        qs = qs.filter(Q(code__icontains=q.strip()) | Q(name__icontains=q.strip()))
    if product_line:
        qs = qs.filter(product_line=product_line)
    return qs.order_by("code")


def product_get(*, code: str) -> dict[str, Any]:
    product_model = ProductModel.objects.filter(code__iexact=code).first()
    if product_model is None:
        raise _not_found(_("No product model “{value}”."), code="product_model_not_found", value=code)
    batches = list(product_model.batches.select_related("product_model").order_by("-produced_on", "number"))
    return {**{f: getattr(product_model, f) for f in ProductModelOut.model_fields}, "batches": batches,
            "unit_count": product_model.units.count()}


def unit_get_for_viewer(*, viewer: User, trace_code: str) -> dict[str, Any]:
    unit = (ProductUnit.objects.select_related("product_model", "batch__product_model", "owner")
            .filter(trace_code__iexact=trace_code).first())
    if unit is None:
        raise _not_found(_("No unit with trace code “{value}”."), code="unit_not_found", value=trace_code)
    cases = ticket_visible_queryset(viewer=viewer).filter(unit=unit).order_by("-created_at")
    return {"trace_code": unit.trace_code, "model": unit.product_model, "batch": unit.batch,
            "produced_on": unit.produced_on, "owner": unit.owner if viewer.sees_all_cases else None,
            "cases": list(cases.values_list("number", flat=True))}


# ---------------------------------------------------------------- endpoints


@router.get("/products", response={200: PageOut[ProductModelOut], **READ_ERRORS}, summary="Product models")
def product_list(request: ApiRequest, params: Query[ProductListQuery]) -> dict[str, Any]:
    products = product_search(q=params.q, product_line=params.product_line)
    return page_payload(paginate(products, page=params.page, size=params.page_size))


@router.get("/products/{code}", response={200: ProductModelDetailOut, **READ_ERRORS},
            summary="A product model with its batches")
def product_detail(request: ApiRequest, code: str) -> dict[str, Any]:
    return product_get(code=code)


@router.post("/products", response={201: ProductModelOut, **WRITE_ERRORS}, summary="Add a product model")
def product_create(request: ApiRequest, payload: ProductModelIn) -> Status[ProductModel]:
    return Status(201, product_model_create(actor=request.auth, data=ProductModelInput(**payload.model_dump())))


@router.get("/batches", response={200: PageOut[BatchOut], **READ_ERRORS}, summary="Production batches")
def batch_list(request: ApiRequest, params: Query[BatchListQuery]) -> dict[str, Any]:
    batches = Batch.objects.select_related("product_model").order_by("product_model__code", "-produced_on", "number")
    if params.model:
        batches = batches.filter(product_model__code__iexact=params.model)
    return page_payload(paginate(batches, page=params.page, size=params.page_size))


@router.post("/batches", response={201: BatchOut, **WRITE_ERRORS}, summary="Add a batch")
def batch_add(request: ApiRequest, payload: BatchIn) -> Status[Batch]:
    return Status(201, batch_create(actor=request.auth, data=BatchInput(**payload.model_dump())))


@router.get("/units/{trace_code}", response={200: UnitOut, **READ_ERRORS}, summary="A unit by its trace code")
def unit_detail(request: ApiRequest, trace_code: str) -> dict[str, Any]:
    return unit_get_for_viewer(viewer=request.auth, trace_code=trace_code)


@router.post("/units", response={201: UnitOut, **WRITE_ERRORS}, summary="Register a trace-coded unit")
def unit_add(request: ApiRequest, payload: UnitIn) -> Status[dict[str, Any]]:
    unit = product_unit_create(actor=request.auth, data=ProductUnitInput(**payload.model_dump()))
    return Status(201, unit_get_for_viewer(viewer=request.auth, trace_code=unit.trace_code))
