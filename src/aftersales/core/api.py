"""The HTTP API's shared plumbing: the error envelope, the one error mapping,
and the page envelope. No domain app is imported here (core stays below them).

Every error leaves the API as ``{"code", "message", "detail"}`` with its status:
domain errors carry their own code and status; ninja's request validation is a
422 ``invalid`` with ``detail.errors`` listing ``field``/``message``; ninja's
HTTP errors (401, 400 for an unparsable body, 429) and ``Http404`` keep their
status with a stable code. Anything else is a bug and stays a 500.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from pydantic import Field

from aftersales.core.errors import DomainError
from aftersales.core.pagination import MAX_PAGE_SIZE, Page


class ErrorOut(Schema):
    code: str = Field(description="stable, machine-readable error code")
    message: str = Field(description="human-readable message in the request's language")
    detail: dict[str, Any] = Field(default_factory=dict)


# Response declarations every authenticated operation shares (OpenAPI documentation).
AUTH_ERRORS: dict[int, type[Schema]] = {401: ErrorOut}
READ_ERRORS: dict[int, type[Schema]] = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS: dict[int, type[Schema]] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut,
                                         422: ErrorOut}


def _status_codes() -> dict[int, tuple[str, str]]:
    # Built per call so the messages follow the request's language.
    return {
        400: ("bad_request", _("The request could not be read.")),
        401: ("unauthenticated", _("Authentication required: send “Authorization: Bearer <token>”.")),
        403: ("permission_denied", _("You are not allowed to do this.")),
        404: ("not_found", _("Not found.")),
        405: ("method_not_allowed", _("This method is not allowed here.")),
        429: ("throttled", _("Too many requests; try again later.")),
    }


def error_payload(status: int, *, code: str | None = None, message: str | None = None,
                  detail: dict[str, Any] | None = None) -> dict[str, Any]:
    default_code, default_message = _status_codes().get(status, ("error", _("The request failed.")))
    return {"code": code or default_code, "message": message or default_message, "detail": detail or {}}


def error_response(status: int, **kwargs: Any) -> JsonResponse:
    """A JSON error outside ninja's operations (unknown route, 405)."""
    return JsonResponse(error_payload(status, **kwargs), status=status, json_dumps_params={"ensure_ascii": False})


def validation_errors(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    """ninja's error list → ``[{"field", "message", "source"}]``.

    ninja locates an error as ``(source, param name, *path)``; the schema
    parameter's name is noise to a client, so the field is the path inside it,
    ``customer.name`` rather than ``payload.customer.name``. pydantic adds a
    tag per union member (``str-enum[Channel]``, ``literal['']``); those are
    dropped and the field reported once.
    """
    result: dict[tuple[str, str], dict[str, str]] = {}
    for error in errors:
        loc = [str(part) for part in error.get("loc", ()) if not _is_union_tag(part)]
        source = loc[0] if loc else ""
        path = loc[1:]
        if len(path) > 1 and source in {"body", "form", "file", "query"}:
            path = path[1:]
        field = ".".join(path)
        result.setdefault((source, field), {"field": field, "message": str(error.get("msg", "")),
                                            "source": source})
    return list(result.values())


def _is_union_tag(part: Any) -> bool:
    return isinstance(part, str) and part.endswith("]") and "[" in part


def install_error_handlers(api: NinjaAPI) -> None:
    """Map every expected exception once, for the whole API."""

    def render(request: HttpRequest, status: int, payload: dict[str, Any]) -> HttpResponse:
        return api.create_response(request, payload, status=status)

    def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return render(request, exc.status, error_payload(exc.status, code=exc.code, message=exc.message,
                                                         detail=exc.detail))

    def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return render(request, 422, error_payload(422, code="invalid", message=_("The request is not valid."),
                                                  detail={"errors": validation_errors(exc.errors)}))

    def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = render(request, exc.status_code, error_payload(exc.status_code))
        response["WWW-Authenticate"] = "Bearer"
        return response

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return render(request, exc.status_code, error_payload(exc.status_code, detail={"reason": str(exc)}))

    def on_404(request: HttpRequest, exc: Http404) -> HttpResponse:
        return render(request, 404, error_payload(404))

    api.add_exception_handler(DomainError, on_domain_error)
    api.add_exception_handler(ValidationError, on_validation_error)
    api.add_exception_handler(AuthenticationError, on_authentication_error)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(Http404, on_404)


def json_method_not_allowed(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Wrap a ninja path view so its plain-text 405 becomes the JSON error envelope."""

    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith("application/json"):
            allowed = sorted(m.strip() for m in response.get("Allow", "").split(",") if m.strip())
            json_response = error_response(405, detail={"allowed_methods": allowed})
            json_response["Allow"] = response.get("Allow", "")
            return json_response
        return response

    wrapped.csrf_exempt = True  # type: ignore[attr-defined]  # like every ninja view
    return wrapped


def unknown_route(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    return error_response(404, code="unknown_route", message=_("There is no such API endpoint."),
                          detail={"path": request.path})


unknown_route.csrf_exempt = True  # type: ignore[attr-defined]


# ---------------------------------------------------------------- pagination

T = TypeVar("T")


class PageOut(Schema, Generic[T]):
    items: list[T]
    page: int
    page_size: int
    total: int
    pages: int


class PageQuery(Schema):
    page: int = Field(1, ge=1, description="1-based page number; past the end gives the last page")
    page_size: int = Field(25, ge=1, le=MAX_PAGE_SIZE)


def page_payload(page: Page) -> dict[str, Any]:
    return {"items": page.items, "page": page.number, "page_size": page.size, "total": page.total,
            "pages": page.pages}
