"""Display helpers for the staff console: navigation, badges, labels.

Presentation only: which actions a user may run is computed by the views from
``ticket_allowed_actions``; nothing here decides permissions on a case.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from aftersales.accounts.roles import Role
from aftersales.sla.selectors import can_see_board
from aftersales.tickets import events, presenters
from aftersales.tickets.services import action_permitted_to_register
from aftersales.triage.selectors import can_see_rules

register = template.Library()


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool
    icon: str


def _nav_active(request: Any, path: str, query: dict[str, str]) -> bool:
    if request.path != path:
        return False
    params = request.GET
    scope, state = params.get("scope", ""), params.get("state", "")
    if "scope" in query or "state" in query:
        return scope == query.get("scope", "") and state == query.get("state", "")
    return scope in {"", "all"} and not state


@register.simple_tag(takes_context=True)
def console_nav(context: template.Context) -> list[NavItem]:
    """The header navigation for the signed-in user (what their role can reach)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated:
        return []
    cases = reverse("tickets:list")
    items: list[tuple[str, str, dict[str, str], str]] = [(_("Cases"), cases, {}, "list")]
    items.append((_("My cases"), cases, {"scope": "mine"}, "user"))
    if user.department_id:
        items.append((_("My department"), cases, {"scope": "department"}, "team"))
    if user.is_superuser or user.role in {Role.SUPERVISOR, Role.ADMIN}:
        items.append((_("To classify"), cases, {"state": "registered"}, "inbox"))
    result = [
        NavItem(label, url + ("?" + "&".join(f"{k}={v}" for k, v in q.items()) if q else ""),
                _nav_active(request, url, q), icon)
        for label, url, q, icon in items
    ]
    if can_see_board(user):
        board = reverse("sla:board")
        result.append(NavItem(_("Deadlines"), board, request.path == board, "alarm"))
    if can_see_rules(user):
        rules = reverse("triage:rules")
        result.append(NavItem(_("Routing rules"), rules, request.path == rules, "transfer"))
    if action_permitted_to_register(user):
        new = reverse("tickets:create")
        result.append(NavItem(_("Register case"), new, request.path == new, "plus"))
    tokens = reverse("accounts:tokens")
    result.append(NavItem(_("API tokens"), tokens, request.path == tokens, "key"))
    if user.is_staff or user.is_admin_role:
        result.append(NavItem(_("Admin"), reverse("admin:index"), False, "gear"))
    return result


STATE_TONES = {
    "new": "slate", "registered": "blue", "classified": "cyan", "assigned": "indigo",
    "awaiting_approval": "orange", "plan_proposed": "violet", "awaiting_customer": "amber",
    "in_progress": "sky", "on_hold": "rose", "resolved": "green", "awaiting_confirmation": "teal",
    "closed": "gray", "reopened": "red", "archived": "stone",
}
PRIORITY_TONES = {"P1": "p1", "P2": "p2", "P3": "p3"}
EVENT_TONES = {
    events.NOTE: "note", events.REPLY: "reply", events.TRANSFER_FLAGGED: "warn", events.PLAN_REFUSED: "warn",
    events.PLAN_REJECTED: "warn", events.DISPUTED: "warn", events.REOPENED: "warn", events.CANCELLED: "muted",
    events.RESOLVED: "ok", events.CONFIRMED: "ok", events.PLAN_APPROVED: "ok",
    events.SLA_WARNING: "warn", events.PROGRESS_REMINDER: "warn", events.SLA_BREACHED: "danger",
    events.SLA_ESCALATED: "danger", events.SLA_REPLANNED: "sla",
}


@register.filter
def state_tone(state: str) -> str:
    return STATE_TONES.get(state, "gray")


@register.filter
def priority_tone(priority: str) -> str:
    return PRIORITY_TONES.get(priority, "none")


@register.filter
def event_label(kind: str) -> str:
    return events.label(kind)


@register.filter
def event_tone(kind: str) -> str:
    return EVENT_TONES.get(kind, "")


@register.filter
def approval_reasons(reasons: list[str]) -> list[str]:
    return presenters.approval_reason_labels(reasons)


@register.filter
def filesize(size: int) -> str:
    size = int(size or 0)
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


@register.simple_tag(takes_context=True)
def query_with(context: template.Context, **changes: Any) -> str:
    """The current query string with some parameters replaced (pagination links keep the filters)."""
    request = context["request"]
    params = request.GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


ICONS = {
    "list": '<path d="M8 6h13M8 12h13M8 18h13M3 6h.01M3 12h.01M3 18h.01"/>',
    "user": '<circle cx="12" cy="8" r="4"/><path d="M4 21c0-4 4-6 8-6s8 2 8 6"/>',
    "team": '<circle cx="9" cy="8" r="3.5"/><path d="M2 20c0-3.5 3-5.5 7-5.5s7 2 7 5.5"/>'
            '<path d="M16 4.5a3.5 3.5 0 010 7M18 14.8c2.4.6 4 2.4 4 5.2"/>',
    "inbox": '<path d="M3 13h5l2 3h4l2-3h5"/><path d="M5.5 5h13L21 13v6H3v-6z"/>',
    "plus": '<path d="M12 5v14M5 12h14"/>',
    "key": '<circle cx="7.5" cy="15.5" r="4.5"/><path d="M10.7 12.3L20 3M16 7l3 3M14 9l2 2"/>',
    "gear": '<circle cx="12" cy="12" r="3"/><path d="M12 2v3M12 19v3M2 12h3M19 12h3M4.9 4.9L7 7M17 17l2.1 '
            '2.1M4.9 19.1L7 17M17 7l2.1-2.1"/>',
    "flag": '<path d="M5 21V4M5 4h12l-2.5 4L17 12H5"/>',
    "clip": '<path d="M21 11l-8.5 8.5a5 5 0 01-7-7L14 4a3.5 3.5 0 015 5l-8.5 8.5a2 2 0 01-3-3L15 7"/>',
    "lock": '<rect x="5" y="11" width="14" height="10" rx="2"/><path d="M8 11V7a4 4 0 018 0v4"/>',
    "search": '<circle cx="11" cy="11" r="7"/><path d="M21 21l-5-5"/>',
    "logout": '<path d="M15 4h4v16h-4M10 17l5-5-5-5M15 12H3"/>',
    "globe": '<circle cx="12" cy="12" r="9"/><path d="M3 12h18M12 3a14 14 0 010 18M12 3a14 14 0 000 18"/>',
    "alert": '<path d="M12 3l10 18H2z"/><path d="M12 10v4M12 17h.01"/>',
    "download": '<path d="M12 3v12M7 10l5 5 5-5M4 21h16"/>',
    "file": '<path d="M6 2h9l5 5v15H6z"/><path d="M14 2v6h6"/>',
    "refresh": '<path d="M20 11a8 8 0 10-2.3 5.7M20 4v7h-7"/>',
    "clock": '<circle cx="12" cy="12" r="9"/><path d="M12 7v5l3 2"/>',
    "transfer": '<path d="M4 7h14l-4-4M20 17H6l4 4"/>',
    "check": '<path d="M4 12l5 5L20 6"/>',
    "x": '<path d="M6 6l12 12M18 6L6 18"/>',
    "chat": '<path d="M4 5h16v11H9l-5 4z"/>',
    "box": '<path d="M3 7l9-4 9 4v10l-9 4-9-4z"/><path d="M3 7l9 4 9-4M12 11v10"/>',
    "filter": '<path d="M3 5h18l-7 8v6l-4 2v-8z"/>',
    "alarm": '<circle cx="12" cy="13" r="8"/><path d="M12 9v4l2.5 2M5 3L2 6M19 3l3 3"/>',
    "bell": '<path d="M6 16V11a6 6 0 0112 0v5l2 2H4z"/><path d="M10 21h4"/>',
}


@register.simple_tag
def icon(name: str, size: int = 16, css: str = "") -> str:
    """An inline stroke icon (hand-drawn set, no icon font, no CDN)."""
    return format_html(
        '<svg class="icon {}" width="{}" height="{}" viewBox="0 0 24 24" fill="none" stroke="currentColor" '
        'stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">{}</svg>',
        css, size, size, mark_safe(ICONS.get(name, "")),
    )
