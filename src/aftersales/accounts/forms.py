from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """Django's login form with the console's labels and keyboard focus."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Username")
        self.fields["username"].widget.attrs.update(
            {"autofocus": True, "autocomplete": "username", "placeholder": _("Your staff username")})
        self.fields["password"].label = _("Password")
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class TokenCreateForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=80, required=False,
                           help_text=_("What the token is for, e.g. “ERP sync” or “mini-program”."),
                           widget=forms.TextInput(attrs={"placeholder": _("e.g. ERP sync")}))
