"""Working calendars, SLA policies, the clocks each case carries, and the escalation chain.

Everything a manager may want to change is a row: calendars and their hours,
public holidays and 调休 days, policies with their limits and matching rules,
and the escalation steps. The clocks are the running state.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core.i18n import pick
from aftersales.core.models import BaseModel


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Calendar(BaseModel):
    """24×7, or working hours per weekday minus public holidays plus 调休 days."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=40, default="Asia/Shanghai")
    always_open = models.BooleanField(_("24×7"), default=False,
                                      help_text=_("Every minute counts; hours and holidays are ignored."))
    observes_public_holidays = models.BooleanField(
        _("observes public holidays and adjusted working days"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("working calendar")
        verbose_name_plural = _("working calendars")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return pick(self.name, self.name_en)

    def clean(self) -> None:
        try:
            ZoneInfo(self.time_zone)
        except Exception as exc:  # ZoneInfoNotFoundError, ValueError on odd keys
            raise ValidationError({"time_zone": _("Unknown time zone.")}) from exc


class WorkingHours(models.Model):
    """One working window on one weekday; two rows make a lunch break."""

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"))

    class Meta:
        ordering = ["weekday", "start"]
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"

    def clean(self) -> None:
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise ValidationError({"end": _("The window must end after it starts.")})


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Public holiday (off)")
    WORKDAY = "workday", _("Adjusted working day (调休, worked)")


class PublicDay(models.Model):
    """A public holiday or an adjusted working day (调休), as the State Council publishes them."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("holiday"), max_length=40)

    class Meta:
        ordering = ["date"]
        verbose_name = _("public holiday or adjusted working day")
        verbose_name_plural = _("public holidays and adjusted working days")

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"


class Metric(models.TextChoices):
    """The clocks of SPEC §3."""

    FIRST_RESPONSE = "first_response", _("First response")
    REGISTRATION = "registration", _("Registration")
    CLASSIFICATION = "classification", _("Classification")
    HANDLING_START = "handling_start", _("Handling starts")
    PLAN = "plan", _("Plan made")
    INITIAL_PLAN = "initial_plan", _("Initial plan to customer")
    PROGRESS_UPDATE = "progress_update", _("Progress update")
    FEEDBACK = "feedback", _("Result fed back")
    SURVEY = "survey", _("Satisfaction survey")
    CALLBACK = "callback", _("Callback")
    CLOSED_LOOP = "closed_loop", _("Closed loop")


class CustomerSegment(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    ENTERPRISE = "enterprise", _("Enterprise")
    DEALER = "dealer", _("Dealer")
    VIP = "vip", _("VIP")


class SlaPolicy(BaseModel):
    """Limits for each clock, on one calendar, for the cases its rules match.

    Blank rule fields match anything. Among the active policies that match a
    case, the lowest order wins, so specific policies go first and the catch-all last.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100,
                                             help_text=_("Lower numbers are tried first."))
    calendar = models.ForeignKey(Calendar, on_delete=models.PROTECT, related_name="policies",
                                 verbose_name=_("calendar"))
    match_priority = models.CharField(_("priority"), max_length=2, blank=True,
                                      choices=[("P1", "P1"), ("P2", "P2"), ("P3", "P3")])
    match_category = models.ForeignKey("tickets.Category", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+", verbose_name=_("category"))
    match_segment = models.CharField(_("customer type"), max_length=20, blank=True,
                                     choices=CustomerSegment.choices)
    match_channel = models.CharField(_("channel"), max_length=20, blank=True)
    warn_percent = models.PositiveSmallIntegerField(
        # xgettext:no-python-format
        _("warn at (% of the limit)"), default=80, validators=[MinValueValidator(1), MaxValueValidator(99)])
    pause_waiting_on_customer = models.BooleanField(_("pause while waiting on the customer"), default=True)
    pause_waiting_on_parts = models.BooleanField(_("pause while waiting on parts"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return pick(self.name, self.name_en)


class SlaTarget(models.Model):
    """One limit of a policy: a clock, optionally for one priority, in working minutes."""

    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="targets")
    metric = models.CharField(_("clock"), max_length=24, choices=Metric.choices)
    priority = models.CharField(_("priority"), max_length=2, blank=True,
                                choices=[("P1", "P1"), ("P2", "P2"), ("P3", "P3")],
                                help_text=_("Blank: every priority without a row of its own."))
    minutes = models.PositiveIntegerField(_("limit (minutes of the calendar's time)"),
                                          validators=[MinValueValidator(1)])
    calendar = models.ForeignKey(Calendar, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("calendar override"),
                                 help_text=_("Blank: the policy's calendar."))

    class Meta:
        ordering = ["policy", "metric", "priority"]
        verbose_name = _("SLA limit")
        verbose_name_plural = _("SLA limits")
        constraints = [models.UniqueConstraint(fields=["policy", "metric", "priority"],
                                               name="sla_target_unique")]

    def __str__(self) -> str:
        return f"{self.get_metric_display()} {self.priority or '*'} {self.minutes}"


class ClockStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    MET = "met", _("Met")
    BREACHED = "breached", _("Breached")  # stopped late (a running clock past due has breached_at set)
    CANCELLED = "cancelled", _("Cancelled")


OPEN_CLOCK_STATUSES = (ClockStatus.RUNNING, ClockStatus.PAUSED)


class SlaClock(models.Model):
    """One measured deadline of one case.

    ``due_at = add(calendar, started_at, target + paused business time)``: a pause
    pushes the deadline by exactly the working time it lasted. ``next_check_at``
    is the next moment the tick has anything to do here (warning, breach, a later
    escalation step); it is NULL when there is nothing, and the tick reads only
    the rows whose moment has come.
    """

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="clocks")
    metric = models.CharField(_("clock"), max_length=24, choices=Metric.choices)
    cycle = models.PositiveSmallIntegerField(default=1, help_text="progress updates and reopened work repeat")
    policy = models.ForeignKey(SlaPolicy, on_delete=models.PROTECT, related_name="+")
    calendar = models.ForeignKey(Calendar, on_delete=models.PROTECT, related_name="+")
    priority = models.CharField(max_length=2, blank=True)
    target_minutes = models.PositiveIntegerField()
    warn_percent = models.PositiveSmallIntegerField(default=80)
    started_at = models.DateTimeField(_("started"))
    due_at = models.DateTimeField(_("due"))
    warn_at = models.DateTimeField(_("warning at"))
    status = models.CharField(_("status"), max_length=10, choices=ClockStatus.choices, default=ClockStatus.RUNNING)
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_business_seconds = models.FloatField(default=0)
    paused_seconds = models.PositiveIntegerField(_("paused (seconds)"), default=0)
    stopped_at = models.DateTimeField(_("stopped"), null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(_("breached"), null=True, blank=True)
    fired_steps = models.JSONField(default=list, blank=True, help_text="escalation keys already fired")
    next_check_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at"]
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")
        constraints = [models.UniqueConstraint(fields=["ticket", "metric", "cycle"], name="sla_clock_cycle_unique")]
        indexes = [
            # The tick's only read: the rows whose moment has come. Partial, so it holds
            # the clocks with work ahead, not the history.
            models.Index(fields=["next_check_at"], name="sla_clock_next_check",
                         condition=models.Q(next_check_at__isnull=False)),
            models.Index(fields=["ticket", "metric"], name="sla_clock_ticket_metric"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}:{self.metric}#{self.cycle}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_CLOCK_STATUSES

    @property
    def is_breached(self) -> bool:
        return self.breached_at is not None or self.status == ClockStatus.BREACHED

    @property
    def target(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.target_minutes)


class EscalationStage(models.TextChoices):
    WARNING = "warning", _("Warning")
    BREACH = "breach", _("Breach")


class Recipient(models.TextChoices):
    ASSIGNEE = "assignee", _("Handler")
    OWNER = "owner", _("First-contact owner")
    SUPERVISOR = "supervisor", _("Supervisor")
    DEPARTMENT_HEAD = "department_head", _("Department head")


class EscalationStep(models.Model):
    """One link of the escalation chain: at warning or breach (+ a delay), tell these people."""

    stage = models.CharField(_("stage"), max_length=10, choices=EscalationStage.choices)
    delay_minutes = models.PositiveIntegerField(_("delay after the stage (minutes)"), default=0)
    priority = models.CharField(_("only for priority"), max_length=2, blank=True,
                                choices=[("P1", "P1"), ("P2", "P2"), ("P3", "P3")])
    metric = models.CharField(_("only for clock"), max_length=24, blank=True, choices=Metric.choices)
    recipients = models.JSONField(_("recipients"), default=list,
                                  help_text="any of: assignee, owner, supervisor, department_head")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["stage", "order", "id"]
        verbose_name = _("escalation step")
        verbose_name_plural = _("escalation chain")

    def __str__(self) -> str:
        who = ", ".join(str(Recipient(r).label) for r in self.recipients if r in Recipient.values)
        return f"{self.get_stage_display()} +{self.delay_minutes}′ → {who}"

    def clean(self) -> None:
        if not isinstance(self.recipients, list) or not self.recipients or any(
            r not in Recipient.values for r in self.recipients
        ):
            raise ValidationError({"recipients": _("Choose one or more of: assignee, owner, supervisor, "
                                                   "department_head.")})

    @property
    def key(self) -> str:
        return f"step:{self.pk}"

    def applies_to(self, clock: SlaClock) -> bool:
        return (self.is_active and (not self.priority or self.priority == clock.priority)
                and (not self.metric or self.metric == clock.metric))


class SlaEscalation(models.Model):
    """An escalation (or reminder) that fired. Unique per clock and step: never twice."""

    clock = models.ForeignKey(SlaClock, on_delete=models.CASCADE, related_name="escalations")
    key = models.CharField(max_length=40)
    stage = models.CharField(max_length=10, choices=EscalationStage.choices)
    recipients = models.JSONField(default=list)
    fired_at = models.DateTimeField()

    class Meta:
        ordering = ["fired_at", "id"]
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        constraints = [models.UniqueConstraint(fields=["clock", "key"], name="sla_escalation_once")]

    def __str__(self) -> str:
        return f"{self.clock_id}:{self.key}"


class SlaBreach(models.Model):
    """A breached clock, counted once, by clock, department and person (for analytics)."""

    clock = models.OneToOneField(SlaClock, on_delete=models.CASCADE, related_name="breach")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    metric = models.CharField(_("clock"), max_length=24, choices=Metric.choices, db_index=True)
    priority = models.CharField(_("priority"), max_length=2, blank=True)
    department = models.ForeignKey("accounts.Department", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("department"))
    person = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("responsible person"))
    breached_at = models.DateTimeField(_("breached"), db_index=True)

    class Meta:
        ordering = ["-breached_at"]
        verbose_name = _("SLA breach")
        verbose_name_plural = _("SLA breaches")

    def __str__(self) -> str:
        return f"{self.ticket_id}:{self.metric}"
