"""Tests marked ``celery`` need Redis at REDIS_URL: without it they are skipped, saying why."""

from __future__ import annotations

import functools

import pytest

from aftersales.tests.background import redis_unavailable


@functools.cache
def _why_no_redis() -> str | None:
    return redis_unavailable()


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("celery") is not None and (reason := _why_no_redis()):
        pytest.skip(reason)
