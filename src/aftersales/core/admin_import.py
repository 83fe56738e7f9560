"""An "Import from CSV/Excel" page for a ModelAdmin changelist.

The admin class names the import kind and the function that runs it; this
mixin adds the URL, the upload form, the error preview and a sample header
file. It imports no domain app: the domain hands in ``import_function``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .tabular import Column, ImportRefused, ImportResult, sample_csv

MAX_UPLOAD_MB = 20


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV or Excel (.xlsx) file"))
    dry_run = forms.BooleanField(label=gettext_lazy("Only check the file, write nothing"), required=False)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_MB * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than {mb} MB.").format(mb=MAX_UPLOAD_MB))
        return upload


class ImportAdminMixin:
    """Mix into a ModelAdmin; set ``import_kind``, ``import_columns`` and ``import_function``."""

    import_kind: str = ""
    import_columns: Sequence[Column] = ()
    # import_function(*, kind, content, filename, dry_run) -> ImportResult
    import_function: Callable[..., ImportResult] | None = None
    change_list_template = "admin/aftersales/change_list_import.html"

    def get_urls(self) -> list[Any]:
        opts = self.model._meta  # type: ignore[attr-defined]
        view = self.admin_site.admin_view(self.import_view)  # type: ignore[attr-defined]
        return [
            path("import/", view, name=f"{opts.app_label}_{opts.model_name}_import"),
            *super().get_urls(),  # type: ignore[misc]
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not (self.has_add_permission(request) and self.has_change_permission(request)):  # type: ignore[attr-defined]
            raise PermissionDenied
        opts = self.model._meta  # type: ignore[attr-defined]
        if request.GET.get("sample"):
            response = HttpResponse("\ufeff" + sample_csv(self.import_columns), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{self.import_kind}-sample.csv"'
            return response
        result: ImportResult | None = None
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            dry_run = form.cleaned_data["dry_run"]
            try:
                result = type(self).import_function(  # type: ignore[misc]
                    kind=self.import_kind, content=upload.read(), filename=upload.name, dry_run=dry_run)
            except ImportRefused as exc:
                form.add_error("file", exc.message)
            else:
                if result.ok and not dry_run:
                    self.message_user(request, _(  # type: ignore[attr-defined]
                        "Imported {rows} rows: {created} created, {updated} updated, {unchanged} unchanged."
                    ).format(rows=result.rows, created=result.created, updated=result.updated,
                             unchanged=result.unchanged), messages.SUCCESS)
                    return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        context = {
            **self.admin_site.each_context(request),  # type: ignore[attr-defined]
            "opts": opts,
            "title": _("Import {name} from CSV/Excel").format(name=opts.verbose_name_plural),
            "form": form,
            "result": result,
            "columns": self.import_columns,
            "sample_header": ",".join(c.zh for c in self.import_columns),
            "sample_header_en": ",".join(c.en for c in self.import_columns),
            "has_view_permission": True,
        }
        return TemplateResponse(request, "admin/aftersales/import.html", context)
