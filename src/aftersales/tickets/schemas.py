"""Typed inputs shared by both interfaces: the API parses JSON into them, the
console parses form posts into them; both then call the same service."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Schema
from pydantic import Field, field_validator

from aftersales.core import clock
from aftersales.customers.models import ContactChannel, CustomerType
from aftersales.customers.services import CustomerInput
from aftersales.resolutions.models import CompensationForm, PlanKind, RepairMode

from .models import Channel, Demand, HoldReason, Priority, PurchaseChannel, Responsibility, RiskFlag
from .services import ProductInput, RegistrationInput


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """A time typed without an offset means Beijing time."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=clock.SHANGHAI)
    return value


class CustomerIn(Schema):
    name: str = Field(min_length=1, max_length=120)
    phone: str = Field("", max_length=30)
    email: str = Field("", max_length=254)
    wechat_openid: str = Field("", max_length=80)
    customer_type: CustomerType = CustomerType.INDIVIDUAL
    preferred_channel: ContactChannel = ContactChannel.PHONE
    is_vip: bool = False
    address: str = Field("", max_length=200)
    region: str = Field("", max_length=40)


class ProductIn(Schema):
    model: str = Field("", max_length=120)
    sku: str = Field("", max_length=60)
    batch_number: str = Field("", max_length=60)
    trace_code: str = Field("", max_length=80)
    purchase_date: dt.date | None = None
    proof_number: str = Field("", max_length=80)
    purchase_channel: PurchaseChannel | Literal[""] = ""


class TicketCreateIn(Schema):
    channel: Channel
    customer: CustomerIn
    product: ProductIn = Field(default_factory=ProductIn)
    description: str = Field(min_length=1, max_length=20000)
    demand: Demand = Demand.OTHER
    title: str = Field("", max_length=120)
    occurred_at: dt.datetime | None = None
    environment: str = Field("", max_length=5000)
    tried: str = Field("", max_length=5000)
    risk_flags: list[RiskFlag] = Field(default_factory=list)
    confirm: bool = True

    _aware = field_validator("occurred_at")(_aware)

    def to_input(self) -> RegistrationInput:
        return RegistrationInput(
            customer=CustomerInput(**self.customer.model_dump()),
            product=ProductInput(**self.product.model_dump()),
            description=self.description, channel=self.channel, demand=self.demand, title=self.title,
            occurred_at=self.occurred_at, environment=self.environment, tried=self.tried,
            risk_flags=[str(f) for f in self.risk_flags], confirm=self.confirm,
        )


class ActionIn(Schema):
    version: int | None = Field(None, description="the case version you saw; a mismatch is refused with 409")


class EmptyIn(ActionIn):
    pass


class ClassifyIn(ActionIn):
    category: str = Field(min_length=1, max_length=40)
    subcategory: str = Field("", max_length=40)
    priority: Priority
    risk_flags: list[RiskFlag] | None = None
    demand: Demand | None = Field(None, description="the customer's demand, confirmed or corrected")


class AssignIn(ActionIn):
    department: str = Field("", max_length=40,
                            description="empty: the routing rules decide; another department than the rules' "
                                        "needs a reason")
    assignee: str | None = Field(None, max_length=150,
                                 description="empty: picked by skill, shift and load (see auto_assign)")
    auto_assign: bool = Field(True, description="false leaves the case in the department's queue")
    reason: str = Field("", max_length=2000)


class TransferIn(ActionIn):
    department: str = Field(min_length=1, max_length=40)
    assignee: str | None = Field(None, max_length=150)
    reason: str = Field(min_length=1, max_length=2000)


class TransferOwnerIn(ActionIn):
    new_owner: str = Field(min_length=1, max_length=150)
    reason: str = Field(min_length=1, max_length=2000)


class PlanIn(ActionIn):
    kind: PlanKind
    summary: str = Field(min_length=1, max_length=5000)
    responsible_department: str = Field("", max_length=40)
    due_at: dt.datetime
    repair_mode: RepairMode | Literal[""] = ""
    cost: Decimal = Field(Decimal("0"), ge=0, max_digits=10, decimal_places=2)
    compensation_amount: Decimal = Field(Decimal("0"), ge=0, max_digits=10, decimal_places=2)
    compensation_form: CompensationForm | Literal[""] = ""

    _aware = field_validator("due_at")(_aware)


class ReasonIn(ActionIn):
    reason: str = Field(min_length=1, max_length=5000)


class OptionalReasonIn(ActionIn):
    reason: str = Field("", max_length=5000)


class MessageIn(ActionIn):
    message: str = Field("", max_length=5000)


class RequiredMessageIn(ActionIn):
    message: str = Field(min_length=1, max_length=5000)


class NoteIn(ActionIn):
    body: str = Field("", max_length=20000)


class HoldIn(ActionIn):
    hold_reason: HoldReason
    note: str = Field("", max_length=5000)


class ResumeIn(ActionIn):
    note: str = Field("", max_length=5000)


class ResolveIn(ActionIn):
    result: str = Field(min_length=1, max_length=5000)
    responsibility: Responsibility | Literal[""] = ""
    attachment_ids: list[int] = Field(default_factory=list)


class ConfirmIn(ActionIn):
    note: str = Field("", max_length=5000)
