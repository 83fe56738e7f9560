"""install_error_handlers maps each kind of failure once; bugs are not disguised."""

from __future__ import annotations

import pytest
from django.http import Http404
from ninja import NinjaAPI
from ninja.testing import TestClient

from aftersales.core.api import install_error_handlers, validation_errors
from aftersales.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed


def make_client() -> TestClient:
    api = NinjaAPI(urls_namespace="error-mapping-test")
    install_error_handlers(api)
    raisers = {
        "http404": Http404("gone"),
        "not_found": NotFound("No such thing.", code="thing_not_found", detail={"id": 1}),
        "denied": PermissionDenied("No."),
        "conflict": Conflict("Busy.", code="version_conflict"),
        "invalid": ValidationFailed("Bad.", code="bad_field", detail={"field": "x"}),
        "plain": DomainError("Plain."),
        "bug": RuntimeError("a bug"),
    }

    @api.get("/raise/{kind}")
    def boom(request, kind: str):
        raise raisers[kind]

    return TestClient(api)


@pytest.mark.parametrize(("kind", "status", "code"), [
    ("http404", 404, "not_found"),
    ("not_found", 404, "thing_not_found"),
    ("denied", 403, "permission_denied"),
    ("conflict", 409, "version_conflict"),
    ("invalid", 422, "bad_field"),
    ("plain", 400, "domain_error"),
])
def test_each_error_becomes_the_envelope_with_its_status(kind, status, code):
    response = make_client().get(f"/raise/{kind}")

    assert response.status_code == status
    body = response.json()
    assert set(body) == {"code", "message", "detail"}
    assert body["code"] == code


def test_domain_detail_and_message_pass_through():
    body = make_client().get("/raise/not_found").json()

    assert body == {"code": "thing_not_found", "message": "No such thing.", "detail": {"id": 1}}


def test_unexpected_errors_are_not_turned_into_json():
    with pytest.raises(RuntimeError, match="a bug"):
        make_client().get("/raise/bug")


def test_validation_error_locations_are_flattened():
    errors = [
        {"loc": ("body", "payload", "customer", "name"), "msg": "Field required"},
        {"loc": ("query", "filters", "channel", "str-enum[Channel]"), "msg": "Input should be 'phone'"},
        {"loc": ("query", "filters", "channel", "literal['']"), "msg": "Input should be ''"},
        {"loc": ("query", "page"), "msg": "Input should be a valid integer"},
        {"loc": ("path", "number"), "msg": "Field required"},
    ]

    assert validation_errors(errors) == [
        {"field": "customer.name", "message": "Field required", "source": "body"},
        {"field": "channel", "message": "Input should be 'phone'", "source": "query"},
        {"field": "page", "message": "Input should be a valid integer", "source": "query"},
        {"field": "number", "message": "Field required", "source": "path"},
    ]
