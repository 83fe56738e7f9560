"""The personal API tokens page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aftersales.accounts.models import ApiToken
from aftersales.accounts.services import api_token_authenticate, api_token_create

TOKENS = reverse("accounts:tokens")


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["agent", "handler", "auditor", "admin_user"])
def test_tokens_page_renders(client, request, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(TOKENS)
    assert response.status_code == 200
    assert "API 令牌" in response.content.decode()


@pytest.mark.django_db
def test_create_shows_the_secret_once(client, agent):
    client.force_login(agent)
    response = client.post(TOKENS, {"name": "ERP 同步"})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=agent)
    html = response.content.decode()
    raw = html[html.index('readonly value="') + len('readonly value="'):].split('"')[0]
    assert raw.startswith(token.prefix)
    assert api_token_authenticate(raw) == agent  # the secret shown is the real one
    assert "ERP 同步" in html and "只显示这一次" in html
    again = client.get(TOKENS).content.decode()
    assert raw not in again  # never shown again
    assert token.prefix in again


@pytest.mark.django_db
def test_revoke_own_token(client, agent):
    token, raw = api_token_create(user=agent, name="脚本")
    client.force_login(agent)
    html = client.get(TOKENS).content.decode()
    assert "hx-confirm" in html
    response = client.post(reverse("accounts:token_revoke", kwargs={"token_id": token.pk}))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api_token_authenticate(raw) is None


@pytest.mark.django_db
def test_revoke_over_htmx_returns_the_table(client, agent):
    token, _raw = api_token_create(user=agent, name="脚本")
    client.force_login(agent)
    response = client.post(reverse("accounts:token_revoke", kwargs={"token_id": token.pk}), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="token-table"' in html and "<html" not in html


@pytest.mark.django_db
def test_cannot_revoke_someone_elses_token(client, agent, agent2):
    token, _raw = api_token_create(user=agent2)
    client.force_login(agent)
    client.post(reverse("accounts:token_revoke", kwargs={"token_id": token.pk}))
    token.refresh_from_db()
    assert token.revoked_at is None
    assert token.prefix not in client.get(TOKENS).content.decode()
