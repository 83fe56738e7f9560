"""A test client speaking to /api/v1/ with a real personal token, as integrators do."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.test.client import MULTIPART_CONTENT

from aftersales.accounts.models import User
from aftersales.accounts.services import api_token_create

PREFIX = "/api/v1"


class ApiClient:
    def __init__(self, user: User | None = None, *, token: str | None = None) -> None:
        self.user = user
        if token is None and user is not None:
            _token, token = api_token_create(user=user, name="tests")
        self.token = token
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.client = Client(headers=headers)

    def get(self, path: str, params: dict[str, Any] | None = None, **kwargs: Any):
        return self.client.get(PREFIX + path, params or {}, **kwargs)

    def post(self, path: str, json: Any = None, *, headers: dict[str, str] | None = None):
        return self.client.post(PREFIX + path, json if json is not None else {}, content_type="application/json",
                                headers=headers)

    def post_raw(self, path: str, body: str | bytes, content_type: str = "application/json"):
        return self.client.post(PREFIX + path, body, content_type=content_type)

    def upload(self, path: str, files: list[Any], **form: Any):
        return self.client.post(PREFIX + path, {"files": files, **form}, content_type=MULTIPART_CONTENT)

    def action(self, number: str, action: str, **fields: Any):
        return self.post(f"/tickets/{number}/actions/{action}", fields)

    def request(self, method: str, path: str):
        return getattr(self.client, method.lower())(PREFIX + path)


@pytest.fixture
def api_for():
    """api_for(user) → an ApiClient authenticated with a fresh token of ``user``."""
    return ApiClient


@pytest.fixture
def anonymous():
    return ApiClient()


def assert_error(response, status: int, code: str) -> dict[str, Any]:
    """The JSON error envelope, with the expected status and code."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "detail"}, body
    assert body["code"] == code, body
    assert body["message"]
    return body


def error_fields(response) -> set[str]:
    return {e["field"] for e in response.json()["detail"]["errors"]}
