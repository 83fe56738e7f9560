"""The Celery app: the same two jobs as the embedded scheduler, run by workers woken by beat.

    REDIS_URL=redis://127.0.0.1:6379/0 celery -A aftersales.config.celery worker -l info
    REDIS_URL=redis://127.0.0.1:6379/0 celery -A aftersales.config.celery beat -l info

Configuration comes from the Django settings (``CELERY_*``, namespace ``CELERY``),
which read the environment through ``aftersales.config.env`` only. Beat sends a
"tick" every ``AFTERSALES_TICK_SECONDS`` and a "flush" every
``AFTERSALES_FLUSH_SECONDS`` to the queue ``AFTERSALES_CELERY_QUEUE``. A message
carries no data: it only wakes a job, which reads its work from the database
(due clocks, pending notifications). So a lost message loses nothing, a repeated
one does nothing twice, and a message older than its period is dropped
(``expires``): after an outage the workers do not replay a backlog of wake-ups.
"""

from __future__ import annotations

import os

from celery import Celery

# Like wsgi.py: the one default; the environment may name another settings module.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.config.settings.base")

TICK_TASK = "aftersales.sla.tick"
FLUSH_TASK = "aftersales.notify.flush"

app = Celery("aftersales")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()  # aftersales.sla.tasks, aftersales.notify.tasks


def beat_schedule() -> dict[str, dict]:
    from django.conf import settings

    tick_every = float(settings.AFTERSALES_TICK_SECONDS)
    flush_every = float(settings.AFTERSALES_FLUSH_SECONDS)
    return {
        "sla-tick": {"task": TICK_TASK, "schedule": tick_every, "options": {"expires": tick_every}},
        "notify-flush": {"task": FLUSH_TASK, "schedule": flush_every, "options": {"expires": flush_every}},
    }


app.conf.beat_schedule = beat_schedule()
