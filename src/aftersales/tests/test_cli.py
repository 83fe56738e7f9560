"""The ``aftersales`` command, run as operators run it: a subprocess on a fresh SQLite under a temp var dir.

These tests always use their own SQLite database (DATABASE_URL is removed from
the child's environment), whatever database the rest of the suite runs on.
"""

from __future__ import annotations

import hashlib
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from aftersales.demo.seed_data import DEMO_PASSWORD, DEMO_USERS
from aftersales.tickets.states import State

BIN = Path(sys.executable).parent / "aftersales"


def command() -> list[str]:
    return [str(BIN)] if BIN.exists() else [sys.executable, "-m", "aftersales.cli"]


def child_env(var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env["AFTERSALES_VAR_DIR"] = str(var_dir)
    return env


def aftersales(var_dir: Path, *args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own entry point, fixed arguments
        [*command(), *args], env=child_env(var_dir), cwd=var_dir, capture_output=True, text=True,
        timeout=timeout, check=False,
    )


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """One full ``aftersales demo --no-serve`` (300 cases) shared by the tests below."""
    var_dir = tmp_path_factory.mktemp("aftersales-var")
    started = time.monotonic()
    result = aftersales(var_dir, "demo", "--no-serve", "--port", "8123")
    assert result.returncode == 0, result.stderr[-3000:]
    assert time.monotonic() - started < 180
    return var_dir, result


def query(var_dir: Path, sql: str, params: tuple = ()) -> list[tuple]:
    with sqlite3.connect(var_dir / "aftersales.sqlite3") as db:
        return db.execute(sql, params).fetchall()


def test_demo_migrates_loads_and_prints_url_and_logins(demo_dir):
    var_dir, result = demo_dir
    out = result.stdout
    assert "http://127.0.0.1:8123/" in out
    assert DEMO_PASSWORD in out
    for user in DEMO_USERS:
        assert f"  {user.username} " in out
    assert (var_dir / "aftersales.sqlite3").exists()
    states = dict(query(var_dir, "SELECT state, COUNT(*) FROM tickets_ticket GROUP BY state"))
    assert sum(states.values()) == 300
    assert set(states) == set(State.values)
    for state in State.values:
        assert f"{state} {states[state]}" in out


def test_demo_a_second_time_changes_nothing(demo_dir):
    var_dir, _first = demo_dir
    before = query(var_dir, "SELECT COUNT(*) FROM tickets_ticketevent")
    result = aftersales(var_dir, "demo", "--no-serve")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "already present" in result.stdout
    assert query(var_dir, "SELECT COUNT(*) FROM tickets_ticketevent") == before


def test_token_prints_a_working_secret_for_the_demo_admin(demo_dir):
    var_dir, _result = demo_dir
    result = aftersales(var_dir, "token", "admin", "--name", "ci")
    assert result.returncode == 0, result.stderr[-3000:]
    raw = result.stdout.strip()
    assert raw.startswith("as_") and len(raw) > 30
    rows = query(var_dir, "SELECT t.name, u.username FROM accounts_apitoken t JOIN accounts_user u ON u.id = t.user_id "
                          "WHERE t.key_hash = ?", (hashlib.sha256(raw.encode()).hexdigest(),))
    assert rows == [("ci", "admin")]


def test_token_for_an_unknown_user_fails_clearly(demo_dir):
    var_dir, _result = demo_dir
    result = aftersales(var_dir, "token", "nobody")
    assert result.returncode == 1
    assert "nobody" in result.stderr


def test_manage_passes_through_to_django(demo_dir):
    var_dir, _result = demo_dir
    result = aftersales(var_dir, "manage", "check")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "System check identified no issues" in result.stdout
    shown = aftersales(var_dir, "manage", "showmigrations", "demo", "tickets")
    assert "[X] 0001_initial" in shown.stdout


def test_token_works_on_a_fresh_database_after_migrate(tmp_path):
    assert aftersales(tmp_path, "manage", "migrate", "-v", "0").returncode == 0
    created = aftersales(tmp_path, "manage", "shell", "-c",
                         "from aftersales.accounts.models import User; User.objects.create_user('ops', password='x' * 10)")
    assert created.returncode == 0, created.stderr[-3000:]
    result = aftersales(tmp_path, "token", "ops")
    assert result.returncode == 0 and result.stdout.startswith("as_")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_answers_pages_and_static_files(demo_dir):
    var_dir, _result = demo_dir
    port = free_port()
    server = subprocess.Popen(  # noqa: S603 - our own entry point
        [*command(), "serve", "--port", str(port)], env=child_env(var_dir), cwd=var_dir,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/admin/login/", timeout=5) as response:  # noqa: S310 - local
                    assert response.status == 200
                    assert "售后服务平台" in response.read().decode()
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.5)
        with urllib.request.urlopen(f"{base}/static/admin/css/base.css", timeout=5) as response:  # noqa: S310
            assert response.status == 200
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    assert server.returncode is not None
