"""GET /api/v1/tickets: pagination, filters, visibility and a pinned query count."""

from __future__ import annotations

import datetime as dt

import pytest

from aftersales.accounts.tests.api.client import assert_error, error_fields
from aftersales.core import clock
from aftersales.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def numbers(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["number"] for item in response.json()["items"]]


def test_list_is_paginated_newest_first(api_for, agent, make_ticket):
    made = [make_ticket().number for _ in range(5)]
    client = api_for(agent)

    first = client.get("/tickets", {"page_size": 2})
    last = client.get("/tickets", {"page_size": 2, "page": 3})

    body = first.json()
    assert (body["page"], body["page_size"], body["total"], body["pages"]) == (1, 2, 5, 3)
    assert numbers(first) == made[::-1][:2]
    assert numbers(last) == [made[0]]


def test_a_page_past_the_end_gives_the_last_page(api_for, agent, make_ticket):
    make_ticket()

    body = api_for(agent).get("/tickets", {"page": 99}).json()

    assert body["page"] == 1 and len(body["items"]) == 1


def test_list_rows_carry_what_a_list_shows(api_for, agent, make_ticket):
    make_ticket("assigned", priority="P1")

    [row] = api_for(agent).get("/tickets").json()["items"]

    assert row["state"] == "assigned" and row["priority"] == "P1"
    assert row["customer"]["name"] == "张伟"
    assert row["category"]["code"] == "technical_fault"
    assert row["subcategory"]["code"] == "function_abnormal"
    assert row["department"]["code"] == "technical_support"
    assert row["assignee"]["username"] == "tech"
    assert row["owner"]["username"] == "agent"
    assert row["flagged"] is False


@pytest.mark.parametrize("params", [
    {"page_size": 101}, {"page_size": 0}, {"page": 0}, {"page": "two"}, {"scope": "everyone"},
    {"state": "registered,lost"}, {"priority": "P9"}, {"channel": "pigeon"}, {"date_from": "01/02/2026"},
    {"flagged": "perhaps"},
])
def test_bad_query_parameters_are_422(api_for, agent, params):
    response = api_for(agent).get("/tickets", params)

    assert_error(response, 422, "invalid")
    assert set(params) <= error_fields(response)


def test_filters(api_for, agent, agent2, supervisor, make_ticket):
    p1 = make_ticket("assigned", priority="P1").number
    p3 = make_ticket("classified", priority="P3").number
    web = make_ticket(channel="web", description="包装破损，配件缺失").number
    other_owner = make_ticket(owner=agent2).number
    client = api_for(agent)

    assert numbers(client.get("/tickets", {"state": "assigned"})) == [p1]
    assert set(numbers(client.get("/tickets", {"state": "assigned,classified"}))) == {p1, p3}
    assert numbers(client.get("/tickets", {"priority": "P3"})) == [p3]
    assert numbers(client.get("/tickets", {"channel": "web"})) == [web]
    assert numbers(client.get("/tickets", {"q": "配件缺失"})) == [web]
    assert numbers(client.get("/tickets", {"q": p3})) == [p3]
    assert set(numbers(client.get("/tickets", {"category": "function_abnormal"}))) == {p1, p3}
    assert numbers(client.get("/tickets", {"department": "technical_support"})) == [p1]
    assert numbers(client.get("/tickets", {"owner": "agent2"})) == [other_owner]
    assert other_owner not in numbers(client.get("/tickets", {"scope": "mine"}))
    assert len(numbers(client.get("/tickets", {"scope": "all"}))) == 4
    assert numbers(api_for(supervisor).get("/tickets", {"scope": "mine"})) == []


def test_date_filters_use_beijing_days(api_for, agent, make_ticket):
    old = make_ticket().number
    new = make_ticket().number
    today = clock.local_today()
    Ticket.objects.filter(number=old).update(created_at=clock.now() - dt.timedelta(days=10))
    client = api_for(agent)

    assert numbers(client.get("/tickets", {"date_from": today.isoformat()})) == [new]
    assert numbers(client.get("/tickets", {"date_to": (today - dt.timedelta(days=5)).isoformat()})) == [old]


def test_flagged_filter(api_for, agent, make_ticket):
    flagged = make_ticket("assigned").number
    make_ticket("assigned")
    Ticket.objects.filter(number=flagged).update(transfer_count=3)  # threshold is 2

    response = api_for(agent).get("/tickets", {"flagged": "true"})

    assert numbers(response) == [flagged]
    assert response.json()["items"][0]["flagged"] is True


def test_department_workers_see_only_their_departments_cases(api_for, handler, logistics_handler, make_ticket):
    tech_case = make_ticket("assigned").number
    make_ticket()  # not dispatched yet

    assert numbers(api_for(handler).get("/tickets")) == [tech_case]
    assert numbers(api_for(handler).get("/tickets", {"scope": "department"})) == [tech_case]
    assert numbers(api_for(logistics_handler).get("/tickets")) == []


def test_list_query_count_does_not_grow_with_rows(api_for, agent, handler, make_ticket,
                                                 django_assert_max_num_queries):
    # token lookup, count, page, the transfer threshold behind "flagged"
    expected = 4
    make_ticket("assigned")
    for user in (agent, handler):
        client = api_for(user)
        client.get("/tickets")  # first use of a token stamps last_used_at
        with django_assert_max_num_queries(expected):
            assert len(client.get("/tickets").json()["items"]) == 1
    for _ in range(12):
        make_ticket("assigned")
    for user in (agent, handler):
        client = api_for(user)
        client.get("/tickets")
        with django_assert_max_num_queries(expected):
            assert len(client.get("/tickets", {"page_size": 100}).json()["items"]) == 13
