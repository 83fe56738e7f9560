from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError as ModelValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from aftersales.core.errors import ValidationFailed

from .models import ContactChannel, Customer, CustomerType

PHONE_RE = re.compile(r"^\+?[0-9][0-9\- ]{4,24}$")


def normalize_phone(raw: str) -> str:
    phone = (raw or "").strip().replace(" ", "").replace("-", "")
    if phone and not PHONE_RE.match(phone):
        raise ValidationFailed(_("Phone number is not valid."), code="invalid_phone", detail={"field": "phone"})
    return phone


@dataclass(frozen=True)
class CustomerInput:
    name: str
    phone: str = ""
    email: str = ""
    wechat_openid: str = ""
    customer_type: str = CustomerType.INDIVIDUAL
    preferred_channel: str = ContactChannel.PHONE
    is_vip: bool = False
    address: str = ""
    region: str = ""


def customer_find_or_create(*, data: CustomerInput) -> Customer:
    """Find the customer by phone (then email), or create them.

    An existing customer keeps their record; empty fields are filled from the
    new data, nothing already recorded is overwritten.
    """
    name = (data.name or "").strip()
    phone = normalize_phone(data.phone)
    email = (data.email or "").strip().lower()
    if email:
        # Checked before lookup: an existing customer's empty email is filled without full_clean().
        try:
            validate_email(email)
        except ModelValidationError as exc:
            raise ValidationFailed(_("Email address is not valid."), code="invalid_email",
                                   detail={"field": "customer.email"}) from exc
    if not name:
        raise ValidationFailed(_("Customer name is required."), code="customer_name_required",
                               detail={"field": "customer.name"})
    if not phone and not email and not data.wechat_openid:
        raise ValidationFailed(_("A phone, email or messaging id is required to reach the customer."),
                               code="customer_contact_required", detail={"field": "customer.phone"})
    existing = None
    if phone:
        existing = Customer.objects.filter(phone=phone).first()
    if existing is None and email:
        existing = Customer.objects.filter(email=email).first()
    if existing is not None:
        changed = []
        # Found by email: the phone given now was looked up above and is nobody else's.
        for field, value in (("phone", phone), ("email", email), ("wechat_openid", data.wechat_openid),
                             ("address", data.address), ("region", data.region)):
            if value and not getattr(existing, field):
                setattr(existing, field, value)
                changed.append(field)
        if data.is_vip and not existing.is_vip:
            existing.is_vip = True
            changed.append("is_vip")
        if changed:
            existing.save(update_fields=[*changed, "updated_at"])
        return existing
    customer = Customer(
        name=name[:120], phone=phone, email=email, wechat_openid=data.wechat_openid or "",
        customer_type=data.customer_type, preferred_channel=data.preferred_channel,
        is_vip=data.is_vip, address=data.address, region=data.region,
    )
    # The phone's uniqueness is left to the database: checked here, a customer committed by a
    # concurrent registration after our lookup would raise Django's ValidationError instead of
    # the IntegrityError handled below.
    try:
        customer.full_clean(validate_constraints=False)
    except ModelValidationError as exc:  # a domain error, not a 500, whichever interface called
        field = next(iter(exc.message_dict), "name")
        raise ValidationFailed(" ".join(exc.messages), code="invalid_customer",
                               detail={"field": f"customer.{field}", "errors": exc.message_dict}) from exc
    try:
        # A savepoint: two registrations for the same new phone may race.
        with transaction.atomic():
            customer.save()
    except IntegrityError:
        return Customer.objects.get(phone=phone)
    return customer
