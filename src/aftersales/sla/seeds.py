"""Default calendars, public holidays, the standard policy and the escalation chain (SPEC §3, §4).

Used by the data migration and by ``aftersales manage sync_public_holidays``; the
functions take model classes so the migration can pass its historical models.
"""

from __future__ import annotations

import datetime as dt

HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}

# (metric, priority, minutes, calendar override). Channels are staffed 24 h (SPEC §3), so
# the standard policy counts on the 24×7 calendar; the callback is "1–3 working days",
# i.e. up to 3 × 9 working hours on the cn-workday calendar.
STANDARD_TARGETS = [
    ("first_response", "", 30, None),
    ("registration", "", 120, None),
    ("classification", "", 60, None),
    ("handling_start", "P1", 4 * 60, None),
    ("handling_start", "P2", 8 * 60, None),
    ("handling_start", "P3", 24 * 60, None),
    ("plan", "", 120, None),
    ("initial_plan", "", 24 * 60, None),
    ("progress_update", "P1", 4 * 60, None),
    ("progress_update", "P2", 8 * 60, None),
    ("progress_update", "P3", 24 * 60, None),
    ("feedback", "", 60, None),
    ("survey", "", 24 * 60, None),
    ("callback", "", 3 * 9 * 60, "cn-workday"),
    ("closed_loop", "", 72 * 60, None),
]

# stage, delay (minutes), priority, recipients, order
ESCALATION_CHAIN = [
    ("warning", 0, "", ["assignee", "owner"], 10),
    ("breach", 0, "", ["supervisor"], 10),
    ("breach", 120, "", ["department_head"], 20),
    ("breach", 0, "P1", ["department_head"], 30),
]


def public_days_from_package() -> list[tuple[dt.date, str, str]]:
    """(date, kind, Chinese name) for every holiday and 调休 day chinese-calendar knows."""
    from chinese_calendar import constants

    days = [(day, "holiday", HOLIDAY_NAMES.get(name, name)) for day, name in constants.holidays.items()]
    days += [(day, "workday", HOLIDAY_NAMES.get(name, name) + "调休") for day, name in constants.workdays.items()]
    return sorted(days)


def seed_public_days(PublicDay) -> int:
    """Add the package's days that the table lacks; never overwrite an administrator's edit."""
    known = set(PublicDay.objects.values_list("date", flat=True))
    rows = [PublicDay(date=day, kind=kind, name=name) for day, kind, name in public_days_from_package()
            if day not in known]
    PublicDay.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def seed_defaults(Calendar, WorkingHours, SlaPolicy, SlaTarget, EscalationStep) -> None:
    always, _ = Calendar.objects.get_or_create(code="24x7", defaults={
        "name": "全天候 24×7", "name_en": "24×7", "always_open": True, "observes_public_holidays": False})
    workday, created = Calendar.objects.get_or_create(code="cn-workday", defaults={
        "name": "中国工作日 09:00–18:00", "name_en": "China working days 09:00–18:00"})
    if created:
        WorkingHours.objects.bulk_create([
            WorkingHours(calendar=workday, weekday=day, start=dt.time(9), end=dt.time(18)) for day in range(5)])
    calendars = {"24x7": always, "cn-workday": workday}
    policy, created = SlaPolicy.objects.get_or_create(code="standard", defaults={
        "name": "标准服务时限", "name_en": "Standard service levels", "order": 1000, "calendar": always})
    if created:
        SlaTarget.objects.bulk_create([
            SlaTarget(policy=policy, metric=metric, priority=priority, minutes=minutes,
                      calendar=calendars[calendar] if calendar else None)
            for metric, priority, minutes, calendar in STANDARD_TARGETS])
    if not EscalationStep.objects.exists():
        EscalationStep.objects.bulk_create([
            EscalationStep(stage=stage, delay_minutes=delay, priority=priority, recipients=recipients, order=order)
            for stage, delay, priority, recipients, order in ESCALATION_CHAIN])
