from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from monitr.accounts.throttle import LoginThrottle, client_ip


class LoginForm(AuthenticationForm):
    """Django's login form, labelled for sign-in by e-mail address."""

    username = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("That e-mail address and password do not match an account. Check both and try again."),
        # Plural by the number the error's params give as "minutes".
        "locked": ngettext_lazy(
            "Too many failed sign-ins for this e-mail address or from this network. Sign-in is paused for "
            "%(minutes)s minute; try again after that, or ask an admin of your organisation to reset your password.",
            "Too many failed sign-ins for this e-mail address or from this network. Sign-in is paused for "
            "%(minutes)s minutes; try again after that, or ask an admin of your organisation to reset your password.",
            "minutes",
        ),
    }

    def clean(self) -> dict[str, Any]:
        email, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if not email or not password:
            return super().clean()
        throttle = LoginThrottle(email=email, ip=client_ip(self.request))
        if throttle.locked():  # refused before the password is checked, so guessing on teaches nothing
            raise self._locked(throttle)
        try:
            data = super().clean()
        except forms.ValidationError as error:
            if error.code == "invalid_login" and throttle.failed():
                raise self._locked(throttle) from error
            raise
        throttle.succeeded()
        return data

    def _locked(self, throttle: LoginThrottle) -> forms.ValidationError:
        minutes = max(1, round(throttle.lockout_seconds / 60))
        return forms.ValidationError(self.error_messages["locked"], code="locked", params={"minutes": minutes})
