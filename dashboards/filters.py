"""What every dashboard's filter form shares: the organisation's administrations to choose from, the valid value or
the default of each field, the links that keep the filters.

A filter form never refuses the page: a value that does not validate (a date in the future, an unknown sort) is
reported next to its field and its default is used instead, so a hand-edited or stale link still shows something
sensible. The one exception is an administration that is not the organisation's: that is a 404, as for any other
organisation's object. The administration defaults to the one there is, else to all of them added up.

Written on Django's forms rather than with django-filter: a FilterSet applies its filters to a queryset itself,
while here the selectors do (``dashboards/selectors/``), so that a page, its export and the API read the same rows
from the same typed arguments. Most of the filters are not field lookups either (another organisation's
administration, account or relation is a 404, the search spans four columns, the amount range reads an annotation,
the sort breaks ties by id), so a FilterSet would be a second copy of the selector made of ``method=`` filters. The
tables are templates for the same reason (django-tables2 would own the sorting and paging the selectors do), so
neither library is a dependency.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlencode

from django import forms
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ledger.models import Administration, CostCenter
from monitr.tenancy.models import Organization

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

ALL = "all"


def sort_choices(keys: dict[str, str]) -> list[tuple[str, str]]:
    """A sort field's choices: each key ascending, and descending with a "-" in front."""
    return [(key, key) for key in keys] + [(f"-{key}", f"-{key}") for key in keys]


def date_field(label: StrOrPromise) -> forms.DateField:
    return forms.DateField(
        required=False, label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


def _in_link(value: Any) -> bool:
    # "is not False" rather than "not in (None, "", False)": an amount of 0 equals False, and is a filter all the same.
    return value is not None and value is not False and value != ""


class DashboardFilterForm(forms.Form):
    """A dashboard's filters, read from the query string and validated at once.

    A subclass declares its fields, gives their defaults in :meth:`default`, what a link carries in
    :meth:`link_values`, and turns the values into its selectors' scope.
    """

    administration = forms.ChoiceField(required=False, label=gettext_lazy("Administration"))
    page = forms.IntegerField(required=False, min_value=1)

    def __init__(
        self, data: Any, *, organization: Organization, administrations: list[Administration], today: date
    ) -> None:
        super().__init__(data)
        self.organization, self.administrations, self.today = organization, administrations, today
        choices = [(ALL, _("All administrations"))] if len(administrations) > 1 else []
        choices += [
            (str(a.pk), a.name if a.is_connected else _("%(name)s (disconnected)") % {"name": a.name})
            for a in administrations
        ]
        cast(forms.ChoiceField, self.fields["administration"]).choices = choices
        self.prepare_fields()
        self.is_valid()  # fills cleaned_data with the valid fields; the rest fall back to their defaults
        if "administration" in self.errors:
            raise Http404("No such administration in this organisation.")

    def owned(self, model: Any, name: str) -> Any:
        """The organisation's ``model`` row whose id the field ``name`` holds; None when the field is empty. An id
        that is not the organisation's is a 404, as for any other organisation's object."""
        pk = self.cleaned_data.get(name)
        if not pk:
            return None
        found = model.objects.for_organization(self.organization).filter(pk=pk).first()
        if found is None:
            raise Http404(f"No such {name.replace('_', ' ')} in this organisation.")
        return found

    @property
    def chosen_cost_center(self) -> Any:
        """The cost centre filtered by, when the form has the field and it is one of the shown administrations'."""
        if "cost_center" not in self.fields:
            return None
        centre = self.owned(CostCenter, "cost_center")
        shown = {a.pk for a in self.chosen_administrations}
        return centre if centre is not None and centre.administration_id in shown else None

    def prepare_fields(self) -> None:
        """Set what the fields need to know before they validate (choices that depend on today)."""

    def default(self, name: str) -> Any:
        """The value a field takes when it is absent or does not validate."""
        if name == "administration":
            return ALL if len(self.administrations) > 1 else None
        if name == "page":
            return 1
        return None

    def value(self, name: str) -> Any:
        """The field's valid value, or its default."""
        value = self.cleaned_data.get(name) if name not in self.errors else None
        return self.default(name) if value in (None, "") else value

    @property
    def values(self) -> dict[str, Any]:
        """Every field's valid value or default, for templates (which cannot pass an argument to :meth:`value`)."""
        return {name: self.value(name) for name in self.fields}

    @property
    def chosen_administration(self) -> Administration | None:
        """The chosen administration; None for all of them."""
        chosen = self.value("administration")
        if chosen in (None, ALL):
            return self.administrations[0] if len(self.administrations) == 1 else None
        return next(a for a in self.administrations if str(a.pk) == chosen)

    @property
    def chosen_administrations(self) -> list[Administration]:
        """The administrations the page shows: the chosen one, or all of them."""
        chosen = self.chosen_administration
        return [chosen] if chosen is not None else list(self.administrations)

    def link_values(self) -> dict[str, Any]:
        """The current filters as a link carries them; None, "" and False are left out of the link."""
        return {"administration": self.value("administration") if len(self.administrations) > 1 else None}

    def params(self, **changes: Any) -> dict[str, str]:
        """The current filters as query parameters, with ``changes`` applied (None drops a parameter); for links that
        keep the filters (tabs, sorting, pages, exports, drill-downs)."""
        values = {**self.link_values(), **changes}
        return {key: str(value) for key, value in values.items() if _in_link(value)}

    def query(self, **changes: Any) -> str:
        return urlencode(self.params(**changes))

    def sort_links(self, keys: dict[str, str], *, descending_first: set[str]) -> dict[str, dict[str, Any]]:
        """Per column: the query that sorts by it (again: the other way round) and whether it is the current sort.
        A column in ``descending_first`` sorts from the largest first."""
        current = self.value("sort")
        descending = current.startswith("-")
        links = {}
        for key in keys:
            active = current.removeprefix("-") == key
            fresh = f"-{key}" if key in descending_first else key
            target = (key if descending else f"-{key}") if active else fresh
            links[key] = {
                "query": self.query(sort=target, page=None),
                "active": active,
                "direction": ("descending" if descending else "ascending") if active else "none",
            }
        return links
