from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.roles import Role
from aftersales.core.models import BaseModel


class PlanKind(models.TextChoices):
    REPAIR = "repair", _("Repair")  # 维修: on-site or return to factory
    EXCHANGE = "exchange", _("Exchange")  # 换货
    RETURN_REFUND = "return_refund", _("Return & refund")  # 退货退款
    RESHIP = "reship", _("Reship")  # 补发
    REMOTE_GUIDANCE = "remote_guidance", _("Remote guidance")  # 远程指导
    COMPENSATION = "compensation", _("Compensation")  # 补偿


class RepairMode(models.TextChoices):
    ONSITE = "onsite", _("On-site")  # 上门
    RETURN_TO_FACTORY = "return_to_factory", _("Return to factory")  # 返厂


class CompensationForm(models.TextChoices):
    COUPON = "coupon", _("Coupon")
    CASH = "cash", _("Cash")
    FREE_PARTS = "free_parts", _("Free parts")
    FREE_REPAIR = "free_repair", _("Free repair")
    EXTENDED_WARRANTY = "extended_warranty", _("Extended warranty")


class PlanStatus(models.TextChoices):
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    READY = "ready", _("Ready to present")  # approved, or needed no approval
    REFUSED = "refused", _("Refused by approver")
    OFFERED = "offered", _("Presented to customer")
    ACCEPTED = "accepted", _("Accepted by customer")
    REJECTED = "rejected", _("Rejected by customer")


class Plan(BaseModel):
    """A handling plan (处理方案): what, by which department, by when, at what cost."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="plans")
    kind = models.CharField(_("plan kind"), max_length=20, choices=PlanKind.choices)
    repair_mode = models.CharField(_("repair mode"), max_length=20, choices=RepairMode.choices, blank=True)
    summary = models.TextField(_("what will be done"))
    cost = models.DecimalField(_("estimated cost (yuan)"), max_digits=10, decimal_places=2, default=Decimal("0"))
    compensation_amount = models.DecimalField(_("compensation (yuan)"), max_digits=10, decimal_places=2,
                                              default=Decimal("0"))
    compensation_form = models.CharField(_("compensation form"), max_length=20, choices=CompensationForm.choices,
                                         blank=True)
    responsible_department = models.ForeignKey("accounts.Department", on_delete=models.PROTECT,
                                               related_name="plans", verbose_name=_("responsible department"))
    due_at = models.DateTimeField(_("due"))
    status = models.CharField(_("status"), max_length=20, choices=PlanStatus.choices)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    needs_head_approval = models.BooleanField(default=False)
    approval_reasons = models.JSONField(default=list, blank=True)
    customer_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        constraints = [
            models.CheckConstraint(condition=models.Q(cost__gte=0), name="plan_cost_not_negative"),
            models.CheckConstraint(condition=models.Q(compensation_amount__gte=0),
                                   name="plan_compensation_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class Decision(models.TextChoices):
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class Approval(models.Model):
    """An approver's recorded yes or no on a plan, with the reason."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="approvals")
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")

    def __str__(self) -> str:
        return f"{self.decision} by {self.approver_id}"


class AuthorityLimit(BaseModel):
    """授权机制: how much compensation a role may grant without approval."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, unique=True)
    max_compensation = models.DecimalField(_("compensation limit (yuan)"), max_digits=10, decimal_places=2)
    max_expedite_days = models.PositiveSmallIntegerField(_("expedited exchange/return window (days)"), default=0)

    class Meta:
        ordering = ["max_compensation"]
        verbose_name = _("authority limit")
        verbose_name_plural = _("authority matrix")

    def __str__(self) -> str:
        return f"{self.get_role_display()}: ¥{self.max_compensation}"
