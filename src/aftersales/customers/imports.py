"""Import customers from CSV or Excel: validate every row, then write all or none.

A customer is matched by phone, else by email. A known customer is updated
with the non-empty cells of the row (an import is the operator's own list, so
it may correct a name); empty cells never clear recorded data.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _

from aftersales.core.errors import ValidationFailed
from aftersales.core.tabular import (
    Column,
    ImportResult,
    Planned,
    RowInvalid,
    bool_value,
    changed_fields,
    check_instance,
    choice_value,
    read_table,
    run_import,
    text,
)

from .models import ContactChannel, Customer, CustomerType
from .services import normalize_phone

CUSTOMER_COLUMNS = (
    Column("name", "姓名", "name", aliases=("名称", "客户名称", "姓名公司", "客户", "company"), required=True),
    Column("phone", "电话", "phone", aliases=("手机", "手机号", "联系电话", "mobile", "tel")),
    Column("email", "邮箱", "email", aliases=("电子邮件", "电子邮箱", "e-mail")),
    Column("wechat_openid", "微信", "wechat_openid", aliases=("微信号", "wechat", "openid")),
    Column("customer_type", "客户类型", "customer_type", aliases=("类型", "type")),
    Column("is_vip", "VIP", "is_vip", aliases=("是否vip", "vip客户")),
    Column("preferred_channel", "首选渠道", "preferred_channel", aliases=("联系偏好", "偏好渠道", "channel")),
    Column("address", "地址", "address", aliases=("联系地址",)),
    Column("region", "地区", "region", aliases=("区域", "城市", "city")),
)

_TYPE_NAMES = {
    CustomerType.INDIVIDUAL: ("个人", "个人消费者", "消费者", "individual", "person"),
    CustomerType.ENTERPRISE: ("企业", "企业客户", "公司", "enterprise", "company", "business"),
    CustomerType.DEALER: ("经销商", "代理商", "dealer", "reseller"),
}
_CHANNEL_NAMES = {
    ContactChannel.PHONE: ("电话", "phone", "tel"),
    ContactChannel.SMS: ("短信", "sms"),
    ContactChannel.EMAIL: ("邮件", "邮箱", "email", "e-mail"),
    ContactChannel.WECHAT: ("微信", "wechat"),
    ContactChannel.PORTAL: ("门户", "网页", "portal", "web"),
}


def _choices(names: dict[str, tuple[str, ...]]) -> dict[str, str]:
    mapping = {}
    for code, aliases in names.items():
        for alias in (code, *aliases):
            mapping[str(alias).lower()] = str(code)
    return mapping


TYPE_CHOICES = _choices(_TYPE_NAMES)
CHANNEL_CHOICES = _choices(_CHANNEL_NAMES)


def customers_import(*, content: bytes, filename: str, dry_run: bool = False) -> ImportResult:
    """Import a CSV/.xlsx list of customers, all or nothing.

    Raises ImportRefused for an unusable file; row problems come back in
    ``result.errors`` and then nothing is written.
    """
    table = read_table(content=content, filename=filename, columns=CUSTOMER_COLUMNS)
    return run_import(kind="customers", rows=table.rows, validate=_CustomerRows(table.rows), dry_run=dry_run,
                      ignored_columns=table.ignored_columns)


def customers_import_rows(*, rows: Sequence[Mapping[str, Any]], dry_run: bool = False) -> ImportResult:
    """The same import from rows already keyed by column key (the demo seed uses it)."""
    numbered = [(i, dict(row)) for i, row in enumerate(rows, start=2)]
    return run_import(kind="customers", rows=numbered, validate=_CustomerRows(numbered), dry_run=dry_run)


class _CustomerRows:
    def __init__(self, rows: list[tuple[int, dict[str, Any]]]):
        phones, emails = set(), set()
        for _n, values in rows:
            with contextlib.suppress(ValidationFailed):  # a bad phone is reported on its row
                phones.add(normalize_phone(text(values.get("phone"))))
            emails.add(text(values.get("email")).lower())
        phones.discard("")
        emails.discard("")
        self.by_phone: dict[str, Customer] = {}
        self.by_email: dict[str, Customer] = {}
        phone_list, email_list = sorted(phones), sorted(emails)
        for start in range(0, max(len(phone_list), len(email_list)), 500):
            for customer in Customer.objects.filter(phone__in=phone_list[start:start + 500]):
                self.by_phone[customer.phone] = customer
            for customer in Customer.objects.filter(email__in=email_list[start:start + 500]):
                self.by_email.setdefault(customer.email, customer)

    def __call__(self, number: int, values: dict[str, Any]) -> Planned:
        name = text(values.get("name"))
        if not name:
            raise RowInvalid(_("“{column}” is required.").format(column="姓名 / name"), column="name")
        raw_phone = text(values.get("phone"))
        try:
            phone = normalize_phone(raw_phone)
        except ValidationFailed as exc:
            raise RowInvalid(_("“{value}” is not a valid phone number.").format(value=raw_phone),
                             column="phone") from exc
        email = text(values.get("email")).lower()
        wechat = text(values.get("wechat_openid"))
        if not phone and not email:
            raise RowInvalid(_("Give a phone or an email so the customer can be found again."), column="phone")
        fields: dict[str, Any] = {"name": name[:120]}
        for key, value in (("email", email), ("wechat_openid", wechat), ("address", text(values.get("address"))),
                           ("region", text(values.get("region")))):
            if value:
                fields[key] = value
        customer_type = choice_value(values.get("customer_type"), column="customer_type", choices=TYPE_CHOICES)
        if customer_type:
            fields["customer_type"] = customer_type
        channel = choice_value(values.get("preferred_channel"), column="preferred_channel", choices=CHANNEL_CHOICES)
        if channel:
            fields["preferred_channel"] = channel
        vip = bool_value(values.get("is_vip"), column="is_vip")
        if vip is not None:
            fields["is_vip"] = vip
        key = ("phone", phone) if phone else ("email", email)
        existing = self.by_phone.get(phone) if phone else None
        if existing is None and email:
            existing = self.by_email.get(email)
            if existing is not None and phone and existing.phone and existing.phone != phone:
                existing = None  # same email, another phone: a different person
        if existing is None:
            customer = Customer(phone=phone, **fields)
            check_instance(customer)
            return Planned(key=key, instance=customer, is_new=True)
        if phone and not existing.phone:
            fields["phone"] = phone
        changed = changed_fields(existing, fields)
        check_instance(existing)
        return Planned(key=key, instance=existing, is_new=False, fields=changed)
