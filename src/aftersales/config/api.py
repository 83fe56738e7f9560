"""The HTTP API under /api/v1/: one NinjaAPI mounting each app's router.

Every operation needs ``Authorization: Bearer <token>``; the OpenAPI document
(/api/v1/openapi.json) and its page (/api/v1/docs) are open. Errors are always
the JSON envelope of :mod:`aftersales.core.api`, including 405 and unknown routes.
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, URLResolver, re_path
from ninja import NinjaAPI

from aftersales.accounts.api import TokenAuth
from aftersales.accounts.api import router as accounts_router
from aftersales.catalog.api import router as catalog_router
from aftersales.core.api import install_error_handlers, json_method_not_allowed, unknown_route
from aftersales.customers.api import router as customers_router
from aftersales.sla.api import router as calendars_router
from aftersales.tickets.api import router as tickets_router
from aftersales.triage.api import router as triage_router


class AftersalesAPI(NinjaAPI):
    @property
    def urls(self) -> tuple[list[URLResolver | URLPattern], str, str]:
        patterns, app_name, namespace = super().urls
        wrapped: list[Any] = [
            URLPattern(p.pattern, json_method_not_allowed(p.callback), p.default_args, p.name)
            if isinstance(p, URLPattern) else p
            for p in patterns
        ]
        # Last: anything else under /api/v1/ is a JSON 404, not Django's HTML page.
        wrapped.append(re_path(r"^.*$", unknown_route, name="unknown-route"))
        return wrapped, app_name, namespace


api = AftersalesAPI(
    title="Aftersales API",
    version="1",
    description="售后服务平台 — cases, customers, the product catalogue and working calendars. "
                "Authenticate with `Authorization: Bearer <token>` (a personal API token).",
    urls_namespace="api",
    auth=TokenAuth(),
)
install_error_handlers(api)

api.add_router("", accounts_router)
api.add_router("", tickets_router)
api.add_router("", customers_router)
api.add_router("", catalog_router)
api.add_router("/calendars", calendars_router)
api.add_router("", triage_router)


@api.get("/health", auth=None, tags=["system"], summary="Liveness: a trivial JSON answer, no database")
def health(request) -> dict[str, str]:
    return {"status": "ok"}
