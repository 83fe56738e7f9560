"""Helpers for the tests that run the background jobs in real processes.

Children get the test database (the file SQLite or the ``test_…`` PostgreSQL
database of this pytest process), the base settings, their own var dir, and
start in a new session so that one ``killpg`` ends a process with all its
children (Celery's pool). Nothing here reads the parent's REDIS_URL etc. into
a child unless the test passes it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import redis
from django.conf import settings
from django.db import connection

BIN = Path(sys.executable).parent
CHILD_DROPS = ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "REDIS_URL", "AFTERSALES_", "PYTEST_", "CELERY_")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def child_database_url() -> str:
    """The URL of the database this test runs on, for a child process."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    if connection.vendor != "postgresql":  # pragma: no cover - the suite runs on SQLite or PostgreSQL
        raise RuntimeError(f"no child URL for {connection.vendor}")
    auth = quote(db.get("USER") or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}/{db['NAME']}"


def redis_unavailable() -> str | None:
    """Why the Celery tests cannot run here, or None when Redis at REDIS_URL answers."""
    url = settings.REDIS_URL
    if not url:
        return "REDIS_URL is not set (e.g. REDIS_URL=redis://127.0.0.1:6379/0); the Celery tests need Redis"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    except redis.RedisError as exc:
        return f"Redis at REDIS_URL={url} does not answer ({exc})"
    return None


def child_env(var_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(CHILD_DROPS)}
    env.update({
        "DJANGO_SETTINGS_MODULE": "aftersales.config.settings.base",
        "DATABASE_URL": child_database_url(),
        "AFTERSALES_VAR_DIR": str(var_dir),
        "AFTERSALES_TICK_SECONDS": "1",
        "AFTERSALES_FLUSH_SECONDS": "1",
        "AFTERSALES_NOTIFY_RETRY_SECONDS": "1",
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
    })
    env.update(extra)
    return env


class Proc:
    """A child process in its own session, its output in a file."""

    def __init__(self, name: str, argv: list[str], *, env: dict[str, str], cwd: Path) -> None:
        self.name = name
        self.log = cwd / f"{name}-{uuid.uuid4().hex[:6]}.log"
        with self.log.open("wb") as out:
            self.popen = subprocess.Popen(  # noqa: S603 - our own programs, fixed argv
                argv, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)

    @property
    def running(self) -> bool:
        return self.popen.poll() is None

    def output(self, tail: int = 4000) -> str:
        try:
            return self.log.read_text(errors="replace")[-tail:]
        except OSError:
            return ""

    def signal(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signum)

    def kill(self) -> None:
        """SIGKILL the whole group (the process and its pool), as a crash or an OOM kill would."""
        self.signal(signal.SIGKILL)
        self.popen.wait(timeout=30)

    def stop(self, timeout: float = 20) -> int:
        """SIGTERM, then SIGKILL after ``timeout``; the exit code (negative: killed by that signal)."""
        if self.running:
            self.signal(signal.SIGTERM)
            try:
                return self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
        self.kill()
        return self.popen.returncode


def aftersales_worker(cwd: Path, env: dict[str, str], *args: str) -> Proc:
    return Proc("aftersales-worker", [str(BIN / "aftersales"), "worker", *args], env=env, cwd=cwd)


def celery_worker(cwd: Path, env: dict[str, str], *, concurrency: int = 1, name: str = "w") -> Proc:
    node = f"{name}-{uuid.uuid4().hex[:8]}@%h"
    return Proc(f"celery-{name}", [
        str(BIN / "celery"), "-A", "aftersales.config.celery", "worker", "-l", "info", "-P", "prefork",
        "-c", str(concurrency), "-n", node, "--without-mingle", "--without-gossip", "--without-heartbeat",
    ], env=env, cwd=cwd)


def celery_beat(cwd: Path, env: dict[str, str]) -> Proc:
    return Proc("celery-beat", [
        str(BIN / "celery"), "-A", "aftersales.config.celery", "beat", "-l", "info",
        "-s", str(cwd / "beat-schedule"), "--pidfile", str(cwd / "beat.pid"),
    ], env=env, cwd=cwd)


@contextlib.contextmanager
def processes() -> Iterator[list[Proc]]:
    """Collect the children a test starts; every one is killed on the way out, whatever happens."""
    started: list[Proc] = []
    try:
        yield started
    finally:
        for proc in started:
            with contextlib.suppress(Exception):
                proc.kill()


def wait_until(condition: Callable[[], bool], *, timeout: float, what: str, procs: Sequence[Proc] = (),
               every: float = 0.25) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        dead = [p for p in procs if not p.running]
        if dead or time.monotonic() > deadline:
            logs = "\n".join(f"--- {p.name} (exit {p.popen.poll()}):\n{p.output()}" for p in procs)
            reason = f"{', '.join(p.name for p in dead)} exited" if dead else f"timed out after {timeout} s"
            raise AssertionError(f"waiting for {what}: {reason}\n{logs}")
        time.sleep(every)


class WebhookReceiver:
    """A webhook endpoint in a thread: counts every POST by its Idempotency-Key, optionally slowly."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.receipts: Counter[str] = Counter()
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.lock:
                    receiver.receipts[self.headers.get("Idempotency-Key", "")] += 1
                time.sleep(receiver.delay)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> WebhookReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def seen(self) -> Counter[str]:
        with self.lock:
            return Counter(self.receipts)


def unique_queue(prefix: str = "aftersales-test") -> str:
    return f"{prefix}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
