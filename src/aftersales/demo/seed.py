"""Load the demo: staff, catalog, customers and a month of cases, all through the services.

Nothing here writes a case column: every case is registered with
``ticket_register`` and walked with the lifecycle services, each step under
``clock.travel_to`` at a believable moment after the previous one, so the
dossier, clocks and counters look like a real month of work.

Idempotent: when the demo cases are already there, nothing is written.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction

from aftersales.accounts.models import Department, User
from aftersales.catalog.imports import catalog_import_rows
from aftersales.catalog.models import Batch, ProductModel, ProductUnit
from aftersales.core import clock
from aftersales.core.tabular import ImportResult
from aftersales.customers.imports import customers_import_rows
from aftersales.customers.models import Customer
from aftersales.customers.services import CustomerInput
from aftersales.notify.jobs import flush as outbox_flush
from aftersales.notify.models import Notification
from aftersales.resolutions.models import Approval, Plan
from aftersales.resolutions.services import authority_limit_for
from aftersales.sla.jobs import tick as sla_tick
from aftersales.sla.models import ClockStatus, SlaBreach, SlaClock, SlaEscalation
from aftersales.tickets import services as svc
from aftersales.tickets.models import Category, Channel, Ticket, TicketEvent, TicketSettings
from aftersales.tickets.scenarios import proof_photo
from aftersales.tickets.states import State
from aftersales.triage.models import HandlerProfile

from .seed_data import (
    ANGRY_CLOSERS,
    ANGRY_NOTES,
    ANGRY_OPENERS,
    CANCEL_REASONS,
    CITIES,
    CUSTOMERS_TOTAL,
    DEALERS,
    DEMO_PASSWORD,
    DEMO_USERS,
    DISPUTE_REASONS,
    ENTERPRISES,
    FIRST_REPLIES,
    GIVEN_NAMES,
    HANDLERS,
    HEADS,
    HOLD_NOTES,
    MODELS,
    POLITE_CLOSERS,
    POLITE_OPENERS,
    PROGRESS_REPLIES,
    REFUSAL_REASONS,
    REOPEN_REASONS,
    ROUTING,
    SCENARIOS,
    SURNAMES,
    TRANSFER_REASONS,
    UNITS_TOTAL,
    PlanSpec,
    Scenario,
)

__all__ = ["DEMO_PASSWORD", "DEMO_USERS", "SeedReport", "demo_present", "seed_demo"]

DEFAULT_CASES = 300
RANDOM_SEED = 20261122
HISTORY_DAYS = 30
DEMO_OWNERS = ("agent", "agent2", "supervisor")

# How the 300 demo cases spread over the lifecycle (scaled for other sizes).
STATE_WEIGHTS: dict[str, int] = {
    State.NEW: 12, State.REGISTERED: 15, State.CLASSIFIED: 15, State.ASSIGNED: 25,
    State.AWAITING_APPROVAL: 15, State.PLAN_PROPOSED: 12, State.AWAITING_CUSTOMER: 18,
    State.IN_PROGRESS: 35, State.ON_HOLD: 16, State.RESOLVED: 12, State.AWAITING_CONFIRMATION: 20,
    State.CLOSED: 60, State.REOPENED: 8, State.ARCHIVED: 37,
}
CHANNEL_WEIGHTS: dict[str, int] = {
    Channel.PHONE: 25, Channel.WEB: 12, Channel.CHAT: 14, Channel.EMAIL: 6, Channel.WECHAT: 14,
    Channel.APP: 8, Channel.PLATFORM: 10, Channel.DEALER: 4, Channel.STORE: 4, Channel.API: 3,
}
MODEL_BY_CODE = {m.code: m for m in MODELS}
LIVE_CHANNELS = {Channel.PHONE, Channel.STORE, Channel.CHAT}
EARLY_STATES = {State.NEW, State.REGISTERED}
WAITING_STATES = {State.CLASSIFIED, State.ASSIGNED, State.AWAITING_APPROVAL, State.PLAN_PROPOSED}


# ---------------------------------------------------------------- report


@dataclass
class SeedReport:
    skipped: bool
    seconds: float
    counts: dict[str, int]
    states: dict[str, int]

    def summary(self) -> str:
        head = ("演示数据已存在，未做改动 / demo data already present, nothing changed" if self.skipped
                else f"演示数据已载入 / demo data loaded in {self.seconds:.1f} s")
        counts = "  ".join(f"{k} {v}" for k, v in self.counts.items())
        states = "  ".join(f"{k} {v}" for k, v in self.states.items())
        return f"{head}\n  {counts}\n  cases by state: {states}"


def _report(*, skipped: bool, seconds: float) -> SeedReport:
    by_state = Counter(Ticket.objects.values_list("state", flat=True))
    return SeedReport(
        skipped=skipped, seconds=seconds,
        counts={"users": User.objects.count(), "product_models": ProductModel.objects.count(),
                "batches": Batch.objects.count(), "units": ProductUnit.objects.count(),
                "customers": Customer.objects.count(), "cases": Ticket.objects.count(),
                "events": TicketEvent.objects.count(), "plans": Plan.objects.count(),
                "approvals": Approval.objects.count(),
                "running_clocks": SlaClock.objects.filter(status=ClockStatus.RUNNING).count(),
                "breaches": SlaBreach.objects.count(), "escalations": SlaEscalation.objects.count(),
                "notifications": Notification.objects.count()},
        states={str(s): by_state.get(s, 0) for s in State},
    )


def demo_present() -> bool:
    """The demo's cases are there (registered by the demo agents)."""
    return Ticket.objects.filter(registered_by__username__in=DEMO_OWNERS).exists()


def seed_demo(*, cases: int = DEFAULT_CASES, seed: int = RANDOM_SEED) -> SeedReport:
    """Load the demo once; a second call changes nothing and says so."""
    started = time.monotonic()
    if demo_present():
        return _report(skipped=True, seconds=time.monotonic() - started)
    rng = random.Random(seed)
    with transaction.atomic():
        TicketSettings.current()
        users = _seed_users()
        _seed_handler_profiles(users)
        _seed_catalog()
        customers = _seed_customers(rng)
        now = clock.now()
        plans = _plan_cases(rng, cases=max(cases, 0), customers=customers)
        _seed_units(rng, plans, customers)
        _run_cases(rng, plans, users=users, now=now)
    # The history was written in the past; let the worker catch up once, as it would have:
    # warnings, breaches and escalations for what is overdue now, and the outbox delivered.
    sla_tick()
    outbox_flush()
    return _report(skipped=False, seconds=time.monotonic() - started)


# ---------------------------------------------------------------- staff, catalog, customers


def _seed_users() -> dict[str, User]:
    departments = {d.code: d for d in Department.objects.all()}
    hashed = make_password(DEMO_PASSWORD)  # hash once: 13 hashes would cost seconds
    users: dict[str, User] = {}
    for spec in DEMO_USERS:
        user = User.objects.filter(username=spec.username).first()
        if user is None:
            user = User(username=spec.username, password=hashed, role=spec.role,
                        department=departments.get(spec.department) if spec.department else None,
                        display_name=spec.display_name, is_staff=spec.superuser, is_superuser=spec.superuser)
            user.save()
        users[spec.username] = user
    return users


def _seed_handler_profiles(users: dict[str, User]) -> None:
    """Skills and caps for automatic assignment: who takes which cases inside each department."""
    categories = {c.code: c for c in Category.objects.all()}
    profiles = {
        # 张建国 takes every technical fault; 郑海涛 goes on site for appliances and furniture, fewer at once.
        "tech": {"categories": ["technical_fault"]},
        "engineer": {"product_lines": ["厨房小电", "环境电器", "清洁电器", "家居家具"], "max_load": 12},
        # 李娜 answers consultations; 王芳 stays on the hotline and receives nothing automatically.
        "agent2": {"categories": ["service_consultation"]},
        "agent": {"accepts_auto_assignment": False},
    }
    for username, spec in profiles.items():
        profile, _created = HandlerProfile.objects.get_or_create(user=users[username], defaults={
            "product_lines": spec.get("product_lines", []), "max_load": spec.get("max_load"),
            "accepts_auto_assignment": spec.get("accepts_auto_assignment", True)})
        profile.categories.set([categories[c] for c in spec.get("categories", [])])


def _check(result: ImportResult) -> None:
    if not result.ok:
        raise RuntimeError("demo data refused by the import: " + "; ".join(result.error_lines()))


def _seed_catalog() -> None:
    _check(catalog_import_rows(kind="models", rows=[
        {"code": m.code, "name": m.name, "product_line": m.product_line, "sku": m.sku,
         "warranty_months": m.warranty_months} for m in MODELS]))
    _check(catalog_import_rows(kind="batches", rows=[
        {"model": m.code, "number": number, "produced_on": produced, "factory": factory}
        for m in MODELS for number, produced, factory in m.batches]))


@dataclass
class DemoCustomer:
    name: str
    phone: str
    kind: str
    vip: bool
    row: dict[str, object]
    cases: int = 0


def _phone(rng: random.Random, used: set[str]) -> str:
    prefixes = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
                "155", "156", "157", "158", "159", "180", "181", "182", "183", "185", "186", "187", "188", "189"]
    while True:
        phone = rng.choice(prefixes) + f"{rng.randint(0, 99_999_999):08d}"
        if phone not in used:
            used.add(phone)
            return phone


def _seed_customers(rng: random.Random) -> list[DemoCustomer]:
    used_phones: set[str] = set()
    used_names: set[str] = set()
    customers: list[DemoCustomer] = []
    specs: list[tuple[str, str]] = [(name, "enterprise") for name in ENTERPRISES]
    specs += [(name, "dealer") for name in DEALERS]
    while len(specs) < CUSTOMERS_TOTAL:
        name = rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)
        if name not in used_names:
            used_names.add(name)
            specs.append((name, "individual"))
    for name, kind in specs:
        city, *streets = rng.choice(CITIES)
        phone = _phone(rng, used_phones)
        vip = rng.random() < {"enterprise": 0.5, "individual": 0.1}.get(kind, 0.0)
        channel = rng.choice(["电话", "电话", "微信", "短信", "邮件"] if kind == "individual" else ["电话", "邮件"])
        row: dict[str, object] = {
            "name": name, "phone": phone, "customer_type": {"individual": "个人", "enterprise": "企业",
                                                            "dealer": "经销商"}[kind],
            "is_vip": "是" if vip else "否", "preferred_channel": channel, "region": city,
            "address": f"{rng.choice(streets)}{rng.randint(1, 2000)}号" + (
                f"{rng.randint(1, 30)}栋{rng.randint(1, 28)}0{rng.randint(1, 6)}室" if kind == "individual" else ""),
        }
        if channel == "邮件" or rng.random() < 0.3:
            row["email"] = f"{rng.randint(10_000_000, 2_999_999_999)}@qq.com" if kind == "individual" else \
                f"service{rng.randint(10, 99)}@{rng.choice(['163.com', 'qiye.aliyun.com', 'exmail.qq.com'])}"
        if channel == "微信":
            row["wechat_openid"] = "o" + "".join(rng.choices("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", k=27))
        customers.append(DemoCustomer(name=name, phone=phone, kind=kind, vip=vip, row=row))
    _check(customers_import_rows(rows=[c.row for c in customers]))
    return customers


# ---------------------------------------------------------------- planning the cases


@dataclass
class CasePlan:
    scenario: Scenario
    target: str
    channel: str
    customer: DemoCustomer
    owner: str
    angry: bool
    unit_code: str = ""
    unit_produced: dt.date | None = None
    arrive_new: bool = False
    cancel_at: str = ""
    transfers: list[str] = field(default_factory=list)  # departments after the first assignment
    first_department: str = ""
    owner_transfer: bool = False
    refuse: bool = False
    reject: bool = False
    hold_reason: str = ""
    dispute: bool = False
    reopen_cycle: bool = False
    finance_refund: bool = False
    engineer: bool = False
    public_outcry: bool = False
    repeat: bool = False  # the customer already had a case


def _targets(cases: int, rng: random.Random) -> list[str]:
    total = sum(STATE_WEIGHTS.values())
    counts = {s: max(1, round(cases * w / total)) for s, w in STATE_WEIGHTS.items()}
    counts[State.ON_HOLD] = max(counts[State.ON_HOLD], 2)  # both hold reasons
    while sum(counts.values()) > cases and any(v > 1 for v in counts.values()):
        biggest = max(counts, key=lambda s: counts[s])
        counts[biggest] -= 1
    while sum(counts.values()) < cases:
        counts[State.IN_PROGRESS] += 1
    targets = [s for s, n in counts.items() for _ in range(n)]
    rng.shuffle(targets)
    return targets


def _needs_approval(scenario: Scenario) -> bool:
    return scenario.priority == "P1" or scenario.plan.compensation > Decimal("300")


def _deck(rng: random.Random) -> list[Scenario]:
    """Scenarios to deal: first one of each subcategory, priority and demand, then by weight."""
    seen: set[str] = set()
    first: list[Scenario] = []
    for scenario in SCENARIOS:
        marks = {f"sub:{scenario.subcategory}", f"pri:{scenario.priority}", f"dem:{scenario.demand}"}
        if not marks <= seen:
            first.append(scenario)
            seen |= marks
    rest = [s for s in SCENARIOS for _ in range(s.weight)]
    rng.shuffle(rest)
    return first + rest


def _plan_cases(rng: random.Random, *, cases: int, customers: list[DemoCustomer]) -> list[CasePlan]:
    targets = _targets(cases, rng) if cases else []
    channels = list(Channel.values)
    rng.shuffle(channels)
    channels += rng.choices(list(CHANNEL_WEIGHTS), weights=list(CHANNEL_WEIGHTS.values()), k=max(cases - 10, 0))
    by_kind: dict[str, list[DemoCustomer]] = {"individual": [], "enterprise": [], "dealer": []}
    for customer in customers:
        by_kind[customer.kind].append(customer)
    # Over-authority compensation (approved by the supervisor) as often as P1 plans (by the head).
    approval_pool = [s for s in SCENARIOS if _needs_approval(s) for _ in range(1 if s.priority == "P1" else 4)]
    rng.shuffle(approval_pool)
    deck: list[Scenario] = []
    # Deal the coverage scenarios to cases that will be classified, early states last.
    order = sorted(range(len(targets)), key=lambda i: targets[i] in EARLY_STATES)
    plans: dict[int, CasePlan] = {}
    approval_turn = 0
    flagged = 0
    wanted_flagged = max(1, cases // 50)
    for position, index in enumerate(order):
        target = targets[index]
        wants_refusal = target == State.ASSIGNED and rng.random() < 0.2
        if target == State.AWAITING_APPROVAL or wants_refusal:
            scenario = approval_pool[approval_turn % len(approval_pool)]
            approval_turn += 1
        else:
            if not deck:
                deck = _deck(rng)
            scenario = deck.pop(0)
        kind = scenario.customer_type
        pool = by_kind[kind] if by_kind[kind] else by_kind["individual"]
        repeat = [c for c in pool if c.cases] if rng.random() < 0.15 else []
        customer = rng.choice(repeat or pool)
        customer.cases += 1
        returning = customer.cases > 1
        channel = channels[position % len(channels)]
        if kind == "dealer":
            channel = rng.choice([Channel.DEALER, Channel.PHONE, Channel.EMAIL])
        plan = CasePlan(
            scenario=scenario, target=target, channel=channel, customer=customer,
            owner=rng.choices(DEMO_OWNERS, weights=(6, 3, 1))[0], angry=rng.random() < 0.35, repeat=returning,
            arrive_new=target == State.NEW or (channel not in LIVE_CHANNELS and rng.random() < 0.5),
            engineer=scenario.plan.repair_mode == "onsite" and rng.random() < 0.5,
        )
        correct = ROUTING[scenario.category]
        plan.first_department = correct
        transferable = target not in EARLY_STATES | {State.CLASSIFIED}
        if target == State.CLOSED and rng.random() < 0.15:
            plan.cancel_at = rng.choice([State.REGISTERED, State.CLASSIFIED])
        elif transferable:
            roll = rng.random()
            if flagged < wanted_flagged and roll < 0.25 and (flagged or correct in HEADS):
                # The first one is the seeds' story: five transfers, then a public complaint.
                plan.transfers = _chain(rng, correct, 3 if flagged else 5)
                plan.public_outcry = flagged == 0
                flagged += 1
            elif roll < 0.12:
                plan.transfers = _chain(rng, correct, 1)
            elif roll < 0.15:
                plan.transfers = _chain(rng, correct, 2)
            if plan.transfers:
                plan.first_department = plan.transfers.pop(0)
                plan.transfers.append(correct)
            plan.owner_transfer = rng.random() < 0.05
            plan.refuse = wants_refusal or (_needs_approval(scenario) and rng.random() < 0.15
                                            and target != State.AWAITING_APPROVAL)
            plan.reject = (target == State.ASSIGNED and not plan.refuse and rng.random() < 0.3) or (
                target not in {State.ASSIGNED, State.AWAITING_APPROVAL, State.PLAN_PROPOSED,
                               State.AWAITING_CUSTOMER} and rng.random() < 0.1)
            plan.dispute = target in {State.AWAITING_CONFIRMATION, State.CLOSED, State.ARCHIVED} and rng.random() < 0.1
            plan.reopen_cycle = target in {State.CLOSED, State.ARCHIVED} and rng.random() < 0.06
            plan.finance_refund = (scenario.plan.kind == "return_refund" and not plan.transfers
                                   and not plan.owner_transfer and not plan.reopen_cycle and rng.random() < 0.5)
        plans[index] = plan
    hold = 0
    for index in range(len(targets)):
        plan = plans[index]
        if plan.target == State.ON_HOLD:
            plan.hold_reason = "parts" if hold % 2 == 0 else "customer"
            hold += 1
        elif plan.target in {State.RESOLVED, State.AWAITING_CONFIRMATION, State.CLOSED, State.ARCHIVED} \
                and not plan.cancel_at and rng.random() < 0.15:
            plan.hold_reason = rng.choice(["parts", "customer"])
    return [plans[i] for i in range(len(targets))]


def _chain(rng: random.Random, correct: str, transfers: int) -> list[str]:
    """Departments a case wrongly visits before reaching ``correct`` (the seeds' 踢皮球)."""
    others = [d for d in ("technical_support", "quality_control", "logistics", "warehouse", "customer_service")
              if d != correct]
    chain: list[str] = []
    previous = correct
    for _ in range(transfers):
        choice = rng.choice([d for d in others if d != previous])
        chain.append(choice)
        previous = choice
    return chain


def _seed_units(rng: random.Random, plans: list[CasePlan], customers: list[DemoCustomer]) -> None:
    """500 trace-coded units; the cases' customers own the units they call about."""
    rows: list[dict[str, object]] = []
    free: dict[str, list[dict[str, object]]] = {}
    per_model = UNITS_TOTAL // len(MODELS)
    for model in MODELS:
        for serial in range(per_model):
            number, produced, _factory = model.batches[serial % len(model.batches)]
            row: dict[str, object] = {"trace_code": f"{number}-{serial + 1:05d}", "model": model.code,
                                      "batch_number": number, "produced_on": produced}
            rows.append(row)
            free.setdefault(model.code, []).append(row)
    for model_code in free:
        rng.shuffle(free[model_code])
    for plan in plans:
        if rng.random() >= 0.65:
            continue
        candidates = [r for r in free[plan.scenario.model]
                      if not plan.scenario.batch or r["batch_number"] == plan.scenario.batch]
        if not candidates:
            continue
        row = candidates[0]
        free[plan.scenario.model].remove(row)
        row["owner_phone"] = plan.customer.phone
        plan.unit_code = str(row["trace_code"])
        plan.unit_produced = dt.date.fromisoformat(str(row["produced_on"]))
    leftovers = [r for rows_ in free.values() for r in rows_]
    for row in rng.sample(leftovers, k=min(80, len(leftovers))):
        row["owner_phone"] = rng.choice(customers).phone
    _check(catalog_import_rows(kind="units", rows=rows))


# ---------------------------------------------------------------- walking one case


Step = tuple[dt.timedelta, Callable[[], None]]


class _Walk:
    """The steps of one case: each a delay after the previous step and a service call."""

    def __init__(self, plan: CasePlan, users: dict[str, User], rng: random.Random):
        self.p = plan
        self.s = plan.scenario
        self.users = users
        self.rng = rng
        self.steps: list[Step] = []
        self.number = ""
        self.start = clock.now()
        self.owner = users[plan.owner]
        # A public outcry escalates the case to P1 before any plan is made.
        self.priority = "P1" if plan.public_outcry else plan.scenario.priority
        self.final_handler = self._handler_for(ROUTING[plan.scenario.category])
        self.department = plan.first_department
        self.handler = self._handler_for(plan.first_department)
        self.order = ""
        self.flags: set[str] = set()

    # -- building

    def after(self, lo: float, hi: float, fn: Callable[[], None]) -> None:
        self.steps.append((dt.timedelta(minutes=self.rng.uniform(lo, hi)), fn))

    def build(self) -> list[Step]:
        p, target = self.p, self.p.target
        if p.refuse and not self._approval_needed(self.s.plan):
            p.refuse, p.reject = False, target == State.ASSIGNED or p.reject
        live = p.channel in LIVE_CHANNELS
        self.after(2, 12, self.register) if live else self.after(8, 150, self.register)
        if p.arrive_new:
            if target == State.NEW:
                return self.steps
            self.after(5, 50, self.confirm_registration)
        if not live:
            self.after(3, 25, self.first_reply)
        if target == State.REGISTERED:
            return self.steps
        if p.cancel_at == State.REGISTERED:
            self.after(20, 180, self.cancel)
            return self.steps
        self.after(10, 55, self.classify)
        if target == State.CLASSIFIED:
            return self.steps
        if p.cancel_at == State.CLASSIFIED:
            self.after(10, 120, self.cancel)
            return self.steps
        self.dispatch()
        if target == State.ASSIGNED and not (p.refuse or p.reject):
            return self.steps
        if self.plan_phase():
            return self.steps
        self.execution()
        if target in {State.ON_HOLD, State.IN_PROGRESS, State.RESOLVED, State.AWAITING_CONFIRMATION}:
            return self.steps
        self.after(120, 1800, self.confirm)
        if p.reopen_cycle:
            self.after(1440, 4320, self.reopen)
            self.after(20, 60, self.classify)
            self.after(5, 30, self.assign)
            alternative = self.s.alternative or self._default_alternative()
            self.after(30, 110, lambda: self.propose(alternative))
            if self._approval_needed(alternative):
                self.after(20, 120, self.approve)
            self.after(10, 60, self.offer)
            self.after(30, 300, self.accept)
            self.after(*self._resolve_window(), self.resolve)
            self.after(10, 55, self.feed_back)
            self.after(120, 1440, self.confirm)
        if target == State.REOPENED:
            self.after(1440, 4320, self.reopen)
        elif target == State.ARCHIVED:
            self.after(3 * 1440, 6 * 1440, self.archive)
        return self.steps

    def dispatch(self) -> None:
        p = self.p
        self.after(2, 20, self.assign)
        if self.s.note or p.angry:
            self.after(5, 30, self.dispatch_note)
        for department in p.transfers:
            self.after(40, 300, lambda d=department: self.transfer(d))
        if p.public_outcry:
            self.after(60, 240, self.outcry)
        if p.owner_transfer:
            self.after(60, 600, self.transfer_owner)

    def plan_phase(self) -> bool:
        """Propose, approve, present, agree. True when the case stops in here."""
        p, target = self.p, self.p.target
        first = self.s.plan
        self.after(15, 50 if self.priority == "P1" else 110, lambda: self.propose(first))
        if self._approval_needed(first):
            if target == State.AWAITING_APPROVAL:
                return True
            if p.refuse:
                self.after(30, 180, self.refuse)
                if target == State.ASSIGNED:
                    return True
                reduced = self._reduced(first)
                self.after(30, 120, lambda: self.propose(reduced))
                if self._approval_needed(reduced):
                    self.after(20, 120, self.approve)
            else:
                self.after(20, 180, self.approve)
        if target == State.PLAN_PROPOSED:
            return True
        self.after(10, 60, self.offer)
        if target == State.AWAITING_CUSTOMER:
            return True
        if p.reject:
            self.after(30, 600, self.reject)
            if target == State.ASSIGNED:
                return True
            alternative = self.s.alternative or self._default_alternative()
            self.after(30, 120, lambda: self.propose(alternative))
            if self._approval_needed(alternative):
                self.after(20, 120, self.approve)
            self.after(10, 60, self.offer)
        self.after(30, 600, self.accept)
        return False

    def execution(self) -> None:
        p, target = self.p, self.p.target
        self.after(60, 480, self.progress)
        if p.finance_refund:
            self.after(60, 600, lambda: self.transfer("finance"))
        if p.hold_reason:
            self.after(120, 1200, self.hold)
            if target == State.ON_HOLD:
                return
            self.after(720, 4320, self.resume)
        if target == State.IN_PROGRESS:
            if self.rng.random() < 0.5:
                self.after(30, 300, self.handler_note)
            return
        self.after(*self._resolve_window(), self.resolve)
        if target == State.RESOLVED:
            return
        self.after(10, 55, self.feed_back)
        if p.dispute:
            self.after(120, 1440, self.dispute)
            self.after(240, 2880, self.resolve)
            self.after(10, 55, self.feed_back)

    # -- helpers

    def _handler_for(self, department: str) -> User | None:
        if department == "customer_service":
            return self.owner if self.owner.department and self.owner.department.code == department \
                else self.users["agent2"]
        if department == "technical_support" and self.p.engineer:
            return self.users["engineer"]
        name = HANDLERS.get(department)
        return self.users[name] if name else None

    def _approval_needed(self, spec: PlanSpec) -> bool:
        # Decided while building, so it asks about the handler the case ends with.
        proposer = self.final_handler or self.owner
        return self.priority == "P1" or spec.compensation > authority_limit_for(proposer)

    def _approver(self) -> User:
        plan = Ticket.objects.select_related("current_plan").get(number=self.number).current_plan
        if self.priority == "P1" or (plan and plan.compensation_amount > Decimal("2000")):
            return self.users[HEADS.get(self.department, "tech_head")]
        return self.users["supervisor"]

    def _reduced(self, spec: PlanSpec) -> PlanSpec:
        limit = authority_limit_for(self.final_handler or self.owner)
        amount = min(spec.compensation, limit) if spec.compensation else Decimal("0")
        change = (f"按审批意见调整：补偿{amount:.0f}元，另加延保一年" if spec.compensation
                  else "按审批意见补充：明确到场时间，先提供备用机")
        return PlanSpec(kind=spec.kind if spec.kind != "compensation" or amount > 0 else "repair",
                        summary=f"{spec.summary}（{change}）",
                        repair_mode=spec.repair_mode or ("onsite" if spec.kind == "compensation" and not amount else ""),
                        compensation=amount, form=spec.form if amount else "extended_warranty", cost=spec.cost,
                        due_hours=spec.due_hours)

    def _default_alternative(self) -> PlanSpec:
        if self.s.category == "service_consultation":
            return PlanSpec(kind="repair", summary="客户希望当面指导，安排工程师上门演示", repair_mode="onsite",
                            due_hours=48)
        return PlanSpec(kind="exchange", summary="客户不接受原方案，改为直接换新，上门取旧送新", due_hours=72)

    def _resolve_window(self) -> tuple[float, float]:
        return {"P1": (240, 1800), "P2": (480, 2880)}.get(self.priority, (720, 4320))

    # -- the service calls

    def _order_number(self, purchase: dt.date, channel: str) -> str:
        r = self.rng
        if self.s.customer_type == "enterprise":
            return f"HT-{purchase:%Y}-{r.randint(100, 999)}"
        if self.s.customer_type == "dealer" or channel == "dealer":
            return f"JXS{purchase:%Y%m%d}{r.randint(100, 999)}"
        if channel == "store":
            return f"MD{purchase:%Y%m%d}{r.randint(1000, 9999)}"
        return r.choice([
            f"JD{purchase:%Y%m%d}{r.randint(10000, 99999)}",
            f"TB{r.randint(10**17, 10**18 - 1)}",
            f"PDD{purchase:%y%m%d}-{r.randint(10**14, 10**15 - 1)}",
            f"DY{r.randint(10**18, 10**19 - 1)}",
        ])

    def _purchase_channel(self) -> str:
        if self.s.customer_type == "dealer" or self.p.channel == "dealer":
            return "dealer"
        if self.p.channel == "store":
            return "store"
        if self.s.customer_type == "enterprise":
            return "other"
        return "ecommerce" if self.rng.random() < 0.8 else "store"

    def _description(self) -> str:
        r = self.rng
        text = r.choice(self.s.texts)
        if "{order}" not in text and r.random() < 0.3:
            text = text.rstrip("。！？!?") + "，订单号 {order}。"
        text = text.replace("{order}", self.order)
        if not text.endswith(("。", "！", "？", "!", "?")):
            text += "。"
        greeting = text.startswith(("您好", "你好"))
        if self.p.angry:
            closer, flags = r.choice(ANGRY_CLOSERS)
            self.flags |= set(flags)
            return f"{'' if greeting else r.choice(ANGRY_OPENERS)}{text}{closer}"
        return f"{'' if greeting else r.choice(POLITE_OPENERS)}{text}{r.choice(POLITE_CLOSERS)}"

    def register(self) -> None:
        r, p, s = self.rng, self.p, self.s
        now = clock.now()
        today = self.start.astimezone(clock.SHANGHAI).date()
        purchase = today - dt.timedelta(days=r.randint(*s.age_days))
        if p.unit_produced:  # sold after it was made
            purchase = min(max(purchase, p.unit_produced + dt.timedelta(days=r.randint(5, 20))), today)
        self.order = self._order_number(purchase, p.channel)
        description = self._description()
        model_text = s.model
        batch_text = ""
        if not p.unit_code:
            model = MODEL_BY_CODE[s.model]
            model_text = r.choice([s.model, s.model, model.name, *model.nicknames])
            batch_text = s.batch if s.batch and r.random() < 0.7 else ""
        customer = p.customer
        data = svc.RegistrationInput(
            customer=CustomerInput(name=customer.name, phone=customer.phone),
            product=svc.ProductInput(model=model_text, trace_code=p.unit_code, batch_number=batch_text,
                                     purchase_date=purchase, proof_number=self.order,
                                     purchase_channel=self._purchase_channel()),
            description=description, channel=p.channel, demand=s.demand, title=s.title,
            occurred_at=now - dt.timedelta(hours=r.uniform(1, 48)), environment=s.environment, tried=s.tried,
            first_contact_at=self.start,
            risk_flags=sorted(f for f in self.flags if f in {"external_escalation", "public_opinion"}),
            confirm=not p.arrive_new,
        )
        key = f"erp-{self.order}" if p.channel == Channel.API else None
        ticket, _created = svc.ticket_register(actor=self.owner, data=data, idempotency_key=key)
        self.number = ticket.number

    def confirm_registration(self) -> None:
        svc.ticket_confirm_registration(number=self.number, actor=self.owner)

    def first_reply(self) -> None:
        body = self.rng.choice(FIRST_REPLIES).format(number=self.number)
        svc.ticket_add_note(number=self.number, actor=self.owner, body=body, internal=False)

    def classify(self) -> None:
        flags = set(self.s.flags) | self.flags
        if self.p.customer.vip:
            flags.add("vip")
        if self.p.repeat and self.p.angry:
            flags.add("repeat_complaint")
        svc.ticket_classify(number=self.number, actor=self.users["supervisor"], category=self.s.category,
                            subcategory=self.s.subcategory, priority=self.s.priority, risk_flags=sorted(flags))

    def assign(self) -> None:
        handler = self.handler
        reason = "P1 已同步上报部门经理" if self.s.priority == "P1" else ""
        if self.department != ROUTING[self.s.category]:
            # Not where the routing rule sends it: an override needs its reason (the seeds' misrouted cases).
            reason = reason or "主管判断需先由该部门核实情况"
        svc.ticket_assign(number=self.number, actor=self.users["supervisor"], department=self.department,
                          assignee=handler.username if handler else None, reason=reason)

    def dispatch_note(self) -> None:
        body = self.s.note or self.rng.choice(ANGRY_NOTES)
        svc.ticket_add_note(number=self.number, actor=self.users["supervisor"], body=body, internal=True)

    def transfer(self, department: str) -> None:
        self.department = department
        self.handler = self._handler_for(department)
        svc.ticket_transfer(number=self.number, actor=self.users["supervisor"], department=department,
                            assignee=self.handler.username if self.handler else None,
                            reason=TRANSFER_REASONS[department])

    def outcry(self) -> None:
        """The seeds' story: transferred five times, the customer complained in public."""
        svc.ticket_classify(number=self.number, actor=self.users["supervisor"], category=self.s.category,
                            subcategory=self.s.subcategory, priority="P1",
                            risk_flags=sorted(set(self.s.flags) | self.flags | {"public_opinion"}))
        svc.ticket_add_note(
            number=self.number, actor=self.users["supervisor"], internal=True,
            body="客户在部门间被转了5次，已在微博发帖投诉。主管已介入，升级为P1，由我亲自跟进，今天内必须给客户方案。")

    def transfer_owner(self) -> None:
        new_owner = self.users["agent2" if self.owner.username != "agent2" else "agent"]
        svc.ticket_transfer_owner(number=self.number, actor=self.users["supervisor"], new_owner=new_owner.username,
                                  reason=f"{self.owner.label}休假，转交{new_owner.label}跟进")
        self.owner = new_owner

    def propose(self, spec: PlanSpec) -> None:
        actor = self.handler or self.users["supervisor"]
        svc.ticket_propose_plan(number=self.number, actor=actor, plan={
            "kind": spec.kind, "summary": spec.summary, "repair_mode": spec.repair_mode,
            "responsible_department": self.department, "due_at": clock.now() + dt.timedelta(hours=spec.due_hours),
            "cost": spec.cost, "compensation_amount": spec.compensation, "compensation_form": spec.form,
        })

    def approve(self) -> None:
        svc.ticket_decide_plan(number=self.number, actor=self._approver(), approve=True,
                               reason=self.rng.choice(["同意，尽快安排", "同意，注意安抚客户情绪", "同意，按方案执行"]))

    def refuse(self) -> None:
        reasons = REFUSAL_REASONS["compensation" if self.s.plan.compensation else "plan"]
        svc.ticket_decide_plan(number=self.number, actor=self._approver(), approve=False,
                               reason=self.rng.choice(reasons))

    def offer(self) -> None:
        svc.ticket_offer_plan(number=self.number, actor=self.owner,
                              message=self.rng.choice(["已电话告知客户处理方案", "已通过短信发送处理方案，等待客户确认",
                                                       "已在线告知客户方案，客户表示考虑一下"]))

    def accept(self) -> None:
        svc.ticket_record_customer_decision(number=self.number, actor=self.owner, accept=True)

    def reject(self) -> None:
        svc.ticket_record_customer_decision(number=self.number, actor=self.owner, accept=False,
                                            reason=self.s.rejection or "客户不接受该方案，希望直接换新")

    def progress(self) -> None:
        body = self.rng.choice(PROGRESS_REPLIES[self.priority]).format(digits=self.rng.randint(10**9, 10**10 - 1))
        svc.ticket_add_note(number=self.number, actor=self.handler or self.owner, body=body, internal=False)

    def handler_note(self) -> None:
        svc.ticket_add_note(number=self.number, actor=self.handler or self.owner, internal=True,
                            body=self.rng.choice(["已电话联系客户，约好明天上午上门。", "已联系供应商确认配件库存。",
                                                  "已核对购买凭证，在保修期内。"]))

    def hold(self) -> None:
        reason = self.p.hold_reason
        svc.ticket_hold(number=self.number, actor=self.handler or self.owner, hold_reason=reason,
                        note=self.rng.choice(HOLD_NOTES[reason]))

    def resume(self) -> None:
        svc.ticket_resume(number=self.number, actor=self.handler or self.owner,
                          note="配件已到，继续处理" if self.p.hold_reason == "parts" else "已联系上客户，继续处理")

    def resolve(self) -> None:
        result = self.s.result if self.department != "finance" else "退款已原路退回，财务已核销"
        svc.ticket_resolve(number=self.number, actor=self.handler or self.owner, result=result,
                           responsibility=self.s.responsibility, attachments=[proof_photo(self.s.proof)])

    def feed_back(self) -> None:
        svc.ticket_feed_back(number=self.number, actor=self.owner,
                             message=f"您好，您反映的问题已处理：{self.s.result}。处理凭证已发送，请您确认。")

    def dispute(self) -> None:
        svc.ticket_dispute(number=self.number, actor=self.owner, reason=self.rng.choice(DISPUTE_REASONS))

    def confirm(self) -> None:
        svc.ticket_confirm(number=self.number, actor=self.owner,
                           note=self.rng.choice(["客户确认使用正常", "回访客户表示满意", "客户确认已收到"]))

    def reopen(self) -> None:
        svc.ticket_reopen(number=self.number, actor=self.owner, reason=self.rng.choice(REOPEN_REASONS))

    def archive(self) -> None:
        svc.ticket_archive(number=self.number, actor=self.users["supervisor"])

    def cancel(self) -> None:
        svc.ticket_cancel(number=self.number, actor=self.users["supervisor"], reason=self.rng.choice(CANCEL_REASONS))


OPEN_TARGETS = frozenset(set(State) - {State.CLOSED, State.ARCHIVED})


def _run_cases(rng: random.Random, plans: list[CasePlan], *, users: dict[str, User], now: dt.datetime) -> None:
    earliest = now - dt.timedelta(days=HISTORY_DAYS)
    scheduled: list[tuple[dt.datetime, int, _Walk, list[Step]]] = []
    for index, plan in enumerate(plans):
        walk = _Walk(plan, users, rng)
        steps = walk.build()
        total = sum((delay for delay, _fn in steps), dt.timedelta())
        room = now - dt.timedelta(minutes=5) - earliest - total
        if room <= dt.timedelta():
            # Longer than the history window: squeeze the intervals.
            factor = (now - dt.timedelta(minutes=5) - earliest) / total * 0.95
            steps = [(delay * factor, fn) for delay, fn in steps]
            total = sum((delay for delay, _fn in steps), dt.timedelta())
            room = now - dt.timedelta(minutes=5) - earliest - total
        if plan.target in OPEN_TARGETS and rng.random() < 0.85:
            # Most open cases are recent, so their SLA clocks show a mix of green, amber and
            # red; the rest are the backlog a real team carries (long breached).
            recent = dt.timedelta(hours=60)
            if total > recent:
                steps = [(delay * (recent / total), fn) for delay, fn in steps]
                total = sum((delay for delay, _fn in steps), dt.timedelta())
            gap = dt.timedelta(hours=rng.uniform(0, min(6, 66 - total.total_seconds() / 3600)))
        elif plan.target in EARLY_STATES | WAITING_STATES and rng.random() < 0.8:
            gap = dt.timedelta(hours=rng.uniform(0, min(36, room.total_seconds() / 3600)))
        else:
            gap = room * rng.random()
        start = now - dt.timedelta(minutes=5) - total - gap
        walk.start = start
        scheduled.append((start + steps[0][0], index, walk, steps))
    scheduled.sort(key=lambda item: (item[0], item[1]))
    for _registered, _index, walk, steps in scheduled:
        moment = walk.start
        for delay, fn in steps:
            moment += delay
            with clock.travel_to(moment):
                fn()
