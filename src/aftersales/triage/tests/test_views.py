"""The rules page (规则与派单): rules as they apply, who may open it, and the dry run."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aftersales.accounts.models import Department, User
from aftersales.accounts.roles import Role
from aftersales.tickets.models import Ticket
from aftersales.triage.models import HandlerProfile, RoutingRule

pytestmark = pytest.mark.django_db
RULES = reverse("triage:rules")
# A Wednesday morning in Beijing: every department is on shift.
WORKDAY = dt.datetime(2026, 11, 18, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def _on_a_workday():
    with time_machine.travel(WORKDAY, tick=False):
        yield


def page(client, user, **params) -> str:
    client.force_login(user)
    response = client.get(RULES, params)
    assert response.status_code == 200
    return response.content.decode()


def row(html: str, attribute: str, value: str) -> str:
    """The table row carrying ``data-<attribute>="<value>"`` (the dry run's trace or candidate rows)."""
    match = re.search(rf'<tr[^>]*data-{attribute}="{re.escape(value)}".*?</tr>', html, re.S)
    assert match, f"no row with data-{attribute}={value}"
    return match.group(0)


def dry_run_section(html: str) -> str:
    return html[html.index('id="dry-run"'):]


# ---------------------------------------------------------------- the page and who may open it


def test_the_page_lists_the_seeded_routing_rules_in_order(client, supervisor):
    html = page(client, supervisor)

    labels = ["技术故障 P1 → 技术支持部，通知部门经理", "技术故障 → 技术支持部", "物流配送 → 物流管理部",
              "质量异议 → 质量控制部", "服务咨询 → 客服部"]
    positions = [html.index(label) for label in labels]
    assert positions == sorted(positions)
    technical_p1 = row(html, "rule", "technical_p1")
    assert "技术故障" in technical_p1 and "P1" in technical_p1 and "技术支持部" in technical_p1
    assert "物流管理部" in row(html, "rule", "logistics")


def test_the_page_lists_triage_rules_and_settings(client, supervisor):
    html = page(client, supervisor)

    assert "安全隐患" in html and "漏电" in html and "舆情风险" in html
    assert "90%" in html  # the auto-accept threshold
    assert "/admin/" not in html.split('id="dry-run"')[0].split("<main")[1]  # no edit links for a supervisor


def test_an_administrator_gets_edit_links_to_the_admin(client, admin_user):
    html = page(client, admin_user)

    rule = RoutingRule.objects.get(code="logistics")
    assert reverse("admin:triage_routingrule_change", args=[rule.pk]) in html
    assert reverse("admin:triage_triagesettings_change", args=[1]) in html


def test_an_inactive_rule_is_listed_apart(client, supervisor):
    RoutingRule.objects.filter(code="quality").update(is_active=False)

    html = page(client, supervisor)

    inactive = html[html.index("rules-inactive"):]
    assert 'data-rule="quality"' in inactive and 'data-rule="logistics"' not in inactive
    assert 'class="is-muted" data-rule="quality"' in inactive


@pytest.mark.parametrize("who", ["supervisor", "head", "auditor", "admin_user"])
def test_supervisors_heads_auditors_and_admins_may_open_it_and_see_it_in_the_menu(client, request, who):
    user = request.getfixturevalue(who)

    html = page(client, user)

    assert f'href="{RULES}"' in html.split("</nav>")[0]


@pytest.mark.parametrize("who", ["agent", "handler"])
def test_agents_and_handlers_get_403_and_no_menu_item(client, request, who):
    user = request.getfixturevalue(who)
    client.force_login(user)

    assert client.get(RULES).status_code == 403
    assert f'href="{RULES}"' not in client.get(reverse("tickets:list")).content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(RULES)

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# ---------------------------------------------------------------- dry run: routing


def test_dry_run_by_case_number_shows_the_rule_that_matches_and_its_department(client, supervisor, head,
                                                                                  make_ticket):
    ticket = make_ticket("assigned", priority="P1")  # a technical fault

    html = dry_run_section(page(client, supervisor, case=ticket.number))

    hit = row(html, "rule", "technical_p1")
    assert 'class="is-hit"' in hit and "✗" not in hit
    assert "技术支持部" in html[html.index('class="outcome"'):]
    assert head.label in html[html.index('class="outcome"'):]  # the rule notifies the department head
    assert ticket.number in html


def test_dry_run_by_facts_for_logistics_fails_the_technical_rules_and_hits_the_logistics_one(client, supervisor):
    html = dry_run_section(page(client, supervisor, category="logistics", priority="P2"))

    for code in ("technical_p1", "technical"):
        technical = row(html, "rule", code)
        assert "✗" in technical and 'data-matched="no"' in technical
        assert "技术故障" in technical and "物流配送" in technical  # wanted, and what the case is
    logistics = row(html, "rule", "logistics")
    assert "✓" in logistics and "✗" not in logistics and 'class="is-hit"' in logistics
    assert "物流管理部" in html[html.index('class="outcome"'):]


def test_each_check_says_what_the_rule_wants_and_what_the_case_is(client, supervisor):
    client.cookies["django_language"] = "en"

    html = dry_run_section(page(client, supervisor, category="logistics"))

    assert "Category: wants Technical fault, is Logistics ✗" in re.sub(r"<[^>]+>", "", row(html, "rule", "technical"))
    assert "Category: wants Logistics, is Logistics ✓" in re.sub(r"<[^>]+>", "", row(html, "rule", "logistics"))


def test_a_subcategory_alone_brings_its_category(client, supervisor):
    html = dry_run_section(page(client, supervisor, subcategory="delivery_delay"))

    assert 'class="is-hit"' in row(html, "rule", "logistics")


def test_no_matching_rule_says_the_supervisor_decides(client, supervisor):
    html = dry_run_section(page(client, supervisor, priority="P3"))

    assert 'class="is-hit"' not in html and 'class="outcome"' not in html
    assert "alert-warn" in html


# ---------------------------------------------------------------- dry run: assignment preview


def test_the_candidates_show_the_handler_and_an_absent_one_as_not_eligible(client, supervisor, handler):
    li = User.objects.create_user(username="li", password="x", role=Role.HANDLER, display_name="李工",
                                  department=Department.objects.get(code="technical_support"))
    HandlerProfile.objects.create(user=li, absent_until=WORKDAY + dt.timedelta(days=3), absence_note="年假")

    html = dry_run_section(page(client, supervisor, category="technical_fault", priority="P2"))

    chosen = row(html, "user", handler.username)
    assert handler.label in chosen and 'data-eligible="yes"' in chosen and 'class="is-hit"' in chosen
    absent = row(html, "user", "li")
    assert 'data-eligible="no"' in absent and "李工" in absent and "is-hit" not in absent
    assert "badge-amber" in absent  # marked absent
    assert 'class="pick-reason"' in html and handler.label in html[html.index('class="pick-reason"'):]


# ---------------------------------------------------------------- dry run: triage suggestion


def test_a_text_gives_the_triage_suggestion_with_its_reasons(client, supervisor):
    html = dry_run_section(page(client, supervisor, category="technical_fault", text="热水器漏电"))

    suggestion = html[html.index("suggestion-kv"):]
    assert '<span class="prio prio-p1"' in suggestion
    assert "含安全隐患关键词：漏电" in suggestion
    assert "安全隐患" in suggestion  # the safety flag
    assert "%" in suggestion


def test_a_text_alone_is_routed_by_its_suggestion(client, supervisor):
    html = dry_run_section(page(client, supervisor, text="热水器漏电，被电了一下"))

    assert 'class="is-hit"' in row(html, "rule", "technical_p1")


# ---------------------------------------------------------------- dry run: bad input, no writes


@pytest.mark.parametrize(("params", "field"), [
    ({"priority": "P9"}, "priority"),
    ({"category": "no_such_category"}, "category"),
    ({"customer_type": "alien"}, "customer_type"),
    ({"category": "logistics", "subcategory": "function_abnormal"}, "subcategory"),
])
def test_bad_facts_show_an_inline_error_not_a_500(client, supervisor, params, field):
    html = dry_run_section(page(client, supervisor, **params))

    assert 'class="field-error" role="alert"' in html
    assert f'id="id_{field}"' in html[html.index("has-error"):]
    assert "dryrun-result" not in html


def test_an_unknown_case_number_shows_an_inline_error(client, supervisor):
    html = dry_run_section(page(client, supervisor, case="AS20990101-999999"))

    assert "AS20990101-999999" in html and 'class="field-error" role="alert"' in html
    assert "dryrun-result" not in html


def test_a_case_the_viewer_may_not_see_is_refused_like_an_unknown_one(client, logistics_head, make_ticket):
    ticket = make_ticket("assigned")  # in 技术支持部: a logistics head cannot see it

    html = dry_run_section(page(client, logistics_head, case=ticket.number))

    assert 'class="field-error" role="alert"' in html and "dryrun-result" not in html
    assert "技术支持部" not in html.split("field-error")[1].split("</div>")[0]


def test_a_dry_run_writes_nothing(client, supervisor, handler, make_ticket):
    ticket = make_ticket("assigned", priority="P1")
    client.force_login(supervisor)
    before = Ticket.objects.get(pk=ticket.pk)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(RULES, {"case": ticket.number, "text": "热水器漏电，被电了一下"})

    assert response.status_code == 200
    writes = [q["sql"] for q in queries if q["sql"].lstrip().split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}]
    assert writes == []
    after = Ticket.objects.get(pk=ticket.pk)
    assert (after.assignee_id, after.department_id, after.version) == (before.assignee_id, before.department_id,
                                                                         before.version)


def test_an_htmx_dry_run_returns_only_the_dry_run_card(client, supervisor):
    client.force_login(supervisor)

    response = client.get(RULES, {"category": "logistics"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<section id="dry-run"')
    assert 'class="is-hit"' in row(html, "rule", "logistics")


def test_the_page_and_a_dry_run_cost_a_fixed_number_of_queries(client, supervisor, handler, head, make_ticket,
                                                                 django_assert_max_num_queries):
    ticket = make_ticket("assigned", priority="P1")
    client.force_login(supervisor)
    client.get(RULES)  # warm the per-process configuration caches

    with django_assert_max_num_queries(10):
        client.get(RULES)
    with django_assert_max_num_queries(18):
        client.get(RULES, {"case": ticket.number, "text": "热水器漏电"})
