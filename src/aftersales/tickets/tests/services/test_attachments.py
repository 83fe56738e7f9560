"""Evidence is checked by its content; a refused file refuses the whole batch; results need proof."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from aftersales.core.errors import ValidationFailed
from aftersales.tickets import events
from aftersales.tickets import services as svc
from aftersales.tickets.models import Attachment, Ticket, TicketEvent
from aftersales.tickets.scenarios import TINY_PNG
from aftersales.tickets.states import State

from .support import png, text_file, unchanged

pytestmark = pytest.mark.django_db

# The opening bytes of a real PDF (filetype recognises it by its "%PDF-" signature).
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _stored_path(content: bytes, extension: str = ".png") -> str:
    digest = hashlib.sha256(content).hexdigest()
    return f"attachments/{digest[:2]}/{digest}{extension}"


def test_a_real_png_is_accepted_and_described_by_its_content(make_ticket, handler):
    ticket = make_ticket(State.IN_PROGRESS)
    upload = png("IMG_0001.JPG", salt=b"accepted")  # named like a JPEG, but it is a PNG

    [attachment] = svc.ticket_add_attachments(number=ticket.number, actor=handler, attachments=[upload])

    assert (attachment.original_name, attachment.content_type, attachment.extension) == (
        "IMG_0001.JPG", "image/png", ".png")
    assert attachment.size == len(TINY_PNG + b"accepted")
    assert attachment.sha256 == hashlib.sha256(TINY_PNG + b"accepted").hexdigest()
    assert attachment.uploaded_by == handler
    assert default_storage.exists(attachment.file.name)
    assert attachment.event.kind == events.ATTACHMENT_ADDED


def test_a_pdf_is_accepted(make_ticket, agent):
    ticket = make_ticket(State.REGISTERED)

    [attachment] = svc.ticket_add_attachments(number=ticket.number, actor=agent, attachments=[
        SimpleUploadedFile("发票.pdf", PDF, content_type="application/pdf")])

    assert (attachment.content_type, attachment.extension) == ("application/pdf", ".pdf")


@pytest.mark.parametrize("upload", [
    text_file("photo.jpg"),
    SimpleUploadedFile("invoice.pdf", b"MZ\x90\x00" + b"\x00" * 200, content_type="application/pdf"),
    SimpleUploadedFile("page.png", b"<html><script>alert(1)</script></html>", content_type="image/png"),
], ids=["text-named-jpg", "exe-named-pdf", "html-named-png"])
def test_a_file_that_is_not_what_its_name_says_is_refused(make_ticket, agent, upload):
    ticket = make_ticket(State.REGISTERED)

    with unchanged(ticket), pytest.raises(ValidationFailed) as refused:
        svc.ticket_add_attachments(number=ticket.number, actor=agent, attachments=[upload])

    assert refused.value.code == "attachment_type_refused"
    assert refused.value.detail["name"] == upload.name


@override_settings(AFTERSALES_ATTACHMENT_MAX_MB=1)
def test_an_oversized_file_is_refused(make_ticket, agent):
    ticket = make_ticket(State.REGISTERED)
    big = png("大图.png", salt=b"\0" * (1024 * 1024))

    with unchanged(ticket), pytest.raises(ValidationFailed) as refused:
        svc.ticket_add_attachments(number=ticket.number, actor=agent, attachments=[big])

    assert refused.value.code == "attachment_too_large"


@override_settings(AFTERSALES_ATTACHMENT_MAX_MB=1)
def test_a_file_just_under_the_limit_is_accepted(make_ticket, agent):
    ticket = make_ticket(State.REGISTERED)
    fits = png("刚好.png", salt=b"\0" * (1024 * 1024 - len(TINY_PNG)))

    [attachment] = svc.ticket_add_attachments(number=ticket.number, actor=agent, attachments=[fits])

    assert attachment.size == 1024 * 1024


def test_an_empty_file_is_refused(make_ticket, agent):
    ticket = make_ticket(State.REGISTERED)

    with unchanged(ticket), pytest.raises(ValidationFailed) as refused:
        svc.ticket_add_attachments(number=ticket.number, actor=agent, attachments=[
            SimpleUploadedFile("空.png", b"", content_type="image/png")])

    assert refused.value.code == "attachment_empty"


def test_one_refused_file_in_a_batch_stores_none_of_them(make_ticket, agent):
    ticket = make_ticket(State.REGISTERED)
    good = png("好的.png", salt=b"batch-good-file")

    with unchanged(ticket), pytest.raises(ValidationFailed):
        svc.ticket_add_attachments(number=ticket.number, actor=agent, attachments=[good, text_file("坏的.jpg")])

    assert not default_storage.exists(_stored_path(TINY_PNG + b"batch-good-file"))


def test_uploading_nothing_is_refused(make_ticket, agent):
    ticket = make_ticket(State.REGISTERED)

    with unchanged(ticket), pytest.raises(ValidationFailed) as refused:
        svc.ticket_add_attachments(number=ticket.number, actor=agent, attachments=[])
    assert refused.value.code == "attachment_missing"


def test_files_on_an_internal_note_stay_internal(make_ticket, handler):
    ticket = make_ticket(State.IN_PROGRESS)

    event = svc.ticket_add_note(number=ticket.number, actor=handler, body="内部：疑似批次问题",
                                attachments=[png("内部检测.png")])

    assert event.is_internal
    assert Attachment.objects.get(event=event).is_internal


def test_a_note_needs_words_or_a_file(make_ticket, handler):
    ticket = make_ticket(State.IN_PROGRESS)

    with unchanged(ticket), pytest.raises(ValidationFailed) as refused:
        svc.ticket_add_note(number=ticket.number, actor=handler, body="   ")
    assert refused.value.code == "note_empty"

    svc.ticket_add_note(number=ticket.number, actor=handler, body="", attachments=[png()])
    assert Attachment.objects.filter(ticket=ticket).count() == 1


# ---------------------------------------------------------------- proof of the result


def test_resolving_without_proof_is_refused(make_ticket, handler):
    ticket = make_ticket(State.IN_PROGRESS)

    with unchanged(ticket), pytest.raises(ValidationFailed) as refused:
        svc.ticket_resolve(number=ticket.number, actor=handler, result="已更换主板，试机正常")
    assert refused.value.code == "proof_required"


def test_resolving_with_a_refused_proof_file_changes_nothing(make_ticket, handler):
    ticket = make_ticket(State.IN_PROGRESS)

    with unchanged(ticket), pytest.raises(ValidationFailed) as refused:
        svc.ticket_resolve(number=ticket.number, actor=handler, result="已处理", attachments=[text_file()])
    assert refused.value.code == "attachment_type_refused"


def test_resolving_needs_a_result(make_ticket, handler):
    ticket = make_ticket(State.IN_PROGRESS)

    with unchanged(ticket), pytest.raises(ValidationFailed) as refused:
        svc.ticket_resolve(number=ticket.number, actor=handler, result=" ", attachments=[png()])
    assert refused.value.code == "reason_required"
    assert refused.value.detail["field"] == "result"


def test_a_file_uploaded_earlier_to_this_case_is_accepted_as_proof(make_ticket, handler):
    ticket = make_ticket(State.IN_PROGRESS)
    [record] = svc.ticket_add_attachments(number=ticket.number, actor=handler,
                                          attachments=[png("维修单.png", salt=b"earlier")])

    svc.ticket_resolve(number=ticket.number, actor=handler, result="已更换主板", responsibility="production",
                       attachment_ids=[record.pk])

    ticket.refresh_from_db()
    assert (ticket.state, ticket.responsibility) == (State.RESOLVED, "production")
    event = TicketEvent.objects.get(ticket=ticket, kind=events.RESOLVED)
    assert event.data["proof_attachment_ids"] == [record.pk]


def test_proof_uploaded_with_the_resolution_is_attached_to_its_event(make_ticket, handler):
    ticket = make_ticket(State.IN_PROGRESS)

    svc.ticket_resolve(number=ticket.number, actor=handler, result="已补发", attachments=[png("签收单.png")])

    event = TicketEvent.objects.get(ticket=ticket, kind=events.RESOLVED)
    proof = Attachment.objects.get(event=event)
    assert event.data["proof_attachment_ids"] == [proof.pk]
    assert not proof.is_internal


def test_another_cases_file_is_not_accepted_as_proof(make_ticket, handler):
    ticket = make_ticket(State.IN_PROGRESS)
    other = make_ticket(State.IN_PROGRESS)
    [foreign] = svc.ticket_add_attachments(number=other.number, actor=handler, attachments=[png()])

    with unchanged(ticket), pytest.raises(ValidationFailed) as refused:
        svc.ticket_resolve(number=ticket.number, actor=handler, result="已处理", attachment_ids=[foreign.pk])
    assert refused.value.code == "unknown_attachment"


def test_an_unknown_responsibility_is_refused(make_ticket, handler):
    ticket = make_ticket(State.IN_PROGRESS)

    with unchanged(ticket), pytest.raises(ValidationFailed) as refused:
        svc.ticket_resolve(number=ticket.number, actor=handler, result="已处理", responsibility="fate",
                           attachments=[png()])
    assert refused.value.code == "invalid_responsibility"


def test_attachments_cannot_be_added_to_an_archived_case(make_ticket, supervisor):
    from aftersales.tickets.errors import InvalidTransition

    ticket = make_ticket(State.ARCHIVED)

    with unchanged(ticket), pytest.raises(InvalidTransition):
        svc.ticket_add_attachments(number=ticket.number, actor=supervisor, attachments=[png()])
    assert Ticket.objects.get(pk=ticket.pk).state == State.ARCHIVED
