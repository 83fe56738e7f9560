"""Cases are read, never edited, in the admin; categories and settings are edited there."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aftersales.resolutions.models import AuthorityLimit
from aftersales.tickets.models import Category, Ticket, TicketEvent, TicketSettings

pytestmark = pytest.mark.django_db


def test_cases_cannot_be_added_changed_or_deleted_in_the_admin(admin_client, make_ticket):
    ticket = make_ticket("assigned")
    change_url = reverse("admin:tickets_ticket_change", args=[ticket.pk])
    assert admin_client.get(reverse("admin:tickets_ticket_add")).status_code == 403
    assert admin_client.get(reverse("admin:tickets_ticket_delete", args=[ticket.pk])).status_code == 403
    page = admin_client.get(change_url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()  # view only
    assert admin_client.post(change_url, {"state": "closed"}).status_code == 403
    ticket.refresh_from_db()
    assert ticket.state == "assigned"


def test_case_events_are_read_only_too(admin_client, make_ticket):
    event = TicketEvent.objects.filter(ticket=make_ticket("classified")).first()
    assert admin_client.post(reverse("admin:tickets_ticketevent_change", args=[event.pk]), {}).status_code == 403
    assert admin_client.get(reverse("admin:tickets_ticketevent_delete", args=[event.pk])).status_code == 403


def test_cases_are_found_by_number_and_filtered_by_state(admin_client, make_ticket):
    first = make_ticket("registered")
    second = make_ticket("assigned")
    url = reverse("admin:tickets_ticket_changelist")
    body = admin_client.get(url, {"q": first.number}).content.decode()
    assert first.number in body and second.number not in body
    body = admin_client.get(url, {"state__exact": "assigned"}).content.decode()
    assert second.number in body and first.number not in body


def test_transfer_threshold_and_authority_matrix_are_editable(admin_client):
    settings_row = TicketSettings.current()
    response = admin_client.post(reverse("admin:tickets_ticketsettings_change", args=[settings_row.pk]),
                                 {"transfer_flag_threshold": 3})
    assert response.status_code == 302
    assert TicketSettings.current().transfer_flag_threshold == 3
    limit = AuthorityLimit.objects.get(role="agent")
    response = admin_client.post(reverse("admin:resolutions_authoritylimit_change", args=[limit.pk]),
                                 {"role": "agent", "max_compensation": "800.00", "max_expedite_days": 3})
    assert response.status_code == 302
    limit.refresh_from_db()
    assert str(limit.max_compensation) == "800.00"
    assert admin_client.get(reverse("admin:tickets_ticketsettings_add")).status_code == 403  # a single row


def test_subcategory_is_added_under_its_parent(admin_client):
    parent = Category.objects.get(code="logistics")
    response = admin_client.post(reverse("admin:tickets_category_add"), {
        "code": "customs_delay", "name": "清关延误", "name_en": "Customs delay", "parent": parent.pk,
        "examples": "跨境包裹", "sort_order": 24, "is_active": "on",
    })
    assert response.status_code == 302
    assert Category.objects.get(code="customs_delay").parent == parent
    assert Ticket.objects.count() == 0
