"""API: cases. Each handler is glue — parse, one service or selector call, render.

Actions go through :func:`aftersales.tickets.actions.run_action`, the same
dispatcher the console uses, so an action behaves the same through both doors.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.http import FileResponse
from ninja import Body, File, Form, Header, Query, Router, Status
from ninja.files import UploadedFile

from aftersales.accounts.api import ApiRequest
from aftersales.core.api import READ_ERRORS, WRITE_ERRORS, ErrorOut, PageOut, page_payload
from aftersales.core.pagination import paginate

from . import selectors as sel
from . import services as svc
from .actions import ACTIONS, run_action
from .api_schemas import (
    AttachmentOut,
    Audience,
    CategoryOut,
    TicketDetail,
    TicketDetailOut,
    TicketListQuery,
    TicketOut,
    TicketSummaryOut,
)
from .models import Attachment, Category, Ticket
from .schemas import TicketCreateIn

router = Router(tags=["cases"])

_ACTIONS_DOC = "\n".join(
    f"- `{code}`: {', '.join(f'`{f}`' for f in spec.schema.model_fields)}" for code, spec in ACTIONS.items()
)


@router.post("/tickets", response={201: TicketOut, 200: TicketOut, **WRITE_ERRORS}, summary="Register a case",
             description="With an `Idempotency-Key` header, repeating the same request returns the same case "
                         "(200) instead of creating another; reusing the key for a different body is a 422.")
def ticket_create(request: ApiRequest, payload: TicketCreateIn,
                  idempotency_key: str | None = Header(None, alias="Idempotency-Key")) -> Status[Ticket]:
    ticket, created = svc.ticket_register(actor=request.auth, data=payload.to_input(),
                                          idempotency_key=idempotency_key)
    return Status(201 if created else 200, ticket)


@router.get("/tickets", response={200: PageOut[TicketSummaryOut], **READ_ERRORS}, summary="List cases")
def ticket_list(request: ApiRequest, filters: Query[TicketListQuery]) -> dict[str, Any]:
    cases = sel.ticket_list(viewer=request.auth, filters=filters.to_filters())
    return page_payload(paginate(cases, page=filters.page, size=filters.page_size))


@router.get("/tickets/{number}", response={200: TicketDetailOut, **READ_ERRORS}, summary="A case with its dossier",
            description="`audience=customer` shows what the customer may see: no internal notes or events, "
                        "no internal files, only plans presented to them.")
def ticket_detail(request: ApiRequest, number: str, audience: Audience = "staff") -> TicketDetail:
    ticket = sel.ticket_get_for_viewer(viewer=request.auth, number=number)
    return TicketDetail(ticket, audience=audience)


@router.post("/tickets/{number}/actions/{action}", response={200: TicketOut, **WRITE_ERRORS},
             summary="Run an action on a case",
             description="The body holds the action's fields; every action also takes an optional `version` "
                         "(the version you saw; a mismatch is a 409 `version_conflict`). An action not allowed "
                         "in the case's state is a 409 `invalid_transition` whose detail names the state and "
                         "the allowed actions.\n\n" + _ACTIONS_DOC)
def ticket_action(request: ApiRequest, number: str, action: str,
                  fields: dict[str, Any] = Body(default_factory=dict)) -> Ticket:  # noqa: B008
    return run_action(number=number, action=action, actor=request.auth, data=fields)


@router.post("/tickets/{number}/attachments", response={201: list[AttachmentOut], **WRITE_ERRORS},
             summary="Upload evidence or proof",
             description="Multipart, field `files` (one or several). Checked by content: images, videos, PDF.")
def ticket_attachments_add(request: ApiRequest, number: str, files: File[list[UploadedFile]],
                           internal: Form[bool] = False, version: Form[int | None] = None,
                           ) -> Status[list[Attachment]]:
    stored = svc.ticket_add_attachments(number=number, actor=request.auth, attachments=files, internal=internal,
                                        version=version)
    return Status(201, stored)


@router.get("/attachments/{attachment_id}", response={401: ErrorOut, 404: ErrorOut}, url_name="attachment_download",
            summary="Download a file", openapi_extra={"responses": {"200": {
                "description": "the file", "content": {"application/octet-stream": {}}}}})
def attachment_download(request: ApiRequest, attachment_id: int) -> FileResponse:
    attachment = sel.attachment_get_for_viewer(viewer=request.auth, attachment_id=attachment_id)
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name,
                        content_type=attachment.content_type)


@router.get("/categories", response={200: list[CategoryOut], 401: ErrorOut}, summary="Problem categories (tree)")
def category_tree(request: ApiRequest) -> list[Category]:
    active = Category.objects.filter(is_active=True)
    return list(active.filter(parent=None).prefetch_related(Prefetch("children", queryset=active)))
