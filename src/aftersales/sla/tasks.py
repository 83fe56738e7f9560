"""Celery's handle on the SLA tick (see aftersales.config.celery). The work is ``jobs.tick``."""

from __future__ import annotations

import dataclasses

from celery import shared_task

from . import jobs


@shared_task(name="aftersales.sla.tick", ignore_result=True)
def tick() -> dict[str, int]:
    """Run one tick; idempotent, so any number of workers may run it at once."""
    return dataclasses.asdict(jobs.tick())
