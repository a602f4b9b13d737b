"""The base of every provider's credentials form, as the Add wizard and Update API key render it."""

from __future__ import annotations

from typing import ClassVar

from django import forms


class CredentialsForm(forms.Form):
    """A provider's credentials form. Fields named in ``legacy_field_names`` are an alternative way in, shown in a
    collapsed section; a provider without one leaves it empty. Secret inputs never render their value back."""

    legacy_field_names: ClassVar[tuple[str, ...]] = ()
    legacy_help: ClassVar[str] = ""

    @property
    def primary_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name not in self.legacy_field_names]

    @property
    def legacy_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.legacy_field_names]

    @property
    def legacy_used(self) -> bool:
        return any(self.data.get(self.add_prefix(name)) for name in self.legacy_field_names)
