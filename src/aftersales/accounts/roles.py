"""Staff roles (SPEC §1). One role per user; authority limits hang off it."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    AGENT = "agent", _("Agent")  # 客服专员: receives and registers cases, first-contact owner
    SUPERVISOR = "supervisor", _("Supervisor")  # 客服主管: classifies, dispatches, escalations
    HANDLER = "handler", _("Handler")  # 部门处理人: makes and carries out the plan
    ENGINEER = "engineer", _("Field engineer")  # 工程师: on-site inspection and repair
    DEPARTMENT_HEAD = "department_head", _("Department head")  # 部门经理: approves P1 and big compensation
    ADMIN = "admin", _("Administrator")  # 管理员: configures everything
    AUDITOR = "auditor", _("Auditor")  # 质量分析: read-only


# Roles that can see every case (customer service answers any customer's call).
SEES_ALL_CASES = {Role.AGENT, Role.SUPERVISOR, Role.ADMIN, Role.AUDITOR}
# Roles that work cases inside their own department.
DEPARTMENT_WORKERS = {Role.HANDLER, Role.ENGINEER, Role.DEPARTMENT_HEAD}
