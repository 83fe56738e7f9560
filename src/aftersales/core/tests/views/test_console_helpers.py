"""The console's shared helpers: schema errors in the user's language, 404 mapping, htmx partials."""

from __future__ import annotations

import pydantic
import pytest
from django.http import Http404
from django.test import RequestFactory
from django.utils import translation

from aftersales.core.errors import NotFound
from aftersales.core.htmx import is_partial_request
from aftersales.core.views import or_404, schema_errors


class Sample(pydantic.BaseModel):
    name: str = pydantic.Field(min_length=1, max_length=3)
    amount: int = 0


def _errors(data: dict) -> dict[str, list[str]]:
    try:
        Sample.model_validate(data)
    except pydantic.ValidationError as exc:
        return schema_errors(exc)
    return {}


def test_schema_errors_are_translated_and_keyed_by_field():
    with translation.override("zh-hans"):
        errors = _errors({"name": "", "amount": "x"})
    assert errors == {"name": ["此项为必填项。"], "amount": ["请输入整数。"]}
    with translation.override("en"):
        assert _errors({"name": "toolong"}) == {"name": ["Enter at most 3 characters."]}


def test_or_404_turns_domain_not_found_into_http_404():
    def selector(**kwargs):
        raise NotFound("gone")

    with pytest.raises(Http404):
        or_404(selector, number="x")


def test_partial_only_for_plain_htmx_requests(rf: RequestFactory):
    from django_htmx.middleware import HtmxDetails

    request = rf.get("/", HTTP_HX_REQUEST="true")
    request.htmx = HtmxDetails(request)
    assert is_partial_request(request)
    restore = rf.get("/", HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    restore.htmx = HtmxDetails(restore)
    assert not is_partial_request(restore)
    plain = rf.get("/")
    plain.htmx = HtmxDetails(plain)
    assert not is_partial_request(plain)
