from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

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
