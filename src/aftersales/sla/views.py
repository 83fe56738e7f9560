"""The supervisor's deadline board. Glue only: check the role, one selector call per part, render."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from aftersales.core import clock
from aftersales.core.htmx import render_page
from aftersales.core.pagination import paginate

from . import presenters, selectors


def _int(value: str | None, default: int) -> int:
    try:
        return int(value or default)
    except ValueError:
        return default


@login_required
@require_GET
def board_view(request: HttpRequest) -> HttpResponse:
    """Open cases at risk (amber) and breached (red), by department, nearest deadline first."""
    if not selectors.can_see_board(request.user):
        raise PermissionDenied
    now = clock.now()
    view = request.GET.get("view", "all")
    view = view if view in selectors.BOARD_VIEWS else "all"
    department = request.GET.get("department", "")
    counts = selectors.board_counts(viewer=request.user, now=now)
    page = paginate(selectors.board_cases(viewer=request.user, counts=counts, view=view, department=department,
                                          now=now),
                    page=_int(request.GET.get("page"), 1), size=settings.AFTERSALES_PAGE_SIZE)
    nearest = selectors.running_clocks_by_ticket([t.pk for t in page.items])
    return render_page(request, "sla/board.html", {
        "counts": counts, "page": page, "view": view, "department": department,
        "groups": presenters.board_groups(page.items, counts=counts, nearest=nearest, now=now),
        "total_at_risk": sum(c.at_risk for c in counts), "total_breached": sum(c.breached for c in counts),
        "views": [("all", presenters.board_view_label("all")), ("at_risk", presenters.board_view_label("at_risk")),
                  ("breached", presenters.board_view_label("breached"))],
        "now_local": presenters.local(now),
    }, partial="board")
