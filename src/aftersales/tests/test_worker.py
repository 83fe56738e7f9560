"""The embedded scheduler and the commands that run it: ``aftersales worker`` and ``aftersales serve``."""

from __future__ import annotations

import datetime as dt
import signal
import sqlite3
import subprocess
import textwrap
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from django.test import override_settings

from aftersales import cli
from aftersales.core import clock
from aftersales.core.scheduler import Job, Scheduler, default_jobs, run_job
from aftersales.notify.models import DeliveryStatus, Notification
from aftersales.sla.models import SlaEscalation
from aftersales.tests.background import BIN, Proc, free_port, wait_until
from aftersales.tests.test_cli import aftersales, child_env
from aftersales.tickets import services as svc
from aftersales.tickets.models import TicketEvent
from conftest import registration

# ---------------------------------------------------------------- the scheduler itself


def test_scheduler_runs_each_job_on_its_period_survives_failures_and_stops_cleanly():
    calls: dict[str, int] = {"fast": 0, "broken": 0, "slow": 0}
    lock = threading.Lock()

    def counting(name: str, fail: bool = False):
        def run():
            with lock:
                calls[name] += 1
            if fail:
                raise RuntimeError("boom")
            return calls[name]
        return run

    scheduler = Scheduler([Job("fast", counting("fast"), 0.05), Job("broken", counting("broken", fail=True), 0.05),
                           Job("slow", counting("slow"), 60)])
    scheduler.start()
    try:
        wait_until(lambda: calls["fast"] >= 5 and calls["broken"] >= 5, timeout=10, what="jobs to run")
    finally:
        started = time.monotonic()
        assert scheduler.stop(timeout=5)
    assert time.monotonic() - started < 1  # sleeping threads wake on the event; nobody waits out the 60 s
    assert not scheduler.alive
    assert calls["slow"] == 1  # runs at start, then waits its period
    assert scheduler.failures["broken"] == scheduler.runs["broken"] >= 5  # a failing job keeps its schedule
    assert scheduler.failures["fast"] == 0
    frozen = dict(calls)
    time.sleep(0.2)
    assert calls == frozen  # nothing runs after stop


@pytest.mark.django_db  # run_job renews DB connections around the job
def test_run_job_isolates_an_exception_and_reports_it():
    outcome = run_job(Job("bad", lambda: 1 / 0, 1))
    assert not outcome.ok and outcome.error.startswith("ZeroDivisionError")
    assert "FAILED" in outcome.summary()


@override_settings(AFTERSALES_TICK_SECONDS=7, AFTERSALES_FLUSH_SECONDS=3)
def test_default_jobs_are_the_tick_and_the_flush_on_the_configured_periods():
    assert [(job.name, job.every) for job in default_jobs()] == [("tick", 7.0), ("flush", 3.0)]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_embedded_scheduler_escalates_a_breached_case_and_delivers_its_notifications(agent, supervisor):
    ticket, _ = svc.ticket_register(actor=agent, data=registration(
        channel="web", first_contact_at=clock.now() - dt.timedelta(hours=2)))
    scheduler = Scheduler([Job("tick", default_jobs()[0].run, 0.2), Job("flush", default_jobs()[1].run, 0.2)])
    scheduler.start()
    try:
        wait_until(lambda: TicketEvent.objects.filter(ticket=ticket, kind="sla_escalated").exists()
                   and Notification.objects.filter(ticket=ticket).exists()
                   and not Notification.objects.filter(status=DeliveryStatus.PENDING).exists(),
                   timeout=30, what="the case to be escalated and notified")
        time.sleep(0.5)  # a few more runs of each: they must change nothing
    finally:
        assert scheduler.stop(timeout=10)
    assert scheduler.runs["tick"] >= 2 and scheduler.runs["flush"] >= 2
    assert not scheduler.failures, scheduler.failures
    assert TicketEvent.objects.filter(ticket=ticket, kind="sla_escalated").count() == 1
    assert SlaEscalation.objects.filter(clock__ticket=ticket, stage="breach").count() == 1
    notice = Notification.objects.get(ticket=ticket, recipient=supervisor, template="sla_breach")
    assert (notice.status, notice.attempts) == (DeliveryStatus.DELIVERED, 1)


def test_serve_leaves_the_jobs_to_celery_when_redis_url_is_set(capsys):
    with override_settings(REDIS_URL="redis://127.0.0.1:6379/0"):
        assert cli._wants_scheduler(None) is False
        assert "Celery beat" in capsys.readouterr().out
        assert cli._wants_scheduler(True) is True
    with override_settings(REDIS_URL=""):
        assert cli._wants_scheduler(None) is True
        assert cli._wants_scheduler(False) is False


# ---------------------------------------------------------------- the commands, as operators run them

BREACHED_CASE = textwrap.dedent("""
    import datetime as dt
    from aftersales.accounts.models import Department, User
    from aftersales.accounts.roles import Role
    from aftersales.core import clock
    from aftersales.customers.services import CustomerInput
    from aftersales.tickets import services as svc
    service = Department.objects.get(code="customer_service")
    agent = User.objects.create_user("agent", password="pass12345", role=Role.AGENT, department=service)
    User.objects.create_user("sup", password="pass12345", role=Role.SUPERVISOR, department=service)
    svc.ticket_register(actor=agent, data=svc.RegistrationInput(
        customer=CustomerInput(name="张伟", phone="13800138000"),
        product=svc.ProductInput(model="RC-30", trace_code="", purchase_date=None),
        description="电饭煲无法加热", channel="web", demand="repair",
        first_contact_at=clock.now() - dt.timedelta(hours=2)))
""")


@pytest.fixture
def fresh_db_with_a_breached_case(tmp_path) -> Path:
    """A migrated file SQLite under its own var dir, holding one case whose first-response clock has run out."""
    migrated = aftersales(tmp_path, "manage", "migrate", "-v", "0")
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    created = aftersales(tmp_path, "manage", "shell", "-c", BREACHED_CASE)
    assert created.returncode == 0, created.stderr[-3000:]
    return tmp_path


def query(var_dir: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(var_dir / "aftersales.sqlite3", timeout=20) as db:
        return db.execute(sql).fetchall()


def test_worker_once_runs_each_job_once_prints_what_it_did_and_changes_nothing_the_second_time(
        fresh_db_with_a_breached_case):
    var_dir = fresh_db_with_a_breached_case
    first = aftersales(var_dir, "worker", "--once")
    assert first.returncode == 0, first.stderr[-3000:]
    lines = first.stdout.splitlines()
    assert lines[0].startswith("tick: ") and "breaches=1" in lines[0] and "escalations=1" in lines[0], lines
    assert lines[1].startswith("flush: ") and "delivered=1" in lines[1] and "failed=0" in lines[1], lines
    assert query(var_dir, "SELECT COUNT(*) FROM tickets_ticketevent WHERE kind = 'sla_escalated'") == [(1,)]
    assert query(var_dir, "SELECT status, COUNT(*) FROM notify_notification GROUP BY status") == [("delivered", 1)]

    again = aftersales(var_dir, "worker", "--once")
    assert again.returncode == 0, again.stderr[-3000:]
    assert "escalations=0" in again.stdout and "delivered=0" in again.stdout, again.stdout
    assert query(var_dir, "SELECT COUNT(*) FROM sla_slaescalation") == [(1,)]


def test_serve_runs_the_jobs_beside_gunicorn_and_sigterm_stops_both(fresh_db_with_a_breached_case):
    var_dir = fresh_db_with_a_breached_case
    port = free_port()

    def answers() -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/admin/login/", timeout=5) as response:
                return response.status == 200
        except OSError:
            return False

    env = child_env(var_dir) | {"AFTERSALES_TICK_SECONDS": "1", "AFTERSALES_FLUSH_SECONDS": "1"}
    env.pop("REDIS_URL", None)
    server = Proc("serve", [str(BIN / "aftersales"), "serve", "--port", str(port), "--workers", "1",
                            "--no-migrate"], env=env, cwd=var_dir)
    try:
        wait_until(lambda: query(var_dir, "SELECT COUNT(*) FROM notify_notification WHERE status = 'delivered'")
                   == [(1,)], timeout=60, what="serve's scheduler to escalate and deliver", procs=[server])
        wait_until(answers, timeout=60, what="gunicorn to answer", procs=[server])
        server.popen.send_signal(signal.SIGTERM)  # to serve only, as a supervisor sends it
        assert server.popen.wait(timeout=30) == 0, server.output()
    finally:
        server.kill()
    assert not answers()  # gunicorn went with it
    assert "Background jobs in this process" in server.output()
    assert query(var_dir, "SELECT COUNT(*) FROM tickets_ticketevent WHERE kind = 'sla_escalated'") == [(1,)]


def test_worker_stops_cleanly_on_sigterm(fresh_db_with_a_breached_case):
    var_dir = fresh_db_with_a_breached_case
    env = child_env(var_dir) | {"AFTERSALES_TICK_SECONDS": "1", "AFTERSALES_FLUSH_SECONDS": "1"}
    env.pop("REDIS_URL", None)
    worker = Proc("worker", [str(BIN / "aftersales"), "worker"], env=env, cwd=var_dir)
    try:
        wait_until(lambda: "flush: delivered=1" in worker.output(), timeout=60, what="the first delivery",
                   procs=[worker])
        worker.popen.send_signal(signal.SIGTERM)
        assert worker.popen.wait(timeout=30) == 0, worker.output()
    finally:
        worker.kill()
    assert worker.output().rstrip().endswith("Stopped."), worker.output()


def test_worker_once_fails_when_a_job_fails(tmp_path):
    # no migrations: the tables are missing, so both jobs fail; the command says so and exits 1
    result = subprocess.run(  # noqa: S603 - our own entry point
        [str(BIN / "aftersales"), "worker", "--once"], env=child_env(tmp_path), cwd=tmp_path,
        capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 1
    assert "tick: FAILED" in result.stdout and "flush: FAILED" in result.stdout, result.stdout
