"""Registration through the unified form: numbering, customer and product matching,
first response, validation and idempotency."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest
import time_machine

from aftersales.catalog.models import Batch, ProductModel, ProductUnit
from aftersales.core import clock
from aftersales.core.errors import ValidationFailed
from aftersales.customers.models import Customer
from aftersales.customers.services import CustomerInput
from aftersales.tickets import events
from aftersales.tickets import services as svc
from aftersales.tickets.errors import IdempotencyKeyReused
from aftersales.tickets.models import Attachment, IdempotencyKey, Ticket, TicketEvent
from aftersales.tickets.states import State

from .support import png, registration, run_concurrently, text_file

pytestmark = pytest.mark.django_db

SHANGHAI = clock.SHANGHAI


def _at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


# ---------------------------------------------------------------- numbers


def test_a_case_number_is_as_then_the_shanghai_date_then_six_digits(agent):
    with time_machine.travel(_at(2026, 11, 22, 10, 0), tick=False):
        ticket, created = svc.ticket_register(actor=agent, data=registration())

    assert created
    assert re.fullmatch(r"AS\d{8}-\d{6}", ticket.number)
    assert ticket.number == "AS20261122-000001"


def test_the_sequence_counts_up_within_a_day(agent):
    with time_machine.travel(_at(2026, 11, 22, 9, 0), tick=False):
        numbers = [svc.ticket_register(actor=agent, data=registration())[0].number for _ in range(3)]

    assert numbers == ["AS20261122-000001", "AS20261122-000002", "AS20261122-000003"]


def test_the_day_turns_at_shanghai_midnight_not_utc_midnight(agent):
    # 23:59 in Shanghai is 15:59 UTC the same day; one minute later it is the next day in Shanghai.
    with time_machine.travel(dt.datetime(2026, 11, 22, 15, 59, tzinfo=dt.UTC), tick=False):
        before, _ = svc.ticket_register(actor=agent, data=registration())
        again, _ = svc.ticket_register(actor=agent, data=registration())
    with time_machine.travel(dt.datetime(2026, 11, 22, 16, 0, tzinfo=dt.UTC), tick=False):
        after, _ = svc.ticket_register(actor=agent, data=registration())

    assert (before.number, again.number) == ("AS20261122-000001", "AS20261122-000002")
    assert after.number == "AS20261123-000001"


# ---------------------------------------------------------------- customer and product


def test_a_known_phone_finds_the_customer_instead_of_creating_another(agent):
    first, _ = svc.ticket_register(actor=agent, data=registration())
    second, _ = svc.ticket_register(actor=agent, data=registration(
        customer=CustomerInput(name="张先生", phone="138 0013 8000")))

    assert Customer.objects.count() == 1
    assert second.customer == first.customer
    assert second.customer.name == "张伟"  # the record is not overwritten by a different spelling


def test_a_new_phone_creates_the_customer(agent):
    ticket, _ = svc.ticket_register(actor=agent, data=registration(
        customer=CustomerInput(name="深圳市某某科技有限公司", phone="0755-26668888", customer_type="enterprise")))

    assert ticket.customer.phone == "075526668888"
    assert ticket.customer.customer_type == "enterprise"


def test_a_trace_code_links_the_exact_unit_its_batch_and_model(agent):
    model = ProductModel.objects.create(code="RC-30", name="智能电饭煲")
    batch = Batch.objects.create(product_model=model, number="B20260315")
    unit = ProductUnit.objects.create(trace_code="TC8866001234", product_model=model, batch=batch)

    ticket, _ = svc.ticket_register(actor=agent, data=registration(
        product=svc.ProductInput(model="", trace_code="tc8866001234")))

    assert (ticket.unit, ticket.batch, ticket.product_model) == (unit, batch, model)
    assert ticket.trace_code_text == "tc8866001234"


@pytest.mark.parametrize("typed", ["RC-30", "rc-30", "智能电饭煲"])
def test_a_typed_model_is_matched_by_code_or_name(agent, typed):
    model = ProductModel.objects.create(code="RC-30", name="智能电饭煲")

    ticket, _ = svc.ticket_register(actor=agent, data=registration(product=svc.ProductInput(model=typed)))

    assert ticket.product_model == model
    assert ticket.unit is None
    assert ticket.model_text == typed


def test_an_unknown_trace_code_falls_back_to_the_typed_model(agent):
    model = ProductModel.objects.create(code="RC-30", name="智能电饭煲")

    ticket, _ = svc.ticket_register(actor=agent, data=registration(
        product=svc.ProductInput(model="RC-30", trace_code="NOPE-0001")))

    assert (ticket.product_model, ticket.unit) == (model, None)
    assert ticket.trace_code_text == "NOPE-0001"


def test_an_unknown_model_keeps_the_customers_text(agent):
    ticket, _ = svc.ticket_register(actor=agent, data=registration(
        product=svc.ProductInput(model="老款蓝色电水壶", batch_number="不记得")))

    assert ticket.product_model is None
    assert (ticket.model_text, ticket.batch_text) == ("老款蓝色电水壶", "不记得")


# ---------------------------------------------------------------- ownership, first response


def test_the_registering_agent_becomes_owner(agent):
    ticket, _ = svc.ticket_register(actor=agent, data=registration())

    assert ticket.owner == agent
    assert ticket.registered_by == agent
    assert ticket.state == State.REGISTERED
    event = TicketEvent.objects.exclude(kind=events.TRIAGE_SUGGESTED).get(ticket=ticket)
    assert (event.kind, event.actor, event.to_state) == (events.REGISTERED, agent, State.REGISTERED)


def test_a_phone_call_is_itself_the_first_response(agent):
    moment = _at(2026, 11, 22, 10, 0)
    with time_machine.travel(moment, tick=False):
        ticket, _ = svc.ticket_register(actor=agent, data=registration(channel="phone"))

    assert ticket.first_response_at == moment
    assert ticket.registered_at == moment


def test_an_email_has_no_first_response_until_someone_replies(agent):
    with time_machine.travel(_at(2026, 11, 22, 10, 0), tick=False):
        ticket, _ = svc.ticket_register(actor=agent, data=registration(channel="email"))
    assert ticket.first_response_at is None
    assert ticket.last_public_update_at is None

    # an internal note is no response to the customer
    with time_machine.travel(_at(2026, 11, 22, 10, 5), tick=False):
        svc.ticket_add_note(number=ticket.number, actor=agent, body="先查一下订单")
    ticket.refresh_from_db()
    assert ticket.first_response_at is None

    reply_at = _at(2026, 11, 22, 10, 20)
    with time_machine.travel(reply_at, tick=False):
        svc.ticket_add_note(number=ticket.number, actor=agent, body="您好，已收到您的邮件，我们马上处理。",
                            internal=False)
    ticket.refresh_from_db()
    assert ticket.first_response_at == reply_at
    assert ticket.last_public_update_at == reply_at

    # a later reply moves the last update, not the first response
    with time_machine.travel(_at(2026, 11, 22, 11, 0), tick=False):
        svc.ticket_add_note(number=ticket.number, actor=agent, body="工程师明天上门。", internal=False)
    ticket.refresh_from_db()
    assert ticket.first_response_at == reply_at
    assert ticket.last_public_update_at == _at(2026, 11, 22, 11, 0)


def test_an_unconfirmed_registration_stays_new_without_registered_at(agent):
    ticket, _ = svc.ticket_register(actor=agent, data=registration(confirm=False))

    assert ticket.state == State.NEW
    assert ticket.registered_at is None
    assert TicketEvent.objects.exclude(kind=events.TRIAGE_SUGGESTED).get(ticket=ticket).kind == events.CREATED


# ---------------------------------------------------------------- validation


def test_a_purchase_date_in_the_future_is_refused(agent):
    with time_machine.travel(_at(2026, 11, 22, 23, 30), tick=False):
        # already the 22nd in Shanghai although still the 22nd 15:30 in UTC; the 23rd is tomorrow
        with pytest.raises(ValidationFailed) as refused:
            svc.ticket_register(actor=agent, data=registration(
                product=svc.ProductInput(model="RC-30", purchase_date=dt.date(2026, 11, 23))))
        ticket, _ = svc.ticket_register(actor=agent, data=registration(
            product=svc.ProductInput(model="RC-30", purchase_date=dt.date(2026, 11, 22))))

    assert refused.value.code == "purchase_date_in_future"
    assert Ticket.objects.get() == ticket


@pytest.mark.parametrize("description", ["", "   \n  "])
def test_a_missing_description_is_refused(agent, description):
    with pytest.raises(ValidationFailed) as refused:
        svc.ticket_register(actor=agent, data=registration(description=description))

    assert refused.value.code == "description_required"
    assert not Ticket.objects.exists()
    assert not Customer.objects.exists()


@pytest.mark.parametrize(("field", "value", "code"), [
    ("channel", "carrier_pigeon", "invalid_channel"),
    ("demand", "everything", "invalid_demand"),
    ("risk_flags", ["angry"], "unknown_risk_flag"),
])
def test_unknown_codes_are_refused(agent, field, value, code):
    with pytest.raises(ValidationFailed) as refused:
        svc.ticket_register(actor=agent, data=registration(**{field: value}))

    assert refused.value.code == code
    assert not Ticket.objects.exists()


def test_a_customer_without_any_contact_is_refused(agent):
    with pytest.raises(ValidationFailed) as refused:
        svc.ticket_register(actor=agent, data=registration(customer=CustomerInput(name="张伟")))

    assert refused.value.code == "customer_contact_required"


def test_a_vip_customer_gets_the_vip_flag(agent):
    ticket, _ = svc.ticket_register(actor=agent, data=registration(
        customer=CustomerInput(name="王总", phone="13911112222", is_vip=True), risk_flags=["public_opinion"]))

    assert ticket.risk_flags == ["public_opinion", "vip"]


def test_a_returning_vip_is_flagged_even_when_the_agent_did_not_tick_vip(agent):
    Customer.objects.create(name="王总", phone="13911112222", is_vip=True)

    ticket, _ = svc.ticket_register(actor=agent, data=registration(
        customer=CustomerInput(name="王总", phone="13911112222")))

    assert ticket.risk_flags == ["vip"]


def test_evidence_is_stored_with_the_registration(agent):
    ticket, _ = svc.ticket_register(actor=agent, data=registration(), attachments=[png("漏电照片.png")])

    attachment = Attachment.objects.get(ticket=ticket)
    assert (attachment.original_name, attachment.content_type, attachment.is_internal) == (
        "漏电照片.png", "image/png", False)
    assert attachment.event.kind == events.REGISTERED


def test_a_refused_evidence_file_refuses_the_whole_registration(agent):
    with pytest.raises(ValidationFailed) as refused:
        svc.ticket_register(actor=agent, data=registration(), attachments=[png(), text_file()])

    assert refused.value.code == "attachment_type_refused"
    assert not Ticket.objects.exists()
    assert not Attachment.objects.exists()
    assert not Customer.objects.exists()


# ---------------------------------------------------------------- idempotency


def test_the_same_idempotency_key_returns_the_same_case(agent):
    first, created = svc.ticket_register(actor=agent, data=registration(), idempotency_key="form-7f3a")
    again, created_again = svc.ticket_register(actor=agent, data=registration(), idempotency_key="form-7f3a")

    assert (created, created_again) == (True, False)
    assert again == first
    assert Ticket.objects.count() == 1


def test_the_same_key_with_a_different_body_is_refused(agent):
    first, _ = svc.ticket_register(actor=agent, data=registration(), idempotency_key="form-7f3a")

    with pytest.raises(IdempotencyKeyReused) as refused:
        svc.ticket_register(actor=agent, data=registration(description="另一件事：水壶漏水"),
                            idempotency_key="form-7f3a")

    assert refused.value.status == 422
    assert refused.value.detail == {"number": first.number}
    assert Ticket.objects.count() == 1


def test_keys_belong_to_their_user(agent, agent2):
    mine, _ = svc.ticket_register(actor=agent, data=registration(), idempotency_key="retry-1")
    theirs, created = svc.ticket_register(actor=agent2, data=registration(), idempotency_key="retry-1")

    assert created
    assert theirs != mine
    assert theirs.owner == agent2


def test_without_a_key_every_submission_is_a_new_case(agent):
    svc.ticket_register(actor=agent, data=registration())
    svc.ticket_register(actor=agent, data=registration())

    assert Ticket.objects.count() == 2
    assert not IdempotencyKey.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_four_simultaneous_retries_with_one_key_make_exactly_one_case(agent):
    # given a flaky client that fires the same registration four times at once, for a new customer
    data = registration(customer=CustomerInput(name="李雷", phone="13700001111"))

    results = run_concurrently(4, lambda i: svc.ticket_register(actor=agent, data=data,
                                                                idempotency_key="flaky-client-42"))

    # then all four get the same case, exactly one of them created it, and nothing is duplicated
    assert all(isinstance(r, tuple) for r in results), results
    assert len({ticket.pk for ticket, _created in results}) == 1
    assert sorted(created for _ticket, created in results) == [False, False, False, True]
    assert Ticket.objects.count() == 1
    assert IdempotencyKey.objects.count() == 1
    assert Customer.objects.filter(phone="13700001111").count() == 1
    assert Ticket.objects.get().number.endswith("-000001")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_registrations_get_distinct_consecutive_numbers(agent):
    results = run_concurrently(4, lambda i: svc.ticket_register(actor=agent, data=dataclasses.replace(
        registration(), description=f"第{i}台电饭煲显示E3")))

    assert all(isinstance(r, tuple) for r in results), results
    numbers = sorted(ticket.number.rsplit("-", 1)[1] for ticket, _created in results)
    assert numbers == ["000001", "000002", "000003", "000004"]
    assert Customer.objects.count() == 1
