"""The filters of the P&L, the balance sheet and their drill-downs, read from the query string.

As on the Outstanding Items page, a value that does not validate falls back to its default instead of refusing
the page, except an administration that is not the organisation's, which is a 404. Defaults: the one administration
when there is one, else all of them added up; this year, through this month (a past year: through December).
"""

from __future__ import annotations

from datetime import date
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.http import Http404

from ledger.models import Administration
from monitr.tenancy.models import Organization

from .selectors.statements import StatementScope

ALL = "all"
YEARS_BACK = 6
MONTHS = [(m, date(2000, m, 1).strftime("%B")) for m in range(1, 13)]


class StatementFilterForm(forms.Form):
    administration = forms.ChoiceField(required=False, label="Administration")
    year = forms.TypedChoiceField(required=False, coerce=int, label="Year")
    month = forms.TypedChoiceField(choices=MONTHS, required=False, coerce=int, label="Through")
    # A single month of a drill-down; absent: the year to date.
    m = forms.TypedChoiceField(choices=MONTHS, required=False, coerce=int)
    page = forms.IntegerField(required=False, min_value=1)

    def __init__(
        self, data: Any, *, organization: Organization, administrations: list[Administration], today: date
    ) -> None:
        super().__init__(data)
        self.organization, self.administrations, self.today = organization, administrations, today
        choices = [(ALL, "All administrations")] if len(administrations) > 1 else []
        choices += [(str(a.pk), a.name) for a in administrations]
        cast(forms.ChoiceField, self.fields["administration"]).choices = choices
        years = range(today.year, today.year - YEARS_BACK, -1)
        cast(forms.ChoiceField, self.fields["year"]).choices = [(y, str(y)) for y in years]
        self.is_valid()
        if "administration" in self.errors:
            raise Http404("No such administration in this organisation.")

    def value(self, name: str) -> Any:
        value = self.cleaned_data.get(name) if name not in self.errors else None
        if value in (None, ""):
            return self.default(name)
        return value

    def default(self, name: str) -> Any:
        if name == "administration":
            return str(self.administrations[0].pk) if len(self.administrations) == 1 else ALL
        if name == "year":
            return self.today.year
        if name == "month":
            return self.today.month if self.value("year") == self.today.year else 12
        if name == "page":
            return 1
        return None

    @property
    def chosen_administration(self) -> Administration | None:
        chosen = self.value("administration")
        return None if chosen == ALL else next(a for a in self.administrations if str(a.pk) == chosen)

    def scope(self, *, year: int | None = None) -> StatementScope:
        return StatementScope(
            organization=self.organization,
            year=year or self.value("year"),
            month=self.value("month"),
            administration=self.chosen_administration,
        )

    def params(self, **changes: Any) -> dict[str, str]:
        """The current filters as query parameters, with ``changes`` (None drops a parameter)."""
        values = {
            "administration": self.value("administration"),
            "year": self.value("year"),
            "month": self.value("month"),
            "m": self.value("m"),
        }
        values.update(changes)
        return {k: str(v) for k, v in values.items() if v not in (None, "")}

    def query(self, **changes: Any) -> str:
        return urlencode(self.params(**changes))
