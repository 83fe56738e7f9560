"""Reads of the clocks for the console: one case's clocks, and the supervisor's board.

The board reads the case rows' denormalised nearest deadline (``sla_due_at``,
``sla_warn_at``, indexed), never the clock table, so it costs the same however many
clocks a case has run:

- at risk (amber): ``sla_warn_at <= now < sla_due_at``
- breached (red): ``sla_due_at <= now``

A case is counted for its department, or, before it is dispatched, for its
first-contact owner's department (the same rule the breach counts use).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, Count, F, IntegerField, Min, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce

from aftersales.accounts.models import Department, User
from aftersales.accounts.roles import Role
from aftersales.core import clock
from aftersales.tickets.models import Ticket
from aftersales.tickets.selectors import ticket_visible_queryset
from aftersales.tickets.states import OPEN_STATES

from .models import ClockStatus, SlaClock

BOARD_ROLES = frozenset({Role.SUPERVISOR, Role.DEPARTMENT_HEAD, Role.ADMIN, Role.AUDITOR})
BOARD_VIEWS = ("all", "at_risk", "breached")


def can_see_board(user: User) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.role in BOARD_ROLES))


def ticket_clocks(*, ticket: Ticket) -> list[SlaClock]:
    """Every clock the case has run, in the order they started."""
    return list(SlaClock.objects.filter(ticket=ticket).order_by("started_at", "metric", "cycle", "id"))


def running_clocks_by_ticket(ticket_ids: list[int]) -> dict[int, SlaClock]:
    """The nearest running clock of each case (which deadline the board is showing). One query."""
    nearest: dict[int, SlaClock] = {}
    if not ticket_ids:
        return nearest
    rows = (SlaClock.objects.filter(ticket_id__in=ticket_ids, status=ClockStatus.RUNNING)
            .only("id", "ticket_id", "metric", "cycle", "due_at", "warn_at").order_by("due_at", "id"))
    for item in rows:
        nearest.setdefault(item.ticket_id, item)
    return nearest


# ---------------------------------------------------------------- the board


def _at_risk(now: dt.datetime) -> Q:
    return Q(sla_warn_at__lte=now, sla_due_at__gt=now)


def _breached(now: dt.datetime) -> Q:
    return Q(sla_due_at__lte=now)


def board_queryset(*, viewer: User, now: dt.datetime | None = None) -> QuerySet[Ticket]:
    """Open cases the viewer may see whose nearest deadline is at risk or past."""
    now = now or clock.now()
    return (
        ticket_visible_queryset(viewer=viewer)
        .filter(state__in=list(OPEN_STATES), sla_due_at__isnull=False)
        .filter(_at_risk(now) | _breached(now))
        .annotate(board_department=Coalesce(F("department_id"), F("owner__department_id")))
    )


@dataclass(frozen=True)
class DepartmentCount:
    department: Department | None
    at_risk: int
    breached: int
    first_due: dt.datetime | None

    @property
    def code(self) -> str:
        return self.department.code if self.department else "none"

    @property
    def total(self) -> int:
        return self.at_risk + self.breached


def board_counts(*, viewer: User, now: dt.datetime | None = None) -> list[DepartmentCount]:
    """At-risk and breached counts per department, the most urgent department first. Two queries."""
    now = now or clock.now()
    rows = list(
        board_queryset(viewer=viewer, now=now).order_by().values("board_department").annotate(
            at_risk=Count("id", filter=_at_risk(now)), breached=Count("id", filter=_breached(now)),
            first_due=Min("sla_due_at"),
        )
    )
    ids = [r["board_department"] for r in rows if r["board_department"]]
    departments = {d.pk: d for d in Department.objects.filter(pk__in=ids)} if ids else {}
    counts = [DepartmentCount(department=departments.get(r["board_department"]), at_risk=r["at_risk"],
                              breached=r["breached"], first_due=r["first_due"]) for r in rows]
    return sorted(counts, key=lambda c: (c.first_due is None, c.first_due, c.code))


def board_cases(*, viewer: User, counts: list[DepartmentCount], view: str = "all", department: str = "",
                now: dt.datetime | None = None) -> QuerySet[Ticket]:
    """The board's rows, grouped by department (in the order of ``counts``), nearest deadline first."""
    now = now or clock.now()
    qs = board_queryset(viewer=viewer, now=now).select_related(
        "customer", "owner", "department", "assignee")
    if view == "at_risk":
        qs = qs.filter(_at_risk(now))
    elif view == "breached":
        qs = qs.filter(_breached(now))
    if department == "none":
        qs = qs.filter(board_department__isnull=True)
    elif department:
        qs = qs.filter(board_department__in=Department.objects.filter(code=department).values("pk"))
    rank = [When(board_department=c.department.pk, then=Value(i)) for i, c in enumerate(counts) if c.department]
    group = Case(*rank, default=Value(len(counts)), output_field=IntegerField()) if rank else Value(0)
    return qs.annotate(board_rank=group).order_by("board_rank", "sla_due_at", "id")
