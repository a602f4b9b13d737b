"""A provider's credentials form cannot be defined so that a page writes a secret back into its HTML."""

from __future__ import annotations

import pytest
from django import forms
from django.core.exceptions import ImproperlyConfigured

from eboekhouden.forms import EboekhoudenCredentialsForm
from integrations.forms import CredentialsForm

KEY = "FormKeyCanary-5b7d9f1a3c5e7a9c1e3f"


@pytest.mark.parametrize(
    "widget",
    [forms.TextInput(), forms.PasswordInput(render_value=True), forms.HiddenInput(), forms.Textarea()],
    ids=["text", "password rendering its value", "hidden", "textarea"],
)
@pytest.mark.parametrize("name", ["api_key", "access_token", "client_secret", "password", "security_code_2"])
def test_a_secret_field_that_would_render_its_value_is_refused(name, widget):
    with pytest.raises(ImproperlyConfigured, match=name):
        type("LeakyForm", (CredentialsForm,), {name: forms.CharField(widget=widget)})


def test_secret_fields_as_password_inputs_and_plain_fields_are_accepted():
    form_class = type(
        "GoodForm",
        (CredentialsForm,),
        {"api_key": forms.CharField(widget=forms.PasswordInput()), "username": forms.CharField()},
    )

    assert set(form_class.base_fields) == {"api_key", "username"}


@pytest.mark.parametrize("error", ["refused by the provider", "both kinds at once"])
def test_the_e_boekhouden_form_renders_no_secret_back_after_an_error(error):
    data = {"api_key": KEY, "security_code_1": KEY, "security_code_2": KEY}
    if error == "refused by the provider":
        data = {"api_key": KEY}
    form = EboekhoudenCredentialsForm(data)
    form.is_valid()
    form.add_error(None, "e-Boekhouden did not accept this API key.")

    html = "".join(str(field) for field in form)

    assert form.errors and 'name="api_key"' in html and KEY not in html and KEY[:12] not in html
