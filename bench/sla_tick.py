"""SLA tick benchmark: 1,000,000 open cases on PostgreSQL, 1,000 of them due.

Builds (once, then reuses) a dedicated database with N open cases, each with a
met clock in its history and a running clock whose next check is in the future.
Each run makes D of those clocks due (warning and breach passed), then measures,
in the same run and on the same connection:

  * the bare indexed SELECT of the due rows (the floor: what any tick must read);
  * the tick itself (warnings, breaches, escalation events, outbox rows);

and proves the tick touched only the due rows: no sequential scan of the clock or
case tables, and the rows it updated equal the due clocks.

    make bench-sla
    BENCH_CASES=1000000 BENCH_DUE=1000 .venv/bin/python bench/sla_tick.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

DB_URL = os.environ.get("BENCH_SLA_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/aftersales_bench_sla")
CASES = int(os.environ.get("BENCH_CASES", "1000000"))
DUE = int(os.environ.get("BENCH_DUE", "1000"))
CHUNK = 100_000


def ensure_database() -> None:
    import psycopg

    name = DB_URL.rsplit("/", 1)[1]
    admin_url = DB_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django() -> None:
    os.environ["DATABASE_URL"] = DB_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.config.settings.base")
    os.environ.setdefault("AFTERSALES_VAR_DIR", str(Path(tempfile.gettempdir()) / "aftersales-bench-sla"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def populate() -> None:
    """Insert the cases and clocks with set-based SQL (the services would take hours for 1M)."""
    from django.db import connection

    from aftersales.accounts.models import Department, User
    from aftersales.customers.models import Customer
    from aftersales.sla.models import Calendar, SlaPolicy
    from aftersales.tickets.models import Ticket

    have = Ticket.objects.count()
    if have >= CASES:
        print(f"reusing {have:,} cases")
        return
    if have:
        sys.exit(f"the bench database holds {have:,} cases, fewer than {CASES:,}; drop it and run again")
    department = Department.objects.get(code="technical_support")
    agent, _ = User.objects.get_or_create(username="bench_agent", defaults={
        "role": "agent", "department": Department.objects.get(code="customer_service")})
    User.objects.get_or_create(username="bench_supervisor", defaults={
        "role": "supervisor", "department": Department.objects.get(code="customer_service")})
    handler, _ = User.objects.get_or_create(username="bench_handler", defaults={
        "role": "handler", "department": department})
    User.objects.get_or_create(username="bench_head", defaults={"role": "department_head", "department": department})
    customer, _ = Customer.objects.get_or_create(phone="13900000000", defaults={"name": "压测客户"})
    policy = SlaPolicy.objects.get(code="standard")
    calendar = Calendar.objects.get(code="24x7")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for offset in range(0, CASES, CHUNK):
            count = min(CHUNK, CASES - offset)
            cursor.execute(
                """
                INSERT INTO tickets_ticket (
                  number, state, version, channel, demand, priority, risk_flags, responsibility, customer_id,
                  model_text, sku, batch_text, trace_code_text, proof_number, purchase_channel, title, description,
                  environment, tried, owner_id, registered_by_id, department_id, assignee_id, hold_reason, closure,
                  transfer_count, reopen_count, first_contact_at, registered_at, classified_at, assigned_at,
                  paused_seconds, sla_due_at, sla_warn_at, sla_paused, created_at, updated_at)
                SELECT 'BENCH-' || lpad(g::text, 8, '0'), 'assigned', 1, 'web', 'repair',
                  (ARRAY['P1','P2','P3'])[1 + g %% 3], '[]'::jsonb, '', %(customer)s,
                  '', '', '', '', '', '', '压测工单', '压测工单描述', '', '', %(agent)s, %(agent)s, %(dept)s,
                  %(handler)s, '', '', 0, 0, now() - interval '1 hour', now() - interval '1 hour',
                  now() - interval '50 minutes', now() - interval '45 minutes', 0,
                  now() + interval '30 days', now() + interval '29 days', false, now(), now()
                FROM generate_series(%(lo)s, %(hi)s) AS g
                """,
                {"customer": customer.pk, "agent": agent.pk, "dept": department.pk, "handler": handler.pk,
                 "lo": offset + 1, "hi": offset + count},
            )
        # Two clocks per case: a met one (history, not in the tick's index) and a running one.
        cursor.execute(
            """
            INSERT INTO sla_slaclock (ticket_id, metric, cycle, policy_id, calendar_id, priority, target_minutes,
              warn_percent, started_at, due_at, warn_at, status, paused_business_seconds, paused_seconds,
              stopped_at, fired_steps, next_check_at)
            SELECT t.id, 'classification', 1, %(policy)s, %(calendar)s, t.priority, 60, 80,
              t.registered_at, t.registered_at + interval '60 minutes', t.registered_at + interval '48 minutes',
              'met', 0, 0, t.classified_at, '[]'::jsonb, NULL
            FROM tickets_ticket t WHERE t.number LIKE 'BENCH-%%'
            """,
            {"policy": policy.pk, "calendar": calendar.pk},
        )
        cursor.execute(
            """
            INSERT INTO sla_slaclock (ticket_id, metric, cycle, policy_id, calendar_id, priority, target_minutes,
              warn_percent, started_at, due_at, warn_at, status, paused_business_seconds, paused_seconds,
              fired_steps, next_check_at)
            SELECT t.id, 'closed_loop', 1, %(policy)s, %(calendar)s, t.priority, 4320, 80,
              now(), now() + interval '30 days', now() + interval '29 days', 'running', 0, 0, '[]'::jsonb,
              now() + interval '29 days'
            FROM tickets_ticket t WHERE t.number LIKE 'BENCH-%%'
            """,
            {"policy": policy.pk, "calendar": calendar.pk},
        )
        cursor.execute("ANALYZE tickets_ticket; ANALYZE sla_slaclock;")
    print(f"inserted {CASES:,} cases and {2 * CASES:,} clocks in {time.perf_counter() - started:.0f} s")


def make_due() -> list[int]:
    """Spread DUE running clocks over the table and make their warning and breach past."""
    from django.db import connection

    from aftersales.sla.models import SlaBreach, SlaClock, SlaEscalation

    stride = max(CASES // DUE, 1)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM sla_slaclock WHERE status = 'running' AND metric = 'closed_loop' "
            "AND ticket_id %% %s = 0 ORDER BY ticket_id LIMIT %s", [stride, DUE])
        ids = [row[0] for row in cursor.fetchall()]
    SlaEscalation.objects.filter(clock_id__in=ids).delete()
    SlaBreach.objects.filter(clock_id__in=ids).delete()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE sla_slaclock SET due_at = now() - interval '10 minutes', warn_at = now() - interval '1 hour', "
            "next_check_at = now() - interval '1 hour', warned_at = NULL, breached_at = NULL, fired_steps = '[]' "
            "WHERE id = ANY(%s)", [ids])
        # Everything else stays far in the future.
        cursor.execute("ANALYZE sla_slaclock")
    assert SlaClock.objects.filter(next_check_at__isnull=False).count() >= DUE
    return ids


def table_stats() -> dict[str, tuple[int, int, int]]:
    from django.db import connection

    time.sleep(1.2)  # PostgreSQL publishes table statistics at most once a second
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")
        cursor.execute(
            "SELECT relname, coalesce(seq_scan, 0), coalesce(n_tup_upd, 0), coalesce(idx_scan, 0) "
            "FROM pg_stat_user_tables WHERE relname IN ('sla_slaclock', 'tickets_ticket')")
        return {name: (seq, upd, idx) for name, seq, upd, idx in cursor.fetchall()}


def bare_select(now) -> tuple[float, int]:
    from django.db import connection

    timings = []
    rows = 0
    with connection.cursor() as cursor:
        for _ in range(7):
            started = time.perf_counter()
            cursor.execute(
                "SELECT id, ticket_id FROM sla_slaclock WHERE next_check_at <= %s ORDER BY next_check_at",
                [now])
            rows = len(cursor.fetchall())
            timings.append(time.perf_counter() - started)
    return statistics.median(timings), rows


def explain(now) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN SELECT id, ticket_id FROM sla_slaclock WHERE next_check_at <= %s "
                       "ORDER BY next_check_at LIMIT 200", [now])
        return "\n".join("    " + row[0] for row in cursor.fetchall())


def main() -> None:
    ensure_database()
    setup_django()
    from django.db import connection

    from aftersales.core import clock
    from aftersales.sla.jobs import tick

    populate()
    due_ids = make_due()
    now = clock.now()
    select_seconds, selected = bare_select(now)
    print(f"due clocks: {len(due_ids):,} of {2 * CASES:,} clocks ({CASES:,} open cases)")
    print("plan of the tick's read:\n" + explain(now))
    before = table_stats()
    statements = []

    def count(execute, sql, params, many, context):
        statements.append(len(params) if many else 1)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        started = time.perf_counter()
        report = tick(now)
        tick_seconds = time.perf_counter() - started
    after = table_stats()
    seq = {name: after[name][0] - before[name][0] for name in after}
    updated = {name: after[name][1] - before[name][1] for name in after}
    print(f"bare indexed SELECT of the due rows: {select_seconds * 1000:.1f} ms ({selected:,} rows, median of 7)")
    print(f"tick: {tick_seconds * 1000:.0f} ms — {report}")
    print(f"  {len(statements):,} calls to the database carrying {sum(statements):,} statements "
          f"(the clock updates go pipelined in one executemany per batch); "
          f"{tick_seconds / max(report.clocks, 1) * 1000:.2f} ms per due clock")
    print(f"  sequential scans during the tick: clocks {seq['sla_slaclock']}, cases {seq['tickets_ticket']}")
    print(f"  rows updated: clocks {updated['sla_slaclock']:,} (due: {len(due_ids):,}), "
          f"cases {updated['tickets_ticket']:,}")
    print(f"ratio tick / bare SELECT: {tick_seconds / select_seconds:.0f}×")
    if seq["sla_slaclock"] or seq["tickets_ticket"] or updated["sla_slaclock"] > len(due_ids):
        sys.exit("FAIL: the tick touched rows that were not due")
    if report.clocks != len(due_ids):
        sys.exit(f"FAIL: the tick handled {report.clocks} clocks, expected {len(due_ids)}")


if __name__ == "__main__":
    main()
