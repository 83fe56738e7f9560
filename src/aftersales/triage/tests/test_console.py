"""The suggestion on the case page: the classify form starts from it; the assign form shows the rule."""

import datetime as dt
import re

import pytest
import time_machine

pytestmark = pytest.mark.django_db
WORKDAY = dt.datetime(2026, 11, 18, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def selected(html: str, name: str) -> str:
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    found = re.search(r'<option value="([^"]*)"[^>]*selected', select)
    return found.group(1) if found else ""


def test_the_classify_form_starts_from_the_suggestion_and_shows_its_reasons(client, make_ticket, supervisor):
    ticket = make_ticket("registered", description="热水器漏电，洗澡的时候被电了一下", demand="other")
    suggestion = ticket.triage_suggestion
    client.force_login(supervisor)

    html = client.get(f"/cases/{ticket.number}/").content.decode()

    assert "含安全隐患关键词：漏电" in html
    assert selected(html, "category") == suggestion.category
    assert selected(html, "subcategory") == suggestion.subcategory
    assert re.search(r'name="priority" value="P1" required checked', html)
    assert re.search(r'name="risk_flags" value="safety" checked', html)


def test_after_classification_the_form_shows_the_decision_not_the_suggestion(client, make_ticket, supervisor):
    from aftersales.tickets import services as svc

    ticket = make_ticket("registered", description="热水器漏电，洗澡的时候被电了一下")
    svc.ticket_classify(number=ticket.number, actor=supervisor, category="quality_objection",
                        subcategory="material_problem", priority="P2")
    client.force_login(supervisor)

    html = client.get(f"/cases/{ticket.number}/").content.decode()

    assert selected(html, "category") == "quality_objection"


def test_the_assign_form_names_the_rule_and_who_would_be_picked(client, make_ticket, supervisor, handler):
    ticket = make_ticket("classified", priority="P2")
    client.force_login(supervisor)

    with time_machine.travel(WORKDAY, tick=False):
        html = client.get(f"/cases/{ticket.number}/").content.decode()

    assert "技术故障 → 技术支持部" in html
    assert handler.display_name in html
    assert selected(html, "department") == "technical_support"


def test_posting_the_classify_form_records_the_label(client, make_ticket, supervisor):
    from aftersales.triage.models import TriageLabel

    ticket = make_ticket("registered", description="快递显示签收了但我没收到")
    client.force_login(supervisor)

    response = client.post(f"/cases/{ticket.number}/actions/classify/", {
        "version": ticket.version, "category": "logistics", "subcategory": "delivery_delay", "priority": "P2",
        "demand": "other", "risk_flags_present": "1"})

    assert response.status_code in {200, 302}
    label = TriageLabel.objects.get(ticket=ticket)
    assert (label.subcategory, label.demand, label.labelled_by) == ("delivery_delay", "other", supervisor)


def test_a_demand_left_at_other_starts_from_the_suggested_one(client, make_ticket, supervisor):
    ticket = make_ticket("registered", description="洗衣机漏水，要求退货退款", demand="other")
    client.force_login(supervisor)

    html = client.get(f"/cases/{ticket.number}/").content.decode()

    assert selected(html, "demand") == ticket.triage_suggestion.demand == "return_refund"


def test_the_assign_form_links_to_the_dry_run_of_the_case(client, make_ticket, supervisor, handler):
    ticket = make_ticket("classified")
    client.force_login(supervisor)

    html = client.get(f"/cases/{ticket.number}/").content.decode()

    assert f"/triage/rules/?case={ticket.number}#dry-run" in html
    assert client.get(f"/triage/rules/?case={ticket.number}").status_code == 200
