"""Celery's handle on the outbox flush (see aftersales.config.celery). The work is ``jobs.flush``."""

from __future__ import annotations

import dataclasses

from celery import shared_task

from . import jobs


@shared_task(name="aftersales.notify.flush", ignore_result=True)
def flush() -> dict[str, int]:
    """Deliver what is due; the rows are the queue, the task only wakes the flush."""
    return dataclasses.asdict(jobs.flush())
