"""The console speaks Chinese unless the user switched; the switch makes it English."""

import pytest
from django.conf import settings


@pytest.mark.django_db
def test_console_is_chinese_even_for_an_english_browser(client):
    response = client.get("/accounts/login/", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert response.headers["Content-Language"] == "zh-hans"
    assert "登录" in response.content.decode()


@pytest.mark.django_db
def test_switching_to_english_renders_english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    response = client.get("/accounts/login/")
    assert response.headers["Content-Language"] == "en"
    assert "Sign in" in response.content.decode()


@pytest.mark.django_db
def test_api_clients_may_ask_for_english_messages(client):
    response = client.get("/api/v1/tickets", headers={"Accept-Language": "en"})
    assert response.status_code == 401
    assert response.headers["Content-Language"] == "en"
