"""Routing rules: SPEC §4's defaults, conditions, actions, overrides and first-contact ownership."""

import datetime as dt

import pytest
import time_machine

from aftersales.accounts.models import Department
from aftersales.catalog.models import ProductModel
from aftersales.core.errors import ValidationFailed
from aftersales.notify.models import Notification
from aftersales.tickets import services as svc
from aftersales.tickets.models import Ticket, TicketEvent
from aftersales.triage import routing
from aftersales.triage.models import RoutingRule, TriageSettings

pytestmark = pytest.mark.django_db
# A Wednesday morning in Beijing: every department is on shift.
WORKDAY = dt.datetime(2026, 11, 18, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def _on_a_workday():
    with time_machine.travel(WORKDAY, tick=False):
        yield


def classified(make_ticket, supervisor, *, category, subcategory, priority="P2", **kwargs) -> Ticket:
    ticket = make_ticket("registered", **kwargs)
    svc.ticket_classify(number=ticket.number, actor=supervisor, category=category, subcategory=subcategory,
                        priority=priority)
    return ticket


@pytest.mark.parametrize(("category", "subcategory", "department"), [
    ("technical_fault", "function_abnormal", "technical_support"),
    ("logistics", "delivery_delay", "logistics"),
    ("quality_objection", "appearance_defect", "quality_control"),
    ("service_consultation", "usage_guidance", "customer_service"),
])
def test_each_default_rule_sends_its_category_to_its_department(make_ticket, supervisor, category, subcategory,
                                                                  department):
    ticket = classified(make_ticket, supervisor, category=category, subcategory=subcategory)

    svc.ticket_assign(number=ticket.number, actor=supervisor)

    ticket.refresh_from_db()
    assert ticket.state == "assigned" and ticket.department.code == department
    event = TicketEvent.objects.get(ticket=ticket, kind="assigned")
    assert event.data["routing"]["override"] is False and event.data["routing"]["rule"]


def test_a_p1_technical_fault_also_notifies_the_technical_head(make_ticket, supervisor, head, handler):
    ticket = classified(make_ticket, supervisor, category="technical_fault", subcategory="function_abnormal",
                        priority="P1")

    svc.ticket_assign(number=ticket.number, actor=supervisor)

    event = TicketEvent.objects.get(ticket=ticket, kind="assigned")
    assert event.data["routing"]["rule"] == "technical_p1"
    routed = Notification.objects.filter(ticket_id=ticket.pk, template="case_routed", channel="in_app")
    assert [n.recipient for n in routed] == [head]
    assert "P1" in routed[0].subject


def test_a_p2_technical_fault_does_not_notify_the_head(make_ticket, supervisor, head, handler):
    ticket = classified(make_ticket, supervisor, category="technical_fault", subcategory="function_abnormal")

    svc.ticket_assign(number=ticket.number, actor=supervisor)

    assert not Notification.objects.filter(ticket_id=ticket.pk, template="case_routed").exists()


def test_routing_never_changes_the_first_contact_owner(make_ticket, supervisor, agent, handler):
    ticket = classified(make_ticket, supervisor, category="technical_fault", subcategory="function_abnormal")

    svc.ticket_assign(number=ticket.number, actor=supervisor)

    ticket.refresh_from_db()
    assert ticket.owner == agent and ticket.transfer_count == 0


def test_a_supervisor_may_override_the_rule_with_a_reason_which_is_recorded(make_ticket, supervisor):
    ticket = classified(make_ticket, supervisor, category="technical_fault", subcategory="function_abnormal")

    with pytest.raises(ValidationFailed) as refused:
        svc.ticket_assign(number=ticket.number, actor=supervisor, department="quality_control")
    assert refused.value.code == "override_reason_required"
    assert Ticket.objects.get(pk=ticket.pk).state == "classified"

    svc.ticket_assign(number=ticket.number, actor=supervisor, department="quality_control",
                      reason="外观开裂导致无法开机，先由质检判定")
    event = TicketEvent.objects.get(ticket=ticket, kind="assigned")
    assert (event.data["routing"]["rule"], event.data["routing"]["override"]) == ("technical", True)
    assert event.body == "外观开裂导致无法开机，先由质检判定"


def test_no_matching_rule_asks_for_a_department(make_ticket, supervisor):
    ticket = classified(make_ticket, supervisor, category="logistics", subcategory="delivery_delay")
    RoutingRule.objects.filter(code="logistics").update(is_active=False)

    with pytest.raises(ValidationFailed) as refused:
        svc.ticket_assign(number=ticket.number, actor=supervisor)

    assert refused.value.code == "no_routing_rule"
    svc.ticket_assign(number=ticket.number, actor=supervisor, department="logistics")
    assert Ticket.objects.get(pk=ticket.pk).department.code == "logistics"


def test_conditions_on_customer_type_channel_product_line_and_region_and_the_queue_and_priority_actions(
        make_ticket, supervisor, handler):
    vip_desk = RoutingRule.objects.create(
        code="enterprise_east", name="华东企业客户 → 技术支持部大客户专席", order=5,
        categories=["technical_fault"], customer_types=["enterprise"], channels=["email"], regions=["华东"],
        product_lines=["厨房电器"], department=Department.objects.get(code="technical_support"),
        queue="大客户专席", set_priority="P1")
    ProductModel.objects.create(code="RC-30", name="智能电饭煲", product_line="厨房电器")
    ticket = classified(make_ticket, supervisor, category="technical_fault", subcategory="function_abnormal",
                        channel="email")
    facts = routing.Facts(category="technical_fault", subcategory="function_abnormal", priority="P2",
                          product_line="厨房电器", customer_type="enterprise", channel="email", region="华东·上海")
    assert routing.route(facts).rule == vip_desk
    assert routing.route(facts.__class__(**{**facts.__dict__, "region": "华南"})).rule.code == "technical"
    assert routing.route(facts.__class__(**{**facts.__dict__, "channel": "phone"})).rule.code == "technical"

    customer = ticket.customer
    customer.customer_type, customer.region = "enterprise", "华东·杭州"
    customer.save()
    svc.ticket_assign(number=ticket.number, actor=supervisor)

    ticket.refresh_from_db()
    assert (ticket.queue, ticket.priority) == ("大客户专席", "P1")
    event = TicketEvent.objects.get(ticket=ticket, kind="assigned")
    assert event.data["routing"]["priority"] == {"before": "P2", "after": "P1"}


def test_the_trace_says_which_condition_failed():
    facts = routing.Facts(category="logistics", subcategory="delivery_delay", priority="P1")

    decision = routing.route(facts, full_trace=True)

    assert decision.rule.code == "logistics"
    first = decision.traces[0]
    assert first.rule.code == "technical_p1" and not first.matched
    failed = [c for c in first.checks if not c.ok]
    assert [(c.field, c.actual) for c in failed] == [("categories", "logistics")]


def test_auto_accept_classifies_and_dispatches_a_confident_case_as_the_system(agent, handler):
    settings = TriageSettings.current()
    settings.auto_accept, settings.auto_accept_threshold = True, 0
    settings.save()
    from conftest import registration

    ticket, _ = svc.ticket_register(actor=agent, data=registration(description="热水器漏电，洗澡时被电了一下"))

    ticket.refresh_from_db()
    assert ticket.state == "assigned" and ticket.priority == "P1"
    assert ticket.department.code == "technical_support" and ticket.assignee == handler
    assert ticket.owner == agent
    classified_event = TicketEvent.objects.get(ticket=ticket, kind="classified")
    assert classified_event.actor is None and classified_event.data["auto_accepted"] is True
    assert ticket.triage_suggestion.auto_accepted is True


def test_without_auto_accept_the_case_waits_for_the_supervisor(agent):
    from conftest import registration

    ticket, _ = svc.ticket_register(actor=agent, data=registration(description="热水器漏电，洗澡时被电了一下"))

    ticket.refresh_from_db()
    assert ticket.state == "registered" and ticket.category is None and ticket.priority == ""
    assert ticket.triage_suggestion.priority == "P1" and ticket.triage_suggestion.auto_accepted is False
    event = TicketEvent.objects.get(ticket=ticket, kind="triage_suggested")
    assert event.is_internal and event.data["priority"] == "P1"
