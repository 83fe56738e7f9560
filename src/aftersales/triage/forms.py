"""The dry-run form of the rules page: a case number, or the facts typed in, plus a text.

It only reads: a valid form becomes ``routing.Facts`` and a text for ``selectors.dry_run``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.accounts.models import User
from aftersales.customers.models import CustomerType
from aftersales.tickets.errors import TicketNotFound
from aftersales.tickets.models import Category, Channel, Priority

from . import routing, selectors
from .configuration import settings as triage_settings

ANY = gettext_lazy("— any —")


class DryRunForm(forms.Form):
    case = forms.CharField(label=gettext_lazy("Case number"), required=False, max_length=40,
                           help_text=gettext_lazy("Routes that case as it stands now; the facts below are ignored."),
                           widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                                         "placeholder": "AS20260101-000001"}))
    category = forms.ChoiceField(label=gettext_lazy("Category"), required=False)
    subcategory = forms.ChoiceField(label=gettext_lazy("Subcategory"), required=False)
    priority = forms.ChoiceField(label=gettext_lazy("Priority"), required=False,
                                 choices=[("", ANY), *Priority.choices])
    product_line = forms.CharField(label=capfirst(gettext_lazy("product line")), required=False, max_length=60,
                                   widget=forms.TextInput(attrs={"list": "product-lines", "autocomplete": "off"}))
    customer_type = forms.ChoiceField(label=gettext_lazy("Customer type"), required=False,
                                      choices=[("", ANY), *CustomerType.choices])
    channel = forms.ChoiceField(label=gettext_lazy("Channel"), required=False, choices=[("", ANY), *Channel.choices])
    region = forms.CharField(label=capfirst(gettext_lazy("region")), required=False, max_length=60,
                             widget=forms.TextInput(attrs={"placeholder": gettext_lazy("e.g. 上海 or 华东")}))
    text = forms.CharField(label=gettext_lazy("Customer's words (optional)"), required=False,
                           help_text=gettext_lazy("Shows the triage suggestion too. Without a category and "
                                                  "priority, routing uses the suggested ones."),
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, data: QueryDict | None, *, viewer: User, categories: list[Category]) -> None:
        super().__init__(data)
        self.viewer = viewer
        self.ticket = None
        active = [c for c in categories if c.is_active]
        self.parents = {c.code: c for c in active if c.parent_id is None}
        self.children = {c.code: c for c in active if c.parent_id is not None}
        self.fields["category"].choices = [("", ANY), *((c.code, c.label) for c in self.parents.values())]
        self.fields["subcategory"].choices = [("", ANY), *(
            (p.label, [(c.code, c.label) for c in self.children.values() if c.parent_id == p.pk])
            for p in self.parents.values())]

    def clean_case(self) -> str:
        number = self.cleaned_data["case"].strip()
        if number:
            try:
                self.ticket = selectors.case_for_dry_run(viewer=self.viewer, number=number)
            except TicketNotFound as exc:
                raise forms.ValidationError(exc.message, code="ticket_not_found") from exc
        return number

    def clean_text(self) -> str:
        text = self.cleaned_data["text"]
        limit = triage_settings().max_text_chars
        if len(text) > limit:
            raise forms.ValidationError(_("The text is too long to triage ({length} characters; at most {limit})."
                                          ).format(length=len(text), limit=limit), code="text_too_long")
        return text

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        sub = self.children.get(data.get("subcategory") or "")
        if sub is not None and data.get("category") and sub.parent.code != data["category"]:
            self.add_error("subcategory", _("“{sub}” is not a subcategory of “{category}”.").format(
                sub=sub.label, category=self.parents[data["category"]].label))
        elif sub is not None:
            data["category"] = sub.parent.code
        return data

    def facts(self) -> routing.Facts:
        """The case's facts when a case number was given, otherwise the ones typed in."""
        if self.ticket is not None:
            return routing.Facts.of(self.ticket)
        data = self.cleaned_data
        return routing.Facts(category=data["category"], subcategory=data["subcategory"], priority=data["priority"],
                             product_line=data["product_line"].strip(), customer_type=data["customer_type"],
                             channel=data["channel"], region=data["region"].strip())
