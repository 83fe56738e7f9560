"""``seed_demo [--cases N]`` — load the demo data once (a second run changes nothing)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from aftersales.demo.seed import DEFAULT_CASES, DEMO_PASSWORD, DEMO_USERS, seed_demo


class Command(BaseCommand):
    help = "Load demo staff, products, customers and a month of cases through the real services (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, default=DEFAULT_CASES, help="how many cases (default 300)")
        parser.add_argument("--quiet-logins", action="store_true", help="do not print the demo logins")

    def handle(self, *args: Any, cases: int, quiet_logins: bool, **options: Any) -> None:
        report = seed_demo(cases=cases)
        self.stdout.write(report.summary())
        if not quiet_logins:
            self.stdout.write(f"\n演示账号 demo logins (password / 密码: {DEMO_PASSWORD}):")
            for user in DEMO_USERS:
                self.stdout.write(f"  {user.username:<15} {user.role_label:<28} {user.display_name}  "
                                  f"{user.department_label}")
