"""Console helpers shared by every app's views: domain errors and schema errors
mapped once to what a page shows (ARCHITECTURE convention 7)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import pydantic
from django.http import Http404
from django.utils.translation import gettext as _

from .errors import DomainError, NotFound

T = TypeVar("T")


def or_404(call: Callable[..., T], /, **kwargs: Any) -> T:
    """Run a selector; a domain "not found" (including "not yours to see") becomes a 404 page."""
    try:
        return call(**kwargs)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def field_of(exc: DomainError) -> str:
    """The form field a domain error is about, if it names one."""
    field = exc.detail.get("field") if isinstance(exc.detail, dict) else None
    return str(field) if field else ""


def _message(error: Any) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing" or (kind == "string_too_short" and ctx.get("min_length") == 1):
        return _("This field is required.")
    if kind == "string_too_short":
        return _("Enter at least {n} characters.").format(n=ctx.get("min_length"))
    if kind == "string_too_long":
        return _("Enter at most {n} characters.").format(n=ctx.get("max_length"))
    if kind in {"enum", "literal_error"}:
        return _("Select a valid choice.")
    if kind.startswith("date_") and not kind.startswith("datetime"):
        return _("Enter a valid date (YYYY-MM-DD).")
    if kind.startswith("datetime"):
        return _("Enter a valid date and time.")
    if kind in {"decimal_parsing", "decimal_type", "float_parsing"}:
        return _("Enter a valid amount.")
    if kind in {"decimal_max_digits", "decimal_max_places", "decimal_whole_digits"}:
        return _("Enter an amount with at most two decimal places.")
    if kind in {"greater_than_equal", "greater_than"}:
        return _("The value cannot be negative.")
    if kind in {"int_parsing", "int_type"}:
        return _("Enter a whole number.")
    return str(error.get("msg", _("This value is not valid.")))


def schema_errors(exc: pydantic.ValidationError) -> dict[str, list[str]]:
    """``{"customer.name": ["This field is required."]}`` from a pydantic error, in the active language."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors(include_url=False):
        parts = [str(p) for p in error["loc"] if not isinstance(p, int)]
        # A union of an enum and "" reports one error per member; keep the first.
        parts = [p for p in parts if "[" not in p and not p.startswith("function-")]
        field = ".".join(parts) or "__all__"
        message = _message(error)
        if message not in errors.setdefault(field, []):
            errors[field].append(message)
    return errors
