"""The forms of the Outstanding Items dashboard: the filters (read from the query string) and the aging settings.

The filter form never refuses the page: a value that does not validate (a date in the future, an unknown sort)
is reported next to its field and its default is used instead, so a hand-edited or stale link still shows
something sensible. The one exception is an administration that is not the organisation's: that is a 404, as for
any other organisation's object.

Defaults: the one administration when there is one, else all of them added up; receivables; the organisation's
saved aging basis and boundaries; today.
"""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django import forms
from django.http import Http404

from ledger.models import Administration, OutstandingSide, Relation
from monitr.tenancy.models import Organization

from .models import MAX_BOUNDARIES, AgingBasis, OutstandingSettings, validate_boundaries
from .selectors.outstanding import DEFAULT_ITEM_SORT, DEFAULT_RELATION_SORT, ITEM_SORTS, RELATION_SORTS
from .selectors.scope import EARLIEST_AS_OF, OutstandingScope

ALL = "all"
NO_RELATION = "none"


def whole_number(text: str) -> bool:
    """Whether ``text`` is a whole number ``int()`` reads: ASCII digits only, since ``"²".isdigit()`` is true but
    ``int("²")`` fails."""
    return text.isascii() and text.isdigit()


def _sort_choices(keys: dict[str, str]) -> list[tuple[str, str]]:
    return [(key, key) for key in keys] + [(f"-{key}", f"-{key}") for key in keys]


class OutstandingFilterForm(forms.Form):
    administration = forms.ChoiceField(required=False, label="Administration")
    side = forms.ChoiceField(choices=OutstandingSide.choices, required=False)
    basis = forms.ChoiceField(choices=AgingBasis.choices, required=False, label="Age by")
    as_of = forms.DateField(
        required=False, label="As of", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    q = forms.CharField(required=False, max_length=200, strip=True, label="Search")
    sort = forms.ChoiceField(choices=_sort_choices(RELATION_SORTS), required=False)
    page = forms.IntegerField(required=False, min_value=1)

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
        super().__init__(data)
        self.organization, self.administrations, self.settings, self.today = (
            organization,
            administrations,
            settings,
            today,
        )
        choices = [(ALL, "All administrations")] if len(administrations) > 1 else []
        choices += [(str(a.pk), a.name if a.is_connected else f"{a.name} (disconnected)") for a in administrations]
        cast(forms.ChoiceField, self.fields["administration"]).choices = choices
        self.fields["as_of"].widget.attrs["max"] = today.isoformat()
        self.is_valid()  # fills cleaned_data with the valid fields; the rest fall back to their defaults
        if "administration" in self.errors:
            raise Http404("No such administration in this organisation.")

    def clean_as_of(self) -> date | None:
        value = self.cleaned_data.get("as_of")
        if value is not None and value > self.today:
            raise forms.ValidationError("Open items are known up to today; showing today.")
        if value is not None and value < EARLIEST_AS_OF:
            raise forms.ValidationError(f"Open items are known from {EARLIEST_AS_OF.isoformat()} on; showing today.")
        return value

    def value(self, name: str) -> Any:
        """The field's valid value, or its default."""
        value = self.cleaned_data.get(name) if name not in self.errors else None
        if value not in (None, ""):
            return value
        return {
            "side": OutstandingSide.RECEIVABLE,
            "basis": self.settings.basis,
            "as_of": self.today,
            "q": "",
            "sort": self.default_sort,
            "page": 1,
            "rq": "",
            "administration": ALL if len(self.administrations) > 1 else None,
        }.get(name)

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

    def params(self, **changes: Any) -> dict[str, str]:
        """The current filters as query parameters (defaults left out), with ``changes`` applied; for links that
        keep the filters (tabs, sorting, pages, exports, the drill-down)."""
        current = {
            "administration": self.value("administration") if len(self.administrations) > 1 else None,
            "side": self.value("side"),
            "basis": self.value("basis") if self.value("basis") != self.settings.basis else None,
            "as_of": self.value("as_of").isoformat() if self.value("as_of") != self.today else None,
            "q": self.value("q"),
            "sort": self.value("sort") if self.value("sort") != self.default_sort else None,
        }
        current.update(changes)
        return {key: str(value) for key, value in current.items() if value not in (None, "")}


class OutstandingItemsFilterForm(OutstandingFilterForm):
    """The item list (a relation's invoices, items without a due date): the same filters and a few more."""

    sort = forms.ChoiceField(choices=_sort_choices(ITEM_SORTS), required=False)
    relation = forms.CharField(required=False, max_length=20)
    rq = forms.CharField(required=False, max_length=200, strip=True, label="Relation search")
    no_due_date = forms.BooleanField(required=False)
    overdue = forms.NullBooleanField(required=False, widget=forms.Select(choices=[("", "All"), ("true", "Overdue")]))

    default_sort = DEFAULT_ITEM_SORT

    def clean_relation(self) -> str:
        value = self.cleaned_data["relation"]
        if value and value != NO_RELATION and not whole_number(value):
            raise forms.ValidationError("Not a relation.")
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

    def params(self, **changes: Any) -> dict[str, str]:
        extra = {
            "relation": self.value("relation"),
            "no_due_date": "1" if self.value("no_due_date") else None,
            "overdue": "true" if self.value("overdue") else None,
            "rq": self.value("rq"),
        }
        return super().params(**{**extra, **changes})


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
            raise forms.ValidationError("Type whole numbers of days, separated by commas, e.g. 30, 60, 90.")
        return [int(part) for part in parts]

    def validate(self, value: list[int]) -> None:
        super().validate(value)
        validate_boundaries(value)


class OutstandingSettingsForm(forms.ModelForm):
    boundaries = BoundariesField(
        label="Bucket boundaries (days past due)",
        help_text=f"Up to {MAX_BOUNDARIES} ascending numbers; 30, 60, 90 gives 1–30, 31–60, 61–90 and over 90.",
        max_length=60,
    )

    class Meta:
        model = OutstandingSettings
        fields = ["basis", "boundaries"]
        labels = {"basis": "Default aging basis"}
