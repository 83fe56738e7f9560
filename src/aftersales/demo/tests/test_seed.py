"""The demo data: every state, channel, category and priority; written through the services; once."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Max, Min

from aftersales.accounts.models import User
from aftersales.accounts.roles import Role
from aftersales.catalog.models import Batch, ProductModel, ProductUnit
from aftersales.core import clock
from aftersales.customers.models import Customer
from aftersales.demo.seed import DEMO_PASSWORD, DEMO_USERS, seed_demo
from aftersales.resolutions.models import Approval, Plan
from aftersales.tickets.models import Category, Channel, Demand, Priority, Ticket, TicketEvent, TicketSettings
from aftersales.tickets.states import State

pytestmark = pytest.mark.django_db

CASES = 60


def snapshot() -> dict[str, int]:
    return {
        "users": User.objects.count(), "models": ProductModel.objects.count(), "batches": Batch.objects.count(),
        "units": ProductUnit.objects.count(), "customers": Customer.objects.count(),
        "tickets": Ticket.objects.count(), "events": TicketEvent.objects.count(), "plans": Plan.objects.count(),
        "approvals": Approval.objects.count(),
    }


def test_demo_seed_covers_the_lifecycle_through_the_services_and_runs_once():
    """Seeding costs seconds, so one seed is checked for every promise in turn."""
    report = seed_demo(cases=CASES)
    assert not report.skipped
    seeded = snapshot()
    check_reference_data_has_the_promised_shape(seeded)
    check_one_login_per_role_with_the_printed_password()
    check_cases_cover_every_state_channel_category_priority_and_demand()
    check_every_case_state_is_the_last_transition_in_its_dossier()
    check_history_spreads_over_the_past_month()
    check_the_seeds_stories_are_there()
    check_p1_plans_are_approved_by_department_heads()
    check_second_run_changes_nothing(seeded)


def check_second_run_changes_nothing(seeded):
    report = seed_demo(cases=CASES)
    assert report.skipped
    assert snapshot() == seeded
    out = io.StringIO()
    call_command("seed_demo", "--cases", str(CASES), stdout=out)
    assert "already present" in out.getvalue()
    assert snapshot() == seeded


def check_reference_data_has_the_promised_shape(seeded):
    assert seeded["tickets"] == CASES
    assert seeded["models"] == 10
    assert seeded["units"] == 500
    assert 140 <= seeded["customers"] <= 160
    per_model = ProductModel.objects.annotate(n=Count("batches")).values_list("n", flat=True)
    assert all(2 <= n <= 4 for n in per_model)
    assert ProductUnit.objects.exclude(owner=None).exists()
    assert ProductUnit.objects.filter(owner=None).exists()
    kinds = set(Customer.objects.values_list("customer_type", flat=True))
    assert kinds == {"individual", "enterprise", "dealer"}
    assert Customer.objects.filter(is_vip=True).exists()
    assert all(p[:2] in {"13", "15", "18"} and len(p) == 11 for p in Customer.objects.values_list("phone", flat=True))


def check_one_login_per_role_with_the_printed_password():
    users = {u.username: u for u in User.objects.filter(username__in=[d.username for d in DEMO_USERS])}
    assert set(users) == {d.username for d in DEMO_USERS}
    assert {u.role for u in users.values()} == set(Role.values)
    assert all(u.check_password(DEMO_PASSWORD) for u in users.values())
    assert users["admin"].is_superuser and users["admin"].is_staff
    assert users["agent"].display_name == "王芳"
    assert users["tech_head"].department.code == "technical_support"


def check_cases_cover_every_state_channel_category_priority_and_demand():
    tickets = Ticket.objects.all()
    assert set(tickets.values_list("state", flat=True)) == set(State.values)
    assert set(tickets.values_list("channel", flat=True)) == set(Channel.values)
    assert set(tickets.values_list("demand", flat=True)) == set(Demand.values)
    assert set(tickets.exclude(priority="").values_list("priority", flat=True)) == set(Priority.values)
    categories = set(Category.objects.filter(parent=None).values_list("pk", flat=True))
    subcategories = set(Category.objects.exclude(parent=None).values_list("pk", flat=True))
    assert set(tickets.exclude(category=None).values_list("category", flat=True)) == categories
    assert set(tickets.exclude(subcategory=None).values_list("subcategory", flat=True)) == subcategories
    assert set(tickets.filter(state=State.ON_HOLD).values_list("hold_reason", flat=True)) == {"parts", "customer"}


def check_every_case_state_is_the_last_transition_in_its_dossier():
    """Nothing wrote a state column: each state is where the last state-changing event led."""
    for ticket in Ticket.objects.prefetch_related("events"):
        moves = [e for e in ticket.events.all() if e.to_state]
        assert moves, ticket.number
        assert moves[-1].to_state == ticket.state, ticket.number
        assert moves[0].kind in {"registered", "created"}
        stamps = [e.created_at for e in ticket.events.all()]
        assert stamps == sorted(stamps), ticket.number


def check_history_spreads_over_the_past_month():
    now = clock.now()
    bounds = Ticket.objects.aggregate(first=Min("first_contact_at"), last=Max("first_contact_at"))
    assert bounds["first"] >= now - dt.timedelta(days=31)
    assert bounds["first"] <= now - dt.timedelta(days=7)
    assert bounds["last"] <= now
    assert not TicketEvent.objects.filter(created_at__gt=now).exists()
    assert not Ticket.objects.filter(registered_at__lt=F("first_contact_at")).exists()
    days = {t.astimezone(clock.SHANGHAI).date() for t in Ticket.objects.values_list("first_contact_at", flat=True)}
    assert len(days) >= 10


def check_the_seeds_stories_are_there():
    tickets = Ticket.objects.all()
    texts = " ".join(tickets.values_list("description", flat=True))
    assert "订单号" in texts
    assert any("safety" in flags for flags in tickets.filter(priority="P1").values_list("risk_flags", flat=True))
    threshold = TicketSettings.current().transfer_flag_threshold
    assert tickets.filter(transfer_count__gt=threshold).exists()
    assert TicketEvent.objects.filter(kind="transfer_flagged").exists()
    assert TicketEvent.objects.filter(kind="note", is_internal=True).exists()
    assert TicketEvent.objects.filter(kind="reply", is_internal=False).exists()
    assert tickets.filter(closure="confirmed").exists()


def check_p1_plans_are_approved_by_department_heads():
    p1_approvals = Approval.objects.filter(plan__needs_head_approval=True, decision="approved")
    assert p1_approvals.exists()
    assert set(p1_approvals.values_list("approver__role", flat=True)) == {Role.DEPARTMENT_HEAD}


@pytest.mark.parametrize("cases", [300])
def test_full_demo_has_big_compensation_approved_above_the_agent_limit(cases):
    """The full 300-case demo, once, in-process (SQLite or PostgreSQL)."""
    report = seed_demo(cases=cases)
    assert report.counts["cases"] == cases
    assert all(report.states[s] > 0 for s in State.values)
    big = Approval.objects.filter(decision="approved", plan__compensation_amount__gt=500)
    assert set(big.values_list("approver__role", flat=True)) <= {Role.SUPERVISOR, Role.DEPARTMENT_HEAD}
    assert big.filter(approver__role=Role.SUPERVISOR).exists()
    counts = Counter(Ticket.objects.values_list("transfer_count", flat=True))
    assert sum(n for transfers, n in counts.items() if transfers >= 3) >= 3
    assert max(counts) >= 5  # the customer transferred five times
