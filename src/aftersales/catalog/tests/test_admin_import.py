"""The admin's "import from CSV/Excel" page on each list."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from aftersales.catalog.models import ProductModel, ProductUnit
from aftersales.customers.models import Customer

pytestmark = pytest.mark.django_db

MODELS_CSV = "型号,名称,产品线,保修月数\nRC-30,智能电饭煲,厨房小电,12\nKT-17,电热水壶,厨房小电,12\n"


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.mark.parametrize("model", ["productmodel", "batch", "productunit"])
def test_changelist_offers_the_import_button(admin_client, model):
    app = "catalog"
    body = admin_client.get(reverse(f"admin:{app}_{model}_changelist")).content.decode()
    assert reverse(f"admin:{app}_{model}_import") in body


def test_customer_list_offers_the_import_button(admin_client):
    body = admin_client.get(reverse("admin:customers_customer_changelist")).content.decode()
    assert reverse("admin:customers_customer_import") in body


def test_upload_imports_and_returns_to_the_list(admin_client):
    response = admin_client.post(reverse("admin:catalog_productmodel_import"),
                                 {"file": upload("models.csv", MODELS_CSV.encode("utf-8-sig"))})
    assert response.status_code == 302
    assert response.url == reverse("admin:catalog_productmodel_changelist")
    assert set(ProductModel.objects.values_list("code", flat=True)) == {"RC-30", "KT-17"}


def test_bad_rows_are_previewed_and_nothing_is_written(admin_client):
    ProductModel.objects.create(code="RC-30", name="智能电饭煲")
    content = "追溯码,型号\nU1,RC-30\nU2,NOPE\n".encode()
    response = admin_client.post(reverse("admin:catalog_productunit_import"), {"file": upload("units.csv", content)},
                                 HTTP_ACCEPT_LANGUAGE="en")
    body = response.content.decode()
    assert response.status_code == 200
    assert "import-errors" in body and "NOPE" in body
    assert ProductUnit.objects.count() == 0


def test_dry_run_only_checks(admin_client):
    response = admin_client.post(reverse("admin:catalog_productmodel_import"),
                                 {"file": upload("models.csv", MODELS_CSV.encode()), "dry_run": "on"})
    assert response.status_code == 200
    assert ProductModel.objects.count() == 0


def test_wrong_file_type_is_refused_on_the_form(admin_client):
    response = admin_client.post(reverse("admin:customers_customer_import"),
                                 {"file": upload("customers.pdf", b"%PDF-1.4 ...")})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert Customer.objects.count() == 0


def test_customers_from_excel_through_the_admin(admin_client):
    workbook = Workbook()
    workbook.active.append(["姓名", "电话", "客户类型"])
    workbook.active.append(["成都蓉锦酒店管理有限公司", 13512345678, "企业"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = admin_client.post(reverse("admin:customers_customer_import"),
                                 {"file": upload("customers.xlsx", buffer.getvalue())})
    assert response.status_code == 302
    assert Customer.objects.get(phone="13512345678").customer_type == "enterprise"


def test_sample_header_file_is_offered(admin_client):
    response = admin_client.get(reverse("admin:catalog_batch_import"), {"sample": "1"})
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode("utf-8-sig").startswith("型号,批次号,生产日期,工厂")


def test_import_page_needs_add_permission(client, agent):
    agent.is_staff = True
    agent.save()
    client.force_login(agent)
    assert client.get(reverse("admin:catalog_productmodel_import")).status_code == 403
