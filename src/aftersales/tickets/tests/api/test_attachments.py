"""Uploading evidence (multipart) and downloading it."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from aftersales.accounts.tests.api.client import assert_error, error_fields
from aftersales.tickets.models import Attachment, TicketEvent
from aftersales.tickets.scenarios import TINY_PNG

pytestmark = pytest.mark.django_db

# A real PDF header is enough for content sniffing.
TINY_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png(name: str = "故障照片.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, TINY_PNG, content_type="image/png")


def test_upload_one_file_returns_its_metadata(api_for, agent, make_ticket):
    ticket = make_ticket()

    response = api_for(agent).upload(f"/tickets/{ticket.number}/attachments", [png()])

    assert response.status_code == 201, response.content
    [meta] = response.json()
    stored = Attachment.objects.get()
    assert meta["id"] == stored.pk
    assert meta["original_name"] == "故障照片.png"
    assert meta["content_type"] == "image/png" and meta["is_image"] is True
    assert meta["size"] == len(TINY_PNG) and len(meta["sha256"]) == 64
    assert meta["is_internal"] is False
    assert meta["uploaded_by"] == "agent"
    assert meta["url"] == f"/api/v1/attachments/{stored.pk}"
    assert TicketEvent.objects.filter(ticket=ticket, kind="attachment_added").count() == 1


def test_upload_several_files_at_once(api_for, agent, make_ticket):
    number = make_ticket().number
    pdf = SimpleUploadedFile("发票.pdf", TINY_PDF, content_type="application/pdf")

    response = api_for(agent).upload(f"/tickets/{number}/attachments", [png(), pdf])

    assert response.status_code == 201
    assert [(m["original_name"], m["content_type"]) for m in response.json()] == [
        ("故障照片.png", "image/png"), ("发票.pdf", "application/pdf")]


def test_upload_can_be_internal(api_for, handler, make_ticket):
    number = make_ticket("assigned").number

    [meta] = api_for(handler).upload(f"/tickets/{number}/attachments", [png()], internal="true").json()

    assert meta["is_internal"] is True


@override_settings(AFTERSALES_ATTACHMENT_MAX_MB=1)
def test_oversized_file_is_refused(api_for, agent, make_ticket):
    number = make_ticket().number
    big = SimpleUploadedFile("大视频.png", TINY_PNG + b"\0" * (1024 * 1024 + 1), content_type="image/png")

    response = api_for(agent).upload(f"/tickets/{number}/attachments", [big])

    body = assert_error(response, 422, "attachment_too_large")
    assert body["detail"]["name"] == "大视频.png"
    assert not Attachment.objects.exists()


def test_text_renamed_to_jpg_is_refused(api_for, agent, make_ticket):
    number = make_ticket().number
    fake = SimpleUploadedFile("photo.jpg", b"this is plain text, not a photo\n" * 10, content_type="image/jpeg")

    response = api_for(agent).upload(f"/tickets/{number}/attachments", [png(), fake])

    body = assert_error(response, 422, "attachment_type_refused")
    assert body["detail"]["name"] == "photo.jpg"
    assert not Attachment.objects.exists()  # one bad file refuses the whole upload


def test_upload_without_files_is_422(api_for, agent, make_ticket):
    number = make_ticket().number

    response = api_for(agent).upload(f"/tickets/{number}/attachments", [])

    assert_error(response, 422, "invalid")
    assert "files" in error_fields(response)


def test_upload_to_unknown_or_invisible_case_is_404(api_for, agent, logistics_handler, make_ticket):
    number = make_ticket("assigned").number

    assert_error(api_for(agent).upload("/tickets/AS20990101-000001/attachments", [png()]), 404, "ticket_not_found")
    assert_error(api_for(logistics_handler).upload(f"/tickets/{number}/attachments", [png()]), 404,
                 "ticket_not_found")


def test_auditors_cannot_upload(api_for, auditor, make_ticket):
    number = make_ticket().number

    assert_error(api_for(auditor).upload(f"/tickets/{number}/attachments", [png()]), 403, "action_not_permitted")


def test_upload_with_a_stale_version_is_409(api_for, agent, make_ticket):
    ticket = make_ticket()
    client = api_for(agent)
    client.upload(f"/tickets/{ticket.number}/attachments", [png()], version=ticket.version)

    response = client.upload(f"/tickets/{ticket.number}/attachments", [png()], version=ticket.version)

    assert_error(response, 409, "version_conflict")


def test_download_returns_the_file(api_for, agent, handler, make_ticket):
    number = make_ticket("assigned").number
    [meta] = api_for(agent).upload(f"/tickets/{number}/attachments", [png()]).json()

    response = api_for(handler).get(f"/attachments/{meta['id']}")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == TINY_PNG
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")


def test_download_needs_the_right_to_view_the_case(api_for, agent, logistics_handler, make_ticket):
    number = make_ticket("assigned").number
    [meta] = api_for(agent).upload(f"/tickets/{number}/attachments", [png()]).json()

    assert_error(api_for(logistics_handler).get(f"/attachments/{meta['id']}"), 404, "attachment_not_found")


def test_download_unknown_or_malformed_id(api_for, agent):
    assert_error(api_for(agent).get("/attachments/999999"), 404, "attachment_not_found")
    assert_error(api_for(agent).get("/attachments/abc"), 422, "invalid")
