"""Importing product models, batches and units: all rows or none."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import Workbook

from aftersales.catalog.imports import catalog_import, import_file
from aftersales.catalog.models import Batch, ProductModel, ProductUnit
from aftersales.core.tabular import ImportRefused
from aftersales.customers.models import Customer

pytestmark = pytest.mark.django_db

MODELS_CSV = (
    "型号,名称,产品线,SKU,保修月数\n"
    "RC-30,智能电饭煲,厨房小电,RC30-WH-3L,12\n"
    "KT-17,电热水壶,厨房小电,KT17-1.7L,12\n"
    "SF-301,实木沙发,家居家具,SF301-3P,36\n"
)


def write_csv(tmp_path: Path, name: str, text: str, encoding: str = "utf-8-sig") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(tmp_path: Path, name: str, rows: list[list[object]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "导入"
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


def run(kind: str, path: Path, **kwargs):
    return catalog_import(kind=kind, content=path.read_bytes(), filename=path.name, **kwargs)


@pytest.fixture
def models(tmp_path):
    result = run("models", write_csv(tmp_path, "models.csv", MODELS_CSV))
    assert result.ok, result.error_lines()
    return result


def test_models_csv_creates_then_updates_by_model_code(tmp_path, models):
    assert (models.created, models.updated) == (3, 0)
    again = run("models", write_csv(tmp_path, "models2.csv",
                                    "model,name,warranty_months\nRC-30,智能电饭煲,24\nKT-17,电热水壶,12\nBL-900,破壁料理机,12\n"))
    assert (again.created, again.updated, again.unchanged) == (1, 1, 1)
    assert ProductModel.objects.get(code="RC-30").warranty_months == 24
    assert ProductModel.objects.get(code="RC-30").product_line == "厨房小电"  # empty cell keeps the value


def test_batches_from_excel_with_english_headers_and_date_cells(tmp_path, models):
    path = write_xlsx(tmp_path, "batches.xlsx", [
        ["model", "batch_number", "produced_on", "factory"],
        ["RC-30", "RC30-2409B", dt.date(2026, 9, 3), "佛山顺德工厂"],
        ["RC-30", "RC30-2410C", "2026/10/8", "宁波慈溪工厂"],
        ["智能电饭煲", "RC30-2406A", "20260612", ""],  # the model's name works too
    ])
    result = run("batches", path)
    assert result.ok, result.error_lines()
    assert result.created == 3
    batch = Batch.objects.get(number="RC30-2409B")
    assert (batch.product_model.code, batch.produced_on, batch.factory) == ("RC-30", dt.date(2026, 9, 3), "佛山顺德工厂")
    assert Batch.objects.get(number="RC30-2406A").product_model.code == "RC-30"


def test_units_link_model_batch_and_owner_by_phone(tmp_path, models):
    run("batches", write_csv(tmp_path, "b.csv", "型号,批次号,生产日期\nRC-30,RC30-2409B,2026-09-03\n"))
    owner = Customer.objects.create(name="张伟", phone="13800138000")
    path = write_xlsx(tmp_path, "units.xlsx", [
        ["追溯码", "型号", "批次号", "客户电话"],
        ["RC30-2409B-00001", "RC-30", "RC30-2409B", 13800138000],  # Excel turns phones into numbers
        ["RC30-2409B-00002", "RC-30", "RC30-2409B", None],
    ])
    result = run("units", path)
    assert result.ok, result.error_lines()
    unit = ProductUnit.objects.get(trace_code="RC30-2409B-00001")
    assert unit.owner == owner
    assert unit.batch.number == "RC30-2409B"
    assert unit.produced_on == dt.date(2026, 9, 3)  # from the batch
    assert ProductUnit.objects.get(trace_code="RC30-2409B-00002").owner is None


def test_one_bad_row_rolls_back_the_whole_file(tmp_path, models):
    path = write_csv(tmp_path, "units.csv", (
        "追溯码,型号,批次号,客户电话\n"
        "U-0001,RC-30,,\n"
        "U-0002,KT-17,,\n"
        "U-0003,XX-99,,\n"          # unknown model
        "U-0004,RC-30,NOPE,\n"      # unknown batch
        "U-0001,RC-30,,\n"          # duplicate of row 2
        "U-0006,RC-30,,13900000000\n"  # unknown customer
        ",RC-30,,\n"                # no trace code
    ))
    with translation.override("en"):
        result = run("units", path)
        lines = result.error_lines()
    assert not result.ok
    assert [e.row for e in result.errors] == [4, 5, 6, 7, 8]
    assert lines[0].startswith("Row 4: ") and "XX-99" in lines[0]
    assert "Duplicate of row 2" in lines[2]
    assert (result.created, result.updated) == (0, 0)
    assert ProductUnit.objects.count() == 0


def test_dry_run_counts_but_writes_nothing(tmp_path):
    result = run("models", write_csv(tmp_path, "models.csv", MODELS_CSV), dry_run=True)
    assert result.ok and result.created == 3 and not result.written
    assert ProductModel.objects.count() == 0


def test_invalid_values_are_row_errors(tmp_path):
    with translation.override("en"):
        result = run("models", write_csv(tmp_path, "m.csv", "型号,名称,保修月数\nRC-30,电饭煲,一年\nKT-17,,12\nX,Y,999\n"))
    assert [e.row for e in result.errors] == [2, 3, 4]
    assert ProductModel.objects.count() == 0


def test_a_file_that_is_not_a_spreadsheet_is_refused(tmp_path):
    with pytest.raises(ImportRefused):
        catalog_import(kind="models", content=b"%PDF-1.7\n...", filename="models.pdf")
    with pytest.raises(ImportRefused):
        catalog_import(kind="fridges", content=MODELS_CSV.encode(), filename="m.csv")


def test_import_file_dispatches_customers_too(tmp_path):
    result = import_file(kind="customers", content="姓名,电话\n王芳,13900001111\n".encode(), filename="c.csv")
    assert result.created == 1


# ---------------------------------------------------------------- the management command


def test_import_catalog_command_imports_a_csv(tmp_path):
    out = io.StringIO()
    call_command("import_catalog", "--kind", "models", str(write_csv(tmp_path, "m.csv", MODELS_CSV)), stdout=out)
    assert "created 3" in out.getvalue()
    assert ProductModel.objects.count() == 3


def test_import_catalog_command_refuses_bad_rows_and_writes_nothing(tmp_path, models):
    err = io.StringIO()
    path = write_csv(tmp_path, "b.csv", "型号,批次号,生产日期\nRC-30,B1,2026-01-01\nRC-30,B2,昨天\n")
    with translation.override("en"), pytest.raises(CommandError, match="nothing was written"):
        call_command("import_catalog", "--kind", "batches", str(path), stderr=err)
    assert "Row 3" in err.getvalue()
    assert Batch.objects.count() == 0


def test_import_catalog_command_refuses_a_wrong_file_type(tmp_path):
    path = tmp_path / "units.pdf"
    path.write_bytes(b"%PDF-1.4")
    with pytest.raises(CommandError):
        call_command("import_catalog", "--kind", "units", str(path))


def test_import_catalog_command_customers_from_xlsx(tmp_path):
    path = write_xlsx(tmp_path, "c.xlsx", [["姓名", "电话", "客户类型", "VIP"], ["杭州云帆网络科技有限公司", 13512345678, "企业", "是"]])
    call_command("import_catalog", "--kind", "customers", str(path), stdout=io.StringIO())
    customer = Customer.objects.get(phone="13512345678")
    assert (customer.customer_type, customer.is_vip) == ("enterprise", True)
