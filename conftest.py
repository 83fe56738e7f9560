"""Fixtures shared by every test: one staff user per role and case builders."""

from __future__ import annotations

import pytest

from aftersales.accounts.models import Department, User
from aftersales.accounts.roles import Role
from aftersales.customers.services import CustomerInput
from aftersales.tickets import services as svc
from aftersales.tickets.scenarios import Cast, advance


@pytest.fixture(autouse=True)
def _fresh_sla_caches():
    """The per-process configuration caches must not carry one test's rolled-back rows into the next."""
    from aftersales.core.config_cache import clear_all
    from aftersales.sla import calendars, configuration  # noqa: F401 - registers their caches

    clear_all()
    yield
    clear_all()


def _user(username: str, role: str, department: str | None, display: str) -> User:
    dept = Department.objects.get(code=department) if department else None
    user = User.objects.create_user(username=username, password="pass12345", role=role, department=dept,
                                    display_name=display)
    return user


@pytest.fixture
def agent(db) -> User:
    return _user("agent", Role.AGENT, "customer_service", "王芳")


@pytest.fixture
def agent2(db) -> User:
    return _user("agent2", Role.AGENT, "customer_service", "李娜")


@pytest.fixture
def supervisor(db) -> User:
    return _user("supervisor", Role.SUPERVISOR, "customer_service", "陈主管")


@pytest.fixture
def handler(db) -> User:
    return _user("tech", Role.HANDLER, "technical_support", "张工")


@pytest.fixture
def head(db) -> User:
    return _user("techhead", Role.DEPARTMENT_HEAD, "technical_support", "刘经理")


@pytest.fixture
def logistics_handler(db) -> User:
    return _user("logi", Role.HANDLER, "logistics", "赵师傅")


@pytest.fixture
def logistics_head(db) -> User:
    return _user("logihead", Role.DEPARTMENT_HEAD, "logistics", "孙经理")


@pytest.fixture
def auditor(db) -> User:
    return _user("auditor", Role.AUDITOR, "quality_control", "周分析")


@pytest.fixture
def admin_user(db) -> User:
    return User.objects.create_superuser(username="admin", password="pass12345", role=Role.ADMIN,
                                         display_name="系统管理员")


@pytest.fixture
def cast(supervisor, handler, head) -> Cast:
    return Cast(supervisor=supervisor, handler=handler, head=head)


def registration(**overrides) -> svc.RegistrationInput:
    data = {
        "customer": CustomerInput(name="张伟", phone="13800138000"),
        "product": svc.ProductInput(model="RC-30", trace_code="", purchase_date=None),
        "description": "电饭煲用了两个月，煮饭时突然显示E3故障码，无法加热。",
        "channel": "phone",
        "demand": "repair",
    }
    data.update(overrides)
    return svc.RegistrationInput(**data)


@pytest.fixture
def make_ticket(agent, cast):
    """make_ticket(state="assigned", priority="P1") → a case walked there through the services."""

    def build(state: str = "registered", *, owner=None, priority: str = "P2", **kwargs):
        ticket, _created = svc.ticket_register(actor=owner or agent, data=registration(**kwargs))
        if state != "registered":
            ticket = advance(ticket, to=state, cast=cast, priority=priority)
        ticket.refresh_from_db()
        return ticket

    return build
