"""Sign-in and the personal API tokens page. Glue only: parse, one service call, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from aftersales.core.errors import DomainError
from aftersales.core.htmx import render_page

from . import services
from .forms import LoginForm, TokenCreateForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


def _tokens_page(request: HttpRequest, *, form: TokenCreateForm, secret: str = "", created=None,
                 status: int = 200) -> HttpResponse:
    tokens = request.user.api_tokens.order_by("-created_at", "-id")
    return render_page(request, "accounts/tokens.html", {
        "form": form, "tokens": tokens, "secret": secret, "created": created,
    }, partial="token_table", status=status)


@login_required
@require_http_methods(["GET", "POST"])
def tokens_view(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _tokens_page(request, form=TokenCreateForm())
    form = TokenCreateForm(request.POST)
    if not form.is_valid():
        return _tokens_page(request, form=form, status=422)
    token, secret = services.api_token_create(user=request.user, name=form.cleaned_data["name"])
    # The secret is rendered once in this response and never stored (not even in the session).
    return _tokens_page(request, form=TokenCreateForm(), secret=secret, created=token)


@login_required
@require_POST
def token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        token = services.api_token_revoke(token_id=token_id, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Token {prefix}… revoked.").format(prefix=token.prefix))
    if request.htmx:
        return _tokens_page(request, form=TokenCreateForm())
    return redirect("accounts:tokens")
