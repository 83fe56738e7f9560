"""POST /api/v1/triage and `aftersales triage`."""

import json

import pytest

from aftersales import cli
from aftersales.accounts.tests.api.client import assert_error

pytestmark = pytest.mark.django_db


def test_triage_answers_with_category_priority_demand_flags_confidence_and_reasons(api_for, agent):
    response = api_for(agent).post("/triage", {"text": "热水器漏电，被电了一下，要求上门维修",
                                               "customer_type": "individual"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["priority"] == "P1" and "safety" in body["flags"]
    assert body["category"] == "technical_fault"
    assert body["demand"] == "repair"
    assert "含安全隐患关键词：漏电" in body["reasons"]


def test_reasons_follow_the_request_language(api_for, agent):
    response = api_for(agent).client.post("/api/v1/triage", {"text": "洗衣机漏电"}, content_type="application/json",
                                          headers={"Accept-Language": "en"})

    assert "Safety hazard keyword: 漏电" in response.json()["reasons"]


@pytest.mark.parametrize(("payload", "code"), [
    ({"text": ""}, "text_required"),
    ({"text": "   \n "}, "text_required"),
    ({"text": "坏" * 100_000}, "text_too_long"),
    ({"text": 123}, "invalid"),
    ({"text": ["冰箱不制冷"]}, "invalid"),
    ({"text": None}, "invalid"),
    ({}, "invalid"),
    ({"text": "冰箱不制冷", "customer_type": "robot"}, "invalid"),
    ({"text": "冰箱不制冷", "customer_type": 1}, "invalid"),
    ({"text": "冰箱不制冷", "channel": "pigeon"}, "invalid_channel"),
])
def test_bad_input_is_refused_clearly(api_for, agent, payload, code):
    body = assert_error(api_for(agent).post("/triage", payload), 422, code)

    assert body["message"]


def test_a_body_that_is_not_json_is_refused(api_for, agent):
    assert api_for(agent).post_raw("/triage", "text=冰箱").status_code in {400, 422}


def test_triage_needs_a_token(anonymous):
    assert anonymous.post("/triage", {"text": "冰箱不制冷"}).status_code == 401


def test_the_cli_prints_the_same_json(capsys):
    assert cli.main(["triage", "收银机全部宕机，门店没法营业", "--customer-type", "enterprise"]) == 0

    body = json.loads(capsys.readouterr().out)
    assert body["priority"] == "P1"
    assert {"category", "subcategory", "demand", "flags", "confidence", "reasons"} <= set(body)


def test_the_cli_refuses_empty_text(capsys):
    assert cli.main(["triage", "  "]) == 2
    assert "text_required" in capsys.readouterr().err
