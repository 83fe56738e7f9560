"""Who sees which case, and how the case list scopes, filters and searches."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from aftersales.core import clock
from aftersales.customers.services import CustomerInput
from aftersales.tickets import services as svc
from aftersales.tickets.errors import TicketNotFound
from aftersales.tickets.models import Ticket
from aftersales.tickets.selectors import TicketFilters, ticket_get_for_viewer, ticket_list
from aftersales.tickets.states import State
from aftersales.tickets.tests.services.support import registration

pytestmark = pytest.mark.django_db


def _numbers(viewer, **filters) -> set[str]:
    return {t.number for t in ticket_list(viewer=viewer, filters=TicketFilters(**filters))}


# ---------------------------------------------------------------- one case


def test_a_handler_of_another_department_cannot_open_the_case(make_ticket, logistics_handler, logistics_head):
    ticket = make_ticket(State.ASSIGNED)

    for outsider in (logistics_handler, logistics_head):
        with pytest.raises(TicketNotFound) as refused:
            ticket_get_for_viewer(viewer=outsider, number=ticket.number)
        assert refused.value.status == 404


def test_the_department_customer_service_and_auditors_open_the_case(make_ticket, handler, head, agent, agent2,
                                                                     supervisor, auditor, admin_user):
    ticket = make_ticket(State.ASSIGNED)

    for viewer in (handler, head, agent, agent2, supervisor, auditor, admin_user):
        assert ticket_get_for_viewer(viewer=viewer, number=ticket.number) == ticket


def test_a_case_not_yet_dispatched_is_hidden_from_departments(make_ticket, handler, head):
    ticket = make_ticket(State.CLASSIFIED)

    for worker in (handler, head):
        with pytest.raises(TicketNotFound):
            ticket_get_for_viewer(viewer=worker, number=ticket.number)


def test_a_case_transferred_away_leaves_the_old_department(make_ticket, supervisor, handler, logistics_handler):
    ticket = make_ticket(State.ASSIGNED)

    svc.ticket_transfer(number=ticket.number, actor=supervisor, department="logistics", reason="物流问题")

    with pytest.raises(TicketNotFound):
        ticket_get_for_viewer(viewer=handler, number=ticket.number)
    assert ticket_get_for_viewer(viewer=logistics_handler, number=ticket.number) == ticket


def test_an_unknown_number_and_an_inactive_viewer_both_get_not_found(make_ticket, agent):
    ticket = make_ticket(State.REGISTERED)
    with pytest.raises(TicketNotFound):
        ticket_get_for_viewer(viewer=agent, number="AS20000101-000001")

    agent.is_active = False
    agent.save()
    with pytest.raises(TicketNotFound):
        ticket_get_for_viewer(viewer=agent, number=ticket.number)


# ---------------------------------------------------------------- scopes


@pytest.fixture
def three_cases(make_ticket, agent2, supervisor, logistics_handler):
    """A: agent's, at technical support with 张工; B: agent2's, just registered; C: agent2's, at logistics."""
    a = make_ticket(State.ASSIGNED)
    b = make_ticket(State.REGISTERED, owner=agent2)
    c = make_ticket(State.REGISTERED, owner=agent2)
    svc.ticket_classify(number=c.number, actor=supervisor, category="logistics", subcategory="package_damage",
                        priority="P3")
    svc.ticket_assign(number=c.number, actor=supervisor, department="logistics",
                      assignee=logistics_handler.username)
    return a.number, b.number, c.number


@pytest.mark.parametrize(("who", "scope", "expected"), [
    ("agent", "all", "ABC"), ("agent", "mine", "A"), ("agent", "department", ""),
    ("agent2", "mine", "BC"),
    ("supervisor", "all", "ABC"), ("auditor", "all", "ABC"), ("admin_user", "all", "ABC"),
    ("handler", "all", "A"), ("handler", "mine", "A"), ("handler", "department", "A"),
    ("head", "all", "A"), ("head", "mine", ""), ("head", "department", "A"),
    ("logistics_handler", "all", "C"), ("logistics_handler", "mine", "C"),
    ("logistics_head", "all", "C"), ("logistics_head", "department", "C"),
])
def test_list_scopes(request, three_cases, who, scope, expected):
    viewer = request.getfixturevalue(who)
    names = dict(zip("ABC", three_cases, strict=True))

    assert _numbers(viewer, scope=scope) == {names[x] for x in expected}


# ---------------------------------------------------------------- filters


def test_filter_by_state_priority_channel_owner_and_department(three_cases, supervisor, agent, make_ticket):
    a, b, c = three_cases
    urgent = make_ticket(State.CLASSIFIED, priority="P1", channel="email")

    assert _numbers(supervisor, state="registered") == {b}
    assert _numbers(supervisor, state="assigned,registered") == {a, b, c}
    assert _numbers(supervisor, priority="P1") == {urgent.number}
    assert _numbers(supervisor, priority="P2,P3") == {a, c}
    assert _numbers(supervisor, channel="email") == {urgent.number}
    assert _numbers(supervisor, owner="agent2") == {b, c}
    assert _numbers(supervisor, owner=agent.username) == {a, urgent.number}
    assert _numbers(supervisor, department="logistics") == {c}
    assert _numbers(supervisor, department="logistics", state="registered") == set()


def test_filter_by_category_matches_the_category_or_the_subcategory(three_cases, supervisor):
    a, _b, c = three_cases

    assert _numbers(supervisor, category="technical_fault") == {a}
    assert _numbers(supervisor, category="function_abnormal") == {a}
    assert _numbers(supervisor, category="logistics") == {c}
    assert _numbers(supervisor, category="package_damage") == {c}
    assert _numbers(supervisor, category="delivery_delay") == set()


def test_filters_never_widen_what_the_viewer_may_see(three_cases, handler):
    a, _b, c = three_cases

    assert _numbers(handler, department="logistics") == set()
    assert _numbers(handler, q=c) == set()
    assert _numbers(handler, state="assigned") == {a}


def test_dates_are_calendar_days_in_shanghai(agent, supervisor):
    # both cases arrive on 1 March in UTC, but on either side of midnight in Beijing
    late = dt.datetime(2026, 3, 1, 15, 30, tzinfo=dt.UTC)  # 23:30 on 1 March in Shanghai
    early = dt.datetime(2026, 3, 1, 16, 30, tzinfo=dt.UTC)  # 00:30 on 2 March in Shanghai
    with time_machine.travel(late, tick=False):
        first, _ = svc.ticket_register(actor=agent, data=registration())
    with time_machine.travel(early, tick=False):
        second, _ = svc.ticket_register(actor=agent, data=registration())

    assert _numbers(supervisor, date_from=dt.date(2026, 3, 2)) == {second.number}
    assert _numbers(supervisor, date_to=dt.date(2026, 3, 1)) == {first.number}
    assert _numbers(supervisor, date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 1)) == {first.number}
    assert _numbers(supervisor, date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 2)) == {
        first.number, second.number}
    assert _numbers(supervisor, date_from=dt.date(2026, 3, 3)) == set()


@pytest.fixture
def searchable(agent):
    kettle, _ = svc.ticket_register(actor=agent, data=registration(
        customer=CustomerInput(name="李雷", phone="13700001111"),
        description="电热水壶底部漏水，插电时跳闸，担心漏电。", title="水壶漏水"))
    cooker, _ = svc.ticket_register(actor=agent, data=registration(
        customer=CustomerInput(name="韩梅梅", phone="13900002222", email="hmm@example.com")))
    return kettle.number, cooker.number


@pytest.mark.parametrize(("query", "which"), [
    ("李雷", "kettle"), ("韩梅", "cooker"),
    ("13700001111", "kettle"), ("0001111", "kettle"), ("137 0000 1111", "kettle"), ("137-0000-1111", "kettle"),
    ("漏水", "kettle"), ("担心漏电", "kettle"), ("显示E3", "cooker"), ("e3故障码", "cooker"),
    ("电", "both"), ("不存在的内容", "none"),
])
def test_search_by_name_phone_or_the_customers_words(searchable, supervisor, query, which):
    kettle, cooker = searchable
    expected = {"kettle": {kettle}, "cooker": {cooker}, "both": {kettle, cooker}, "none": set()}[which]

    assert _numbers(supervisor, q=query) == expected


def test_search_by_case_number_or_part_of_it(searchable, supervisor):
    kettle, cooker = searchable

    assert _numbers(supervisor, q=kettle) == {kettle}
    assert _numbers(supervisor, q=f"  {cooker.lower()}  ") == {cooker}
    assert _numbers(supervisor, q=kettle.split("-")[0]) == {kettle, cooker}


def test_newest_cases_come_first(agent, supervisor):
    start = clock.now()
    numbers = []
    for minutes in (0, 5, 10):
        with time_machine.travel(start + dt.timedelta(minutes=minutes), tick=False):
            numbers.append(svc.ticket_register(actor=agent, data=registration())[0].number)

    listed = [t.number for t in ticket_list(viewer=supervisor, filters=TicketFilters())]

    assert listed == list(reversed(numbers))


def test_the_list_reads_its_rows_in_one_query(make_ticket, supervisor, django_assert_num_queries):
    for state in (State.REGISTERED, State.ASSIGNED, State.IN_PROGRESS):
        make_ticket(state)
    rows = ticket_list(viewer=supervisor, filters=TicketFilters(q="电饭煲", state="registered,assigned,in_progress"))

    with django_assert_num_queries(1):
        shown = [(t.number, t.customer.name, t.category and t.category.label, t.subcategory and t.subcategory.label,
                  t.owner.label, t.department and t.department.label, t.assignee and t.assignee.label)
                 for t in rows]

    assert len(shown) == 3
    assert Ticket.objects.count() == 3
