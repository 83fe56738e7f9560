"""The embedded scheduler: the background jobs with no other service.

``aftersales serve`` and ``aftersales worker`` run it. Each job (the SLA tick, the
outbox flush) gets its own thread and runs every ``every`` seconds: first at
start, then ``every`` seconds after the previous run began (at once if a run
took longer than that; never in a burst to catch up). Each run is isolated: it
starts and ends with ``close_old_connections`` (a fresh or health-checked
database connection), and an exception is logged and counted, never fatal; the
next run simply tries again. ``stop()`` sets the Event: a sleeping thread wakes
and ends at once, a running job finishes its run (every job commits as it goes,
so a process killed mid-run loses nothing either).

The jobs are idempotent and lock what they work on, so this scheduler may run
in several processes, and beside Celery workers, without doing anything twice.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import close_old_connections, connections

logger = logging.getLogger("aftersales.scheduler")


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[], Any]
    every: float  # seconds


@dataclass(frozen=True)
class Outcome:
    """What one run of one job did."""

    job: str
    ok: bool
    result: Any = None
    error: str = ""
    seconds: float = 0.0

    def summary(self) -> str:
        if not self.ok:
            return f"{self.job}: FAILED {self.error} ({self.seconds:.2f} s)"
        return f"{self.job}: {describe(self.result)} ({self.seconds:.2f} s)"

    @property
    def did_something(self) -> bool:
        if not self.ok:
            return True
        if dataclasses.is_dataclass(self.result):
            return any(dataclasses.asdict(self.result).values())
        return bool(self.result)


def describe(result: Any) -> str:
    """``clocks=3 warnings=1 …`` for a job's report (a dataclass), else its repr."""
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        return " ".join(f"{key}={value}" for key, value in dataclasses.asdict(result).items())
    return repr(result)


def default_jobs() -> list[Job]:
    """The SLA tick and the outbox flush, on the periods from the settings."""
    from django.conf import settings

    from aftersales.notify.jobs import flush
    from aftersales.sla.jobs import tick

    return [
        Job("tick", tick, float(settings.AFTERSALES_TICK_SECONDS)),
        Job("flush", flush, float(settings.AFTERSALES_FLUSH_SECONDS)),
    ]


def run_job(job: Job) -> Outcome:
    """Run ``job`` once, isolated: fresh connections around it, any exception logged and returned."""
    close_old_connections()
    started = time.monotonic()
    try:
        result = job.run()
    except Exception as exc:  # one failed run must not stop the scheduler
        logger.exception("background job %s failed", job.name)
        return Outcome(job.name, ok=False, error=f"{type(exc).__name__}: {exc}"[:500],
                       seconds=time.monotonic() - started)
    finally:
        close_old_connections()
    return Outcome(job.name, ok=True, result=result, seconds=time.monotonic() - started)


class Scheduler:
    """Runs each job on its period in its own thread until ``stop()``."""

    def __init__(self, jobs: Iterable[Job] | None = None, *, stop_event: threading.Event | None = None,
                 on_outcome: Callable[[Outcome], None] | None = None) -> None:
        self.jobs = list(default_jobs() if jobs is None else jobs)
        self.stop_event = stop_event or threading.Event()
        self.on_outcome = on_outcome
        self.runs: Counter[str] = Counter()
        self.failures: Counter[str] = Counter()
        self._threads: list[threading.Thread] = []

    def run_once(self) -> list[Outcome]:
        """Each job once, in order, in this thread (``aftersales worker --once``)."""
        return [self._record(run_job(job)) for job in self.jobs]

    def start(self) -> Scheduler:
        if self._threads:
            raise RuntimeError("scheduler already started")
        for job in self.jobs:
            thread = threading.Thread(target=self._loop, args=(job,), name=f"aftersales-{job.name}", daemon=True)
            self._threads.append(thread)
            thread.start()
        logger.info("scheduler started: %s", ", ".join(f"{j.name} every {j.every:g} s" for j in self.jobs))
        return self

    @property
    def alive(self) -> bool:
        return any(t.is_alive() for t in self._threads)

    def stop(self, timeout: float | None = 30.0) -> bool:
        """Ask every thread to end and wait (up to ``timeout`` in all). True when all have ended."""
        self.stop_event.set()
        deadline = None if timeout is None else time.monotonic() + timeout
        for thread in self._threads:
            thread.join(None if deadline is None else max(deadline - time.monotonic(), 0))
        stopped = not self.alive
        if not stopped:
            logger.warning("scheduler: a job is still running after %s s; leaving it", timeout)
        return stopped

    def _record(self, outcome: Outcome) -> Outcome:
        self.runs[outcome.job] += 1
        if not outcome.ok:
            self.failures[outcome.job] += 1
        if self.on_outcome is not None:
            try:
                self.on_outcome(outcome)
            except Exception:  # a broken reporter must not stop the jobs
                logger.exception("scheduler: on_outcome failed")
        return outcome

    def _loop(self, job: Job) -> None:
        try:
            next_at = time.monotonic()
            while not self.stop_event.is_set():
                delay = next_at - time.monotonic()
                if delay > 0 and self.stop_event.wait(delay):
                    break
                started = time.monotonic()
                self._record(run_job(job))
                next_at = max(started + job.every, time.monotonic())
        finally:
            connections.close_all()  # this thread's connections
