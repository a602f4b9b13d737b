"""The filters of the P&L, the balance sheet and their drill-downs, read from the query string.

They behave as every dashboard's (``dashboards.filters``). Defaults: the one administration when there is one, else
all of them added up; this year, through this month (a past year: through December).
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import dates
from django.utils.translation import gettext_lazy as _

from .filters import DashboardFilterForm
from .selectors.statements import StatementScope

YEARS_BACK = 6
# Django's month names, translated when a form is shown (strftime would name them in the server's locale).
MONTHS = list(dates.MONTHS.items())


class StatementFilterForm(DashboardFilterForm):
    year = forms.TypedChoiceField(required=False, coerce=int, label=_("Year"))
    month = forms.TypedChoiceField(choices=MONTHS, required=False, coerce=int, label=_("Through"))
    # A single month of a drill-down; absent: the year to date.
    m = forms.TypedChoiceField(choices=MONTHS, required=False, coerce=int)
    # The P&L and its drill-downs only: a balance sheet is the whole administration's.
    cost_center = forms.IntegerField(required=False, label=_("Cost centre"))

    def prepare_fields(self) -> None:
        years = range(self.today.year, self.today.year - YEARS_BACK, -1)
        cast(forms.ChoiceField, self.fields["year"]).choices = [(y, str(y)) for y in years]

    def default(self, name: str) -> Any:
        if name == "year":
            return self.today.year
        if name == "month":
            return self.today.month if self.value("year") == self.today.year else 12
        return super().default(name)

    def scope(self, *, year: int | None = None, by_cost_centre: bool = False) -> StatementScope:
        """The statement's scope; ``by_cost_centre`` (the P&L's) takes the cost centre chosen, if any."""
        return StatementScope(
            organization=self.organization,
            year=year or self.value("year"),
            month=self.value("month"),
            administration=self.chosen_administration,
            today=self.today,
            cost_center=self.chosen_cost_center if by_cost_centre else None,
        )

    def link_values(self) -> dict[str, Any]:
        centre = self.chosen_cost_center
        return {
            **super().link_values(),
            "year": self.value("year"),
            "month": self.value("month"),
            "m": self.value("m"),
            "cost_center": centre.pk if centre else None,
        }
