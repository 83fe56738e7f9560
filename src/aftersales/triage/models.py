"""Triage and routing data: rules, the settings row, model versions, suggestions and
labels, routing rules, handler profiles and department shifts. All editable data.

Skills and shifts live here rather than in ``accounts`` because they point at
categories (tickets) and calendars (sla), which themselves depend on ``accounts``.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core import clock
from aftersales.core.i18n import pick
from aftersales.core.models import BaseModel
from aftersales.tickets.models import Channel, Demand, Priority, RiskFlag

from . import text

DEFAULT_NEGATION_CUES = ("没有 并没有 没 无 不 未 并未 从未 未曾 未发现 没发现 不是 并非 非 不会 不再 "
                         "防 防止 避免 以免 担心 担心会 怕 怕会 害怕 万一 是否 会不会 有没有 能不能 是不是 会否 "
                         "没闻到 闻不到 没闻见 没有闻到 没看到 没看见 没感觉 没出现 未出现 没冒 没有冒 不冒 没打")
DEFAULT_NOT_CUES = ("不小心 不慎 不停 不断 不久 不一会 不到 不料 不知道 不知 没多久 没过多久 没一会 没几天 "
                    "没想到 没注意 没留意 没过几天 无缘无故 毫无征兆 不得了 不行了 就会 总会 都会 又会 还会 老是会 "
                    "为什么会 怎么会 咋会 居然会 竟然会 无故 没几下 没两下 没一会儿 不几天 可怕 恐怕 哪怕 不怕 照网上说 按网上说 照着网上说")
DEFAULT_SCOPE_CUES = "怕 害怕 生怕 担心 担忧 万一 要是 如果 假如 假设 听说 据说 有人说 网上说 会不会 以为"


class TriageSettings(models.Model):
    """Singleton row of triage and assignment numbers an administrator may change."""

    auto_accept = models.BooleanField(
        _("auto-accept confident suggestions"), default=False,
        help_text=_("When on, a new case whose suggestion is at least as confident as the threshold is "
                    "classified and dispatched by the system; otherwise a supervisor always confirms."))
    auto_accept_threshold = models.DecimalField(_("auto-accept threshold"), max_digits=3, decimal_places=2,
                                                default=0.90)
    max_text_chars = models.PositiveIntegerField(_("longest text triage accepts (characters)"), default=20000)
    negation_cues = models.TextField(_("negation and hypothetical cues"), default=DEFAULT_NEGATION_CUES,
                                     help_text=_("A keyword shortly after one of these is not a report "
                                                 "(没有漏电, 会不会起火). One per line or separated by spaces."))
    not_negation = models.TextField(_("words that only look like cues"), default=DEFAULT_NOT_CUES,
                                    help_text=_("不小心, 没过多久 … start like a cue but negate nothing."))
    hypothetical_cues = models.TextField(
        _("worries and hearsay (reach to the end of the sentence)"), default=DEFAULT_SCOPE_CUES, blank=True,
        help_text=_("A keyword anywhere after one of these in the same sentence is a worry, not a report "
                    "(我怕水进去短路或者漏电), unless a report word such as 已经 or 结果 comes between."))
    same_batch_min_cases = models.PositiveSmallIntegerField(
        _("same-batch cases that make a batch failure"), default=3)
    same_batch_days = models.PositiveSmallIntegerField(_("look back (days) for same-batch cases"), default=30)
    weight_p1 = models.PositiveSmallIntegerField(_("load weight of a P1 case"), default=3)
    weight_p2 = models.PositiveSmallIntegerField(_("load weight of a P2 case"), default=2)
    weight_p3 = models.PositiveSmallIntegerField(_("load weight of a P3 case"), default=1)
    default_max_load = models.PositiveSmallIntegerField(_("default load cap per handler"), default=30)
    auto_assign = models.BooleanField(
        _("pick a handler automatically"), default=True,
        help_text=_("When a case goes to a department without a named handler, pick one by skill, shift and "
                    "load; off leaves it in the department's queue."))

    class Meta:
        verbose_name = _("triage and assignment settings")
        verbose_name_plural = _("triage and assignment settings")

    def __str__(self) -> str:
        return str(_("triage and assignment settings"))

    @classmethod
    def current(cls) -> TriageSettings:
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj

    def negation_rules(self) -> text.NegationRules:
        return text.NegationRules.parse(self.negation_cues, self.not_negation, self.hypothetical_cues)

    def weight(self, priority: str) -> int:
        return {Priority.P1: self.weight_p1, Priority.P2: self.weight_p2}.get(priority, self.weight_p3)


class TriageRuleKind(models.TextChoices):
    KEYWORD = "keyword", _("Keywords in the customer's words")
    SAME_BATCH = "same_batch", _("Several recent cases on the same batch with the same fault")


class TriageRule(BaseModel):
    """A rule the suggestion always obeys: keywords (or a same-batch cluster) → priority and/or flag."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=TriageRuleKind.choices, default=TriageRuleKind.KEYWORD)
    keywords = models.TextField(_("keywords"), blank=True,
                                help_text=_("One per line, or separated by 、 , or spaces."))
    customer_types = models.JSONField(_("only for customer types"), default=list, blank=True,
                                      help_text=_("Empty: every customer. E.g. [\"enterprise\"]."))
    ignore_negated = models.BooleanField(_("ignore negated mentions"), default=True,
                                         help_text=_("“没有漏电” or “会不会漏电？” does not fire the rule."))
    set_priority = models.CharField(_("raise priority to"), max_length=2, choices=Priority.choices, blank=True)
    add_flag = models.CharField(_("add risk flag"), max_length=24, choices=RiskFlag.choices, blank=True)
    reason = models.CharField(_("reason (Chinese)"), max_length=120,
                              help_text=_("{keyword} is replaced by the word found; for a batch rule {batch}, "
                                          "{count} and {days}."))
    reason_en = models.CharField(_("reason (English)"), max_length=160, blank=True)
    min_model_p1 = models.DecimalField(
        _("needs the model's agreement"), max_digits=3, decimal_places=2, default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("0 = always raise the priority. Above 0, the rule acts (priority and flag) only when the "
                    "model gives P1 at least this probability (0.10 = 10 %); otherwise the supervisor sees why "
                    "it did not."))
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("triage rule")
        verbose_name_plural = _("triage rules")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return pick(self.name, self.name_en)

    @property
    def terms(self) -> list[str]:
        return text.split_terms(self.keywords)


class TriageModelVersion(models.Model):
    """A model retrained from the bundled set plus the system's own confirmed cases."""

    blob = models.BinaryField()
    is_active = models.BooleanField(default=False, db_index=True)
    trained_at = models.DateTimeField(default=clock.now)
    samples = models.PositiveIntegerField(default=0)
    labels_used = models.PositiveIntegerField(default=0, help_text="confirmed cases among the samples")
    sklearn_version = models.CharField(max_length=20)
    metrics = models.JSONField(default=dict, blank=True)
    trained_by = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["-trained_at", "-id"]
        verbose_name = _("triage model version")
        verbose_name_plural = _("triage model versions")

    def __str__(self) -> str:
        return f"model #{self.pk} ({self.samples} samples)"


class TriageSuggestion(models.Model):
    """What triage suggested for a case when it arrived; the classification screen starts from it."""

    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.CASCADE, related_name="triage_suggestion")
    category = models.CharField(max_length=40)
    subcategory = models.CharField(max_length=40, blank=True)
    priority = models.CharField(max_length=2, choices=Priority.choices)
    demand = models.CharField(max_length=20, choices=Demand.choices)
    flags = models.JSONField(default=list, blank=True)
    confidence = models.JSONField(default=dict, blank=True)
    reasons = models.JSONField(default=list, blank=True, help_text="[{code, zh, en}]")
    model_version = models.CharField(max_length=40, blank=True)
    auto_accepted = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("triage suggestion")
        verbose_name_plural = _("triage suggestions")

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.subcategory or self.category} {self.priority}"

    @property
    def reason_texts(self) -> list[str]:
        return [pick(r.get("zh", ""), r.get("en", "")) for r in self.reasons if isinstance(r, dict)]

    @property
    def percent(self) -> dict[str, int]:
        """Confidence per head as whole percent, for display."""
        return {head: round(float(value) * 100) for head, value in (self.confidence or {}).items()}


class TriageLabel(models.Model):
    """A confirmed classification: what the supervisor decided, next to what was suggested.

    One row per case (the latest decision wins); ``aftersales triage retrain`` learns from them.
    """

    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.CASCADE, related_name="triage_label")
    text = models.TextField()
    customer_type = models.CharField(max_length=20)
    channel = models.CharField(max_length=20, choices=Channel.choices, blank=True)
    category = models.CharField(max_length=40)
    subcategory = models.CharField(max_length=40, blank=True)
    demand = models.CharField(max_length=20, choices=Demand.choices)
    priority = models.CharField(max_length=2, choices=Priority.choices)
    suggested = models.JSONField(default=dict, blank=True)
    corrected = models.BooleanField(default=False, db_index=True,
                                    help_text="the decision differs from the suggestion")
    labelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    labelled_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-labelled_at"]
        verbose_name = _("triage label")
        verbose_name_plural = _("triage labels")

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.subcategory or self.category}"


# ---------------------------------------------------------------- routing and assignment


class RoutingRule(BaseModel):
    """Evaluated in order; the first active rule whose every condition holds decides the department."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)
    # Conditions: an empty list means "any".
    categories = models.JSONField(_("categories"), default=list, blank=True)
    subcategories = models.JSONField(_("subcategories"), default=list, blank=True)
    priorities = models.JSONField(_("priorities"), default=list, blank=True)
    product_lines = models.JSONField(_("product lines"), default=list, blank=True)
    customer_types = models.JSONField(_("customer types"), default=list, blank=True)
    channels = models.JSONField(_("channels"), default=list, blank=True)
    regions = models.JSONField(_("regions"), default=list, blank=True,
                               help_text=_("Matched against the customer's region (e.g. 上海, 华东)."))
    # Actions.
    department = models.ForeignKey("accounts.Department", on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("department"))
    queue = models.CharField(_("queue"), max_length=40, blank=True,
                             help_text=_("A named queue inside the department, e.g. 大客户专席."))
    notify_head = models.BooleanField(_("notify the department head"), default=False)
    notify_users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+",
                                          verbose_name=_("also notify"))
    set_priority = models.CharField(_("set priority"), max_length=2, choices=Priority.choices, blank=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return pick(self.name, self.name_en)


class DepartmentShift(models.Model):
    """The working calendar a department's handlers are on shift by."""

    department = models.OneToOneField("accounts.Department", on_delete=models.CASCADE, related_name="shift",
                                      verbose_name=_("department"))
    calendar = models.ForeignKey("sla.Calendar", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("shift calendar"))

    class Meta:
        verbose_name = _("department shift")
        verbose_name_plural = _("department shifts")

    def __str__(self) -> str:
        return f"{self.department} · {self.calendar}"


class HandlerProfile(models.Model):
    """A handler's skills, cap, absence and (optionally) own shift, for automatic assignment."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="handler_profile",
                                verbose_name=_("handler"))
    categories = models.ManyToManyField("tickets.Category", blank=True, related_name="+",
                                        verbose_name=_("skills: categories"),
                                        help_text=_("Empty: any category. A top-level category covers its "
                                                    "subcategories."))
    product_lines = models.JSONField(_("skills: product lines"), default=list, blank=True,
                                     help_text=_("Empty: any product line."))
    max_load = models.PositiveSmallIntegerField(_("load cap"), null=True, blank=True,
                                                help_text=_("Weighted open cases; empty uses the default."))
    absent_from = models.DateTimeField(_("absent from"), null=True, blank=True)
    absent_until = models.DateTimeField(_("absent until"), null=True, blank=True)
    absence_note = models.CharField(_("absence note"), max_length=80, blank=True)
    calendar = models.ForeignKey("sla.Calendar", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                 verbose_name=_("own shift calendar"),
                                 help_text=_("Empty: the department's shift."))
    accepts_auto_assignment = models.BooleanField(_("receives automatic assignments"), default=True)
    last_assigned_at = models.DateTimeField(_("last assigned"), null=True, blank=True)

    class Meta:
        verbose_name = _("handler profile")
        verbose_name_plural = _("handler profiles")

    def __str__(self) -> str:
        return str(self.user)

    def is_absent(self, now) -> bool:
        if self.absent_until is None and self.absent_from is None:
            return False
        started = self.absent_from is None or self.absent_from <= now
        ongoing = self.absent_until is None or now < self.absent_until
        return started and ongoing
