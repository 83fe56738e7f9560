"""Token authentication and the caller's own profile."""

from __future__ import annotations

import pytest

from aftersales.accounts.services import api_token_create, api_token_revoke

from .client import ApiClient, assert_error

pytestmark = pytest.mark.django_db


def test_me_returns_the_token_owner(api_for, agent):
    response = api_for(agent).get("/me")

    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "agent"
    assert body["display_name"] == "王芳"
    assert body["role"] == "agent"
    assert body["department"]["code"] == "customer_service"
    assert body["sees_all_cases"] is True


def test_me_for_a_user_without_department(api_for, admin_user):
    body = api_for(admin_user).get("/me").json()

    assert body["role"] == "admin"
    assert body["department"] is None
    assert body["is_admin"] is True


def test_missing_token_is_401_json(anonymous):
    response = anonymous.get("/me")

    assert_error(response, 401, "unauthenticated")
    assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("header", [
    "Bearer as_not-a-real-token",
    "Bearer ",
    "Bearer nonsense",
    "Token as_whatever",
    "Basic YWdlbnQ6cGFzczEyMzQ1",
])
def test_bad_authorization_header_is_401(agent, header):
    client = ApiClient()
    response = client.client.get("/api/v1/me", headers={"Authorization": header})

    assert_error(response, 401, "unauthenticated")


def test_revoked_token_is_refused(agent):
    token, raw = api_token_create(user=agent)
    client = ApiClient(token=raw)
    assert client.get("/me").status_code == 200

    api_token_revoke(token_id=token.pk, actor=agent)

    assert_error(client.get("/me"), 401, "unauthenticated")


def test_token_of_a_deactivated_user_is_refused(agent):
    client = ApiClient(agent)
    agent.is_active = False
    agent.save(update_fields=["is_active"])

    assert_error(client.get("/me"), 401, "unauthenticated")


def test_every_case_endpoint_requires_a_token(anonymous):
    for path in ["/tickets", "/tickets/AS20260101-000001", "/categories", "/departments", "/customers",
                 "/products", "/batches", "/units/X1", "/attachments/1"]:
        assert_error(anonymous.get(path), 401, "unauthenticated")
    assert_error(anonymous.post("/tickets", {}), 401, "unauthenticated")
    assert_error(anonymous.post("/tickets/AS20260101-000001/actions/classify", {}), 401, "unauthenticated")


def test_a_session_login_is_not_an_api_credential(agent):
    client = ApiClient()
    client.client.force_login(agent)

    assert_error(client.get("/me"), 401, "unauthenticated")


def test_departments_lists_the_active_ones(api_for, handler):
    response = api_for(handler).get("/departments")

    assert response.status_code == 200
    codes = [d["code"] for d in response.json()]
    assert codes[:3] == ["customer_service", "technical_support", "logistics"]
    assert {"code", "name", "name_en", "label"} <= set(response.json()[0])
