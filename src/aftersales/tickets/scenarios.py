"""Drive a case along the happy path through the real services.

Used by the demo seed and by tests, so both build state the way users do,
event rows and all, instead of writing columns directly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from aftersales.accounts.models import User
from aftersales.core import clock

from . import services as svc
from .models import Ticket
from .states import State

# The order a case normally passes through its states.
HAPPY_PATH = [
    State.REGISTERED, State.CLASSIFIED, State.ASSIGNED, State.AWAITING_APPROVAL, State.PLAN_PROPOSED,
    State.AWAITING_CUSTOMER, State.IN_PROGRESS, State.ON_HOLD, State.RESOLVED,
    State.AWAITING_CONFIRMATION, State.CLOSED, State.ARCHIVED,
]

# A 1×1 PNG: the smallest honest "photo" for proof of a result.
TINY_PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)


@dataclass
class Cast:
    """Who plays each part when a case is walked along."""

    supervisor: User
    handler: User
    head: User
    department: str = "technical_support"
    category: str = "technical_fault"
    subcategory: str = "function_abnormal"


def proof_photo(name: str = "维修记录.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, TINY_PNG, content_type="image/png")


def advance(ticket: Ticket, *, to: str, cast: Cast, priority: str = "P2", plan_kind: str = "repair",
            compensation: Decimal = Decimal("0"), hold_reason: str = "parts") -> Ticket:
    """Walk ``ticket`` forward until it reaches ``to`` (REOPENED goes via CLOSED)."""
    number, owner = ticket.number, ticket.owner
    if to == State.REOPENED:
        advance(ticket, to=State.CLOSED, cast=cast, priority=priority, plan_kind=plan_kind)
        return svc.ticket_reopen(number=number, actor=owner, reason="客户反映问题再次出现")
    for _ in range(20):
        ticket = Ticket.objects.get(number=number)
        state = ticket.state
        if state == to:
            return ticket
        if state == State.NEW:
            svc.ticket_confirm_registration(number=number, actor=owner)
        elif state == State.REGISTERED:
            svc.ticket_classify(number=number, actor=cast.supervisor, category=cast.category,
                                subcategory=cast.subcategory, priority=priority)
        elif state == State.CLASSIFIED:
            svc.ticket_assign(number=number, actor=cast.supervisor, department=cast.department,
                              assignee=cast.handler.username)
        elif state == State.ASSIGNED:
            needs_approval = to == State.AWAITING_APPROVAL or priority == "P1"
            svc.ticket_propose_plan(number=number, actor=cast.handler, plan={
                "kind": plan_kind, "summary": "安排工程师上门检测，确认故障后免费更换主板",
                "repair_mode": "onsite" if plan_kind == "repair" else "",
                "responsible_department": cast.department,
                "due_at": clock.now() + dt.timedelta(hours=48),
                "compensation_amount": compensation if compensation else (
                    Decimal("800") if needs_approval and priority != "P1" else Decimal("0")),
                "compensation_form": "coupon" if (compensation or needs_approval) else "",
            })
        elif state == State.AWAITING_APPROVAL:
            svc.ticket_decide_plan(number=number, actor=cast.head, approve=True, reason="同意，尽快安排")
        elif state == State.PLAN_PROPOSED:
            svc.ticket_offer_plan(number=number, actor=owner, message="已电话告知客户处理方案")
        elif state == State.AWAITING_CUSTOMER:
            svc.ticket_record_customer_decision(number=number, actor=owner, accept=True)
        elif state == State.IN_PROGRESS:
            if to == State.ON_HOLD:
                svc.ticket_hold(number=number, actor=cast.handler, hold_reason=hold_reason, note="等待配件到货")
            else:
                svc.ticket_resolve(number=number, actor=cast.handler, result="已更换主板，试机正常",
                                   responsibility="production", attachments=[proof_photo()])
        elif state == State.ON_HOLD:
            svc.ticket_resume(number=number, actor=cast.handler, note="配件已到")
        elif state == State.RESOLVED:
            svc.ticket_feed_back(number=number, actor=owner, message="您的设备已修好，维修记录已发送，请确认")
        elif state == State.AWAITING_CONFIRMATION:
            svc.ticket_confirm(number=number, actor=owner, note="客户确认使用正常")
        elif state == State.CLOSED:
            svc.ticket_archive(number=number, actor=cast.supervisor)
        else:
            raise ValueError(f"cannot walk from {state} to {to}")
    raise ValueError(f"did not reach {to}")
