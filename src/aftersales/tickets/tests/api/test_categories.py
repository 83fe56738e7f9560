"""GET /api/v1/categories: the two-level problem tree."""

from __future__ import annotations

import pytest

from aftersales.tickets.models import Category

pytestmark = pytest.mark.django_db


def test_categories_are_a_tree_of_active_rows(api_for, handler, django_assert_max_num_queries):
    Category.objects.filter(code="software_compat").update(is_active=False)
    client = api_for(handler)
    client.get("/categories")

    with django_assert_max_num_queries(3):  # token, top level, children
        response = client.get("/categories")

    assert response.status_code == 200
    tree = {c["code"]: [child["code"] for child in c["children"]] for c in response.json()}
    assert list(tree) == ["technical_fault", "logistics", "quality_objection", "service_consultation"]
    assert tree["technical_fault"] == ["function_abnormal", "function_failure"]
    first = response.json()[0]
    assert first["name"] == "技术故障" and first["name_en"] == "Technical fault"
    assert first["children"][0]["examples"] == "死机、无法启动"


def test_labels_follow_the_language(api_for, handler):
    response = api_for(handler).client.get("/api/v1/categories", headers={
        "Authorization": f"Bearer {api_for(handler).token}", "Accept-Language": "en"})

    assert response.json()[0]["label"] == "Technical fault"
