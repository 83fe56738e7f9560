"""Importing customers: matched by phone, then email; all rows or none."""

from __future__ import annotations

import io

import pytest
from django.utils import translation
from openpyxl import Workbook

from aftersales.customers.imports import customers_import, customers_import_rows
from aftersales.customers.models import Customer

pytestmark = pytest.mark.django_db


def xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_customers_csv_with_chinese_headers(tmp_path):
    path = tmp_path / "customers.csv"
    path.write_text(
        "姓名,电话,邮箱,客户类型,VIP,首选渠道,地区,地址\n"
        "王芳,138-0013-8000,WangFang@QQ.com,个人,否,微信,上海,上海市浦东新区张杨路100号\n"
        "成都蓉锦酒店管理有限公司,13512345678,,企业,是,电话,成都,\n"
        "佛山顺德福临家电城,18600001111,,经销商,,,佛山,\n", encoding="utf-8-sig")
    result = customers_import(content=path.read_bytes(), filename=path.name)
    assert result.ok, result.error_lines()
    assert result.created == 3
    wang = Customer.objects.get(phone="13800138000")
    assert (wang.email, wang.preferred_channel, wang.region) == ("wangfang@qq.com", "wechat", "上海")
    assert Customer.objects.get(phone="13512345678").is_vip
    assert Customer.objects.get(phone="18600001111").customer_type == "dealer"


def test_existing_customer_is_updated_by_phone_and_empty_cells_keep_data():
    Customer.objects.create(name="王 芳", phone="13800138000", email="old@example.com", region="上海")
    result = customers_import(content=xlsx([["name", "phone", "email", "region"], ["王芳", 13800138000, None, None]]),
                              filename="c.xlsx")
    assert (result.created, result.updated) == (0, 1)
    customer = Customer.objects.get(phone="13800138000")
    assert (customer.name, customer.email, customer.region) == ("王芳", "old@example.com", "上海")


def test_customer_without_phone_is_matched_by_email():
    Customer.objects.create(name="李娜", email="lina@163.com")
    result = customers_import_rows(rows=[{"name": "李娜", "email": "LiNa@163.com", "region": "北京"}])
    assert result.updated == 1
    assert Customer.objects.get(email="lina@163.com").region == "北京"


def test_bad_rows_refuse_the_whole_file():
    content = xlsx([
        ["姓名", "电话", "客户类型", "VIP"],
        ["张伟", 13900001111, "个人", "是"],
        ["", 13900002222, "", ""],            # no name
        ["赵磊", "call me", "", ""],           # bad phone
        ["孙丽", None, "", ""],                # no way to reach her
        ["周敏", 13900005555, "外星人", ""],   # unknown type
        ["吴刚", 13900006666, "", "也许"],      # not yes/no
        ["张伟", 13900001111, "", ""],          # duplicate phone
    ])
    with translation.override("en"):
        result = customers_import(content=content, filename="customers.xlsx")
        assert all(str(e).startswith(f"Row {e.row}: ") for e in result.errors)
    assert [e.row for e in result.errors] == [3, 4, 5, 6, 7, 8]
    with translation.override("zh-hans"):
        assert str(result.errors[0]).startswith("第 3 行：")
    assert Customer.objects.count() == 0


def test_dry_run_writes_nothing():
    result = customers_import_rows(rows=[{"name": "王芳", "phone": "13800138000"}], dry_run=True)
    assert result.created == 1 and not result.written
    assert not Customer.objects.exists()
