from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import BaseModel


class ProductModel(BaseModel):
    """A model we sell (型号), e.g. 智能电饭煲 RC-30."""

    code = models.CharField(_("model"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    product_line = models.CharField(_("product line"), max_length=60, blank=True, db_index=True)
    sku = models.CharField(_("SKU"), max_length=60, blank=True)
    warranty_months = models.PositiveSmallIntegerField(_("warranty (months)"), default=12)

    class Meta:
        ordering = ["code"]
        verbose_name = _("product model")
        verbose_name_plural = _("product models")

    def __str__(self) -> str:
        return f"{self.name} {self.code}"


class Batch(BaseModel):
    """A production batch (批次) of one model."""

    product_model = models.ForeignKey(ProductModel, on_delete=models.PROTECT, related_name="batches",
                                      verbose_name=_("product model"))
    number = models.CharField(_("batch number"), max_length=60)
    produced_on = models.DateField(_("produced on"), null=True, blank=True)
    factory = models.CharField(_("factory"), max_length=80, blank=True)

    class Meta:
        ordering = ["-produced_on", "number"]
        verbose_name = _("batch")
        verbose_name_plural = _("batches")
        constraints = [models.UniqueConstraint(fields=["product_model", "number"], name="batch_unique_per_model")]

    def __str__(self) -> str:
        return self.number


class ProductUnit(BaseModel):
    """One physical unit with its unique trace code (一物一码) or serial."""

    trace_code = models.CharField(_("trace code"), max_length=80, unique=True)
    product_model = models.ForeignKey(ProductModel, on_delete=models.PROTECT, related_name="units",
                                      verbose_name=_("product model"))
    batch = models.ForeignKey(Batch, null=True, blank=True, on_delete=models.PROTECT, related_name="units",
                              verbose_name=_("batch"))
    produced_on = models.DateField(_("produced on"), null=True, blank=True)
    owner = models.ForeignKey("customers.Customer", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="units", verbose_name=_("owner"))

    class Meta:
        ordering = ["trace_code"]
        verbose_name = _("product unit")
        verbose_name_plural = _("product units")

    def __str__(self) -> str:
        return self.trace_code
