"""Forms of the shell: API token creation and the "forgot password" request."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordResetForm as DjangoPasswordResetForm
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.services import TOKEN_DAY_CHOICES, password_link_send


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=100)
    days = forms.TypedChoiceField(
        label=_("Valid for"), coerce=int, initial=365, required=False, empty_value=None,
        choices=[(d, _("%(days)d days") % {"days": d}) for d in TOKEN_DAY_CHOICES])


class PasswordResetForm(DjangoPasswordResetForm):
    """Django's form, with the project's one e-mail for password links, and reaching also
    accounts whose owner has not yet set a password (a lost welcome e-mail)."""

    def get_users(self, email: str) -> Iterable[User]:
        return User.objects.filter(email__iexact=email, is_active=True).exclude(email="")

    def save(self, *args: Any, **kwargs: Any) -> None:
        for user in self.get_users(self.cleaned_data["email"]):
            password_link_send(user=user, new_account=False)
