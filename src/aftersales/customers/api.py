"""API: customers.

Who sees a customer follows who sees their cases: roles that see every case see
every customer; department workers see the customers of the cases they work on.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from aftersales.accounts.api import ApiRequest
from aftersales.accounts.models import User
from aftersales.core import clock
from aftersales.core.api import READ_ERRORS, WRITE_ERRORS, PageOut, PageQuery, page_payload
from aftersales.core.errors import NotFound, PermissionDenied
from aftersales.core.pagination import paginate
from aftersales.tickets.schemas import CustomerIn
from aftersales.tickets.selectors import ticket_visible_queryset
from aftersales.tickets.services import action_permitted_to_register
from aftersales.tickets.states import State

from .models import Customer
from .services import CustomerInput, customer_find_or_create

router = Router(tags=["customers"])
CASES_SHOWN = 50


class CustomerOut(Schema):
    id: int
    name: str
    phone: str
    email: str
    wechat_openid: str
    customer_type: str
    preferred_channel: str
    is_vip: bool
    address: str
    region: str
    created_at: dt.datetime


class CaseBriefOut(Schema):
    number: str
    state: str
    state_label: str
    priority: str
    title: str
    created_at: dt.datetime

    @staticmethod
    def resolve_state_label(obj: Any) -> str:
        return str(State(obj.state).label)


class CustomerDetailOut(CustomerOut):
    case_count: int = Field(description="cases of this customer the caller may see")
    cases: list[CaseBriefOut] = Field(description=f"the latest {CASES_SHOWN} of them")


class CustomerListQuery(PageQuery):
    q: str = Field("", max_length=100, description="name, phone or email")


# ---------------------------------------------------------------- reads on behalf of the viewer


def _customers_for(viewer: User) -> QuerySet[Customer]:
    qs = Customer.objects.all()
    if viewer.sees_all_cases:
        return qs
    return qs.filter(pk__in=ticket_visible_queryset(viewer=viewer).values("customer_id"))


def customer_get_for_viewer(*, viewer: User, customer_id: int) -> dict[str, Any]:
    customer = _customers_for(viewer).filter(pk=customer_id).first()
    if customer is None:
        raise NotFound(_("Customer {id} was not found.").format(id=customer_id), code="customer_not_found",
                       detail={"id": customer_id})
    cases = ticket_visible_queryset(viewer=viewer).filter(customer=customer).order_by("-created_at", "-id")
    return {**{f: getattr(customer, f) for f in CustomerOut.model_fields}, "case_count": cases.count(),
            "cases": list(cases.only("number", "state", "priority", "title", "created_at")[:CASES_SHOWN])}


def customer_search(*, viewer: User, q: str) -> QuerySet[Customer]:
    qs = _customers_for(viewer)
    q = q.strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(phone__contains=q) | Q(email__icontains=q.lower()))
    return qs.order_by("-created_at", "-id")


# ---------------------------------------------------------------- endpoints


@router.get("/customers", response={200: PageOut[CustomerOut], **READ_ERRORS}, summary="Search customers")
def customer_list(request: ApiRequest, params: Query[CustomerListQuery]) -> dict[str, Any]:
    customers = customer_search(viewer=request.auth, q=params.q)
    return page_payload(paginate(customers, page=params.page, size=params.page_size))


@router.post("/customers", response={201: CustomerOut, 200: CustomerOut, **WRITE_ERRORS},
             summary="Find or create a customer",
             description="Matched by phone, then email: an existing customer is returned (200) with only its "
                         "empty fields filled in; otherwise one is created (201).")
def customer_create(request: ApiRequest, payload: CustomerIn) -> Status[Customer]:
    if not action_permitted_to_register(request.auth):
        raise PermissionDenied(_("Only agents and supervisors record customers."), code="action_not_permitted")
    started = clock.now()
    customer = customer_find_or_create(data=CustomerInput(**payload.model_dump()))
    return Status(201 if customer.created_at >= started else 200, customer)


@router.get("/customers/{customer_id}", response={200: CustomerDetailOut, **READ_ERRORS},
            summary="A customer with their cases")
def customer_detail(request: ApiRequest, customer_id: int) -> dict[str, Any]:
    return customer_get_for_viewer(viewer=request.auth, customer_id=customer_id)
