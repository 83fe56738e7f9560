"""Load-aware assignment inside a department: skill, shift, absence, cap, least load, round robin."""

import datetime as dt

import pytest
import time_machine

from aftersales.accounts.models import Department, User
from aftersales.accounts.roles import Role
from aftersales.notify.models import Notification
from aftersales.sla.models import Calendar
from aftersales.tickets import services as svc
from aftersales.tickets.models import Category, TicketEvent
from aftersales.triage import routing
from aftersales.triage.models import DepartmentShift, HandlerProfile, TriageSettings

pytestmark = pytest.mark.django_db
BEIJING = dt.timezone(dt.timedelta(hours=8))
WEDNESDAY_10 = dt.datetime(2026, 11, 18, 10, 0, tzinfo=BEIJING)
SATURDAY_10 = dt.datetime(2026, 11, 21, 10, 0, tzinfo=BEIJING)
WEDNESDAY_22 = dt.datetime(2026, 11, 18, 22, 0, tzinfo=BEIJING)


@pytest.fixture(autouse=True)
def _on_a_workday():
    with time_machine.travel(WEDNESDAY_10, tick=False) as traveller:
        yield traveller


def tech(username: str, display: str) -> User:
    return User.objects.create_user(username=username, password="x", role=Role.HANDLER, display_name=display,
                                    department=Department.objects.get(code="technical_support"))


@pytest.fixture
def team(handler):
    """张工 (fixture "tech"), plus 李工 and 王工 in 技术支持部."""
    return [handler, tech("li", "李工"), tech("wang", "王工")]


def dispatch(make_ticket, supervisor, *, priority="P3", **assign) -> str:
    ticket = make_ticket("classified", priority=priority)
    svc.ticket_assign(number=ticket.number, actor=supervisor, **assign)
    ticket.refresh_from_db()
    return ticket.assignee.username if ticket.assignee else ""


def test_ties_go_round_robin_and_the_least_loaded_wins(make_ticket, supervisor, team):
    picks = [dispatch(make_ticket, supervisor) for _ in range(6)]

    # Equal load → whoever was assigned longest ago: every handler once, then again in the same order.
    assert sorted(picks[:3]) == ["li", "tech", "wang"] and picks[3:] == picks[:3]


def test_a_p1_weighs_more_than_a_p3(make_ticket, supervisor, team):
    first = dispatch(make_ticket, supervisor, priority="P1")  # load 3
    others = [dispatch(make_ticket, supervisor) for _ in range(4)]  # P3s, load 1 each

    # The P1 handler gets nothing until both others carry as much (2 each → then 3 vs 3).
    assert others[:2].count(first) == 0 and others[2:].count(first) == 0
    assert routing.weighted_loads([u.pk for u in team])[User.objects.get(username=first).pk] == 3


def test_absent_handlers_and_those_who_opted_out_get_nothing(make_ticket, supervisor, team):
    _handler, li, wang = team
    HandlerProfile.objects.create(user=li, absent_from=WEDNESDAY_10 - dt.timedelta(days=1),
                                  absent_until=WEDNESDAY_10 + dt.timedelta(days=2), absence_note="年假")
    HandlerProfile.objects.create(user=wang, accepts_auto_assignment=False)

    picks = {dispatch(make_ticket, supervisor) for _ in range(3)}

    assert picks == {"tech"}


def test_nobody_over_the_cap(make_ticket, supervisor, team):
    for user in team:
        HandlerProfile.objects.create(user=user, max_load=2)

    picks = [dispatch(make_ticket, supervisor) for _ in range(7)]

    assert sorted(picks[:6]) == ["li", "li", "tech", "tech", "wang", "wang"]
    assert picks[6] == ""  # everyone full: it waits in the department's queue
    event = TicketEvent.objects.filter(kind="assigned").latest("id")
    assert event.data["assignment"]["by"] == "queue" and event.data["assignment"]["eligible"] == 0


def test_skills_by_category_and_product_line(make_ticket, supervisor, team):
    handler, li, _wang = team
    HandlerProfile.objects.create(user=handler).categories.add(Category.objects.get(code="software_compat"))
    HandlerProfile.objects.create(user=li, product_lines=["空气净化"])
    # wang: no skills listed → a generalist

    # The case is a 功能异常 of a product without a product line: 张工 lacks the skill.
    picks = {dispatch(make_ticket, supervisor) for _ in range(4)}

    assert picks == {"li", "wang"}
    facts = routing.Facts(category="technical_fault", subcategory="function_abnormal", product_line="厨房电器",
                          priority="P3")
    pick = routing.pick_handler(department=handler.department, facts=facts, now=WEDNESDAY_10)
    assert pick.handler.username == "wang"
    standing = {c.user.username: c for c in pick.candidates}
    assert not standing["tech"].has_skill and not standing["li"].has_skill and standing["wang"].has_skill


def test_off_shift_handlers_are_skipped_and_an_own_calendar_overrides_the_department(make_ticket, supervisor, team,
                                                                                      _on_a_workday):
    wang = team[2]
    HandlerProfile.objects.create(user=wang, calendar=Calendar.objects.get(code="24x7"))  # the night shift

    _on_a_workday.move_to(SATURDAY_10)
    assert {dispatch(make_ticket, supervisor) for _ in range(2)} == {"wang"}
    _on_a_workday.move_to(WEDNESDAY_22)
    assert dispatch(make_ticket, supervisor) == "wang"

    DepartmentShift.objects.filter(department__code="technical_support").update(
        calendar=Calendar.objects.get(code="24x7"))
    assert dispatch(make_ticket, supervisor) in {"tech", "li"}


def test_the_supervisor_names_a_handler_or_leaves_it_in_the_queue(make_ticket, supervisor, team):
    assert dispatch(make_ticket, supervisor, assignee="wang") == "wang"
    event = TicketEvent.objects.filter(kind="assigned").latest("id")
    assert event.data["assignment"] == {"by": "supervisor"}

    assert dispatch(make_ticket, supervisor, auto_assign=False) == ""
    TriageSettings.objects.filter(pk=1).update(auto_assign=False)
    from aftersales.triage import configuration
    configuration.clear()
    assert dispatch(make_ticket, supervisor) == ""


def test_the_chosen_handler_is_told(make_ticket, supervisor, team):
    name = dispatch(make_ticket, supervisor)

    note = Notification.objects.get(template="case_assigned", channel="in_app")
    assert note.recipient.username == name and "已分配给您" in note.subject


def test_fairness_under_load_spreads_many_cases_evenly(make_ticket, supervisor, team):
    picks = [dispatch(make_ticket, supervisor, priority=p) for p in ["P1", "P2", "P3"] * 4]

    loads = routing.weighted_loads([u.pk for u in team])
    assert max(loads.values()) - min(loads.values()) <= 3  # at most one P1's weight apart
    assert set(picks) == {"tech", "li", "wang"}
