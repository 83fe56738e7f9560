"""Registering a case through the console's unified form."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from aftersales.tickets.models import Ticket
from aftersales.tickets.scenarios import TINY_PNG

NEW = reverse("tickets:create")


def form_data(**overrides) -> dict:
    data = {
        "customer_name": "张伟", "customer_phone": "138 0013 8000", "customer_email": "",
        "customer_type": "individual", "customer_preferred_channel": "phone",
        "product_model": "RC-30", "product_batch_number": "B2026-09", "product_trace_code": "",
        "product_purchase_date": "2026-09-01", "product_proof_number": "JD-88001234",
        "product_purchase_channel": "ecommerce",
        "description": "电饭煲用了两个月，煮饭时突然显示E3故障码，无法加热。\n客户说已经拔插电源两次。",
        "occurred_at": "2026-11-20T19:30", "environment": "家用厨房，插座单独使用", "tried": "断电重启",
        "demand": "repair", "channel": "phone", "risk_flags": ["repeat_complaint"],
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_register_page_requires_login(client):
    response = client.get(NEW)
    assert response.status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["agent", "supervisor", "admin_user"])
def test_register_page_renders_for_registering_roles(client, request, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(NEW)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="customer_name"' in html and "autofocus" in html
    assert 'list="product-models"' in html
    assert 'name="attachments"' in html and "multiple" in html
    assert 'value="phone" selected' in html  # phone is the default channel


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["handler", "auditor"])
def test_register_page_refuses_roles_that_do_not_register(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, form_data()).status_code == 403
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_registration_creates_the_case_with_evidence_and_redirects(client, agent):
    client.force_login(agent)
    photo = SimpleUploadedFile("故障照片.png", TINY_PNG, content_type="image/png")
    response = client.post(NEW, {**form_data(), "attachments": [photo]})
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("tickets:detail", kwargs={"number": ticket.number})
    assert ticket.owner == agent
    assert ticket.state == "registered"
    assert ticket.description.startswith("电饭煲用了两个月")
    assert ticket.customer.phone == "13800138000"
    assert ticket.proof_number == "JD-88001234"
    assert ticket.purchase_channel == "ecommerce"
    assert ticket.risk_flags == ["repeat_complaint"]
    assert ticket.occurred_at.hour == 11 and ticket.occurred_at.minute == 30  # 19:30 Beijing = 11:30 UTC
    attachment = ticket.attachments.get()
    assert attachment.original_name == "故障照片.png" and attachment.content_type == "image/png"
    page = client.get(response["Location"]).content.decode()
    assert ticket.number in page
    assert "flash-success" in page


@pytest.mark.django_db
def test_missing_fields_rerender_with_messages_and_create_nothing(client, agent):
    client.force_login(agent)
    response = client.post(NEW, form_data(customer_name="", description=""))
    assert response.status_code == 422
    html = response.content.decode()
    assert html.count('class="field-error"') >= 2
    assert "alert-error" in html
    assert 'value="138 0013 8000"' in html  # what was typed is kept
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_service_error_is_shown_at_the_top_and_next_to_the_field(client, agent):
    client.force_login(agent)
    response = client.post(NEW, form_data(customer_phone="", customer_email=""))
    assert response.status_code == 422
    html = response.content.decode()
    assert "alert-error" in html
    assert "has-error" in html
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_future_purchase_date_is_refused(client, agent):
    client.force_login(agent)
    response = client.post(NEW, form_data(product_purchase_date="2099-01-01"))
    assert response.status_code == 422
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_a_file_that_is_not_an_image_video_or_pdf_is_refused(client, agent):
    client.force_login(agent)
    bad = SimpleUploadedFile("病毒.png", b"MZ\x90\x00 not really a png", content_type="image/png")
    response = client.post(NEW, {**form_data(), "attachments": [bad]})
    assert response.status_code == 422
    assert "病毒.png" in response.content.decode()
    assert not Ticket.objects.exists()
