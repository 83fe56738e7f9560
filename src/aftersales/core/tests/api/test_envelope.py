"""Every error leaves the API as {"code", "message", "detail"}; the OpenAPI document is served."""

from __future__ import annotations

import pytest

from aftersales.accounts.tests.api.client import assert_error

pytestmark = pytest.mark.django_db


def test_openapi_document_is_served_without_a_token(anonymous):
    response = anonymous.client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Aftersales API"
    paths = schema["paths"]
    for path in ["/api/v1/me", "/api/v1/tickets", "/api/v1/tickets/{number}",
                 "/api/v1/tickets/{number}/actions/{action}", "/api/v1/tickets/{number}/attachments",
                 "/api/v1/attachments/{attachment_id}", "/api/v1/categories", "/api/v1/departments",
                 "/api/v1/customers", "/api/v1/customers/{customer_id}", "/api/v1/products",
                 "/api/v1/products/{code}", "/api/v1/batches", "/api/v1/units", "/api/v1/units/{trace_code}"]:
        assert path in paths, path
    assert schema["components"]["securitySchemes"]["TokenAuth"] == {"type": "http", "scheme": "bearer"}
    assert "409" in paths["/api/v1/tickets/{number}/actions/{action}"]["post"]["responses"]


def test_docs_page_is_served(anonymous):
    response = anonymous.client.get("/api/v1/docs")

    assert response.status_code == 200
    assert b"openapi.json" in response.content


def test_unknown_route_is_a_json_404(api_for, agent):
    body = assert_error(api_for(agent).get("/no/such/thing"), 404, "unknown_route")

    assert body["detail"]["path"] == "/api/v1/no/such/thing"


def test_unknown_route_is_404_even_without_a_token(anonymous):
    assert_error(anonymous.get("/nothing-here"), 404, "unknown_route")


def test_wrong_method_is_a_json_405(api_for, agent):
    response = api_for(agent).request("DELETE", "/tickets")

    body = assert_error(response, 405, "method_not_allowed")
    assert body["detail"]["allowed_methods"] == ["GET", "POST"]
    assert "GET" in response["Allow"]


def test_unparsable_json_body_is_a_json_400(api_for, agent):
    response = api_for(agent).post_raw("/tickets", "{not json")

    assert_error(response, 400, "bad_request")


def test_request_validation_is_422_invalid_with_field_errors(api_for, agent):
    response = api_for(agent).post("/tickets", {"channel": 42, "customer": {"phone": "1"}})

    body = assert_error(response, 422, "invalid")
    errors = body["detail"]["errors"]
    assert {"channel", "customer.name", "description"} <= {e["field"] for e in errors}
    assert all(e["message"] for e in errors)


def test_query_validation_is_422_too(api_for, agent):
    body = assert_error(api_for(agent).get("/tickets", {"page": "first"}), 422, "invalid")

    [error] = body["detail"]["errors"]
    assert (error["field"], error["source"]) == ("page", "query")


def test_messages_follow_the_request_language(anonymous):
    response = anonymous.client.get("/api/v1/me", headers={"Accept-Language": "en"})

    assert "Authentication required" in response.json()["message"]
