"""The credentials form of the e-Boekhouden provider: an API key, or the legacy username and security codes."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from integrations.forms import CredentialsForm

# e-Boekhouden's keys and codes are a few dozen characters; anything far longer was pasted by mistake.
MAX_LENGTH = 200
WHITESPACE = re.compile(r"\s")


def _secret_input() -> forms.PasswordInput:
    # render_value=False: a secret entered once is never written back into a page, not even after an error.
    return forms.PasswordInput(render_value=False, attrs={"autocomplete": "off", "spellcheck": "false"})


class EboekhoudenCredentialsForm(CredentialsForm):
    """API key first; the legacy SOAP credentials as the alternative."""

    api_key = forms.CharField(
        label=_("API Key"),
        required=False,
        widget=_secret_input(),
        help_text=_("In e-Boekhouden: Beheer → Koppelingen → API. Create a token and paste it here."),
    )
    username = forms.CharField(label=_("Username"), required=False, max_length=MAX_LENGTH)
    security_code_1 = forms.CharField(label=_("Security code 1"), required=False, widget=_secret_input())
    security_code_2 = forms.CharField(label=_("Security code 2"), required=False, widget=_secret_input())

    legacy_field_names = ("username", "security_code_1", "security_code_2")
    legacy_summary = _("Use legacy credentials instead (username and security codes)")
    legacy_help = _(
        "The SOAP credentials from Beheer → Koppelingen → API/SOAP. Use them for an administration that has no API "
        "key of its own, such as one linked to your account."
    )

    def _clean_secret(self, name: str, label: str) -> str:
        value = (self.cleaned_data.get(name) or "").strip()
        if len(value) > MAX_LENGTH:
            raise forms.ValidationError(
                gettext("This is longer than any e-Boekhouden %(what)s; check that only the %(what)s was copied.")
                % {"what": label}
            )
        if WHITESPACE.search(value):
            raise forms.ValidationError(
                gettext(
                    "An e-Boekhouden %(what)s has no spaces or line breaks; check that only the %(what)s was copied."
                )
                % {"what": label}
            )
        return value

    def clean_api_key(self) -> str:
        return self._clean_secret("api_key", gettext("API key"))

    def clean_security_code_1(self) -> str:
        return self._clean_secret("security_code_1", gettext("security code"))

    def clean_security_code_2(self) -> str:
        return self._clean_secret("security_code_2", gettext("security code"))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        legacy = [data.get(name) for name in self.legacy_field_names]
        if data.get("api_key"):
            if any(legacy):
                raise forms.ValidationError(gettext("Enter either an API key or the legacy credentials, not both."))
        elif any(legacy):
            if not all(legacy):
                raise forms.ValidationError(
                    gettext("The legacy credentials need the username and both security codes.")
                )
        elif not self.errors:
            self.add_error("api_key", gettext("Enter the API key from e-Boekhouden (Beheer → Koppelingen → API)."))
        return data
