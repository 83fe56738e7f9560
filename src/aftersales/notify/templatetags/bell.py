"""The bell in the header: the signed-in user's unread in-app notifications.

One indexed COUNT per page (``notify_bell``), computed only when the header is
rendered (never for htmx fragments) and remembered on the request; none when
signed out.
"""

from __future__ import annotations

from django import template

from aftersales.notify.services import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context: template.Context) -> int:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated:
        return 0
    if not hasattr(request, "_bell_unread"):
        request._bell_unread = unread_count(user)
    return request._bell_unread


@register.filter
def inbox_body(notification) -> str:
    """The body in the active language without its last line when that is only the case's address
    (the page links the case itself)."""
    lines = notification.display_body.rstrip().splitlines()
    number = notification.ticket.number if notification.ticket_id else None
    if number and lines and lines[-1].strip() == f"/cases/{number}/":
        lines = lines[:-1]
    return "\n".join(lines)
