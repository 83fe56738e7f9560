from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import BaseModel


class CustomerType(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")  # 个人消费者
    ENTERPRISE = "enterprise", _("Enterprise")  # 企业客户
    DEALER = "dealer", _("Dealer")  # 经销商


class ContactChannel(models.TextChoices):
    PHONE = "phone", _("Phone")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("Email")
    WECHAT = "wechat", _("WeChat")
    PORTAL = "portal", _("Portal")


class Customer(BaseModel):
    """A person or organisation that bought our product. Phone is the usual key."""

    name = models.CharField(_("name or company"), max_length=120)
    phone = models.CharField(_("phone"), max_length=30, blank=True, db_index=True)
    email = models.EmailField(_("email"), blank=True, db_index=True)
    wechat_openid = models.CharField(_("messaging id"), max_length=80, blank=True, db_index=True)
    customer_type = models.CharField(
        _("customer type"), max_length=20, choices=CustomerType.choices, default=CustomerType.INDIVIDUAL
    )
    preferred_channel = models.CharField(
        _("preferred contact channel"), max_length=20, choices=ContactChannel.choices, default=ContactChannel.PHONE
    )
    is_vip = models.BooleanField(_("VIP"), default=False)
    address = models.CharField(_("address"), max_length=200, blank=True)
    region = models.CharField(_("region"), max_length=40, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [
            models.UniqueConstraint(
                fields=["phone"], condition=~models.Q(phone=""), name="customer_phone_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.phone})" if self.phone else self.name
