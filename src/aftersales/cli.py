"""The ``aftersales`` command: one program to try, run and operate the platform.

    aftersales demo [--port N] [--host H] [--no-serve] [--cases N]
    aftersales serve [--port N] [--host H] [--workers N] [--threads N] [--no-migrate] [--no-scheduler]
    aftersales worker [--once]
    aftersales token USERNAME [--name NAME]
    aftersales triage "<text>" [--customer-type T] [--channel C]   (prints the suggestion as JSON)
    aftersales triage retrain | evaluate [--mistakes] | build
    aftersales manage <any Django management command and its options>

``serve`` runs gunicorn as a child process and, in its own process, the embedded
scheduler (aftersales.core.scheduler): the SLA tick every AFTERSALES_TICK_SECONDS
and the notification flush every AFTERSALES_FLUSH_SECONDS. SIGINT/SIGTERM/SIGHUP
are passed on to gunicorn; when gunicorn exits the scheduler stops. With
REDIS_URL set, Celery beat and workers are expected to run the jobs
(aftersales.config.celery), so ``serve`` leaves them out unless --scheduler says
otherwise. ``worker`` runs only the scheduler, in the foreground (Ctrl-C or
SIGTERM stops it); ``worker --once`` runs each job once, prints what it did and
exits. The jobs are idempotent and lock what they touch: any number of these
processes, and Celery workers beside them, never do the same work twice.

The database is whatever DATABASE_URL says (default: SQLite under ./var, or
under AFTERSALES_VAR_DIR); settings are read by aftersales.config.env only.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from collections.abc import Sequence

DEFAULT_SETTINGS = "aftersales.config.settings.base"
WSGI_APP = "aftersales.config.wsgi:application"


def _setup() -> None:
    import django

    django.setup()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="aftersales", description="Aftersales 售后服务平台")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser("demo", help="migrate, load demo data, print the logins, then serve")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--no-serve", action="store_true", help="prepare the database and stop")
    demo.add_argument("--cases", type=int, default=None, help="number of demo cases (default 300)")

    serve = sub.add_parser("serve", help="serve the web console and the API with gunicorn")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--workers", type=int, default=2)
    serve.add_argument("--threads", type=int, default=4)
    serve.add_argument("--no-migrate", action="store_true", help="do not apply pending migrations first")
    jobs = serve.add_mutually_exclusive_group()
    jobs.add_argument("--no-scheduler", dest="scheduler", action="store_false", default=None,
                      help="do not run the background jobs here (Celery or `aftersales worker` runs them)")
    jobs.add_argument("--scheduler", dest="scheduler", action="store_true",
                      help="run the background jobs here even when REDIS_URL is set")

    worker = sub.add_parser("worker", help="run the background jobs (SLA tick, notification flush) in the foreground")
    worker.add_argument("--once", action="store_true", help="run each job once, print what it did and exit")

    token = sub.add_parser("token", help="create an API token for a user and print it once")
    token.add_argument("username")
    token.add_argument("--name", default="cli", help="a label to recognise the token by")

    triage = sub.add_parser("triage", help="suggest for a text (JSON), or: retrain | evaluate | build",
                            description="aftersales triage \"<text>\" prints the suggestion as JSON. "
                                        "retrain learns from the bundled set plus every confirmed case and "
                                        "activates the new model; evaluate scores the active model on the "
                                        "held-out split; build rewrites the split and the shipped model file "
                                        "from data/raw (for developers).")
    triage.add_argument("text", help="the customer's words, or retrain / evaluate / build")
    triage.add_argument("--customer-type", default="individual", choices=["individual", "enterprise", "dealer"])
    triage.add_argument("--channel", default="")
    triage.add_argument("--mistakes", action="store_true", help="evaluate: also list every wrong suggestion")
    triage.add_argument("--set", dest="split", default="heldout", choices=["heldout", "blind", "blind2"],
                        help="evaluate: the held-out split (default) or a blind set (docs/triage.md)")
    triage.add_argument("--without-bundled", action="store_true",
                        help="retrain: learn only from the system's own confirmed cases")

    manage = sub.add_parser("manage", help="run any Django management command", add_help=False)
    manage.add_argument("args", nargs=argparse.REMAINDER)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # The one place besides wsgi.py that names a settings module; the environment may override it.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "manage":
        return manage(argv[1:])
    options = _parser().parse_args(argv)
    if options.command == "demo":
        return demo(port=options.port, host=options.host, serve_after=not options.no_serve, cases=options.cases)
    if options.command == "serve":
        return serve(port=options.port, host=options.host, workers=options.workers, threads=options.threads,
                     migrate=not options.no_migrate, scheduler=options.scheduler)
    if options.command == "worker":
        return worker(once=options.once)
    if options.command == "token":
        return token(username=options.username, name=options.name)
    if options.command == "triage":
        return triage(options)
    return 2


TRIAGE_VERBS = {"retrain", "evaluate", "build"}


def triage(options: argparse.Namespace) -> int:
    import json

    _setup()
    from django.utils import translation

    from aftersales.core.errors import DomainError
    from aftersales.triage import commands

    _migrate()  # rules and models live in the database; a fresh install has none until migrated
    translation.activate("zh-hans")
    out = sys.stdout
    try:
        if options.text == "retrain":
            out.write(commands.retrain(include_bundled=not options.without_bundled) + "\n")
        elif options.text == "evaluate":
            out.write(commands.evaluate(show_mistakes=options.mistakes, split=options.split) + "\n")
        elif options.text == "build":
            out.write(commands.build() + "\n")
        else:
            suggestion = commands.suggest(options.text, customer_type=options.customer_type, channel=options.channel)
            out.write(json.dumps(suggestion, ensure_ascii=False, indent=2) + "\n")
    except DomainError as exc:
        sys.stderr.write(f"{exc.code}: {exc.message}\n")
        return 2
    return 0


def manage(args: Sequence[str]) -> int:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["aftersales manage", *args])
    return 0


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _database_label() -> str:
    from django.conf import settings

    db = settings.DATABASES["default"]
    engine = db["ENGINE"].rsplit(".", 1)[-1]
    if engine == "sqlite3":
        return f"SQLite {db['NAME']}"
    return f"{engine} {db.get('HOST') or 'localhost'}:{db.get('PORT') or ''}/{db['NAME']}"


def demo(*, port: int, host: str, serve_after: bool, cases: int | None) -> int:
    _setup()
    from aftersales.demo.seed import DEMO_PASSWORD, DEMO_USERS, seed_demo

    out = sys.stdout
    out.write(f"数据库 / database: {_database_label()}\n")
    _migrate()
    report = seed_demo(cases=cases) if cases is not None else seed_demo()
    out.write(report.summary() + "\n")
    url = f"http://{'127.0.0.1' if host in {'0.0.0.0', '::'} else host}:{port}/"  # noqa: S104 - only compared
    out.write(f"\n售后服务平台 Aftersales: {url}\n管理后台 admin: {url}admin/\n\n")
    out.write(f"演示账号 demo logins (password / 密码: {DEMO_PASSWORD}):\n")
    for user in DEMO_USERS:
        out.write(f"  {user.username:<15} {user.role_label:<28} {user.display_name}  {user.department_label}\n")
    out.flush()
    if not serve_after:
        out.write(f"\nStart it with: aftersales serve --port {port}\n")
        return 0
    return serve(port=port, host=host, workers=2, threads=4, migrate=False)


FORWARDED_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _wants_scheduler(requested: bool | None) -> bool:
    """Run the embedded scheduler unless told not to, or unless Celery (REDIS_URL) is expected to."""
    from django.conf import settings

    if requested is not None:
        return requested
    if settings.REDIS_URL:
        sys.stdout.write("REDIS_URL is set: Celery beat and workers are expected to run the background jobs "
                         "(celery -A aftersales.config.celery worker / beat); this process only serves. "
                         "--scheduler runs them here too.\n")
        return False
    return True


def _periods() -> str:
    from django.conf import settings

    return (f"SLA tick every {settings.AFTERSALES_TICK_SECONDS} s, "
            f"notification flush every {settings.AFTERSALES_FLUSH_SECONDS} s")


def serve(*, port: int, host: str, workers: int, threads: int, migrate: bool = True,
          scheduler: bool | None = None) -> int:
    """Run gunicorn as a child (static files come from whitenoise) and the background jobs beside it."""
    _setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    if migrate:
        _migrate()
    if not getattr(settings, "WHITENOISE_USE_FINDERS", False):
        call_command("collectstatic", interactive=False, verbosity=0)
    connections.close_all()
    run_jobs = _wants_scheduler(scheduler)
    sys.stdout.write(f"Serving on http://{host}:{port}/ ({_database_label()}); Ctrl-C stops.\n")
    if run_jobs:
        sys.stdout.write(f"Background jobs in this process: {_periods()}.\n")
    sys.stdout.flush()
    command = [
        sys.executable, "-m", "gunicorn", WSGI_APP,
        "--bind", f"{host}:{port}",
        "--workers", str(workers), "--threads", str(threads), "--worker-class", "gthread",
        "--access-logfile", "-", "--timeout", "60", "--graceful-timeout", "10",
    ]
    children: list[subprocess.Popen] = []
    received: list[int] = []

    def forward(signum: int, _frame: object) -> None:
        # A terminal's Ctrl-C reaches gunicorn too (same process group); a second signal is harmless.
        received.append(signum)
        for child in children:
            if child.poll() is None:
                child.send_signal(signum)

    # Handlers first: a stop asked for while gunicorn is starting is passed on, never lost.
    previous = {sig: signal.signal(sig, forward) for sig in FORWARDED_SIGNALS}
    jobs = None
    try:
        gunicorn = subprocess.Popen(command)  # noqa: S603 - fixed argv, no shell
        children.append(gunicorn)
        if received:
            gunicorn.send_signal(received[-1])
        if run_jobs:
            from aftersales.core.scheduler import Scheduler

            jobs = Scheduler().start()
        code = gunicorn.wait()
    finally:
        for child in children:
            if child.poll() is None:  # we are leaving on an error: do not leave gunicorn behind
                child.terminate()
                child.wait()
        if jobs is not None:
            jobs.stop(timeout=30)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return code if code >= 0 else 128 - code


def worker(*, once: bool) -> int:
    """The background jobs in the foreground: until Ctrl-C/SIGTERM, or each once with ``--once``."""
    _setup()
    from django.conf import settings

    from aftersales.core.scheduler import Outcome, Scheduler

    out = sys.stdout

    def report(outcome: Outcome) -> None:
        if once or outcome.did_something:
            out.write(outcome.summary() + "\n")
            out.flush()

    scheduler = Scheduler(on_outcome=report)
    if once:
        outcomes = scheduler.run_once()
        return 0 if all(o.ok for o in outcomes) else 1
    out.write(f"Background jobs on {_database_label()}: {_periods()}. Ctrl-C stops.\n")
    if settings.REDIS_URL:
        out.write("(REDIS_URL is set, so Celery may run the same jobs: that is safe, nothing is done twice.)\n")
    out.flush()
    stop = scheduler.stop_event

    def request_stop(signum: int, _frame: object) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        scheduler.start()
        while not stop.wait(1.0):
            if not scheduler.alive:  # pragma: no cover - the threads only end on stop
                break
    finally:
        out.write("Stopping: letting running jobs finish…\n")
        out.flush()
        stopped = scheduler.stop(timeout=30)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    out.write("Stopped.\n" if stopped else "Stopped (a job was still running; it is retried next time).\n")
    return 0


def token(*, username: str, name: str) -> int:
    _setup()
    from aftersales.accounts.models import User
    from aftersales.accounts.services import api_token_create

    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        sys.stderr.write(f"aftersales token: no active user “{username}”\n")
        return 1
    _token, raw = api_token_create(user=user, name=name)
    sys.stdout.write(raw + "\n")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
