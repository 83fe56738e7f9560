"""Product models, batches and trace-coded units; each list can import from CSV or Excel."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from aftersales.core.admin_import import ImportAdminMixin

from .imports import BATCH_COLUMNS, MODEL_COLUMNS, UNIT_COLUMNS, import_file
from .models import Batch, ProductModel, ProductUnit


class BatchInline(admin.TabularInline):
    model = Batch
    extra = 0
    fields = ("number", "produced_on", "factory")
    show_change_link = True


@admin.register(ProductModel)
class ProductModelAdmin(ImportAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "product_line", "sku", "warranty_months", "batch_count", "unit_count")
    list_filter = ("product_line",)
    search_fields = ("code", "name", "sku", "product_line")
    inlines = (BatchInline,)
    import_kind = "models"
    import_columns = MODEL_COLUMNS
    import_function = staticmethod(import_file)

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProductModel]:
        return super().get_queryset(request).annotate(
            _batches=Count("batches", distinct=True), _units=Count("units", distinct=True))

    @admin.display(description=_("batches"), ordering="_batches")
    def batch_count(self, obj: ProductModel) -> int:
        return obj._batches  # type: ignore[attr-defined]

    @admin.display(description=_("units"), ordering="_units")
    def unit_count(self, obj: ProductModel) -> int:
        return obj._units  # type: ignore[attr-defined]


@admin.register(Batch)
class BatchAdmin(ImportAdminMixin, admin.ModelAdmin):
    list_display = ("number", "product_model", "produced_on", "factory", "unit_count", "case_count")
    list_filter = ("product_model__product_line", "product_model", "factory")
    list_select_related = ("product_model",)
    search_fields = ("number", "product_model__code", "product_model__name", "factory")
    date_hierarchy = "produced_on"
    autocomplete_fields = ("product_model",)
    import_kind = "batches"
    import_columns = BATCH_COLUMNS
    import_function = staticmethod(import_file)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Batch]:
        return super().get_queryset(request).annotate(
            _units=Count("units", distinct=True), _cases=Count("tickets", distinct=True))

    @admin.display(description=_("units"), ordering="_units")
    def unit_count(self, obj: Batch) -> int:
        return obj._units  # type: ignore[attr-defined]

    @admin.display(description=_("cases"), ordering="_cases")
    def case_count(self, obj: Batch) -> int:
        return obj._cases  # type: ignore[attr-defined]


@admin.register(ProductUnit)
class ProductUnitAdmin(ImportAdminMixin, admin.ModelAdmin):
    list_display = ("trace_code", "product_model", "batch", "produced_on", "owner")
    list_filter = ("product_model", "batch__number")
    list_select_related = ("product_model", "batch", "owner")
    search_fields = ("trace_code", "owner__name", "owner__phone", "batch__number")
    autocomplete_fields = ("product_model", "batch", "owner")
    import_kind = "units"
    import_columns = UNIT_COLUMNS
    import_function = staticmethod(import_file)
