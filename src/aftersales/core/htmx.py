"""htmx glue for console views: one view, a partial for htmx and the page otherwise."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_htmx.http import HttpResponseClientRedirect


def is_partial_request(request: HttpRequest) -> bool:
    """An htmx swap asks for a fragment; a history restore or a boosted link needs the page."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request and not htmx.boosted


def render_page(request: HttpRequest, template: str, context: dict[str, Any], *, partial: str | None = None,
                status: int = 200) -> HttpResponse:
    """Render ``template`` or, for htmx requests, its ``partial`` (django-template-partials)."""
    name = f"{template}#{partial}" if partial and is_partial_request(request) else template
    return render(request, name, context, status=status)


def client_redirect(url: str) -> HttpResponse:
    """Ask htmx to load a full page (e.g. after an action changed more than the swapped fragment)."""
    return HttpResponseClientRedirect(url)
