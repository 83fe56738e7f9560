"""Import product models, batches and trace-coded units from CSV or Excel.

Every row is validated first; then all rows are written in one transaction,
or none. Rows are matched on their natural key (model code; model + batch
number; trace code): a known key updates the row, a new one creates it.
Empty optional cells never clear what is already recorded.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _

from aftersales.core.errors import ValidationFailed
from aftersales.core.tabular import (
    Column,
    ImportRefused,
    ImportResult,
    Planned,
    RowInvalid,
    changed_fields,
    check_instance,
    date_value,
    int_value,
    read_table,
    run_import,
    text,
)
from aftersales.customers.models import Customer
from aftersales.customers.services import normalize_phone

from .models import Batch, ProductModel, ProductUnit

MODEL_COLUMNS = (
    Column("code", "型号", "model", aliases=("型号编码", "model_code", "code"), required=True),
    Column("name", "名称", "name", aliases=("产品名称", "品名", "product_name")),
    Column("product_line", "产品线", "product_line", aliases=("line", "品类")),
    Column("sku", "SKU", "sku", aliases=("商品编码",)),
    Column("warranty_months", "保修月数", "warranty_months", aliases=("保修期", "保修期月", "warranty")),
)
BATCH_COLUMNS = (
    Column("model", "型号", "model", aliases=("product_model", "型号编码"), required=True),
    Column("number", "批次号", "batch_number", aliases=("批次", "batch", "number"), required=True),
    Column("produced_on", "生产日期", "produced_on", aliases=("production_date",)),
    Column("factory", "工厂", "factory", aliases=("生产工厂", "产地")),
)
UNIT_COLUMNS = (
    Column("trace_code", "追溯码", "trace_code", aliases=("一物一码", "序列号", "serial", "serial_number", "sn"),
           required=True),
    Column("model", "型号", "model", aliases=("product_model", "型号编码"), required=True),
    Column("batch_number", "批次号", "batch_number", aliases=("批次", "batch")),
    Column("produced_on", "生产日期", "produced_on", aliases=("production_date",)),
    Column("owner_phone", "客户电话", "owner_phone", aliases=("用户电话", "customer_phone", "owner")),
)

KINDS = {"models": MODEL_COLUMNS, "batches": BATCH_COLUMNS, "units": UNIT_COLUMNS}
# Everything the import_catalog command and the admin pages accept.
IMPORT_KINDS = ("models", "batches", "units", "customers")


def import_file(*, kind: str, content: bytes, filename: str, dry_run: bool = False) -> ImportResult:
    """One entry point for the four kinds (the command and the admin pages share it)."""
    if kind == "customers":
        from aftersales.customers.imports import customers_import

        return customers_import(content=content, filename=filename, dry_run=dry_run)
    return catalog_import(kind=kind, content=content, filename=filename, dry_run=dry_run)


def import_columns(kind: str) -> tuple[Column, ...]:
    if kind == "customers":
        from aftersales.customers.imports import CUSTOMER_COLUMNS

        return CUSTOMER_COLUMNS
    return _columns(kind)


def catalog_import(*, kind: str, content: bytes, filename: str, dry_run: bool = False) -> ImportResult:
    """Import one CSV/.xlsx file of ``kind`` (models, batches or units), all or nothing.

    Raises ImportRefused when the file itself is unusable; row problems come
    back in ``result.errors`` ("Row N: …") and then nothing is written.
    """
    columns = _columns(kind)
    table = read_table(content=content, filename=filename, columns=columns)
    return _run(kind, table.rows, dry_run=dry_run, ignored=table.ignored_columns)


def catalog_import_rows(*, kind: str, rows: Sequence[Mapping[str, Any]], dry_run: bool = False) -> ImportResult:
    """The same import from rows already keyed by column key (the demo seed uses it)."""
    _columns(kind)
    numbered = [(i, dict(row)) for i, row in enumerate(rows, start=2)]
    return _run(kind, numbered, dry_run=dry_run, ignored=[])


def _columns(kind: str) -> tuple[Column, ...]:
    if kind not in KINDS:
        raise ImportRefused(_("Unknown import kind “{kind}”.").format(kind=kind), code="unknown_import_kind")
    return KINDS[kind]


def _run(kind: str, rows: list[tuple[int, dict[str, Any]]], *, dry_run: bool, ignored: list[str]) -> ImportResult:
    validate = {"models": _ModelRows, "batches": _BatchRows, "units": _UnitRows}[kind](rows)
    return run_import(kind=kind, rows=rows, validate=validate, dry_run=dry_run, ignored_columns=ignored)


def _required(values: dict[str, Any], key: str, label: str) -> str:
    value = text(values.get(key))
    if not value:
        raise RowInvalid(_("“{column}” is required.").format(column=label), column=key)
    return value


def _models_by_code() -> dict[str, ProductModel]:
    """Every model by lower-cased code, and by name where no code says otherwise.

    The model table is small (hundreds of rows), so one query beats a long OR.
    """
    found: dict[str, ProductModel] = {}
    models = list(ProductModel.objects.all())
    for model in models:
        found[model.code.lower()] = model
    for model in models:
        found.setdefault(model.name.lower(), model)
    return found


class _ModelRows:
    def __init__(self, rows: list[tuple[int, dict[str, Any]]]):
        self.existing = {m.code.lower(): m for m in ProductModel.objects.all()}

    def __call__(self, number: int, values: dict[str, Any]) -> Planned:
        code = _required(values, "code", "型号 / model")
        fields: dict[str, Any] = {}
        for key in ("name", "product_line", "sku"):
            if text(values.get(key)):
                fields[key] = text(values.get(key))
        warranty = int_value(values.get("warranty_months"), column="warranty_months")
        if warranty is not None:
            if not 0 <= warranty <= 240:
                raise RowInvalid(_("Warranty must be between 0 and 240 months."), column="warranty_months")
            fields["warranty_months"] = warranty
        model = self.existing.get(code.lower())
        if model is None:
            if "name" not in fields:
                raise RowInvalid(_("“{column}” is required.").format(column="名称 / name"), column="name")
            model = ProductModel(code=code, **fields)
            check_instance(model)
            return Planned(key=code.lower(), instance=model, is_new=True)
        changed = changed_fields(model, fields)
        check_instance(model)
        return Planned(key=code.lower(), instance=model, is_new=False, fields=changed)


class _BatchRows:
    def __init__(self, rows: list[tuple[int, dict[str, Any]]]):
        self.models = _models_by_code()
        self.existing = {
            (b.product_model_id, b.number.lower()): b
            for b in Batch.objects.filter(product_model__in={m.pk for m in self.models.values()})
        }

    def __call__(self, number: int, values: dict[str, Any]) -> Planned:
        model_code = _required(values, "model", "型号 / model")
        batch_number = _required(values, "number", "批次号 / batch_number")
        model = self.models.get(model_code.lower())
        if model is None:
            raise RowInvalid(_("Unknown model “{code}”; import the product models first.").format(code=model_code),
                             column="model")
        fields: dict[str, Any] = {}
        produced_on = date_value(values.get("produced_on"), column="produced_on")
        if produced_on is not None:
            fields["produced_on"] = produced_on
        if text(values.get("factory")):
            fields["factory"] = text(values.get("factory"))
        key = (model.pk, batch_number.lower())
        batch = self.existing.get(key)
        if batch is None:
            batch = Batch(product_model=model, number=batch_number, **fields)
            check_instance(batch, exclude=["product_model"])
            return Planned(key=key, instance=batch, is_new=True)
        changed = changed_fields(batch, fields)
        check_instance(batch, exclude=["product_model"])
        return Planned(key=key, instance=batch, is_new=False, fields=changed)


class _UnitRows:
    def __init__(self, rows: list[tuple[int, dict[str, Any]]]):
        self.models = _models_by_code()
        self.batches = {
            (b.product_model_id, b.number.lower()): b
            for b in Batch.objects.filter(product_model__in={m.pk for m in self.models.values()})
        }
        codes = [text(v.get("trace_code")) for _n, v in rows]
        self.existing: dict[str, ProductUnit] = {}
        for start in range(0, len(codes), 500):  # keep IN lists a sane size
            chunk = [c for c in codes[start:start + 500] if c]
            self.existing.update({u.trace_code: u for u in ProductUnit.objects.filter(trace_code__in=chunk)})
        phones = set()
        for _n, v in rows:
            with contextlib.suppress(ValidationFailed):  # a bad phone is reported on its row
                phones.add(normalize_phone(text(v.get("owner_phone"))))
        phones.discard("")
        self.owners = {c.phone: c for c in Customer.objects.filter(phone__in=phones)} if phones else {}

    def __call__(self, number: int, values: dict[str, Any]) -> Planned:
        trace_code = _required(values, "trace_code", "追溯码 / trace_code")
        model_code = _required(values, "model", "型号 / model")
        model = self.models.get(model_code.lower())
        if model is None:
            raise RowInvalid(_("Unknown model “{code}”; import the product models first.").format(code=model_code),
                             column="model")
        fields: dict[str, Any] = {"product_model": model}
        batch_number = text(values.get("batch_number"))
        if batch_number:
            batch = self.batches.get((model.pk, batch_number.lower()))
            if batch is None:
                raise RowInvalid(_("Model “{model}” has no batch “{batch}”; import the batches first.").format(
                    model=model.code, batch=batch_number), column="batch_number")
            fields["batch"] = batch
            if batch.produced_on:
                fields["produced_on"] = batch.produced_on
        produced_on = date_value(values.get("produced_on"), column="produced_on")
        if produced_on is not None:
            fields["produced_on"] = produced_on
        raw_phone = text(values.get("owner_phone"))
        if raw_phone:
            try:
                phone = normalize_phone(raw_phone)
            except ValidationFailed as exc:
                raise RowInvalid(_("“{value}” is not a valid phone number.").format(value=raw_phone),
                                 column="owner_phone") from exc
            owner = self.owners.get(phone)
            if owner is None:
                raise RowInvalid(_("No customer with phone {phone}; import the customers first.").format(phone=phone),
                                 column="owner_phone")
            fields["owner"] = owner
        unit = self.existing.get(trace_code)
        if unit is None:
            unit = ProductUnit(trace_code=trace_code, **fields)
            check_instance(unit, exclude=["product_model", "batch", "owner"])
            return Planned(key=trace_code, instance=unit, is_new=True)
        changed = changed_fields(unit, fields)
        check_instance(unit, exclude=["product_model", "batch", "owner"])
        return Planned(key=trace_code, instance=unit, is_new=False, fields=changed)
