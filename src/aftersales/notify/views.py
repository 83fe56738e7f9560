"""The bell's inbox: one's own in-app notifications, and marking them read.

Glue only: one selector or service call, render. Marking read is a POST (CSRF);
htmx gets the list fragment plus the bell out of band, everyone else a redirect.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from aftersales.core.htmx import is_partial_request, render_page
from aftersales.core.pagination import paginate
from aftersales.core.views import or_404

from . import selectors
from .services import notifications_mark_read


def _int(value: str | None, default: int) -> int:
    try:
        return int(value or default)
    except ValueError:
        return default


def _inbox_page(request: HttpRequest, *, status: int = 200) -> HttpResponse:
    params = request.GET if request.method == "GET" else request.POST
    unread_only = params.get("unread") == "1"
    page = paginate(selectors.inbox(user=request.user, unread_only=unread_only),
                    page=_int(params.get("page"), 1), size=settings.AFTERSALES_PAGE_SIZE)
    back = reverse("notify:list") + "?" + urlencode({**({"unread": 1} if unread_only else {}), "page": page.number})
    return render_page(request, "notify/notifications.html", {
        "page": page, "unread_only": unread_only, "back": back,
        "oob_bell": request.method == "POST",
    }, partial="inbox", status=status)


@login_required
@require_GET
def notifications_view(request: HttpRequest) -> HttpResponse:
    return _inbox_page(request)


def _after_marking(request: HttpRequest) -> HttpResponse:
    if is_partial_request(request):
        return _inbox_page(request)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = ""
    return redirect(target or "notify:list")


@login_required
@require_POST
def notification_read_view(request: HttpRequest, pk: int) -> HttpResponse:
    or_404(selectors.notification_get_for_user, user=request.user, pk=pk)
    notifications_mark_read(user=request.user, ids=[pk])
    return _after_marking(request)


@login_required
@require_POST
def notifications_read_all_view(request: HttpRequest) -> HttpResponse:
    count = notifications_mark_read(user=request.user)
    if not is_partial_request(request):
        messages.success(request, ngettext("{count} notification marked read.", "{count} notifications marked read.",
                                           count).format(count=count) if count else _("Nothing unread."))
    return _after_marking(request)
