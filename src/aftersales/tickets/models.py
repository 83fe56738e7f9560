from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core.i18n import pick
from aftersales.core.models import BaseModel

from .states import OPEN_STATES, State


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone (400 hotline)")
    WEB = "web", _("Web form")
    CHAT = "chat", _("Online chat")
    EMAIL = "email", _("Email")
    WECHAT = "wechat", _("WeChat")
    APP = "app", _("App")
    PLATFORM = "platform", _("Platform message (Douyin etc.)")
    DEALER = "dealer", _("Dealer forwarding")
    STORE = "store", _("Store")
    API = "api", _("API")


class Demand(models.TextChoices):
    REPAIR = "repair", _("Repair")
    RETURN_REFUND = "return_refund", _("Return & refund")
    EXCHANGE = "exchange", _("Exchange")
    CONSULTATION = "consultation", _("Technical consultation")
    COMPENSATION = "compensation", _("Compensation")
    OTHER = "other", _("Other")


class Priority(models.TextChoices):
    P1 = "P1", _("P1 Urgent")  # safety hazard, batch failure, enterprise core business down: 4 h
    P2 = "P2", _("P2 Important")  # one product's failure stops normal use: 8 h
    P3 = "P3", _("P3 Normal")  # minor flaw, consultation: 24 h


class PurchaseChannel(models.TextChoices):
    STORE = "store", _("Store")
    ECOMMERCE = "ecommerce", _("E-commerce platform")
    DEALER = "dealer", _("Dealer")
    OTHER = "other", _("Other")


class Responsibility(models.TextChoices):
    PRODUCTION = "production", _("Production")
    WAREHOUSE = "warehouse", _("Warehouse")
    LOGISTICS = "logistics", _("Logistics")
    SALES = "sales", _("Sales")
    SUPPLIER = "supplier", _("Supplier")
    CUSTOMER_MISUSE = "customer_misuse", _("Customer misuse")
    UNDETERMINED = "undetermined", _("Undetermined")


class RiskFlag(models.TextChoices):
    PUBLIC_OPINION = "public_opinion", _("Public-opinion risk")
    EXTERNAL_ESCALATION = "external_escalation", _("External escalation threat")
    REPEAT_COMPLAINT = "repeat_complaint", _("Repeat complaint")
    VIP = "vip", _("VIP")
    SAFETY = "safety", _("Safety hazard")


class HoldReason(models.TextChoices):
    CUSTOMER = "customer", _("Waiting on customer")
    PARTS = "parts", _("Waiting on parts")


class Closure(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed by customer")
    CANCELLED = "cancelled", _("Cancelled")


class Category(BaseModel):
    """Problem category (问题分类); a row with a parent is a subcategory. Editable data."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children", verbose_name=_("parent"))
    examples = models.CharField(_("examples"), max_length=120, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return pick(self.name, self.name_en)


class TicketSettings(models.Model):
    """Singleton row of business numbers an administrator may change."""

    transfer_flag_threshold = models.PositiveSmallIntegerField(
        _("flag a case transferred more than this many times"), default=2
    )

    class Meta:
        verbose_name = _("case settings")
        verbose_name_plural = _("case settings")

    def __str__(self) -> str:
        return str(_("case settings"))

    @classmethod
    def current(cls) -> TicketSettings:
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj


class Ticket(BaseModel):
    """A case (售后工单). The customer's words and every change are kept forever."""

    number = models.CharField(_("case number"), max_length=20, unique=True)
    state = models.CharField(_("state"), max_length=24, choices=State.choices, default=State.REGISTERED)
    version = models.PositiveIntegerField(default=1, help_text="optimistic lock: bumped by every write")

    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    demand = models.CharField(_("demand"), max_length=20, choices=Demand.choices, default=Demand.OTHER)
    priority = models.CharField(_("priority"), max_length=2, choices=Priority.choices, blank=True)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("category"))
    subcategory = models.ForeignKey(Category, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("subcategory"))
    risk_flags = models.JSONField(_("risk flags"), default=list, blank=True)
    responsibility = models.CharField(_("responsibility"), max_length=20, choices=Responsibility.choices,
                                      blank=True)

    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="tickets",
                                 verbose_name=_("customer"))
    product_model = models.ForeignKey("catalog.ProductModel", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="tickets", verbose_name=_("product model"))
    batch = models.ForeignKey("catalog.Batch", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="tickets", verbose_name=_("batch"))
    unit = models.ForeignKey("catalog.ProductUnit", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="tickets", verbose_name=_("product unit"))
    model_text = models.CharField(_("model (as given)"), max_length=120, blank=True)
    sku = models.CharField(_("SKU"), max_length=60, blank=True)
    batch_text = models.CharField(_("batch (as given)"), max_length=60, blank=True)
    trace_code_text = models.CharField(_("trace code (as given)"), max_length=80, blank=True)
    purchase_date = models.DateField(_("purchase date"), null=True, blank=True)
    proof_number = models.CharField(_("purchase proof / order number"), max_length=80, blank=True)
    purchase_channel = models.CharField(_("purchase channel"), max_length=20, choices=PurchaseChannel.choices,
                                        blank=True)

    title = models.CharField(_("summary"), max_length=120)
    description = models.TextField(_("customer's words"))
    occurred_at = models.DateTimeField(_("when it happened"), null=True, blank=True)
    environment = models.TextField(_("usage environment"), blank=True)
    tried = models.TextField(_("what the customer tried"), blank=True)

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_tickets",
                              verbose_name=_("first-contact owner"))
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                      related_name="registered_tickets", verbose_name=_("registered by"))
    department = models.ForeignKey("accounts.Department", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="tickets", verbose_name=_("department"))
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="assigned_tickets", verbose_name=_("handler"))
    queue = models.CharField(_("queue"), max_length=40, blank=True,
                             help_text=_("A named queue inside the department, set by a routing rule."))
    current_plan = models.ForeignKey("resolutions.Plan", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("current plan"))
    hold_reason = models.CharField(_("hold reason"), max_length=20, choices=HoldReason.choices, blank=True)
    closure = models.CharField(_("closure"), max_length=20, choices=Closure.choices, blank=True)
    transfer_count = models.PositiveSmallIntegerField(_("transfers"), default=0)
    reopen_count = models.PositiveSmallIntegerField(_("reopens"), default=0)

    # Timestamps the SLA clocks read (SPEC §3).
    first_contact_at = models.DateTimeField(_("first contact"))
    registered_at = models.DateTimeField(_("registered at"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    classified_at = models.DateTimeField(_("classified at"), null=True, blank=True)
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    handling_started_at = models.DateTimeField(_("handling started"), null=True, blank=True)
    plan_proposed_at = models.DateTimeField(_("plan proposed"), null=True, blank=True)
    plan_offered_at = models.DateTimeField(_("plan given to customer"), null=True, blank=True)
    last_public_update_at = models.DateTimeField(_("last update to customer"), null=True, blank=True)
    hold_started_at = models.DateTimeField(_("on hold since"), null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(_("paused seconds"), default=0)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    fed_back_at = models.DateTimeField(_("result fed back"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    # The nearest running SLA deadline, kept by aftersales.sla for lists, sorting and filters.
    sla_due_at = models.DateTimeField(_("nearest deadline"), null=True, blank=True)
    sla_warn_at = models.DateTimeField(_("warning from"), null=True, blank=True)
    sla_paused = models.BooleanField(_("clocks paused"), default=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["state", "-created_at"], name="ticket_state_created"),
            models.Index(fields=["priority", "-created_at"], name="ticket_priority_created"),
            models.Index(fields=["owner", "-created_at"], name="ticket_owner_created"),
            models.Index(fields=["department", "state"], name="ticket_department_state"),
            models.Index(fields=["assignee", "state"], name="ticket_assignee_state"),
            models.Index(fields=["channel"], name="ticket_channel"),
            models.Index(fields=["sla_due_at"], name="ticket_sla_due",
                         condition=models.Q(sla_due_at__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class TicketEvent(models.Model):
    """One line of the dossier: who did what, when, why. Codes, never translated text."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    from_state = models.CharField(max_length=24, blank=True)
    to_state = models.CharField(max_length=24, blank=True)
    is_internal = models.BooleanField(default=False, help_text="internal notes are never shown to customers")
    body = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self) -> str:
        return f"{self.ticket_id}:{self.kind}"


def attachment_path(instance: Attachment, filename: str) -> str:
    # The stored name is our own; the customer's file name is kept in original_name.
    return f"attachments/{instance.sha256[:2]}/{instance.sha256}{instance.extension}"


class Attachment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(TicketEvent, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=80)
    extension = models.CharField(max_length=10)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    is_internal = models.BooleanField(default=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class TicketSequence(models.Model):
    """Per-day counter behind case numbers like AS20261122-000123."""

    day = models.DateField(unique=True)
    last_value = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: {self.last_value}"


class IdempotencyKey(models.Model):
    """Remembers which case a client's Idempotency-Key produced."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=120)
    fingerprint = models.CharField(max_length=64)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")]
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")

    def __str__(self) -> str:
        return self.key
