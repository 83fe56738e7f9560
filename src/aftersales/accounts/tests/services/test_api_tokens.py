"""Personal API tokens: shown once, stored hashed, revocable, checked on every request."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from aftersales.accounts.models import ApiToken
from aftersales.accounts.services import (
    TOKEN_PREFIX,
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
)
from aftersales.core import clock
from aftersales.core.errors import NotFound, PermissionDenied

pytestmark = pytest.mark.django_db


def test_a_new_token_is_returned_once_and_only_its_hash_is_stored(agent):
    token, raw = api_token_create(user=agent, name="  工单同步脚本  ")

    assert raw.startswith(TOKEN_PREFIX)
    assert len(raw) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.name == "工单同步脚本"
    assert stored.key_hash == ApiToken.hash_key(raw)
    assert raw not in {stored.key_hash, stored.prefix, stored.name}
    assert raw.startswith(stored.prefix)


def test_two_tokens_never_share_a_secret(agent):
    _first, raw1 = api_token_create(user=agent)
    _second, raw2 = api_token_create(user=agent)

    assert raw1 != raw2


def test_a_token_authenticates_its_user(agent):
    _token, raw = api_token_create(user=agent)

    assert api_token_authenticate(raw) == agent


@pytest.mark.parametrize("raw", ["", "Bearer as_x", "as_definitely-not-issued", "not-our-prefix"])
def test_unknown_or_malformed_tokens_authenticate_nobody(agent, raw):
    api_token_create(user=agent)

    assert api_token_authenticate(raw) is None


def test_a_revoked_token_authenticates_nobody(agent):
    token, raw = api_token_create(user=agent)

    api_token_revoke(token_id=token.pk, actor=agent)

    assert api_token_authenticate(raw) is None
    token.refresh_from_db()
    assert not token.is_active


def test_revoking_twice_keeps_the_first_revocation_time(agent):
    token, _raw = api_token_create(user=agent)
    first = clock.now() - dt.timedelta(days=1)
    with time_machine.travel(first, tick=False):
        api_token_revoke(token_id=token.pk, actor=agent)

    api_token_revoke(token_id=token.pk, actor=agent)

    token.refresh_from_db()
    assert token.revoked_at == first


def test_a_deactivated_users_token_authenticates_nobody(agent):
    _token, raw = api_token_create(user=agent)
    agent.is_active = False
    agent.save()

    assert api_token_authenticate(raw) is None


def test_nobody_revokes_someone_elses_token_except_an_administrator(agent, agent2, supervisor, admin_user):
    token, raw = api_token_create(user=agent)

    for outsider in (agent2, supervisor):
        with pytest.raises(PermissionDenied):
            api_token_revoke(token_id=token.pk, actor=outsider)
    assert api_token_authenticate(raw) == agent

    api_token_revoke(token_id=token.pk, actor=admin_user)
    assert api_token_authenticate(raw) is None


def test_revoking_a_token_that_does_not_exist_is_not_found(agent):
    with pytest.raises(NotFound) as refused:
        api_token_revoke(token_id=987654, actor=agent)

    assert refused.value.code == "token_not_found"


def test_last_use_is_recorded_at_most_once_a_minute(agent):
    token, raw = api_token_create(user=agent)
    start = clock.now()

    with time_machine.travel(start, tick=False):
        api_token_authenticate(raw)
    with time_machine.travel(start + dt.timedelta(seconds=30), tick=False):
        api_token_authenticate(raw)
    token.refresh_from_db()
    assert token.last_used_at == start

    later = start + dt.timedelta(seconds=61)
    with time_machine.travel(later, tick=False):
        api_token_authenticate(raw)
    token.refresh_from_db()
    assert token.last_used_at == later
