"""Signing in and out of the console, and the language switch."""

from __future__ import annotations

import pytest
from django.urls import reverse

LOGIN = reverse("accounts:login")


@pytest.mark.django_db
def test_login_page_shows_the_product(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    html = response.content.decode()
    assert "售后服务平台" in html and "Aftersales" in html
    assert 'name="username"' in html and "autofocus" in html
    assert "登录" in html


@pytest.mark.django_db
def test_root_and_pages_redirect_to_login(client):
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0].startswith(LOGIN)
    for url in (reverse("tickets:list"), reverse("tickets:create"), reverse("accounts:tokens")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(LOGIN), url


@pytest.mark.django_db
def test_login_with_good_password_lands_on_the_case_list(client, agent):
    response = client.post(LOGIN, {"username": "agent", "password": "pass12345"})
    assert response.status_code == 302
    assert response["Location"] == reverse("tickets:list")
    page = client.get(response["Location"]).content.decode()
    assert "王芳" in page and "客服专员" in page


@pytest.mark.django_db
def test_login_with_bad_password_shows_an_error(client, agent):
    response = client.post(LOGIN, {"username": "agent", "password": "wrong"})
    assert response.status_code == 200
    assert "alert-error" in response.content.decode()


@pytest.mark.django_db
def test_login_follows_next(client, agent):
    response = client.post(LOGIN + "?next=/cases/new/", {"username": "agent", "password": "pass12345",
                                                         "next": "/cases/new/"})
    assert response["Location"] == "/cases/new/"


@pytest.mark.django_db
def test_logout_is_a_post(client, agent):
    client.force_login(agent)
    html = client.get(reverse("tickets:list")).content.decode()
    assert f'action="{reverse("accounts:logout")}"' in html and 'method="post"' in html
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get(reverse("tickets:list")).status_code == 302


@pytest.mark.django_db
def test_default_language_is_simplified_chinese(client, supervisor):
    client.force_login(supervisor)
    html = client.get(reverse("tickets:list")).content.decode()
    assert '<html lang="zh-hans">' in html
    assert "工单列表" in html and "待分类" in html and "登记工单" in html


@pytest.mark.django_db
def test_english_switch_renders_english(client, supervisor):
    client.force_login(supervisor)
    response = client.post("/i18n/setlang/", {"language": "en", "next": reverse("tickets:list")})
    assert response.status_code == 302
    html = client.get(reverse("tickets:list")).content.decode()
    assert '<html lang="en">' in html
    assert "All cases" in html and "To classify" in html and "Register case" in html
    assert "工单列表" not in html
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "工单列表" in client.get(reverse("tickets:list")).content.decode()


@pytest.mark.django_db
def test_language_cookie_switches_the_login_page(client):
    client.cookies["django_language"] = "en"
    html = client.get(LOGIN).content.decode()
    assert "Sign in" in html and "登录" not in html


@pytest.mark.django_db
def test_nav_depends_on_role(client, handler, admin_user):
    client.force_login(handler)
    html = client.get(reverse("tickets:list")).content.decode()
    assert reverse("tickets:create") not in html  # handlers do not register cases
    assert "本部门" in html
    assert "/admin/" not in html
    client.force_login(admin_user)
    html = client.get(reverse("tickets:list")).content.decode()
    assert "/admin/" in html and "管理后台" in html
