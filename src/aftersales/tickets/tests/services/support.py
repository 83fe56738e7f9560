"""Helpers shared by the service and selector tests of the case lifecycle."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Callable, Iterator
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from aftersales.accounts.models import Department, User
from aftersales.core import clock
from aftersales.customers.services import CustomerInput
from aftersales.resolutions.models import Approval, Plan
from aftersales.tickets import services as svc
from aftersales.tickets.models import Attachment, Ticket, TicketEvent
from aftersales.tickets.scenarios import TINY_PNG


def make_user(username: str, role: str, department: str | None = None, **extra: Any) -> User:
    dept = Department.objects.get(code=department) if department else None
    return User.objects.create_user(username=username, password="pass12345", role=role, department=dept,
                                    **extra)


def registration(**overrides: Any) -> svc.RegistrationInput:
    """The unified registration form, filled in the way an agent on the phone would."""
    data: dict[str, Any] = {
        "customer": CustomerInput(name="张伟", phone="13800138000"),
        "product": svc.ProductInput(model="RC-30"),
        "description": "电饭煲用了两个月，煮饭时突然显示E3故障码，无法加热。",
        "channel": "phone",
        "demand": "repair",
    }
    data.update(overrides)
    return svc.RegistrationInput(**data)


def plan_data(**overrides: Any) -> dict[str, Any]:
    """A valid plan as the interfaces pass it to ``ticket_propose_plan``."""
    data: dict[str, Any] = {
        "kind": "repair", "summary": "安排工程师上门检测，确认故障后免费更换主板", "repair_mode": "onsite",
        "responsible_department": "technical_support", "due_at": clock.now() + dt.timedelta(hours=48),
    }
    data.update(overrides)
    return data


def png(name: str = "故障照片.png", *, salt: bytes = b"") -> SimpleUploadedFile:
    """A real PNG; ``salt`` after IEND gives it its own checksum (stored path)."""
    return SimpleUploadedFile(name, TINY_PNG + salt, content_type="image/png")


def text_file(name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, "这不是图片，只是一段文字。\n".encode() * 10, content_type="image/jpeg")


def _footprint(ticket: Ticket) -> dict[str, Any]:
    return {
        "row": Ticket.objects.filter(pk=ticket.pk).values().get(),
        "events": list(TicketEvent.objects.filter(ticket_id=ticket.pk).values_list("pk", "kind")),
        "plans": list(Plan.objects.filter(ticket_id=ticket.pk).values()),
        "approvals": list(Approval.objects.filter(plan__ticket_id=ticket.pk).values_list("pk", flat=True)),
        "attachments": list(Attachment.objects.filter(ticket_id=ticket.pk).values_list("pk", flat=True)),
    }


@contextlib.contextmanager
def unchanged(ticket: Ticket) -> Iterator[None]:
    """Assert the block leaves the case, its dossier, plans, approvals and files exactly as they were."""
    before = _footprint(ticket)
    yield
    assert _footprint(ticket) == before


def new_events(ticket: Ticket, since: set[int]) -> list[TicketEvent]:
    return list(TicketEvent.objects.filter(ticket_id=ticket.pk).exclude(pk__in=since).select_related("actor"))


def event_ids(ticket: Ticket) -> set[int]:
    return set(TicketEvent.objects.filter(ticket_id=ticket.pk).values_list("pk", flat=True))


def run_concurrently(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(i)`` in ``count`` threads released together; each result is a value or the exception.

    Every thread closes its own database connection, so neither SQLite nor
    PostgreSQL is left with a connection the test database teardown would trip on.
    """
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def target(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = work(i)
        except Exception as exc:  # collected, the test asserts on it
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a worker thread hung"
    return results
