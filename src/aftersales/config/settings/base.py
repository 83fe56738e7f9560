"""Settings shared by every environment; ``prod`` only tightens them."""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from aftersales.config import env

PACKAGE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = env.var_dir()

SECRET_KEY = env.env_str("SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = env.env_bool("DEBUG", True)
ALLOWED_HOSTS = env.env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "ninja",
    "aftersales.core",
    "aftersales.accounts",
    "aftersales.customers",
    "aftersales.catalog",
    "aftersales.tickets",
    "aftersales.resolutions",
    "aftersales.sla",
    "aftersales.notify",
    "aftersales.triage",
    "aftersales.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "aftersales.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "aftersales.config.urls"
WSGI_APPLICATION = "aftersales.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]


def _database() -> dict:
    config = dj_database_url.parse(env.database_url())
    if config["ENGINE"] == "django.db.backends.sqlite3":
        Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        config["OPTIONS"] = {
            # IMMEDIATE takes the write lock at BEGIN, so two writers queue on the
            # busy timeout instead of failing mid-transaction with "database is locked".
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    else:
        # A fresh PostgreSQL connection costs ~10 ms here; keep them.
        config["CONN_MAX_AGE"] = env.env_int("DB_CONN_MAX_AGE", 60)
        config["CONN_HEALTH_CHECKS"] = True
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "tickets:list"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every start without it
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Domain defaults that are technical rather than business policy; business
# numbers (authority limits, transfer threshold) are editable rows in the admin.
AFTERSALES_ATTACHMENT_MAX_MB = env.env_int("AFTERSALES_ATTACHMENT_MAX_MB", 20)
AFTERSALES_PAGE_SIZE = env.env_int("AFTERSALES_PAGE_SIZE", 25)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.env_str("LOG_LEVEL", "WARNING")},
}

# ---------------------------------------------------------------- background work (docs/operations.md)
# The embedded scheduler (aftersales serve / aftersales worker) runs the jobs on these periods.
AFTERSALES_TICK_SECONDS = env.env_int("AFTERSALES_TICK_SECONDS", 30)
AFTERSALES_FLUSH_SECONDS = env.env_int("AFTERSALES_FLUSH_SECONDS", 5)
# With REDIS_URL set, Celery (worker + beat) runs the same jobs instead; see config/celery.py.
REDIS_URL = env.env_str("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_DEFAULT_QUEUE = env.env_str("AFTERSALES_CELERY_QUEUE", "aftersales")
CELERY_TASK_ACKS_LATE = True  # a job a dead worker had taken is run again (jobs are idempotent)
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Asia/Shanghai"

# ---------------------------------------------------------------- notifications (the outbox)
AFTERSALES_NOTIFY_BACKENDS = {
    "in_app": "aftersales.notify.backends.InAppBackend",
    "email": "aftersales.notify.backends.EmailBackend",
    "sms": env.env_str("AFTERSALES_SMS_BACKEND", "aftersales.notify.backends.LogBackend"),
    "webhook": env.env_str("AFTERSALES_WEBHOOK_BACKEND", "aftersales.notify.backends.WebhookBackend"),
}
AFTERSALES_WEBHOOK_URL = env.env_str("AFTERSALES_WEBHOOK_URL", "")  # blank: no webhook notifications
AFTERSALES_NOTIFY_RETRY_SECONDS = env.env_int("AFTERSALES_NOTIFY_RETRY_SECONDS", 30)
AFTERSALES_NOTIFY_MAX_ATTEMPTS = env.env_int("AFTERSALES_NOTIFY_MAX_ATTEMPTS", 8)
EMAIL_BACKEND = env.env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env.env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env.env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env.env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env.env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env.env_str("DEFAULT_FROM_EMAIL", "aftersales@localhost")
