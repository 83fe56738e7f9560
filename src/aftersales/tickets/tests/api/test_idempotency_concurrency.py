"""Four clients firing the same Idempotency-Key at once still make exactly one case."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from aftersales.accounts.tests.api.client import ApiClient
from aftersales.tickets.models import IdempotencyKey, Ticket

from .payloads import case_payload

THREADS = 4


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_requests_with_one_key_make_one_case(agent):
    # Threads need their own connections to one database: SQLite's shared-cache memory
    # database has no busy timeout, so the test settings use a file.
    assert not (connection.vendor == "sqlite" and connection.is_in_memory_db())
    token = ApiClient(agent).token
    barrier = threading.Barrier(THREADS)
    results: list[tuple[int, str]] = []
    errors: list[BaseException] = []

    def fire() -> None:
        try:
            client = ApiClient(token=token)
            barrier.wait(timeout=10)
            response = client.post("/tickets", case_payload(), headers={"Idempotency-Key": "same-call"})
            results.append((response.status_code, response.json().get("number", response.content.decode())))
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=fire) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    statuses = sorted(status for status, _number in results)
    assert statuses == [200] * (THREADS - 1) + [201], results
    assert len({number for _status, number in results}) == 1
    assert Ticket.objects.count() == 1
    assert IdempotencyKey.objects.count() == 1
