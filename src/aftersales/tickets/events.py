"""Kinds of dossier events. Stored as codes; labels are looked up when shown."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

REGISTERED = "registered"
CREATED = "created"  # arrived as "new", registration still to confirm
CLASSIFIED = "classified"
RECLASSIFIED = "reclassified"
ASSIGNED = "assigned"
TRANSFERRED = "transferred"
OWNER_TRANSFERRED = "owner_transferred"
TRANSFER_FLAGGED = "transfer_flagged"
PLAN_PROPOSED = "plan_proposed"
PLAN_APPROVED = "plan_approved"
PLAN_REFUSED = "plan_refused"
PLAN_OFFERED = "plan_offered"
PLAN_ACCEPTED = "plan_accepted"
PLAN_REJECTED = "plan_rejected"
ON_HOLD = "on_hold"
RESUMED = "resumed"
RESOLVED = "resolved"
FED_BACK = "fed_back"
CONFIRMED = "confirmed"
DISPUTED = "disputed"
REOPENED = "reopened"
ARCHIVED = "archived"
CANCELLED = "cancelled"
NOTE = "note"
REPLY = "reply"
ATTACHMENT_ADDED = "attachment_added"
# Written by the SLA clocks and the tick (always internal).
SLA_REPLANNED = "sla_replanned"
SLA_WARNING = "sla_warning"
SLA_BREACHED = "sla_breached"
SLA_ESCALATED = "sla_escalated"
PROGRESS_REMINDER = "progress_reminder"
# Written by triage on arrival (always internal).
TRIAGE_SUGGESTED = "triage_suggested"

LABELS = {
    CREATED: _("Case received"),
    REGISTERED: _("Case registered"),
    CLASSIFIED: _("Classified"),
    RECLASSIFIED: _("Classification changed"),
    ASSIGNED: _("Assigned"),
    TRANSFERRED: _("Transferred"),
    OWNER_TRANSFERRED: _("Owner changed"),
    TRANSFER_FLAGGED: _("Flagged: transferred too often"),
    PLAN_PROPOSED: _("Plan proposed"),
    PLAN_APPROVED: _("Plan approved"),
    PLAN_REFUSED: _("Plan refused"),
    PLAN_OFFERED: _("Plan presented to customer"),
    PLAN_ACCEPTED: _("Customer accepted the plan"),
    PLAN_REJECTED: _("Customer rejected the plan"),
    ON_HOLD: _("On hold"),
    RESUMED: _("Resumed"),
    RESOLVED: _("Resolved"),
    FED_BACK: _("Result fed back to customer"),
    CONFIRMED: _("Customer confirmed; case closed"),
    DISPUTED: _("Customer disputed the result"),
    REOPENED: _("Reopened"),
    ARCHIVED: _("Archived"),
    CANCELLED: _("Cancelled"),
    NOTE: _("Internal note"),
    REPLY: _("Reply to customer"),
    ATTACHMENT_ADDED: _("Attachment added"),
    SLA_REPLANNED: _("Deadlines re-planned"),
    SLA_WARNING: _("Deadline warning"),
    SLA_BREACHED: _("Deadline breached"),
    SLA_ESCALATED: _("Escalated"),
    PROGRESS_REMINDER: _("Progress update overdue: reminder sent"),
    TRIAGE_SUGGESTED: _("Classification suggested"),
}

# Events a customer may see (the portal, customer-facing reads). Everything else,
# notes above all, is internal.
CUSTOMER_VISIBLE = frozenset({
    CREATED, REGISTERED, PLAN_OFFERED, PLAN_ACCEPTED, PLAN_REJECTED, ON_HOLD, RESUMED,
    RESOLVED, FED_BACK, CONFIRMED, DISPUTED, REOPENED, CANCELLED, REPLY,
})
# Events that count as an update the customer received (progress cadence clock).
CUSTOMER_UPDATES = frozenset({REPLY, PLAN_OFFERED, ON_HOLD, FED_BACK})


def label(kind: str) -> str:
    return str(LABELS.get(kind, kind))
