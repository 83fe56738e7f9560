"""Intake benchmark: cases created per second through the API on PostgreSQL.

Starts gunicorn on a dedicated PostgreSQL database, then 8 concurrent clients
(threads with keep-alive connections) POST /api/v1/tickets for a bounded time,
and — in the same run, against the same server — GET the trivial JSON endpoint
/api/v1/health, so the case figure can be read as a ratio of the server's floor.

    make bench                              # defaults
    BENCH_SECONDS=30 BENCH_CLIENTS=8 .venv/bin/python bench/intake.py
"""

from __future__ import annotations

import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/aftersales_bench")
SECONDS = float(os.environ.get("BENCH_SECONDS", "20"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
WORKERS = os.environ.get("BENCH_WORKERS", "3")
THREADS = os.environ.get("BENCH_THREADS", "4")

WORDS = ["电饭煲显示E3无法加热", "扫地机器人回充失败", "沙发扶手有划痕", "快递三天没到", "净水器漏水",
         "笔记本开机黑屏", "门锁指纹识别失灵", "耳机左耳没声音", "料理机有焦味", "热水壶底部生锈"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_database() -> None:
    import psycopg

    name = DB_URL.rsplit("/", 1)[1]
    admin_url = DB_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def prepare(env: dict[str, str]) -> str:
    """Migrate, and return an API token for a bench agent."""
    subprocess.run([str(BIN / "aftersales"), "manage", "migrate", "-v", "0"], env=env, check=True)
    code = (
        "from aftersales.accounts.models import User, Department;"
        "from aftersales.accounts.services import api_token_create;"
        "u, _ = User.objects.get_or_create(username='bench-agent', defaults={'role': 'agent',"
        " 'department': Department.objects.get(code='customer_service')});"
        "print(api_token_create(user=u, name='bench')[1])"
    )
    out = subprocess.run([str(BIN / "aftersales"), "manage", "shell", "-c", code], env=env, check=True,
                         capture_output=True, text=True)
    return out.stdout.strip().splitlines()[-1]


def wait_ready(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/health")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("server did not start")


def case_body(i: int) -> bytes:
    return json.dumps({
        "channel": random.choice(["phone", "web", "email", "wechat"]),
        "customer": {"name": f"压测客户{i % 5000}", "phone": f"139{i % 100000000:08d}"},
        "product": {"model": "RC-30", "trace_code": f"T{i:09d}", "purchase_date": "2026-10-01"},
        "description": random.choice(WORDS) + f"，订单号 JD{i:010d}",
        "demand": "repair",
    }, ensure_ascii=False).encode()


def run_clients(port: int, token: str, kind: str, seconds: float) -> tuple[int, list[float], int]:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    counter = iter(range(random.randint(0, 10**8), 10**12))
    deadline = time.monotonic() + seconds

    def client() -> None:
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        bad = 0
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        while time.monotonic() < deadline:
            start = time.perf_counter()
            if kind == "create":
                conn.request("POST", "/api/v1/tickets", body=case_body(next(counter)), headers=headers)
            else:
                conn.request("GET", "/api/v1/health", headers=headers)
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - start)
            if response.status not in (200, 201):
                bad += 1
        with lock:
            latencies.extend(mine)
            errors += bad

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(latencies), latencies, errors


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1] * 1000


def main() -> None:
    ensure_database()
    env = {**os.environ, "DATABASE_URL": DB_URL, "DEBUG": "0", "LOG_LEVEL": "ERROR",
           "DJANGO_SETTINGS_MODULE": "aftersales.config.settings.base"}
    token = prepare(env)
    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "aftersales.config.wsgi:application", "-b", f"127.0.0.1:{port}",
         "-w", WORKERS, "-k", "gthread", "--threads", THREADS, "--log-level", "warning"],
        env=env, cwd=ROOT, start_new_session=True,
    )
    try:
        wait_ready(port)
        run_clients(port, token, "create", 2)  # warm-up: connections, imports, caches
        n_trivial, lat_trivial, err_trivial = run_clients(port, token, "health", SECONDS / 2)
        n_create, lat_create, err_create = run_clients(port, token, "create", SECONDS)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)
    trivial_rate = n_trivial / (SECONDS / 2)
    create_rate = n_create / SECONDS
    print(f"intake benchmark: {CLIENTS} clients, gunicorn {WORKERS}x{THREADS} gthread, PostgreSQL, "
          f"{SECONDS:.0f} s")
    print(f"  trivial JSON GET /api/v1/health : {trivial_rate:8.1f} req/s   p50 {pct(lat_trivial, 50):6.1f} ms"
          f"  p95 {pct(lat_trivial, 95):6.1f} ms  p99 {pct(lat_trivial, 99):6.1f} ms  errors {err_trivial}")
    print(f"  POST /api/v1/tickets            : {create_rate:8.1f} cases/s p50 {pct(lat_create, 50):6.1f} ms"
          f"  p95 {pct(lat_create, 95):6.1f} ms  p99 {pct(lat_create, 99):6.1f} ms  errors {err_create}")
    print(f"  ratio cases/s ÷ trivial req/s   : {create_rate / trivial_rate:.2f}")
    if err_create or err_trivial:
        raise SystemExit("requests failed during the benchmark")


if __name__ == "__main__":
    main()
