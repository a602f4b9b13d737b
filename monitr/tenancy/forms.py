"""The members page's forms and the form that completes an invitation for someone new."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.utils.translation import gettext_lazy as _

from monitr.accounts.models import User

from .models import Role


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "placeholder": _("colleague@example.com")}),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MEMBER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class JoinForm(SetPasswordForm):
    """Name and password for someone who accepts an invitation without an account yet. Django's SetPasswordForm checks
    the password against AUTH_PASSWORD_VALIDATORS, among them its likeness to the name and e-mail address given here."""

    first_name = forms.CharField(
        label=_("First name"), max_length=150, widget=forms.TextInput(attrs={"autofocus": True})
    )
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)

    field_order = ["first_name", "last_name", "new_password1", "new_password2"]

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        self.fields["new_password1"].label = _("Password")
        self.fields["new_password2"].label = _("Password again")
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"

    def clean(self) -> dict[str, Any]:
        # The similarity validator compares with the user's names: let it see the ones typed here.
        self.user.first_name = self.cleaned_data.get("first_name", "")
        self.user.last_name = self.cleaned_data.get("last_name", "")
        super().clean()
        return self.cleaned_data
