"""What the console shows of the clocks: deadline badges, remaining time, the clock table.

Display only, no queries: everything is computed from rows a selector already read
(the case's denormalised ``sla_due_at`` / ``sla_warn_at`` / ``sla_paused``, or its
``SlaClock`` rows) and the moment ``now`` the page is rendered at.

Badge tones: ``green`` before the warning, ``amber`` from the warning to the due
time, ``red`` past due (or breached), ``grey`` paused, ``none`` when nothing runs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from aftersales.core import clock

from .models import ClockStatus, Metric, SlaClock

GREEN, AMBER, RED, GREY, NONE = "green", "amber", "red", "grey", "none"


@dataclass(frozen=True)
class DeadlineBadge:
    tone: str  # green | amber | red | grey | none
    label: str = ""  # short state: 正常 / 预警 / 超时 / 已暂停
    remaining: str = ""  # "剩余 1小时20分" / "已超时 35分"
    due_at: dt.datetime | None = None

    @property
    def is_none(self) -> bool:
        return self.tone == NONE

    @property
    def due_local(self) -> str:
        return local(self.due_at)

    @property
    def css(self) -> str:
        return f"sla-{self.tone}"


NO_BADGE = DeadlineBadge(tone=NONE)


def local(moment: dt.datetime | None) -> str:
    """A moment as Beijing wall-clock time, whatever the server's zone."""
    return moment.astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H:%M") if moment else ""


def span(seconds: float) -> str:
    """A length of time, short: "1小时20分" / "1 h 20 min", "2天3小时" / "2 d 3 h", "35分" / "35 min"."""
    minutes = int(max(seconds, 0) // 60)
    if minutes < 1:
        return pgettext("deadline", "under 1 min")
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        if hours:
            return pgettext("deadline", "{d} d {h} h").format(d=days, h=hours)
        return pgettext("deadline", "{d} d").format(d=days)
    if hours:
        if minutes:
            return pgettext("deadline", "{h} h {m} min").format(h=hours, m=minutes)
        return pgettext("deadline", "{h} h").format(h=hours)
    return pgettext("deadline", "{m} min").format(m=minutes)


def remaining_text(due_at: dt.datetime, now: dt.datetime) -> str:
    """ "剩余 1小时20分" before the deadline, "已超时 35分" after it."""
    left = (due_at - now).total_seconds()
    if left > 0:
        return _("{span} left").format(span=span(left))
    return _("{span} overdue").format(span=span(-left))


def deadline_badge(*, due_at: dt.datetime | None, warn_at: dt.datetime | None, paused: bool = False,
                   now: dt.datetime | None = None) -> DeadlineBadge:
    """The badge for a running deadline (or a paused case with none running)."""
    if due_at is None:
        return DeadlineBadge(tone=GREY, label=_("Paused")) if paused else NO_BADGE
    now = now or clock.now()
    if now >= due_at:
        tone, label = RED, _("Overdue")
    elif warn_at is not None and now >= warn_at:
        tone, label = AMBER, _("Due soon")
    else:
        tone, label = GREEN, _("On time")
    return DeadlineBadge(tone=tone, label=label, remaining=remaining_text(due_at, now), due_at=due_at)


def ticket_badge(ticket, now: dt.datetime | None = None) -> DeadlineBadge:
    """The case's nearest running deadline, from the columns on the case row (no query)."""
    return deadline_badge(due_at=ticket.sla_due_at, warn_at=ticket.sla_warn_at, paused=ticket.sla_paused,
                          now=now)


def clock_badge(item: SlaClock, now: dt.datetime | None = None) -> DeadlineBadge:
    """One clock's badge, whatever its status."""
    now = now or clock.now()
    if item.status == ClockStatus.RUNNING:
        return deadline_badge(due_at=item.due_at, warn_at=item.warn_at, now=now)
    if item.status == ClockStatus.PAUSED:
        return DeadlineBadge(tone=GREY, label=_("Paused"), due_at=item.due_at,
                             remaining=_("{span} left").format(span=span((item.due_at - item.paused_at).total_seconds()))
                             if item.paused_at and item.paused_at < item.due_at else "")
    if item.status == ClockStatus.MET:
        return DeadlineBadge(tone=GREEN, label=_("Met"), due_at=item.due_at)
    if item.status == ClockStatus.BREACHED:
        late = (item.stopped_at - item.due_at).total_seconds() if item.stopped_at else 0
        return DeadlineBadge(tone=RED, label=_("Breached"), due_at=item.due_at,
                             remaining=_("{span} late").format(span=span(late)) if late > 0 else "")
    return DeadlineBadge(tone=NONE, label=_("Cancelled"), due_at=item.due_at)


def metric_label(metric: str) -> str:
    try:
        return str(Metric(metric).label)
    except ValueError:
        return metric


# ---------------------------------------------------------------- the case page's clock table


@dataclass
class ClockRow:
    clock: SlaClock
    metric: str
    badge: DeadlineBadge
    started: str
    due: str
    limit: str
    paused: str
    status: str
    breached: str = ""
    extra: list[str] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.clock.is_open

    @property
    def is_cancelled(self) -> bool:
        return self.clock.status == ClockStatus.CANCELLED


def clock_rows(clocks: list[SlaClock], now: dt.datetime | None = None) -> list[ClockRow]:
    now = now or clock.now()
    rows = []
    for item in clocks:
        label = metric_label(item.metric)
        if item.cycle > 1:
            label = _("{metric} (round {cycle})").format(metric=label, cycle=item.cycle)
        paused = item.paused_seconds
        if item.status == ClockStatus.PAUSED and item.paused_at:
            paused += int((now - item.paused_at).total_seconds())
        rows.append(ClockRow(
            clock=item, metric=label, badge=clock_badge(item, now), started=local(item.started_at),
            due=local(item.due_at), limit=span(item.target_minutes * 60), paused=span(paused) if paused else "",
            status=item.get_status_display(), breached=local(item.breached_at),
        ))
    return rows


def split_earlier_rounds(rows: list[ClockRow]) -> tuple[list[ClockRow], list[ClockRow]]:
    """(current, earlier): finished rounds of a repeating clock (progress updates, reopened work) fold away
    under the current round, so a long case keeps a short panel."""
    latest: dict[str, int] = {}
    for row in rows:
        latest[row.clock.metric] = max(latest.get(row.clock.metric, 0), row.clock.cycle)
    earlier = [r for r in rows if r.clock.cycle < latest[r.clock.metric] and not r.is_open]
    folded = {id(r) for r in earlier}
    return [r for r in rows if id(r) not in folded], earlier


def clock_summary(rows: list[ClockRow]) -> dict[str, int]:
    """Counts for the panel's head: open, met, breached."""
    return {
        "open": sum(1 for r in rows if r.is_open),
        "met": sum(1 for r in rows if r.clock.status == ClockStatus.MET),
        "breached": sum(1 for r in rows if r.clock.is_breached),
    }


# ---------------------------------------------------------------- the supervisor's board


@dataclass
class BoardRow:
    ticket: object
    badge: DeadlineBadge
    metric: str


@dataclass
class BoardGroup:
    code: str
    label: str
    at_risk: int
    breached: int
    rows: list[BoardRow] = field(default_factory=list)


def board_groups(items: list, *, counts: list, nearest: dict[int, SlaClock],
                 now: dt.datetime | None = None) -> list[BoardGroup]:
    """One page of board rows, grouped under their department (counts are the department's totals)."""
    now = now or clock.now()
    by_department = {c.department.pk if c.department else None: c for c in counts}
    groups: list[BoardGroup] = []
    for ticket in items:
        key = getattr(ticket, "board_department", None)
        if not groups or groups[-1].code != _group_code(key, by_department):
            count = by_department.get(key)
            groups.append(BoardGroup(
                code=_group_code(key, by_department),
                label=count.department.label if count and count.department else str(_("No department yet")),
                at_risk=count.at_risk if count else 0, breached=count.breached if count else 0,
            ))
        item = nearest.get(ticket.pk)
        groups[-1].rows.append(BoardRow(ticket=ticket, badge=ticket_badge(ticket, now),
                                        metric=metric_label(item.metric) if item else ""))
    return groups


def _group_code(key: int | None, by_department: dict) -> str:
    count = by_department.get(key)
    return count.code if count else "none"


def board_view_label(view: str) -> str:
    return {"at_risk": _("At risk"), "breached": _("Overdue")}.get(view, _("All"))
