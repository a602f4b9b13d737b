"""The forms of the Outstanding Items dashboard: the filters (read from the query string) and the aging settings.

The filters behave as every dashboard's (``dashboards.filters``). Defaults: the one administration when there is
one, else all of them added up; receivables; the organisation's saved aging basis and boundaries; today.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.http import Http404
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ledger.forecast import MAX_CURVE_DAYS, curve_validate
from ledger.models import Administration, OutstandingSide, Relation
from monitr.tenancy.models import Organization

from .filters import DashboardFilterForm, date_field, sort_choices
from .models import MAX_BOUNDARIES, AgingBasis, OutstandingSettings, validate_boundaries
from .selectors.outstanding import DEFAULT_ITEM_SORT, DEFAULT_RELATION_SORT, ITEM_SORTS, RELATION_SORTS
from .selectors.scope import EARLIEST_AS_OF, OutstandingScope

NO_RELATION = "none"


def whole_number(text: str) -> bool:
    """Whether ``text`` is a whole number ``int()`` reads: ASCII digits only, since ``"²".isdigit()`` is true but
    ``int("²")`` fails."""
    return text.isascii() and text.isdigit()


class OutstandingFilterForm(DashboardFilterForm):
    side = forms.ChoiceField(choices=OutstandingSide.choices, required=False)
    basis = forms.ChoiceField(choices=AgingBasis.choices, required=False, label=gettext_lazy("Age by"))
    as_of = date_field(gettext_lazy("As of"))
    q = forms.CharField(required=False, max_length=200, strip=True, label=gettext_lazy("Search"))
    sort = forms.ChoiceField(choices=sort_choices(RELATION_SORTS), required=False)

    default_sort = DEFAULT_RELATION_SORT

    def __init__(
        self,
        data: Any,
        *,
        organization: Organization,
        administrations: list[Administration],
        settings: OutstandingSettings,
        today: date,
    ) -> None:
        self.settings = settings
        super().__init__(data, organization=organization, administrations=administrations, today=today)

    def prepare_fields(self) -> None:
        self.fields["as_of"].widget.attrs["max"] = self.today.isoformat()

    def clean_as_of(self) -> date | None:
        value = self.cleaned_data.get("as_of")
        if value is not None and value > self.today:
            raise forms.ValidationError(_("Open items are known up to today; showing today."))
        if value is not None and value < EARLIEST_AS_OF:
            raise forms.ValidationError(
                _("Open items are known from %(day)s on; showing today.") % {"day": EARLIEST_AS_OF.isoformat()}
            )
        return value

    def default(self, name: str) -> Any:
        defaults = {
            "side": OutstandingSide.RECEIVABLE,
            "basis": self.settings.basis,
            "as_of": self.today,
            "q": "",
            "rq": "",
            "sort": self.default_sort,
        }
        return defaults[name] if name in defaults else super().default(name)

    def scope(self) -> OutstandingScope:
        return OutstandingScope(
            organization=self.organization,
            administration=self.chosen_administration,
            side=OutstandingSide(self.value("side")),
            as_of=self.value("as_of"),
            today=self.today,
            basis=AgingBasis(self.value("basis")),
            boundaries=tuple(self.settings.boundaries),
        )

    def link_values(self) -> dict[str, Any]:
        """Defaults other than the side are left out."""
        return {
            **super().link_values(),
            "side": self.value("side"),
            "basis": self.value("basis") if self.value("basis") != self.settings.basis else None,
            "as_of": self.value("as_of").isoformat() if self.value("as_of") != self.today else None,
            "q": self.value("q"),
            "sort": self.value("sort") if self.value("sort") != self.default_sort else None,
        }


class OutstandingItemsFilterForm(OutstandingFilterForm):
    """The item list (a relation's invoices, items without a due date): the same filters and a few more."""

    sort = forms.ChoiceField(choices=sort_choices(ITEM_SORTS), required=False)
    relation = forms.CharField(required=False, max_length=20)
    rq = forms.CharField(required=False, max_length=200, strip=True, label=gettext_lazy("Relation search"))
    no_due_date = forms.BooleanField(required=False)
    overdue = forms.NullBooleanField(
        required=False, widget=forms.Select(choices=[("", gettext_lazy("All")), ("true", gettext_lazy("Overdue"))])
    )

    default_sort = DEFAULT_ITEM_SORT

    def clean_relation(self) -> str:
        value = self.cleaned_data["relation"]
        if value and value != NO_RELATION and not whole_number(value):
            raise forms.ValidationError(_("Not a relation."))
        return value

    def relation_filter(self) -> tuple[Relation | None, bool]:
        """``(relation, without_relation)``: the relation asked for (404 when it is not the organisation's), or
        items without a relation (``relation=none``). Looked up once per form."""
        if not hasattr(self, "_relation_filter"):
            self._relation_filter = self._find_relation()
        return self._relation_filter

    def _find_relation(self) -> tuple[Relation | None, bool]:
        if "relation" in self.errors:
            raise Http404("No such relation.")  # as for an id of another organisation's relation
        chosen = self.value("relation")
        if not chosen:
            return None, False
        if chosen == NO_RELATION:
            return None, True
        relations = Relation.objects.for_organization(self.organization).select_related("administration")
        try:
            return relations.get(pk=int(chosen)), False
        except Relation.DoesNotExist:
            raise Http404("No such relation.") from None

    def link_values(self) -> dict[str, Any]:
        return {
            **super().link_values(),
            "relation": self.value("relation"),
            "no_due_date": "1" if self.value("no_due_date") else None,
            "overdue": "true" if self.value("overdue") else None,
            "rq": self.value("rq"),
        }


class BoundariesField(forms.CharField):
    """Boundaries typed as "30, 60, 90"."""

    def prepare_value(self, value: Any) -> str:
        if isinstance(value, list | tuple):
            return ", ".join(str(day) for day in value)
        return value

    # Typed in the form like text, cleaned to a list of days: not the str of CharField.to_python.
    def to_python(self, value: Any) -> list[int]:  # type: ignore[override]
        text = super().to_python(value) or ""
        parts = [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
        if not all(whole_number(part) for part in parts):
            raise forms.ValidationError(_("Type whole numbers of days, separated by commas, e.g. 30, 60, 90."))
        return [int(part) for part in parts]

    def validate(self, value: list[int]) -> None:
        super().validate(value)
        validate_boundaries(value)


class OutstandingSettingsForm(forms.ModelForm):
    boundaries = BoundariesField(
        label=gettext_lazy("Bucket boundaries (days past due)"),
        help_text=format_lazy(
            gettext_lazy("Up to {count} ascending numbers; 30, 60, 90 gives 1–30, 31–60, 61–90 and over 90."),
            count=MAX_BOUNDARIES,
        ),
        max_length=60,
    )

    class Meta:
        model = OutstandingSettings
        fields = ["basis", "boundaries"]
        labels = {"basis": gettext_lazy("Default aging basis")}


class ForecastFilterForm(OutstandingFilterForm):
    """The cash forecast's filters: the administration and the side. It forecasts from today."""

    def scope(self) -> OutstandingScope:
        return OutstandingScope(
            organization=self.organization,
            administration=self.chosen_administration,
            side=OutstandingSide(self.value("side")),
            as_of=self.today,
            today=self.today,
            boundaries=tuple(self.settings.boundaries),
        )


CURVE_ROWS = 4


class CollectionCurveForm(forms.Form):
    """The organisation's collection curve as up to four rows of "this percentage within this many days of the
    due date"; rows left empty are left out."""

    def __init__(self, data: Any = None, *, settings: OutstandingSettings) -> None:
        initial = {}
        for index, (days, percent) in enumerate(settings.collection_curve, start=1):
            initial[f"percent_{index}"] = percent
            initial[f"days_{index}"] = days
        super().__init__(data, initial=initial)
        self.settings = settings
        for index in range(1, CURVE_ROWS + 1):
            self.fields[f"percent_{index}"] = forms.IntegerField(
                required=False, min_value=1, max_value=100, label=gettext_lazy("Percentage")
            )
            self.fields[f"days_{index}"] = forms.IntegerField(
                required=False, min_value=1, max_value=MAX_CURVE_DAYS, label=gettext_lazy("Within days")
            )

    def rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"percent_{index}"], self[f"days_{index}"]) for index in range(1, CURVE_ROWS + 1)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:  # a field's own error says what is wrong
            return data
        steps = []
        for index in range(1, CURVE_ROWS + 1):
            percent, days = data.get(f"percent_{index}"), data.get(f"days_{index}")
            if percent is None and days is None:
                continue
            if percent is None or days is None:
                raise forms.ValidationError(_("Give both the percentage and the days of each step."))
            steps.append([days, percent])
        curve_validate(steps)
        data["curve"] = steps
        return data

    def save(self) -> OutstandingSettings:
        self.settings.collection_curve = self.cleaned_data["curve"]
        self.settings.save()
        return self.settings
