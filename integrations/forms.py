"""The base of every provider's credentials form, as the Add wizard and the update of credentials render it."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from monitr.logs import SECRET_FIELD


class CredentialsForm(forms.Form):
    """A provider's credentials form. Fields named in ``legacy_field_names`` are an alternative way in, shown in a
    collapsed section; a provider without one leaves it empty. Secret inputs never render their value back: a field
    whose name says it holds a secret (a key, token, password, security code) must be a password input that does not
    render its value, or the form class is refused when it is defined."""

    legacy_field_names: ClassVar[tuple[str, ...]] = ()
    legacy_summary: ClassVar[Any] = _("Use other credentials instead")  # the collapsed section's title
    legacy_help: ClassVar[Any] = ""

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        for name, field in cls.declared_fields.items():
            widget = field.widget
            if SECRET_FIELD.search(name) and not (isinstance(widget, forms.PasswordInput) and not widget.render_value):
                raise ImproperlyConfigured(
                    f"{cls.__name__}.{name} holds a secret: give it forms.PasswordInput(render_value=False), so that "
                    "a page never writes the value back after an error."
                )

    @property
    def primary_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name not in self.legacy_field_names]

    @property
    def legacy_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.legacy_field_names]

    @property
    def legacy_used(self) -> bool:
        return any(self.data.get(self.add_prefix(name)) for name in self.legacy_field_names)
