"""Stable error codes for the case lifecycle; interfaces map them once."""

from __future__ import annotations

from aftersales.core.errors import Conflict, NotFound


class TicketNotFound(NotFound):
    code = "ticket_not_found"


class InvalidTransition(Conflict):
    """The action is not allowed in the case's current state."""

    code = "invalid_transition"


class VersionConflict(Conflict):
    """Someone else changed the case since the actor loaded it."""

    code = "version_conflict"


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"
    status = 422
