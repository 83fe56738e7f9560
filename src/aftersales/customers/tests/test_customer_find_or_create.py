"""Finding the caller's existing record, or creating one; never a duplicate."""

from __future__ import annotations

import pytest
from django.db.models.query import QuerySet

from aftersales.core.errors import ValidationFailed
from aftersales.customers.models import Customer
from aftersales.customers.services import CustomerInput, customer_find_or_create, normalize_phone

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("raw", "stored"), [
    ("13800138000", "13800138000"),
    (" 138 0013 8000 ", "13800138000"),
    ("138-0013-8000", "13800138000"),
    ("+86 138 0013 8000", "+8613800138000"),
    ("", ""),
])
def test_phones_are_stored_without_spaces_or_dashes(raw, stored):
    assert normalize_phone(raw) == stored


@pytest.mark.parametrize("raw", ["abc", "12", "138001380００", "<script>"])
def test_a_phone_that_is_not_a_number_is_refused(raw):
    with pytest.raises(ValidationFailed) as refused:
        normalize_phone(raw)
    assert refused.value.code == "invalid_phone"


def test_a_new_phone_creates_a_customer_with_everything_given():
    customer = customer_find_or_create(data=CustomerInput(
        name=" 张伟 ", phone="13800138000", email="ZhangWei@Example.com", customer_type="individual",
        preferred_channel="wechat", address="上海市浦东新区张江路88号", region="上海"))

    assert Customer.objects.get() == customer
    assert (customer.name, customer.phone, customer.email) == ("张伟", "13800138000", "zhangwei@example.com")
    assert (customer.preferred_channel, customer.region) == ("wechat", "上海")


def test_the_same_phone_written_differently_finds_the_same_customer():
    first = customer_find_or_create(data=CustomerInput(name="张伟", phone="13800138000"))

    again = customer_find_or_create(data=CustomerInput(name="张先生", phone="138-0013-8000"))

    assert again == first
    assert Customer.objects.count() == 1


def test_an_existing_record_is_filled_in_but_never_overwritten():
    Customer.objects.create(name="张伟", phone="13800138000", address="旧地址")

    customer = customer_find_or_create(data=CustomerInput(
        name="张先生", phone="13800138000", email="zw@example.com", address="新地址", region="杭州", is_vip=True))

    customer.refresh_from_db()
    assert (customer.name, customer.address) == ("张伟", "旧地址")
    assert (customer.email, customer.region, customer.is_vip) == ("zw@example.com", "杭州", True)


def test_vip_status_is_never_taken_away_by_a_registration():
    Customer.objects.create(name="王总", phone="13911112222", is_vip=True)

    customer = customer_find_or_create(data=CustomerInput(name="王总", phone="13911112222", is_vip=False))

    assert customer.is_vip


def test_a_customer_known_only_by_email_is_found_by_email():
    known = Customer.objects.create(name="Li Lei", email="lilei@example.com")

    found = customer_find_or_create(data=CustomerInput(name="李雷", email="LiLei@example.com"))

    assert found == known
    assert Customer.objects.count() == 1


def test_a_customer_found_by_email_gets_the_phone_they_now_give():
    known = Customer.objects.create(name="Li Lei", email="lilei@example.com")

    customer_find_or_create(data=CustomerInput(name="李雷", phone="13700001111", email="lilei@example.com"))

    known.refresh_from_db()
    assert known.phone == "13700001111"
    # and the next call with only the phone finds the same person
    assert customer_find_or_create(data=CustomerInput(name="李雷", phone="13700001111")) == known


def test_a_name_is_required():
    with pytest.raises(ValidationFailed) as refused:
        customer_find_or_create(data=CustomerInput(name="  ", phone="13800138000"))
    assert refused.value.code == "customer_name_required"
    assert not Customer.objects.exists()


def test_some_way_to_reach_the_customer_is_required():
    with pytest.raises(ValidationFailed) as refused:
        customer_find_or_create(data=CustomerInput(name="张伟"))
    assert refused.value.code == "customer_contact_required"


def test_a_messaging_id_alone_is_enough_to_register():
    customer = customer_find_or_create(data=CustomerInput(name="微信用户", wechat_openid="oAbC123"))

    assert customer.wechat_openid == "oAbC123"


def test_a_customer_committed_by_a_concurrent_request_is_returned_not_refused(monkeypatch):
    # given another registration created this phone after our lookup had found nobody
    other = Customer.objects.create(name="张伟", phone="13800138000")
    original_first = QuerySet.first
    lookups = iter([None])

    def first_misses_once(self):
        return next(lookups, original_first(self)) if self.model is Customer else original_first(self)

    monkeypatch.setattr(QuerySet, "first", first_misses_once)

    # when our registration goes on to create the customer
    customer = customer_find_or_create(data=CustomerInput(name="张伟", phone="13800138000"))

    # then it gets the existing record rather than a duplicate or a validation error
    assert customer == other
    assert Customer.objects.count() == 1


@pytest.mark.parametrize("email", ["not-an-email", "张伟@", "a@b"])
def test_an_invalid_email_is_refused_as_a_domain_error(email):
    with pytest.raises(ValidationFailed) as refused:
        customer_find_or_create(data=CustomerInput(name="张伟", phone="13800138000", email=email))

    assert refused.value.code == "invalid_email"
    assert refused.value.detail["field"] == "customer.email"
    assert not Customer.objects.exists()


def test_an_invalid_email_is_not_written_into_an_existing_record():
    known = Customer.objects.create(name="张伟", phone="13800138000")

    with pytest.raises(ValidationFailed):
        customer_find_or_create(data=CustomerInput(name="张伟", phone="13800138000", email="not-an-email"))

    known.refresh_from_db()
    assert known.email == ""


def test_values_the_table_cannot_hold_are_refused_as_a_domain_error():
    with pytest.raises(ValidationFailed) as refused:
        customer_find_or_create(data=CustomerInput(name="张伟", phone="13800138000", region="很长的地区名" * 10))

    assert refused.value.code == "invalid_customer"
    assert refused.value.detail["field"] == "customer.region"
    assert not Customer.objects.exists()
