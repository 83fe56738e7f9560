"""The ``aftersales`` command: one program to try, run and operate the platform.

    aftersales demo [--port N] [--host H] [--no-serve] [--cases N]
    aftersales serve [--port N] [--host H] [--workers N] [--threads N]
    aftersales token USERNAME [--name NAME]
    aftersales manage <any Django management command and its options>

The database is whatever DATABASE_URL says (default: SQLite under ./var, or
under AFTERSALES_VAR_DIR); settings are read by aftersales.config.env only.
"""

from __future__ import annotations

import argparse
import os
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

    token = sub.add_parser("token", help="create an API token for a user and print it once")
    token.add_argument("username")
    token.add_argument("--name", default="cli", help="a label to recognise the token by")

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
                     migrate=not options.no_migrate)
    if options.command == "token":
        return token(username=options.username, name=options.name)
    return 2


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


def serve(*, port: int, host: str, workers: int, threads: int, migrate: bool = True) -> int:
    """Replace this process with gunicorn (static files come from whitenoise)."""
    _setup()
    from django.conf import settings
    from django.core.management import call_command

    if migrate:
        _migrate()
    if not getattr(settings, "WHITENOISE_USE_FINDERS", False):
        call_command("collectstatic", interactive=False, verbosity=0)
    sys.stdout.write(f"Serving on http://{host}:{port}/ ({_database_label()}); Ctrl-C stops.\n")
    sys.stdout.flush()
    command = [
        sys.executable, "-m", "gunicorn", WSGI_APP,
        "--bind", f"{host}:{port}",
        "--workers", str(workers), "--threads", str(threads), "--worker-class", "gthread",
        "--access-logfile", "-", "--timeout", "60", "--graceful-timeout", "10",
    ]
    # exec keeps one process: signals from a terminal or a supervisor reach gunicorn directly.
    os.execv(sys.executable, command)  # noqa: S606 - fixed argv, no shell
    return 0  # pragma: no cover


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
