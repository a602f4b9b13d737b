"""The provider's credentials form: for a ledger file, the upload itself.

``LedgerFileForm(data, files, organization=..., user=...)``: the administration's name, the journal file, an
optional open-items file and an optional column mapping (``date=Boekdatum,entry=Nr``, or a dict when a page builds
it). Its ``cleaned_data`` is what :meth:`ledgerfile.provider.LedgerFileProvider.check_credentials` takes:
``organization``, ``user``, ``administration_name``, ``journal``, ``open_items`` (or None) and ``columns`` (a dict).
The upload pages may subclass it or build their own form with those keys.
"""

from __future__ import annotations

from typing import Any

from django import forms

from integrations.forms import CredentialsForm

from .columns import parse_columns


class LedgerFileForm(CredentialsForm):
    administration_name = forms.CharField(
        label="Administration name",
        max_length=255,
        help_text="How Monitr names these books, for example the company's name.",
    )
    journal = forms.FileField(
        label="Ledger file",
        help_text="The general ledger's journal lines as CSV or XLSX (an XLSX may hold the open items on a second "
        "sheet).",
    )
    open_items = forms.FileField(
        label="Open items file", required=False, help_text="Optional: the open invoices, as CSV or XLSX."
    )
    columns = forms.CharField(
        label="Column mapping",
        required=False,
        help_text="Only for headers Monitr does not recognise: field=header, comma-separated, for example "
        "date=Boekdatum,entry=Nr.",
    )

    def __init__(self, *args: Any, organization=None, user=None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.user = user

    def clean_administration_name(self) -> str:
        name = self.cleaned_data["administration_name"].strip()
        if not name:
            raise forms.ValidationError("Give the administration a name.")
        return name

    def clean_columns(self) -> dict[str, str]:
        value = self.cleaned_data.get("columns") or ""
        if isinstance(value, dict):
            return value
        try:
            return parse_columns(value)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.organization is None:
            raise forms.ValidationError("An upload belongs to an organisation.")
        data["organization"] = self.organization
        data["user"] = self.user
        data["open_items"] = data.get("open_items") or None
        return data
