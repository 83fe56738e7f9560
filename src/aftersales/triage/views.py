"""The rules page: routing and triage rules as they apply, and a dry run. Glue only."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from aftersales.core import clock
from aftersales.core.htmx import render_page
from aftersales.sla.presenters import local

from . import forms, presenters, selectors


@login_required
@require_GET
def rules_view(request: HttpRequest) -> HttpResponse:
    """规则与派单: the rules in evaluation order, the settings, and what a case would meet (nothing written)."""
    if not selectors.can_see_rules(request.user):
        raise PermissionDenied
    can_edit, now = selectors.can_edit_rules(request.user), clock.now()
    categories, (active, inactive) = selectors.categories(), selectors.routing_rules()
    labels = presenters.category_labels(categories)
    form = forms.DryRunForm(request.GET or None, viewer=request.user, categories=categories)
    result = None
    if form.is_valid():
        run = selectors.dry_run(facts=form.facts(), text=form.cleaned_data["text"], now=now, rules=active)
        result = presenters.dry_run_view(run, categories=labels, can_edit=can_edit)
    return render_page(request, "triage/rules.html", {
        "rules": presenters.rule_rows(active, categories=labels, can_edit=can_edit),
        "inactive_rules": presenters.rule_rows(inactive, categories=labels, can_edit=can_edit),
        "triage_rules": presenters.triage_rule_rows(selectors.triage_rules(), can_edit=can_edit),
        "settings": presenters.settings_summary(selectors.current_settings(), can_edit=can_edit),
        "form": form, "result": result, "case": form.ticket, "product_lines": selectors.product_lines(),
        "now_local": local(now),
    }, partial="dry_run")
