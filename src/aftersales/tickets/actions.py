"""The action registry: action code → input schema → service call.

The API endpoint ``POST /tickets/{number}/actions/{action}`` and the console's
action forms both go through :func:`run_action`, so an action behaves the same
whichever door it comes through.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pydantic
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from aftersales.accounts.models import User
from aftersales.core.errors import NotFound, ValidationFailed

from . import schemas as s
from . import services as svc
from .models import Ticket
from .states import Action

Runner = Callable[[str, User, Any, Sequence[UploadedFile]], Ticket]


@dataclass(frozen=True)
class ActionSpec:
    schema: type[s.ActionIn]
    run: Runner
    accepts_files: bool = False


def _ticket_of(number: str) -> Ticket:
    return Ticket.objects.get(number=number)


def _note(internal: bool) -> Runner:
    def run(number: str, actor: User, d: Any, files: Sequence[UploadedFile]) -> Ticket:
        svc.ticket_add_note(number=number, actor=actor, body=d.body, internal=internal, attachments=files,
                            version=d.version)
        return _ticket_of(number)

    return run


def _classify(number: str, actor: User, d: Any) -> Ticket:
    return svc.ticket_classify(
        number=number, actor=actor, category=d.category, subcategory=d.subcategory, priority=d.priority,
        risk_flags=[str(x) for x in d.risk_flags] if d.risk_flags is not None else None,
        demand=str(d.demand) if d.demand else "", version=d.version)


ACTIONS: dict[str, ActionSpec] = {
    Action.REGISTER: ActionSpec(s.EmptyIn, lambda n, a, d, f: svc.ticket_confirm_registration(
        number=n, actor=a, version=d.version)),
    Action.CLASSIFY: ActionSpec(s.ClassifyIn, lambda n, a, d, f: _classify(n, a, d)),
    Action.RECLASSIFY: ActionSpec(s.ClassifyIn, lambda n, a, d, f: _classify(n, a, d)),
    Action.ASSIGN: ActionSpec(s.AssignIn, lambda n, a, d, f: svc.ticket_assign(
        number=n, actor=a, department=d.department, assignee=d.assignee, auto_assign=d.auto_assign,
        reason=d.reason, version=d.version)),
    Action.TRANSFER: ActionSpec(s.TransferIn, lambda n, a, d, f: svc.ticket_transfer(
        number=n, actor=a, department=d.department, assignee=d.assignee, reason=d.reason, version=d.version)),
    Action.TRANSFER_OWNER: ActionSpec(s.TransferOwnerIn, lambda n, a, d, f: svc.ticket_transfer_owner(
        number=n, actor=a, new_owner=d.new_owner, reason=d.reason, version=d.version)),
    Action.PROPOSE_PLAN: ActionSpec(s.PlanIn, lambda n, a, d, f: svc.ticket_propose_plan(
        number=n, actor=a, plan=d.model_dump(exclude={"version"}), version=d.version)),
    Action.APPROVE_PLAN: ActionSpec(s.OptionalReasonIn, lambda n, a, d, f: svc.ticket_decide_plan(
        number=n, actor=a, approve=True, reason=d.reason, version=d.version)),
    Action.REFUSE_PLAN: ActionSpec(s.ReasonIn, lambda n, a, d, f: svc.ticket_decide_plan(
        number=n, actor=a, approve=False, reason=d.reason, version=d.version)),
    Action.OFFER_PLAN: ActionSpec(s.MessageIn, lambda n, a, d, f: svc.ticket_offer_plan(
        number=n, actor=a, message=d.message, version=d.version)),
    Action.ACCEPT_PLAN: ActionSpec(s.OptionalReasonIn, lambda n, a, d, f: svc.ticket_record_customer_decision(
        number=n, actor=a, accept=True, reason=d.reason, version=d.version)),
    Action.REJECT_PLAN: ActionSpec(s.ReasonIn, lambda n, a, d, f: svc.ticket_record_customer_decision(
        number=n, actor=a, accept=False, reason=d.reason, version=d.version)),
    Action.HOLD: ActionSpec(s.HoldIn, lambda n, a, d, f: svc.ticket_hold(
        number=n, actor=a, hold_reason=d.hold_reason, note=d.note, version=d.version)),
    Action.RESUME: ActionSpec(s.ResumeIn, lambda n, a, d, f: svc.ticket_resume(
        number=n, actor=a, note=d.note, version=d.version)),
    Action.RESOLVE: ActionSpec(s.ResolveIn, lambda n, a, d, f: svc.ticket_resolve(
        number=n, actor=a, result=d.result, responsibility=d.responsibility, attachments=f,
        attachment_ids=d.attachment_ids, version=d.version), accepts_files=True),
    Action.FEED_BACK: ActionSpec(s.RequiredMessageIn, lambda n, a, d, f: svc.ticket_feed_back(
        number=n, actor=a, message=d.message, version=d.version)),
    Action.CONFIRM: ActionSpec(s.ConfirmIn, lambda n, a, d, f: svc.ticket_confirm(
        number=n, actor=a, note=d.note, version=d.version)),
    Action.DISPUTE: ActionSpec(s.ReasonIn, lambda n, a, d, f: svc.ticket_dispute(
        number=n, actor=a, reason=d.reason, version=d.version)),
    Action.REOPEN: ActionSpec(s.ReasonIn, lambda n, a, d, f: svc.ticket_reopen(
        number=n, actor=a, reason=d.reason, version=d.version)),
    Action.ARCHIVE: ActionSpec(s.EmptyIn, lambda n, a, d, f: svc.ticket_archive(
        number=n, actor=a, version=d.version)),
    Action.CANCEL: ActionSpec(s.ReasonIn, lambda n, a, d, f: svc.ticket_cancel(
        number=n, actor=a, reason=d.reason, version=d.version)),
    Action.NOTE: ActionSpec(s.NoteIn, _note(internal=True), accepts_files=True),
    Action.REPLY: ActionSpec(s.NoteIn, _note(internal=False), accepts_files=True),
}


def parse_action(action: str, data: dict[str, Any]) -> tuple[ActionSpec, s.ActionIn]:
    spec = ACTIONS.get(action)
    if spec is None:
        raise NotFound(_("Unknown action “{action}”.").format(action=action), code="unknown_action",
                       detail={"action": action, "actions": sorted(ACTIONS)})
    try:
        return spec, spec.schema.model_validate(data)
    except pydantic.ValidationError as exc:
        raise ValidationFailed(_("The action's fields are not valid."), code="invalid",
            detail={"errors": [{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
                               for e in exc.errors(include_url=False, include_context=False)]},
        ) from exc


def run_action(*, number: str, action: str, actor: User, data: dict[str, Any],
               files: Sequence[UploadedFile] = ()) -> Ticket:
    """Validate the fields of ``action`` and run its service."""
    spec, parsed = parse_action(action, data)
    if files and not spec.accepts_files:
        raise ValidationFailed(_("This action does not take files."), code="files_not_accepted",
                               detail={"field": "files"})
    return spec.run(number, actor, parsed, files)
