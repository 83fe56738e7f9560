"""The dossier: staff see everything, the customer never sees what is internal."""

from __future__ import annotations

import pytest

from aftersales.tickets import events
from aftersales.tickets import services as svc
from aftersales.tickets.selectors import ticket_timeline
from aftersales.tickets.states import State
from aftersales.tickets.tests.services.support import plan_data, png

pytestmark = pytest.mark.django_db

INTERNAL_KINDS = {
    events.NOTE, events.CLASSIFIED, events.ASSIGNED, events.PLAN_PROPOSED, events.PLAN_APPROVED,
    events.PLAN_REFUSED, events.TRANSFERRED, events.OWNER_TRANSFERRED, events.TRANSFER_FLAGGED,
}


@pytest.fixture
def busy_case(make_ticket, agent, agent2, supervisor, handler, head):
    """A P1 case with a refused and an approved plan, notes, replies, transfers and a flag."""
    ticket = make_ticket(State.ASSIGNED, priority="P1")
    number = ticket.number
    svc.ticket_add_note(number=number, actor=handler, body="内部：客户情绪激动，注意措辞",
                        attachments=[png("内部检测报告.png", salt=b"internal")])
    svc.ticket_add_note(number=number, actor=agent, body="您好，工程师会在今天联系您。", internal=False,
                        attachments=[png("上门时间表.png", salt=b"public")])
    for department in ("logistics", "quality_control", "technical_support"):
        svc.ticket_transfer(number=number, actor=supervisor, department=department,
                            assignee="tech" if department == "technical_support" else None, reason="分派有误")
    svc.ticket_transfer_owner(number=number, actor=agent, new_owner=agent2.username, reason="交接班")
    svc.ticket_propose_plan(number=number, actor=handler, plan=plan_data(summary="上门更换主板"))
    svc.ticket_decide_plan(number=number, actor=head, approve=False, reason="先远程排查")
    svc.ticket_propose_plan(number=number, actor=handler,
                            plan=plan_data(kind="remote_guidance", repair_mode="", summary="远程指导复位"))
    svc.ticket_decide_plan(number=number, actor=head, approve=True, reason="同意")
    svc.ticket_offer_plan(number=number, actor=agent2, message="已告知客户远程指导方案")
    svc.ticket_add_attachments(number=number, actor=handler, attachments=[png("内部附件.png", salt=b"int2")],
                               internal=True)
    ticket.refresh_from_db()
    return ticket


def test_staff_see_notes_approvals_and_transfers(busy_case):
    kinds = {e.kind for e in ticket_timeline(ticket=busy_case)}

    assert kinds >= INTERNAL_KINDS
    assert {events.REGISTERED, events.REPLY, events.PLAN_OFFERED} <= kinds


def test_the_customer_never_sees_internal_events(busy_case):
    timeline = ticket_timeline(ticket=busy_case, audience="customer")
    kinds = [e.kind for e in timeline]

    assert not INTERNAL_KINDS & set(kinds)
    assert not any(e.is_internal for e in timeline)
    assert set(kinds) <= events.CUSTOMER_VISIBLE
    assert kinds == [events.REGISTERED, events.REPLY, events.PLAN_OFFERED]
    assert "内部" not in "".join(e.body for e in timeline)


def test_the_customer_sees_files_sent_to_them_but_not_internal_ones(busy_case):
    customer_files = [a.original_name for e in ticket_timeline(ticket=busy_case, audience="customer")
                      for a in e.attachments.all()]
    staff_files = {a.original_name for e in ticket_timeline(ticket=busy_case) for a in e.attachments.all()}

    assert customer_files == ["上门时间表.png"]
    assert staff_files == {"内部检测报告.png", "上门时间表.png", "内部附件.png"}


def test_the_timeline_is_in_order_and_says_who_did_what(busy_case, supervisor):
    timeline = ticket_timeline(ticket=busy_case)

    assert [(e.created_at, e.pk) for e in timeline] == sorted((e.created_at, e.pk) for e in timeline)
    transfers = [e for e in timeline if e.kind == events.TRANSFERRED]
    assert [e.actor for e in transfers] == [supervisor] * 3


def test_the_timeline_is_read_in_two_queries(busy_case, django_assert_num_queries):
    with django_assert_num_queries(2):
        rows = [(e.kind, e.actor and e.actor.label, [a.original_name for a in e.attachments.all()])
                for e in ticket_timeline(ticket=busy_case, audience="customer")]

    assert rows
