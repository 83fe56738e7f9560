from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from aftersales.accounts.models import User
from aftersales.accounts.roles import Role
from aftersales.core.errors import Conflict, PermissionDenied, ValidationFailed
from aftersales.core.models import BaseModel
from aftersales.customers.models import Customer

from .models import Batch, ProductModel, ProductUnit


@dataclass(frozen=True)
class ResolvedProduct:
    """What registration could match from what the customer told us."""

    product_model: ProductModel | None
    batch: Batch | None
    unit: ProductUnit | None


def product_resolve(*, model: str = "", trace_code: str = "", batch_number: str = "") -> ResolvedProduct:
    """Match a trace code to a unit, else the typed model (code or name) and batch.

    Unknown values are not an error: the case keeps the customer's text and an
    operator links the product later.
    """
    trace_code = (trace_code or "").strip()
    if trace_code:
        unit = (
            ProductUnit.objects.select_related("product_model", "batch")
            .filter(trace_code__iexact=trace_code)
            .first()
        )
        if unit is not None:
            return ResolvedProduct(product_model=unit.product_model, batch=unit.batch, unit=unit)
    product_model = None
    model = (model or "").strip()
    if model:
        product_model = ProductModel.objects.filter(Q(code__iexact=model) | Q(name__iexact=model)).first()
    batch = None
    batch_number = (batch_number or "").strip()
    if batch_number:
        batches = Batch.objects.filter(number__iexact=batch_number)
        if product_model is not None:
            batches = batches.filter(product_model=product_model)
        batch = batches.select_related("product_model").first()
        if batch is not None and product_model is None:
            product_model = batch.product_model
    return ResolvedProduct(product_model=product_model, batch=batch, unit=None)


# ---------------------------------------------------------------- catalogue maintenance


@dataclass(frozen=True)
class ProductModelInput:
    code: str
    name: str
    product_line: str = ""
    sku: str = ""
    warranty_months: int = 12


@dataclass(frozen=True)
class BatchInput:
    model: str  # product model code
    number: str
    produced_on: dt.date | None = None
    factory: str = ""


@dataclass(frozen=True)
class ProductUnitInput:
    trace_code: str
    model: str  # product model code
    batch: str = ""  # batch number of that model
    produced_on: dt.date | None = None
    owner_id: int | None = None  # customer


def _require_catalog_manager(actor: User) -> None:
    if not (actor.is_active and (actor.is_admin_role or actor.role == Role.SUPERVISOR)):
        raise PermissionDenied(_("Only supervisors and administrators maintain the product catalogue."),
                               code="action_not_permitted")


def _model_by_code(code: str, *, field: str = "model") -> ProductModel:
    product_model = ProductModel.objects.filter(code__iexact=(code or "").strip()).first()
    if product_model is None:
        raise ValidationFailed(_("Unknown product model “{code}”.").format(code=code), code="unknown_product_model",
                               detail={"field": field, "value": code})
    return product_model


def _save_new(obj: BaseModel, *, exists: Conflict) -> None:
    try:
        obj.full_clean(validate_unique=False, validate_constraints=False)
    except DjangoValidationError as exc:
        raise ValidationFailed(_("Some fields are not valid."), code="invalid", detail={"errors": [
            {"field": name, "message": message} for name, messages in exc.message_dict.items() for message in messages
        ]}) from exc
    try:
        with transaction.atomic():  # a savepoint: a concurrent insert of the same key loses cleanly
            obj.save()
    except IntegrityError as exc:
        raise exists from exc


@transaction.atomic
def product_model_create(*, actor: User, data: ProductModelInput) -> ProductModel:
    _require_catalog_manager(actor)
    code = data.code.strip()
    exists = Conflict(_("Product model “{code}” already exists.").format(code=code), code="product_model_exists",
                      detail={"field": "code", "value": code})
    if ProductModel.objects.filter(code__iexact=code).exists():
        raise exists
    product_model = ProductModel(code=code, name=data.name.strip(), product_line=data.product_line.strip(),
                                 sku=data.sku.strip(), warranty_months=data.warranty_months)
    _save_new(product_model, exists=exists)
    return product_model


@transaction.atomic
def batch_create(*, actor: User, data: BatchInput) -> Batch:
    _require_catalog_manager(actor)
    product_model = _model_by_code(data.model)
    number = data.number.strip()
    exists = Conflict(_("Batch “{number}” of {model} already exists.").format(number=number, model=product_model.code),
                      code="batch_exists", detail={"field": "number", "value": number})
    if Batch.objects.filter(product_model=product_model, number__iexact=number).exists():
        raise exists
    batch = Batch(product_model=product_model, number=number, produced_on=data.produced_on,
                  factory=data.factory.strip())
    _save_new(batch, exists=exists)
    return batch


@transaction.atomic
def product_unit_create(*, actor: User, data: ProductUnitInput) -> ProductUnit:
    _require_catalog_manager(actor)
    product_model = _model_by_code(data.model)
    batch = None
    if data.batch.strip():
        batch = Batch.objects.filter(product_model=product_model, number__iexact=data.batch.strip()).first()
        if batch is None:
            raise ValidationFailed(_("Model {model} has no batch “{number}”.").format(
                model=product_model.code, number=data.batch), code="unknown_batch", detail={"field": "batch"})
    owner = None
    if data.owner_id is not None:
        owner = Customer.objects.filter(pk=data.owner_id).first()
        if owner is None:
            raise ValidationFailed(_("Unknown customer."), code="unknown_customer", detail={"field": "owner_id"})
    trace_code = data.trace_code.strip()
    exists = Conflict(_("Trace code “{code}” is already registered.").format(code=trace_code),
                      code="unit_exists", detail={"field": "trace_code", "value": trace_code})
    if ProductUnit.objects.filter(trace_code__iexact=trace_code).exists():
        raise exists
    unit = ProductUnit(trace_code=trace_code, product_model=product_model, batch=batch,
                       produced_on=data.produced_on or (batch.produced_on if batch else None), owner=owner)
    _save_new(unit, exists=exists)
    return unit
